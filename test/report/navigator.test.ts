import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { formatNavigator, gradientColor, navigatorTacticName, type NavigatorLayer } from '../../server/src/engine/report/navigator';
import type { Finding } from '../../server/src/engine/types';
import { NavigatorLayerSchema, parseNavigatorLayer } from '../helpers/navigator-schema';
import { ROOT, finding } from './fixtures';

const catalog = loadBundledCatalog();

const FINDINGS: Finding[] = [
  finding({ file: path.join(ROOT, 'src/train.py'), line: 11, character: 4 }),
  finding({ file: path.join(ROOT, 'src/data.py'), line: 4, character: 0, ruleId: 'hf-dataset-unpinned', severity: 'warning', message: 'load_dataset without a pinned revision.', techniques: ['AML.T0010.002', 'AML.T0020'] }),
  // Citing a technique twice counts once.
  finding({ file: path.join(ROOT, 'src/data.py'), line: 8, character: 0, ruleId: 'hf-dataset-unpinned', severity: 'info', message: 'load_dataset without a pinned revision.', techniques: ['AML.T0020', 'AML.T0020'] }),
  finding({ file: path.join(ROOT, 'nb/explore.ipynb'), line: 40, character: 6, cell: { index: 2, line: 3 } }),
  finding({ file: path.join(ROOT, 'x.py'), line: 0, character: 0, ruleId: 'my-rule', severity: 'info', message: 'Custom.', techniques: ['AML.T9999'] }),
  finding({ file: path.join(ROOT, 'x.py'), line: 1, character: 0, ruleId: 'my-other-rule', severity: 'warning', message: 'No technique.', techniques: [] }),
];

const OPTIONS = { cwd: ROOT, toolVersion: '0.1.0', filesScanned: 4, generatedAt: new Date('2026-05-04T10:00:00Z') };
const TORCH_MESSAGE = 'torch.load without weights_only=True can run arbitrary code from the file.';

const counts = (n: number, error: number, warning: number, info: number) => [
  { name: 'findings', value: String(n) },
  { name: 'error', value: String(error) },
  { name: 'warning', value: String(warning) },
  { name: 'info', value: String(info) },
  { divider: true as const },
];
const link = (id: string) => [{ label: `${id} on MITRE ATLAS`, url: `https://atlas.mitre.org/techniques/${id}` }];

test('exact layer for a small set of findings', () => {
  const layer = formatNavigator(FINDINGS, catalog, OPTIONS);
  const poison = {
    score: 4,
    comment: '2 findings (0 errors, 1 warning, 1 info). Rules: hf-dataset-unpinned ×2. Files: src/data.py ×2.',
    enabled: true,
    metadata: [
      ...counts(2, 0, 1, 1),
      { name: 'src/data.py:5', value: 'warning [hf-dataset-unpinned] load_dataset without a pinned revision.' },
      { name: 'src/data.py:9', value: 'info [hf-dataset-unpinned] load_dataset without a pinned revision.' },
    ],
    links: link('AML.T0020'),
    showSubtechniques: false,
  };
  const expected: NavigatorLayer = {
    name: 'ATLAS Lens: atlas lens proj',
    versions: { layer: '4.5', navigator: '4.9.0' },
    domain: 'atlas-atlas',
    description:
      'Code exposure found by ATLAS Lens 0.1.0: 6 findings (2 errors, 2 warnings, 2 info) on 3 ATLAS techniques. ' +
      'Score = 10 × errors + 3 × warnings + 1 × info findings citing the technique; colours saturate at 10.',
    sorting: 3,
    layout: { layout: 'side', showID: true, showName: true, showAggregateScores: true, countUnscored: false, aggregateFunction: 'max', expandedSubtechniques: 'annotated' },
    hideDisabled: false,
    techniques: [
      // The parent of an annotated sub-technique, so the Navigator shows it expanded.
      { techniqueID: 'AML.T0010', tactic: 'initial-access', showSubtechniques: true },
      {
        techniqueID: 'AML.T0010.002',
        tactic: 'initial-access',
        score: 3,
        comment: '1 finding (0 errors, 1 warning, 0 info). Rules: hf-dataset-unpinned. Files: src/data.py.',
        enabled: true,
        metadata: [...counts(1, 0, 1, 0), { name: 'src/data.py:5', value: 'warning [hf-dataset-unpinned] load_dataset without a pinned revision.' }],
        links: link('AML.T0010.002'),
      },
      { techniqueID: 'AML.T0011', tactic: 'execution', showSubtechniques: true },
      {
        techniqueID: 'AML.T0011.000',
        tactic: 'execution',
        score: 20,
        comment: '2 findings (2 errors, 0 warnings, 0 info). Rules: torch-load-unsafe ×2. Files: nb/explore.ipynb, src/train.py.',
        enabled: true,
        metadata: [
          ...counts(2, 2, 0, 0),
          { name: 'nb/explore.ipynb:41 (cell 3, line 4)', value: `error [torch-load-unsafe] ${TORCH_MESSAGE}` },
          { name: 'src/train.py:12', value: `error [torch-load-unsafe] ${TORCH_MESSAGE}` },
        ],
        links: link('AML.T0011.000'),
      },
      // Poison Training Data serves two tactics: one entry each, in matrix order.
      { techniqueID: 'AML.T0020', tactic: 'resource-development', ...poison },
      { techniqueID: 'AML.T0020', tactic: 'persistence', ...poison },
    ],
    gradient: { colors: ['#fff3b0', '#ffa94d', '#e03131'], minValue: 0, maxValue: 10 },
    legendItems: [
      { label: 'score 1–2: info findings only', color: '#ffe49c' },
      { label: 'score 3–9: warnings', color: '#ffc775' },
      { label: 'score 10+: an error (or many lesser findings)', color: '#e03131' },
    ],
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata: [
      { name: 'atlas_data_version', value: '5.6.0' },
      { name: 'generator', value: 'ATLAS Lens 0.1.0' },
      { name: 'generated_on', value: '2026-05-04' },
      { name: 'scoring', value: '10 per error + 3 per warning + 1 per info finding citing the technique' },
      { divider: true },
      { name: 'findings', value: '6 (2 errors, 2 warnings, 2 info)' },
      { name: 'files_scanned', value: '4' },
      { name: 'techniques', value: '3' },
      { name: 'not_in_atlas_5.6.0', value: 'AML.T9999 (1 finding)' },
      { name: 'without_technique', value: '1' },
    ],
    links: [{ label: 'MITRE ATLAS', url: 'https://atlas.mitre.org' }],
  };
  assert.deepEqual(layer, expected);
  // Deterministic: the same input gives the same text.
  assert.equal(JSON.stringify(formatNavigator([...FINDINGS].reverse(), catalog, OPTIONS)), JSON.stringify(layer));
});

test('the layer passes the format 4.5 schema, and the schema rejects broken layers', () => {
  const layer = JSON.parse(JSON.stringify(formatNavigator(FINDINGS, catalog, OPTIONS)));
  parseNavigatorLayer(layer);
  parseNavigatorLayer(JSON.parse(JSON.stringify(formatNavigator([], catalog, { cwd: ROOT, toolVersion: '0.1.0' }))));
  parseNavigatorLayer(JSON.parse(JSON.stringify(formatNavigator(FINDINGS, catalog, { ...OPTIONS, dimUnexposed: true }))));
  const broken = (change: (l: any) => void): boolean => {
    const copy = JSON.parse(JSON.stringify(layer));
    change(copy);
    return NavigatorLayerSchema.safeParse(copy).success;
  };
  assert.equal(broken(() => {}), true);
  assert.equal(broken((l) => delete l.name), false);
  assert.equal(broken((l) => (l.versions.layer = '4.3')), false);
  assert.equal(broken((l) => (l.versions.navigator = '4.6.4')), false);
  assert.equal(broken((l) => (l.domain = 'enterprise-attack')), false);
  assert.equal(broken((l) => (l.gradient.maxValue = 0)), false);
  assert.equal(broken((l) => (l.techniques[1].score = '3')), false);
  assert.equal(broken((l) => (l.links[0].url = 'atlas.mitre.org')), false);
  assert.equal(broken((l) => (l.techniques[0].techniqueId = l.techniques[0].techniqueID)), false);
});

test('tactic names are those of the ATLAS Navigator; entries cite real (technique, tactic) pairs', () => {
  assert.deepEqual(
    catalog.tactics.map((t) => navigatorTacticName(t.name)),
    [
      'reconnaissance', 'resource-development', 'initial-access', 'ai-model-access', 'execution', 'persistence',
      'privilege-escalation', 'defense-evasion', 'credential-access', 'discovery', 'lateral-movement', 'collection',
      'ai-attack-staging', 'command-and-control', 'exfiltration', 'impact',
    ],
  );
  const byName = new Map(catalog.tactics.map((t) => [navigatorTacticName(t.name), t.id]));
  const layer = formatNavigator(FINDINGS, catalog, { ...OPTIONS, dimUnexposed: true });
  for (const entry of layer.techniques) {
    const technique = catalog.technique(entry.techniqueID);
    assert.ok(technique, entry.techniqueID);
    assert.ok(technique.tactics.includes(byName.get(entry.tactic!)!), `${entry.techniqueID} is not in ${entry.tactic}`);
    if (entry.showSubtechniques) assert.ok(catalog.allTechniques().some((t) => t.parent === entry.techniqueID), `${entry.techniqueID} has no sub-techniques`);
  }
});

test('sub-technique of a multi-tactic parent; parent with findings of its own', () => {
  const findings = [
    finding({ file: path.join(ROOT, 'a.py'), line: 0, character: 0, severity: 'warning', techniques: ['AML.T0018.000'] }),
    finding({ file: path.join(ROOT, 'a.py'), line: 3, character: 0, severity: 'info', techniques: ['AML.T0018'] }),
  ];
  const layer = formatNavigator(findings, catalog, OPTIONS);
  assert.deepEqual(
    layer.techniques.map((t) => [t.techniqueID, t.tactic, t.score, t.showSubtechniques]),
    [
      ['AML.T0018', 'persistence', 1, true],
      ['AML.T0018', 'ai-attack-staging', 1, true],
      ['AML.T0018.000', 'persistence', 3, undefined],
      ['AML.T0018.000', 'ai-attack-staging', 3, undefined],
    ],
  );
});

test('dimUnexposed lists every other technique disabled, once per tactic', () => {
  const layer = formatNavigator(FINDINGS, catalog, { ...OPTIONS, dimUnexposed: true });
  const pairs = catalog.allTechniques().reduce((n, t) => n + t.tactics.length, 0);
  assert.equal(layer.techniques.length, pairs);
  const keys = layer.techniques.map((t) => `${t.techniqueID}/${t.tactic}`);
  assert.equal(new Set(keys).size, keys.length);
  const disabled = layer.techniques.filter((t) => t.enabled === false);
  assert.equal(disabled.length, pairs - 6);
  assert.ok(disabled.every((t) => t.score === undefined && t.comment === undefined));
  assert.ok(!disabled.some((t) => t.techniqueID === 'AML.T0010' || t.techniqueID === 'AML.T0011'), 'parents of exposed sub-techniques stay enabled');
  assert.equal(layer.hideDisabled, false);
  assert.deepEqual(layer.legendItems.at(-1), { label: 'no findings (disabled)', color: '#d9d9d9' });
});

test('comments and metadata stay bounded on a large scan', () => {
  const many = Array.from({ length: 200 }, (_, i) =>
    finding({ file: path.join(ROOT, `pkg${i % 40}/module_with_a_rather_long_name_${i}.py`), line: i, character: 0, ruleId: `rule-${i % 12}`, severity: i % 3 === 0 ? 'error' : 'warning', message: 'x'.repeat(500) }),
  );
  const layer = formatNavigator(many, catalog, OPTIONS);
  const entry = layer.techniques.find((t) => t.techniqueID === 'AML.T0011.000')!;
  assert.ok(entry.comment!.length <= 600);
  assert.match(entry.comment!, /^200 findings \(67 errors, 133 warnings, 0 info\)\. Rules: rule-0 ×17, .*, \+7 more\. Files: /);
  assert.equal(entry.score, 67 * 10 + 133 * 3);
  assert.equal(entry.metadata!.length, 5 + 10 + 1);
  assert.deepEqual(entry.metadata!.at(-1), { name: 'more', value: '+190 findings' });
  // Errors first among the listed locations.
  assert.ok(entry.metadata!.slice(5, 15).every((m) => 'value' in m && m.value.startsWith('error ')));
  assert.ok(entry.metadata!.slice(5, 15).every((m) => 'value' in m && m.value.length < 240));
});

test('no findings: an empty, valid layer', () => {
  const layer = formatNavigator([], catalog, { cwd: ROOT, toolVersion: '0.1.0', name: 'My layer' });
  assert.equal(layer.name, 'My layer');
  assert.deepEqual(layer.techniques, []);
  assert.equal(layer.description, 'ATLAS Lens found nothing to map to MITRE ATLAS 5.6.0.');
  assert.deepEqual(layer.metadata.slice(0, 2), [
    { name: 'atlas_data_version', value: '5.6.0' },
    { name: 'generator', value: 'ATLAS Lens 0.1.0' },
  ]);
});

test('gradient colours for the legend', () => {
  assert.equal(gradientColor(0), '#fff3b0');
  assert.equal(gradientColor(5), '#ffa94d');
  assert.equal(gradientColor(10), '#e03131');
  assert.equal(gradientColor(500), '#e03131');
  assert.equal(gradientColor(-1), '#fff3b0');
});
