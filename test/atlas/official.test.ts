/**
 * loadOfficialAtlas on the real ATLAS 5.6.0 file and on small synthetic files, and located
 * errors from a broken bundled-style catalog.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadBundledCatalog, parseCatalog } from '../../server/src/engine/atlas/catalog';
import { loadOfficialAtlas } from '../../server/src/engine/atlas/official';
import { parseLocatedYaml } from '../../server/src/engine/yaml/located-yaml';
import type { InputProblem } from '../../server/src/engine/types';

const repoRoot = path.resolve(__dirname, '..', '..');
const officialFile = path.resolve(repoRoot, '..', 'shared', 'atlas', 'ATLAS.yaml');
const bundled = loadBundledCatalog();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-official-'));
process.on('exit', () => fs.rmSync(tmp, { recursive: true, force: true }));
let fileCount = 0;
function write(lines: readonly string[] | string): string {
  const file = path.join(tmp, `atlas-${++fileCount}.yaml`);
  fs.writeFileSync(file, typeof lines === 'string' ? lines : lines.join('\n') + '\n');
  return file;
}

/** "line:severity:field" (one-based line, as an editor shows it). */
const brief = (p: InputProblem): string => `${(p.line ?? -1) + 1}:${p.severity}:${p.field ?? ''}`;

test('the real 5.6.0 file gives the bundled catalog, summaries included', () => {
  const { catalog, problems } = loadOfficialAtlas(officialFile, bundled);
  assert.ok(catalog);
  assert.deepEqual(catalog.data, bundled.data);
  assert.equal(catalog.fullName('AML.T0011.000'), 'User Execution: Unsafe AI Artifacts');
  // Only the repaired quirks are reported, as info, at their lines in ATLAS.yaml.
  assert.deepEqual(problems.map(brief), [
    '4053:info:matrices[0].mitigations[2].techniques[7]',
    '4172:info:matrices[0].mitigations[4].techniques[11]',
    '4787:info:matrices[0].mitigations[18].ml-lifecycle[6]',
    '5404:info:matrices[0].mitigations[34].ml-lifecycle[4]',
  ]);
  assert.match(problems[0]!.message, /AML\.M0002 links AML\.T0043\.001 twice; deduplicated/);
  assert.match(problems[2]!.message, /AML\.M0018 lists technique AML\.T0052\.001 under `ml-lifecycle`/);
});

test('without a bundled catalog the facts are the same and there are no summaries', () => {
  const { catalog } = loadOfficialAtlas(officialFile);
  assert.ok(catalog);
  const strip = ({ summary, codeRisk, ...facts }: { summary?: string; codeRisk?: string }) => facts;
  assert.deepEqual(catalog.allTechniques(), bundled.allTechniques().map(strip));
  assert.deepEqual(catalog.allMitigations(), bundled.allMitigations().map(strip));
  assert.equal(catalog.allTechniques().filter((t) => t.summary).length, 0);
});

test('unquoted dates stay strings with the core schema', () => {
  const located = parseLocatedYaml('created_date: 2022-01-24\nmodified_date: 2025-04-09\n');
  assert.deepEqual(located.value, { created_date: '2022-01-24', modified_date: '2025-04-09' });
});

const SYNTHETIC = [
  'version: 9.9.0', //                        1
  'matrices:',
  '- id: ATLAS',
  '  name: ATLAS Matrix',
  '  tactics:', //                            5
  '  - id: AML.TA0001',
  '    name: Staging',
  '    object-type: tactic',
  '    created_date: 2022-01-24',
  '  - name: A tactic without id', //         10
  '    object-type: tactic',
  '  - id: AML.TA0002',
  '    name: Recon',
  '  techniques:',
  '  - id: AML.T0001', //                     15
  '    name: Parent',
  '    object-type: technique',
  '    tactics:',
  '    - AML.TA0001',
  '    - AML.TA0099', //                      20
  '    - AML.TA0002',
  '  - id: AML.T0001.000',
  '    name: Child',
  '    object-type: technique',
  '    subtechnique-of: AML.T0001', //        25
  '  - id: AML.T0002.000',
  '    name: Orphan',
  '    object-type: technique',
  '    subtechnique-of: AML.T0002',
  '  - id: AML.T0003', //                     30
  '    name: Weird',
  '    object-type: case-study',
  '    tactics: [AML.TA0001]',
  '  mitigations:',
  '  - id: AML.M0001', //                     35
  '    name: Mitigate',
  '    object-type: mitigation',
  '    techniques:',
  '    - id: AML.T0001',
  '      use: first', //                      40
  '    - id: AML.T0001',
  '      use: again',
  '    - id: AML.T0404',
  '      use: gone',
  '    ml-lifecycle:', //                     45
  '    - Deployment',
  '    - id: AML.T0001.000',
  '      use: misplaced',
  '  - id: AML.M0002',
  '    name: Mitigate more', //               50
  '    techniques: []',
];

test('synthetic file: every quirk and problem is reported at its line, the rest loads', () => {
  const file = write(SYNTHETIC);
  const { catalog, problems } = loadOfficialAtlas(file, bundled);
  assert.ok(catalog);
  assert.equal(catalog.version, '9.9.0');
  assert.deepEqual(catalog.tactics, [
    { id: 'AML.TA0001', name: 'Staging', order: 1 },
    { id: 'AML.TA0002', name: 'Recon', order: 2 },
  ]);
  assert.deepEqual(catalog.allTechniques().map((t) => [t.id, t.parent, t.tactics]), [
    ['AML.T0001', undefined, ['AML.TA0001', 'AML.TA0002']],
    ['AML.T0001.000', 'AML.T0001', ['AML.TA0001', 'AML.TA0002']],
  ]);
  assert.equal(catalog.fullName('AML.T0001.000'), 'Parent: Child');
  assert.deepEqual(catalog.mitigation('AML.M0001')?.techniques, ['AML.T0001', 'AML.T0001.000']);
  assert.deepEqual(catalog.mitigation('AML.M0002')?.techniques, []);
  assert.deepEqual(catalog.mitigationsFor('AML.T0001.000').map((m) => m.id), ['AML.M0001']);
  // Summaries carry over by id: the bundled AML.T0001 has none, so nothing appears.
  assert.equal(catalog.technique('AML.T0001')?.summary, undefined);

  const sorted = [...problems].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  assert.deepEqual(sorted.map(brief), [
    '10:warning:matrices[0].tactics[1]',
    '20:warning:matrices[0].techniques[0].tactics[1]',
    '29:warning:matrices[0].techniques[2].subtechnique-of',
    '32:warning:matrices[0].techniques[3].object-type',
    '41:info:matrices[0].mitigations[0].techniques[1]',
    '43:warning:matrices[0].mitigations[0].techniques[2].id',
    '47:info:matrices[0].mitigations[0].ml-lifecycle[1]',
  ]);
  assert.deepEqual(sorted.map((p) => p.message), [
    'tactic entry without id; skipped',
    'AML.T0001 cites unknown tactic AML.TA0099; ignored',
    'AML.T0002.000 is a sub-technique of unknown technique AML.T0002; skipped',
    'AML.T0003 has unknown object-type "case-study"; skipped',
    'AML.M0001 links AML.T0001 twice; deduplicated',
    'AML.M0001 links AML.T0404, which is not a usable technique of this file; ignored',
    'AML.M0001 lists technique AML.T0001.000 under `ml-lifecycle` instead of `techniques`; used as a technique link',
  ]);
  assert.ok(problems.every((p) => p.file === file));
  assert.equal(problems.find((p) => p.line === 19)?.character, 6);
});

test('synthetic file: summaries carry over for ids that still exist', () => {
  const file = write([
    'version: 6.0.0',
    'matrices:',
    '- tactics:',
    '  - {id: AML.TA0005, name: Execution}',
    '  techniques:',
    '  - {id: AML.T0011, name: User Execution, tactics: [AML.TA0005]}',
    '  - {id: AML.T0011.000, name: Unsafe AI Artifacts Renamed, subtechnique-of: AML.T0011}',
    '  - {id: AML.T0999, name: Brand New, tactics: [AML.TA0005]}',
    '  mitigations:',
    '  - {id: AML.M0011, name: Restrict Library Loading, techniques: [AML.T0011.000]}',
  ]);
  const { catalog, problems } = loadOfficialAtlas(file, bundled);
  assert.deepEqual(problems, []);
  assert.ok(catalog);
  assert.equal(catalog.technique('AML.T0011.000')?.summary, bundled.technique('AML.T0011.000')?.summary);
  assert.equal(catalog.technique('AML.T0011.000')?.codeRisk, bundled.technique('AML.T0011.000')?.codeRisk);
  assert.equal(catalog.technique('AML.T0999')?.summary, undefined);
  assert.equal(catalog.mitigation('AML.M0011')?.summary, bundled.mitigation('AML.M0011')?.summary);
  assert.equal(catalog.fullName('AML.T0011.000'), 'User Execution: Unsafe AI Artifacts Renamed');
  assert.deepEqual(catalog.mitigation('AML.M0011')?.techniques, ['AML.T0011.000']);
});

test('a file that is not YAML is a located error and no catalog', () => {
  const file = write('version: 5.6.0\nmatrices:\n- id: ATLAS\n  tactics: [unclosed\n');
  const { catalog, problems } = loadOfficialAtlas(file);
  assert.equal(catalog, undefined);
  assert.equal(problems.length, 1);
  assert.equal(problems[0]!.severity, 'error');
  assert.equal(problems[0]!.line, 4);
  assert.match(problems[0]!.message, /^not an ATLAS data file: invalid YAML/);
});

test('a file without matrices is a located error and no catalog', () => {
  const noMatrices = loadOfficialAtlas(write('id: ATLAS\nversion: 5.6.0\n'));
  assert.equal(noMatrices.catalog, undefined);
  assert.deepEqual(noMatrices.problems.map(brief), ['1:error:']);
  assert.match(noMatrices.problems[0]!.message, /expected a non-empty `matrices` list/);

  const empty = loadOfficialAtlas(write('version: 5.6.0\nmatrices: []\n'));
  assert.equal(empty.catalog, undefined);
  assert.deepEqual(empty.problems.map(brief), ['2:error:matrices']);

  const missing = loadOfficialAtlas(path.join(tmp, 'does-not-exist.yaml'));
  assert.equal(missing.catalog, undefined);
  assert.match(missing.problems[0]!.message, /^cannot read ATLAS data/);
});

test('a matrix without usable techniques is an error and no catalog', () => {
  const { catalog, problems } = loadOfficialAtlas(
    write(['version: 5.6.0', 'matrices:', '- tactics:', '  - {id: AML.TA0005, name: Execution}', '  techniques:', '  - {name: nameless}']),
  );
  assert.equal(catalog, undefined);
  assert.deepEqual(problems.map(brief), ['6:warning:matrices[0].techniques[0]', '6:error:matrices[0].techniques']);
});

test('a broken bundled-style catalog gives located zod errors', () => {
  const good = fs.readFileSync(path.join(repoRoot, 'data', 'atlas', 'catalog.yaml'), 'utf8').split('\n');
  const orderLine = good.indexOf('    order: 3');
  const tacticLine = good.indexOf('    tactics: [AML.TA0005]');
  assert.ok(orderLine > 0 && tacticLine > orderLine);
  const broken = [...good];
  broken[orderLine] = '    order: three';
  broken[tacticLine] = '    tactics: [AML.TA0042]';
  const techniqueIndex = good.slice(0, tacticLine).filter((line) => /^  - id: AML\.T\d/.test(line)).length - 1;

  const dir = path.join(tmp, 'broken');
  fs.mkdirSync(dir);
  const file = path.join(dir, 'catalog.yaml');
  fs.writeFileSync(file, broken.join('\n'));
  const { catalog, problems } = parseCatalog(file, broken.join('\n'));
  assert.equal(catalog, undefined);
  assert.deepEqual(
    problems.map((p) => [p.line, p.field]),
    [[orderLine, 'tactics[2].order']],
    'shape errors come first; cross-reference checks run on well-shaped data',
  );
  assert.equal(problems[0]!.character, '    order: '.length);

  // With the shape fixed, the unknown tactic is reported at its line and field.
  broken[orderLine] = good[orderLine]!;
  fs.writeFileSync(file, broken.join('\n'));
  assert.throws(
    () => loadBundledCatalog(dir),
    (error: Error) => {
      assert.match(error.message, /^invalid ATLAS catalog /);
      const line = `${file}:${tacticLine + 1}:${'    tactics: ['.length + 1}: techniques[${techniqueIndex}].tactics[0]: unknown tactic AML.TA0042`;
      assert.ok(error.message.includes(line), `${error.message}\n--- expected a line: ${line}`);
      return true;
    },
  );
});
