/**
 * The bundled catalog (data/atlas/catalog.yaml) against the official ATLAS 5.6.0 file, read here
 * with plain js-yaml (not with our reader) so the check is independent of official.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';
import { findBundledDataDir, loadBundledCatalog } from '../../server/src/engine/atlas/catalog';

const repoRoot = path.resolve(__dirname, '..', '..');
const officialFile = path.resolve(repoRoot, '..', 'shared', 'atlas', 'ATLAS.yaml');

interface OfficialEntry {
  id: string;
  name: string;
  tactics?: string[];
  'subtechnique-of'?: string;
  techniques?: Array<{ id: string }>;
  [key: string]: unknown;
}
const official = jsYaml.load(fs.readFileSync(officialFile, 'utf8')) as {
  version: string;
  matrices: Array<{ tactics: OfficialEntry[]; techniques: OfficialEntry[]; mitigations: OfficialEntry[] }>;
};
const matrix = official.matrices[0]!;
const catalog = loadBundledCatalog();

test('version and counts match the official file', () => {
  assert.equal(catalog.version, '5.6.0');
  assert.equal(catalog.version, official.version);
  assert.equal(catalog.tactics.length, matrix.tactics.length);
  assert.equal(catalog.tactics.length, 16);
  assert.equal(catalog.allTechniques().length, matrix.techniques.length);
  assert.equal(catalog.allTechniques().length, 170);
  assert.equal(catalog.allTechniques().filter((t) => t.parent).length, 69);
  assert.equal(catalog.allMitigations().length, matrix.mitigations.length);
  assert.equal(catalog.allMitigations().length, 35);
});

test('tactics: same ids, names and matrix order', () => {
  assert.deepEqual(
    catalog.tactics.map((t) => [t.id, t.name, t.order]),
    matrix.tactics.map((t, i) => [t.id, t.name, i + 1]),
  );
  assert.equal(catalog.tactics[0]?.name, 'Reconnaissance');
  assert.equal(catalog.tactic('AML.TA0005')?.name, 'Execution');
  assert.equal(catalog.tactic('AML.TA9999'), undefined);
});

test('techniques: same ids, names, parents and tactics (sub-techniques inherit)', () => {
  const byId = new Map(matrix.techniques.map((t) => [t.id, t]));
  for (const technique of catalog.allTechniques()) {
    const entry = byId.get(technique.id);
    assert.ok(entry, `${technique.id} is not in the official file`);
    assert.equal(technique.name, entry.name, technique.id);
    assert.equal(technique.parent, entry['subtechnique-of'], technique.id);
    const expectedTactics = entry['subtechnique-of'] ? byId.get(entry['subtechnique-of'])?.tactics : entry.tactics;
    assert.deepEqual(technique.tactics, expectedTactics, technique.id);
    assert.equal(technique.url, `https://atlas.mitre.org/techniques/${technique.id}`);
    assert.equal(catalog.techniqueUrl(technique.id), technique.url);
  }
  assert.deepEqual(catalog.allTechniques().map((t) => t.id), matrix.techniques.map((t) => t.id));
});

test('mitigations: same ids, names and technique links (misplaced links included, duplicates once)', () => {
  const byId = new Map(matrix.mitigations.map((m) => [m.id, m]));
  for (const mitigation of catalog.allMitigations()) {
    const entry = byId.get(mitigation.id);
    assert.ok(entry, `${mitigation.id} is not in the official file`);
    assert.equal(mitigation.name, entry.name);
    assert.equal(mitigation.url, `https://atlas.mitre.org/mitigations/${mitigation.id}`);
    // Every {id: AML.T...} item anywhere under the mitigation is a link.
    const links = new Set<string>();
    for (const value of Object.values(entry)) {
      if (!Array.isArray(value)) continue;
      for (const item of value) {
        if (item && typeof item === 'object' && /^AML\.T\d/.test(String(item.id))) links.add(String(item.id));
      }
    }
    assert.deepEqual([...mitigation.techniques].sort(), [...links].sort(), mitigation.id);
  }
  // The two quirks of 5.6.0, spelled out.
  assert.ok(catalog.mitigation('AML.M0018')?.techniques.includes('AML.T0052.001'));
  assert.ok(catalog.mitigation('AML.M0034')?.techniques.includes('AML.T0052.001'));
  assert.equal(catalog.mitigation('AML.M0002')?.techniques.filter((id) => id === 'AML.T0043.001').length, 1);
  assert.equal(catalog.mitigation('AML.M0004')?.techniques.filter((id) => id === 'AML.T0043.001').length, 1);
  assert.deepEqual(
    catalog.mitigationsFor('AML.T0052.001').map((m) => m.id),
    ['AML.M0018', 'AML.M0034'],
  );
});

test('queries: fullName, technique, mitigationsFor', () => {
  assert.equal(catalog.fullName('AML.T0011.000'), 'User Execution: Unsafe AI Artifacts');
  assert.equal(catalog.fullName('AML.T0010.003'), 'AI Supply Chain Compromise: Model');
  assert.equal(catalog.fullName('AML.T0010'), 'AI Supply Chain Compromise');
  assert.equal(catalog.fullName('AML.M0011'), 'Restrict Library Loading');
  assert.equal(catalog.fullName('AML.T9999'), undefined);
  assert.equal(catalog.technique('AML.T0011.000')?.parent, 'AML.T0011');
  assert.deepEqual(catalog.technique('AML.T0011.000')?.tactics, ['AML.TA0005']);
  assert.equal(catalog.technique('AML.T9999'), undefined);
  assert.equal(catalog.techniqueUrl('AML.T9999'), undefined);
  assert.deepEqual(
    catalog.mitigationsFor('AML.T0011.000').map((m) => m.id),
    ['AML.M0011', 'AML.M0013', 'AML.M0014', 'AML.M0016', 'AML.M0018', 'AML.M0023'],
  );
  assert.deepEqual(catalog.mitigationsFor('AML.T9999'), []);
});

test('the data dir is found by walking up from a bundled location', () => {
  assert.equal(findBundledDataDir(path.join(repoRoot, 'server', 'dist')), path.join(repoRoot, 'data', 'atlas'));
  assert.equal(findBundledDataDir(), path.join(repoRoot, 'data', 'atlas'));
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-dir-'));
  try {
    assert.throws(() => findBundledDataDir(tmp), /cannot find data\/atlas\/catalog\.yaml/);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
});

test('the generator is idempotent: catalog.yaml is up to date with summaries.yaml', async () => {
  const { execFileSync } = await import('node:child_process');
  const out = execFileSync(process.execPath, ['--import', 'tsx', 'scripts/generate-atlas-catalog.ts', '--check'], {
    cwd: repoRoot,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  assert.equal(out.trim(), 'data/atlas/catalog.yaml is up to date');
});
