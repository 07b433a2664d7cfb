import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatSarif, pascalCase, type SarifLog, type SarifResult } from '../../server/src/engine/report/sarif';
import type { Finding } from '../../server/src/engine/types';
import { ROOT, RULES, atlas, finding } from './fixtures';
import { loadSarifValidator } from '../helpers/sarif-schema';

const validate = loadSarifValidator();

function assertValid(log: unknown): void {
  const ok = validate(log);
  assert.ok(ok, JSON.stringify(validate.errors, null, 2));
}

const TRAIN = path.join(ROOT, 'src', 'mödel train.py');
const TRAIN_SOURCE = ['import torch', '', 'model = torch.load(path)', 'other = torch.load(path)', 'model = torch.load(path)', ''].join('\n');

function trainFindings(offset = 0): Finding[] {
  return [
    finding({ file: TRAIN, line: 2 + offset, character: 8, range: { start: { line: 2 + offset, character: 8 }, end: { line: 2 + offset, character: 24 } } }),
    finding({
      file: TRAIN,
      line: 4 + offset,
      character: 8,
      range: { start: { line: 4 + offset, character: 8 }, end: { line: 4 + offset, character: 24 } },
      fix: { title: 'Set weights_only=True', safe: true, edits: [{ range: { start: { line: 4 + offset, character: 23 }, end: { line: 4 + offset, character: 23 } }, newText: ', weights_only=True' }] },
    }),
  ];
}

function build(findings: Finding[], source = TRAIN_SOURCE, extra: Partial<Parameters<typeof formatSarif>[3]> = {}): SarifLog {
  return formatSarif(findings, RULES, atlas, {
    baseDir: ROOT,
    toolVersion: '0.1.0',
    readSource: (file) => (file === TRAIN ? source : undefined),
    ...extra,
  });
}

const fingerprint = (result: SarifResult): string => result.partialFingerprints['atlasLens/v1']!;

test('valid against the official SARIF 2.1.0 schema (and the validator does reject broken logs)', () => {
  const notebook = finding({ file: path.join(ROOT, 'nb', 'a.ipynb'), line: 7, character: 2, ruleId: 'hf-remote-code', severity: 'warning', techniques: ['AML.T0010.003'], cell: { index: 1, line: 0 } });
  const unknownRule = finding({ file: path.join(ROOT, 'x.py'), line: 0, character: 0, ruleId: 'not-loaded', severity: 'info', techniques: ['AML.T0099'] });
  const log = build([...trainFindings(), notebook, unknownRule], TRAIN_SOURCE, {
    problems: [
      { file: path.join(ROOT, '.atlas-lens.yaml'), line: 2, character: 0, field: 'rules', message: 'rules: bad', severity: 'error' },
      { file: path.join(ROOT, 'rules', 'x.yaml'), message: 'unreadable', severity: 'warning' },
    ],
  });
  assertValid(JSON.parse(JSON.stringify(log)));

  const broken = JSON.parse(JSON.stringify(log));
  broken.runs[0].results[0].locations[0].physicalLocation.region.startLine = 0;
  assert.equal(validate(broken), false);
  const broken2 = JSON.parse(JSON.stringify(log));
  broken2.runs[0].results[0].level = 'info';
  assert.equal(validate(broken2), false);
});

test('driver, rules and the ATLAS taxonomy', () => {
  const log = build(trainFindings());
  const run = log.runs[0];
  assert.equal(log.version, '2.1.0');
  assert.equal(run.tool.driver.name, 'ATLAS Lens');
  assert.equal(run.tool.driver.version, '0.1.0');
  assert.deepEqual(run.tool.driver.supportedTaxonomies, [{ name: 'MITRE ATLAS', index: 0 }]);
  assert.deepEqual(
    run.tool.driver.rules.map((r) => [r.id, r.name, r.defaultConfiguration.level]),
    [
      ['torch-load-unsafe', 'TorchLoadUnsafe', 'error'],
      ['hf-remote-code', 'HfRemoteCode', 'warning'],
      ['unused-rule', 'UnusedRule', 'note'],
    ],
  );
  const torch = run.tool.driver.rules[0]!;
  assert.equal(torch.shortDescription.text, 'Title of torch-load-unsafe');
  assert.equal(torch.fullDescription?.text, 'Pickle files run code when loaded.');
  assert.equal(torch.helpUri, 'https://atlas.mitre.org/techniques/AML.T0011.000');
  assert.match(torch.help!.markdown!, /```python\nmodel = torch\.load\(path, weights_only=True\)\n```/);
  assert.match(torch.help!.markdown!, /\[AML\.T0011\.000 User Execution: Unsafe AI Artifacts\]\(https:\/\/atlas\.mitre\.org\/techniques\/AML\.T0011\.000\)/);
  assert.match(torch.help!.text, /Fix: Pass weights_only=True\./);
  assert.deepEqual(torch.properties.tags, ['security', 'AML.T0011.000']);
  assert.equal(run.tool.driver.rules[1]!.helpUri, 'https://atlas.mitre.org/techniques/AML.T0010.003');

  const taxonomy = run.taxonomies[0]!;
  assert.equal(taxonomy.name, 'MITRE ATLAS');
  assert.equal(taxonomy.version, '5.6.0');
  assert.equal(taxonomy.organization, 'MITRE');
  assert.equal(taxonomy.informationUri, 'https://atlas.mitre.org');
  assert.deepEqual(
    taxonomy.taxa.map((t) => [t.id, t.name, t.helpUri]),
    [
      ['AML.T0010.003', 'AI Supply Chain Compromise: Model', 'https://atlas.mitre.org/techniques/AML.T0010.003'],
      ['AML.T0011.000', 'User Execution: Unsafe AI Artifacts', 'https://atlas.mitre.org/techniques/AML.T0011.000'],
      ['AML.T0018', 'Manipulate AI Model', 'https://atlas.mitre.org/techniques/AML.T0018'],
    ],
  );
  // Every rule relationship points at the taxon it names.
  for (const rule of run.tool.driver.rules) {
    for (const relationship of rule.relationships ?? []) {
      assert.equal(taxonomy.taxa[relationship.target.index]?.id, relationship.target.id);
      assert.deepEqual(relationship.target.toolComponent, { name: 'MITRE ATLAS', index: 0 });
    }
  }
  assert.deepEqual(run.tool.driver.rules[1]!.relationships?.map((r) => r.target.id), ['AML.T0010.003', 'AML.T0011.000']);
});

test('results: relative percent-encoded uri, one-based region, ruleIndex, taxa, fixes', () => {
  const notebook = finding({ file: path.join(ROOT, 'nb', 'a.ipynb'), line: 7, character: 2, ruleId: 'hf-remote-code', severity: 'warning', techniques: ['AML.T0010.003', 'AML.T0011.000'], cell: { index: 1, line: 0 } });
  const unknownRule = finding({ file: path.join(ROOT, 'x.py'), line: 0, character: 0, ruleId: 'not-loaded', severity: 'info', techniques: [] });
  const log = build([...trainFindings(), notebook, unknownRule]);
  const run = log.runs[0];
  assert.deepEqual(run.originalUriBaseIds['%SRCROOT%']?.uri, 'file:///tmp/atlas%20lens%20proj/');

  // Sorted by path: nb/a.ipynb, src/mödel train.py (x2), x.py.
  assert.deepEqual(
    run.results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri),
    ['nb/a.ipynb', 'src/m%C3%B6del%20train.py', 'src/m%C3%B6del%20train.py', 'x.py'],
  );
  for (const result of run.results) {
    assert.equal(result.locations[0]!.physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
    assert.equal(run.tool.driver.rules[result.ruleIndex]?.id, result.ruleId);
    for (const taxon of result.taxa) {
      assert.equal(run.taxonomies[0]!.taxa[taxon.index]?.id, taxon.id);
      assert.deepEqual(taxon.toolComponent, { name: 'MITRE ATLAS', index: 0 });
    }
  }
  // The resolved uri is the real file.
  const resolved = new URL(run.results[1]!.locations[0]!.physicalLocation.artifactLocation.uri, run.originalUriBaseIds['%SRCROOT%']!.uri);
  assert.equal(decodeURIComponent(resolved.pathname), TRAIN.split(path.sep).join('/'));

  const [nb, first, second, unknown] = run.results as [SarifResult, SarifResult, SarifResult, SarifResult];
  assert.equal(nb.ruleIndex, 1);
  assert.equal(nb.level, 'warning');
  assert.deepEqual(nb.taxa.map((t) => [t.id, t.index]), [['AML.T0010.003', 0], ['AML.T0011.000', 1]]);
  assert.deepEqual(nb.properties, { atlasMitigations: ['AML.M0011'], notebookCell: 2, notebookCellLine: 1 });
  assert.deepEqual(first.locations[0]!.physicalLocation.region, { startLine: 3, startColumn: 9, endLine: 3, endColumn: 25, snippet: { text: 'torch.load(path)' } });
  assert.equal(first.ruleIndex, 0);
  assert.equal(first.message.text, 'torch.load without weights_only=True can run arbitrary code from the file.');
  assert.equal(first.fixes, undefined);
  assert.deepEqual(second.fixes, [
    {
      description: { text: 'Set weights_only=True' },
      artifactChanges: [
        {
          artifactLocation: { uri: 'src/m%C3%B6del%20train.py', uriBaseId: '%SRCROOT%' },
          replacements: [{ deletedRegion: { startLine: 5, startColumn: 24, endLine: 5, endColumn: 24 }, insertedContent: { text: ', weights_only=True' } }],
        },
      ],
      properties: { safe: true },
    },
  ]);
  // A rule id that was not loaded gets a descriptor appended after the loaded rules.
  assert.equal(unknown.ruleIndex, 3);
  assert.equal(unknown.level, 'note');
  assert.equal(run.tool.driver.rules.length, 4);
  assert.deepEqual(unknown.taxa, []);
});

test('fingerprints: stable when an unrelated line is inserted above, distinct for identical lines', () => {
  const before = build(trainFindings()).runs[0].results;
  const shiftedSource = ['# a new comment', ...TRAIN_SOURCE.split('\n')].join('\n');
  const after = build(trainFindings(1), shiftedSource).runs[0].results;
  assert.equal(before.length, 2);
  assert.match(fingerprint(before[0]!), /^[0-9a-f]{32}$/);
  assert.equal(fingerprint(after[0]!), fingerprint(before[0]!));
  assert.equal(fingerprint(after[1]!), fingerprint(before[1]!));
  // Lines 3 and 5 hold the same text: their fingerprints must differ.
  assert.notEqual(fingerprint(before[0]!), fingerprint(before[1]!));
  // Whitespace changes inside the line do not matter; changing the flagged line does.
  const reindented = build(trainFindings(), TRAIN_SOURCE.replace('model = torch.load(path)', 'model  =  torch.load(path)')).runs[0].results;
  assert.equal(fingerprint(reindented[1]!), fingerprint(before[1]!));
  // Inserting another identical statement above shifts the occurrence index of the later ones.
  const duplicated = build(trainFindings(1), ['model = torch.load(path)', ...TRAIN_SOURCE.split('\n')].join('\n')).runs[0].results;
  assert.notEqual(fingerprint(duplicated[0]!), fingerprint(before[0]!));
  // A different rule on the same text differs.
  const otherRule = build([{ ...trainFindings()[0]!, ruleId: 'hf-remote-code' }]).runs[0].results;
  assert.notEqual(fingerprint(otherRule[0]!), fingerprint(before[0]!));
});

test('fingerprints without source text fall back to message occurrence', () => {
  const log = build(trainFindings(), TRAIN_SOURCE, { readSource: undefined });
  const [a, b] = log.runs[0].results as [SarifResult, SarifResult];
  assert.deepEqual(Object.keys(a.partialFingerprints), ['atlasLensMessage/v1']);
  assert.notEqual(a.partialFingerprints['atlasLensMessage/v1'], b.partialFingerprints['atlasLensMessage/v1']);
  assert.equal(a.locations[0]!.physicalLocation.region?.snippet, undefined);
  const shifted = build(trainFindings(5), TRAIN_SOURCE, { readSource: undefined }).runs[0].results;
  assert.deepEqual(shifted.map((r) => r.partialFingerprints), log.runs[0].results.map((r) => r.partialFingerprints));
});

test('input problems become configuration notifications; executionSuccessful', () => {
  const clean = build([]);
  assert.deepEqual(clean.runs[0].invocations, [{ executionSuccessful: true }]);
  assert.deepEqual(clean.runs[0].results, []);
  assert.equal(clean.runs[0].tool.driver.rules.length, 3);

  const log = build([], TRAIN_SOURCE, {
    problems: [
      { file: path.join(ROOT, '.atlas-lens.yaml'), line: 2, character: 4, field: 'rules', message: 'rules: bad', severity: 'error' },
      { file: path.join(ROOT, 'rules', 'x.yaml'), message: 'unreadable', severity: 'info' },
    ],
  });
  const invocation = log.runs[0].invocations[0]!;
  assert.equal(invocation.executionSuccessful, false);
  assert.deepEqual(invocation.toolConfigurationNotifications, [
    {
      level: 'error',
      message: { text: 'rules: bad' },
      locations: [{ physicalLocation: { artifactLocation: { uri: '.atlas-lens.yaml', uriBaseId: '%SRCROOT%' }, region: { startLine: 3, startColumn: 5 } } }],
      properties: { field: 'rules' },
    },
    { level: 'note', message: { text: 'unreadable' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'rules/x.yaml', uriBaseId: '%SRCROOT%' } } }] },
  ]);
  assertValid(JSON.parse(JSON.stringify(log)));
  const overridden = build([], TRAIN_SOURCE, { problems: [{ file: 'x', message: 'm', severity: 'error' }], executionSuccessful: true });
  assert.equal(overridden.runs[0].invocations[0]!.executionSuccessful, true);
});

test('files outside baseDir get an absolute file URI; special characters are encoded', () => {
  const outside = path.resolve(ROOT, '..', 'elsewhere', 'a#b.py');
  const odd = path.join(ROOT, 'dir?', '100%.py');
  const log = build([finding({ file: outside, line: 0, character: 0 }), finding({ file: odd, line: 0, character: 0 })]);
  const locations = log.runs[0].results.map((r) => r.locations[0]!.physicalLocation.artifactLocation);
  assert.deepEqual(locations, [
    { uri: 'file:///tmp/elsewhere/a%23b.py' },
    { uri: 'dir%3F/100%25.py', uriBaseId: '%SRCROOT%' },
  ]);
  assertValid(JSON.parse(JSON.stringify(log)));
});

test('pascalCase', () => {
  assert.equal(pascalCase('torch-load-unsafe'), 'TorchLoadUnsafe');
  assert.equal(pascalCase('pickle'), 'Pickle');
  assert.equal(pascalCase('hf-v2-model'), 'HfV2Model');
});

test('flow findings carry their path as a SARIF code flow, source first', () => {
  const file = path.join(ROOT, 'agent.py');
  const flowFinding = finding({
    file,
    line: 9,
    character: 4,
    flow: [
      { range: { start: { line: 5, character: 15 }, end: { line: 5, character: 50 } }, message: 'client.chat.completions.create() returns model output' },
      { range: { start: { line: 7, character: 4 }, end: { line: 7, character: 8 } }, message: 'assigned to code' },
      { range: { start: { line: 9, character: 9 }, end: { line: 9, character: 13 } }, message: 'reaches exec()' },
    ],
  });
  const log = formatSarif([flowFinding], RULES, atlas, { baseDir: ROOT, toolVersion: '0.1.0' });
  assertValid(log);
  const result = log.runs[0]!.results[0]!;
  const steps = result.codeFlows?.[0]?.threadFlows[0]?.locations ?? [];
  assert.deepEqual(
    steps.map((step) => [step.location.physicalLocation.artifactLocation.uri, step.location.physicalLocation.region.startLine, step.location.physicalLocation.region.startColumn, step.location.message.text]),
    [
      ['agent.py', 6, 16, 'client.chat.completions.create() returns model output'],
      ['agent.py', 8, 5, 'assigned to code'],
      ['agent.py', 10, 10, 'reaches exec()'],
    ],
  );
  const plain = formatSarif([finding({ file, line: 1, character: 0 })], RULES, atlas, { baseDir: ROOT, toolVersion: '0.1.0' });
  assert.equal(plain.runs[0]!.results[0]!.codeFlows, undefined);
});
