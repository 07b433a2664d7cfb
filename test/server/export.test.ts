import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { formatMarkdown } from '../../server/src/engine/report/markdown';
import { isExportFormat, renderExport, type ExportSource } from '../../server/src/lsp/export';
import { loadSarifValidator } from '../helpers/sarif-schema';
import { parseNavigatorLayer } from '../helpers/navigator-schema';
import { ROOT, RULES, finding } from '../report/fixtures';

const catalog = loadBundledCatalog();
const FINDINGS = [
  finding({ file: path.join(ROOT, 'src/train.py'), line: 5, character: 12 }),
  finding({ file: path.join(ROOT, 'serve/app.py'), line: 2, character: 0, ruleId: 'hf-remote-code', severity: 'warning', techniques: ['AML.T0010.003', 'AML.T0011.000'] }),
];
const SOURCES: Record<string, string> = {
  [path.join(ROOT, 'src/train.py')]: 'import torch\n\n\n\n\nmodel = torch.load(path)\n',
};
const SOURCE: ExportSource = {
  findings: FINDINGS,
  baseDir: ROOT,
  rules: RULES,
  catalog,
  filesScanned: 7,
  durationMs: 1200,
  problems: [],
  readSource: (file) => SOURCES[file],
};
const NOW = new Date('2026-11-28T16:00:00Z');

test('export formats', () => {
  assert.deepEqual(['sarif', 'navigator', 'markdown', 'html', 'text', 1].map(isExportFormat), [true, true, true, false, false, false]);
});

test('SARIF: schema-valid, results relative to the workspace folder, every rule listed', () => {
  const result = renderExport('sarif', SOURCE, '0.1.0', NOW);
  assert.equal(result.findings, 2);
  assert.ok(result.content.endsWith('}\n'));
  const log = JSON.parse(result.content) as { runs: any[] };
  const validate = loadSarifValidator();
  assert.ok(validate(log), JSON.stringify(validate.errors));
  const run = log.runs[0];
  assert.equal(run.tool.driver.version, '0.1.0');
  assert.deepEqual(run.tool.driver.rules.map((r: { id: string }) => r.id), RULES.map((r) => r.id));
  // Sorted by path: serve/app.py first.
  assert.deepEqual(run.results.map((r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }) =>
    [r.ruleId, r.locations[0]!.physicalLocation.artifactLocation.uri, r.locations[0]!.physicalLocation.region.startLine]), [
    ['hf-remote-code', 'serve/app.py', 3],
    ['torch-load-unsafe', 'src/train.py', 6],
  ]);
  assert.equal(run.originalUriBaseIds['%SRCROOT%'].uri, `file://${ROOT.split('/').map(encodeURIComponent).join('/')}/`);
  // The source text was read: a statement fingerprint, not the message one.
  const train = run.results.find((r: { ruleId: string }) => r.ruleId === 'torch-load-unsafe');
  assert.ok(train.partialFingerprints['atlasLens/v1']);
});

test('Navigator layer: valid layer of the techniques with findings, scores, date and file count', () => {
  const result = renderExport('navigator', SOURCE, '0.1.0', NOW);
  const layer = parseNavigatorLayer(JSON.parse(result.content));
  assert.equal(layer.domain, 'atlas-atlas');
  assert.equal(layer.name, `ATLAS Lens: ${path.basename(ROOT)}`);
  const scored = (layer.techniques ?? []).filter((t) => t.score !== undefined).map((t) => [t.techniqueID, t.tactic, t.score]);
  // AML.T0011.000: an error (10) and a warning (3); AML.T0010.003: a warning (3).
  assert.deepEqual(scored, [['AML.T0010.003', 'initial-access', 3], ['AML.T0011.000', 'execution', 13]]);
  const metadata = JSON.stringify(layer.metadata);
  assert.match(metadata, /2026-11-28/);
  assert.match(metadata, /"files_scanned","value":"7"|"value":"7"/);
});

test('Markdown: the reporter of the CLI, paths relative to the workspace folder', () => {
  const result = renderExport('markdown', SOURCE, '0.1.0', NOW);
  assert.equal(result.content, formatMarkdown(FINDINGS, catalog, { cwd: ROOT, toolVersion: '0.1.0', filesScanned: 7, durationMs: 1200, problems: 0 }));
  assert.match(result.content, /^### ATLAS Lens: 2 findings \(1 error, 1 warning, 0 info\)\n/);
  assert.ok(result.content.includes('src/train.py'));
  assert.ok(!result.content.includes(ROOT), 'no absolute paths');
});

test('no findings: still a valid report of each kind', () => {
  const empty = { ...SOURCE, findings: [] };
  const sarif = JSON.parse(renderExport('sarif', empty, '0.1.0', NOW).content);
  assert.deepEqual(sarif.runs[0].results, []);
  const layer = parseNavigatorLayer(JSON.parse(renderExport('navigator', empty, '0.1.0', NOW).content));
  assert.deepEqual((layer.techniques ?? []).filter((t) => t.score !== undefined), []);
  assert.match(renderExport('markdown', empty, '0.1.0', NOW).content, /^### ATLAS Lens: no findings/);
});
