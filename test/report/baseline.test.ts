/**
 * The baseline matcher (engine/report/baseline.ts): reading a SARIF report (and refusing what is
 * not one, with where), and telling new findings from known ones after code has moved.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { Engine } from '../../server/src/engine/engine';
import { atlasLookupFromCatalog } from '../../server/src/engine/report/atlas-lookup';
import { newSinceBaseline, parseBaseline, readBaseline, type Baseline } from '../../server/src/engine/report/baseline';
import { formatSarif } from '../../server/src/engine/report/sarif';
import type { Finding } from '../../server/src/engine/types';

const BASE = path.resolve('/tmp/atlas-lens-baseline-project');
const FILE = path.join(BASE, 'src', 'train.py');

const ORIGINAL = ['import pickle', 'import torch', '', 'def load(path, blob):', '    model = torch.load(path)', '    a = pickle.loads(blob)', '    b = pickle.loads(blob)', '    return model, a, b', ''].join('\n');

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function analyse(text: string, file = FILE): Finding[] {
  return engine.analyze(file, text, { projectRoot: BASE }).findings;
}

function baselineOf(findings: Finding[], texts: Record<string, string>): Baseline {
  const sarif = formatSarif(findings, engine.rules, atlasLookupFromCatalog(loadBundledCatalog()), { baseDir: BASE, toolVersion: '0.0.0', readSource: (file) => texts[file] });
  const load = parseBaseline('/b.sarif', JSON.stringify(sarif, null, 2));
  assert.ok(load.baseline, JSON.stringify(load.problem));
  return load.baseline;
}

describe('newSinceBaseline', () => {
  test('code moved down and re-indented, plus one new risk: only the new one is new', () => {
    const before = analyse(ORIGINAL);
    assert.deepEqual(before.map((f) => [f.ruleId, f.range.start.line]), [['torch-load-unsafe', 4], ['pickle-deserialization', 5], ['pickle-deserialization', 6]]);
    const baseline = baselineOf(before, { [FILE]: ORIGINAL });
    assert.equal(baseline.results, 3);
    assert.equal(baseline.fingerprints.size, 3, 'two identical statements get two fingerprints');

    const edited = ['"""A docstring moves everything down."""', 'import pickle', 'import torch', '', '', 'def load(path, blob):', '    if True:', '        model = torch.load(path)', '    a = pickle.loads(blob)', '    b = pickle.loads(blob)', '    c = pickle.loads(blob)', '    return model, a, b, c', ''].join('\n');
    const after = analyse(edited);
    assert.equal(after.length, 4);
    const fresh = newSinceBaseline(after, baseline, BASE, () => edited);
    // The third identical statement is the new one (occurrence index 2).
    assert.deepEqual([...fresh].map((f) => [f.ruleId, f.range.start.line]), [['pickle-deserialization', 10]]);
  });

  test('the same code in another file, or compared from another base directory, is new', () => {
    const baseline = baselineOf(analyse(ORIGINAL), { [FILE]: ORIGINAL });
    const other = path.join(BASE, 'src', 'other.py');
    const moved = analyse(ORIGINAL, other);
    assert.equal(newSinceBaseline(moved, baseline, BASE, () => ORIGINAL).size, 3);
    // Same file, compared from another base directory: the relative path differs, all new.
    assert.equal(newSinceBaseline(analyse(ORIGINAL), baseline, path.join(BASE, 'src'), () => ORIGINAL).size, 3);
  });

  test('unchanged code: nothing new; a changed statement is new', () => {
    const baseline = baselineOf(analyse(ORIGINAL), { [FILE]: ORIGINAL });
    assert.equal(newSinceBaseline(analyse(ORIGINAL), baseline, BASE, () => ORIGINAL).size, 0);
    const changed = ORIGINAL.replace('torch.load(path)', 'torch.load(path, map_location="cpu")');
    assert.deepEqual([...newSinceBaseline(analyse(changed), baseline, BASE, () => changed)].map((f) => f.ruleId), ['torch-load-unsafe']);
  });

  test('without source text (model files), the message fingerprint is compared', () => {
    const findings = analyse(ORIGINAL);
    const baseline = baselineOf(findings, {});
    assert.equal(newSinceBaseline(findings, baseline, BASE).size, 0);
    // With text now, the keys differ: everything is new (the baseline must be written the same way).
    assert.equal(newSinceBaseline(findings, baseline, BASE, () => ORIGINAL).size, 3);
  });
});

describe('reading a baseline', () => {
  test('a SARIF log: fingerprints of every run are read, results counted', () => {
    const text = JSON.stringify({ version: '2.1.0', runs: [{ results: [{ partialFingerprints: { 'atlasLens/v1': 'abc' } }, { partialFingerprints: { 'atlasLens/v1': 'def', other: 7 } }] }, { results: [] }, {}] });
    const load = parseBaseline('/x.sarif', text);
    assert.deepEqual(load.baseline && { ...load.baseline, fingerprints: [...load.baseline.fingerprints] }, { file: '/x.sarif', fingerprints: ['atlasLens/v1:abc', 'atlasLens/v1:def'], results: 2 });
    assert.deepEqual(parseBaseline('/empty.sarif', '{"runs": []}').baseline?.results, 0);
    assert.ok(parseBaseline('/bom.sarif', '\ufeff{"runs": []}').baseline, 'a byte order mark is fine');
  });

  test('invalid JSON, not SARIF, results not a list, no fingerprints: a located error, no baseline', () => {
    const invalid = parseBaseline('/bad.sarif', '{\n  "runs": [}\n');
    assert.equal(invalid.baseline, undefined);
    assert.equal(invalid.problem?.file, '/bad.sarif');
    assert.equal(invalid.problem?.severity, 'error');
    assert.match(invalid.problem?.message ?? '', /^baseline: not valid JSON \(/);
    assert.equal(typeof invalid.problem?.line, 'number');
    assert.deepEqual(parseBaseline('/a.sarif', '[1, 2]').problem, { file: '/a.sarif', line: 0, character: 0, message: 'baseline: not a SARIF log (expected an object with "runs", as written by atlas-lens scan --format sarif)', severity: 'error' });
    assert.deepEqual(parseBaseline('/n.sarif', 'null').problem?.message, 'baseline: not a SARIF log (expected an object with "runs", as written by atlas-lens scan --format sarif)');
    assert.deepEqual(parseBaseline('/r.sarif', '{\n  "runs": [\n    { "results": 3 }\n  ]\n}').problem, { file: '/r.sarif', line: 2, character: 6, message: 'baseline: runs[0].results is not an array', severity: 'error' });
    assert.deepEqual(parseBaseline('/f.sarif', '{"runs": [{"results": [{"ruleId": "x"}]}]}').problem?.message, 'baseline: no result has partialFingerprints (write the baseline with atlas-lens scan --format sarif)');
  });

  test('a missing file is an error naming it', () => {
    const missing = path.join(os.tmpdir(), 'atlas-lens-no-such-baseline.sarif');
    assert.deepEqual(readBaseline(missing), { problem: { file: missing, message: 'baseline: file not found', severity: 'error' } });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-baseline-'));
    assert.match(readBaseline(dir).problem?.message ?? '', /^baseline: cannot read the file \(EISDIR\)$/);
  });
});
