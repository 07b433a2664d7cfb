/**
 * Whole scans through the worker pool and the per-file result cache give exactly what the
 * single-threaded, uncached scan gives: the same findings and problems in the same order.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { scanFiles, setUpScan, type ScanResult } from '../../server/src/engine/scan';
import { openCache, POOL_MIN_BYTES, scanFileList, scanPaths } from '../../server/src/engine/batch/scan-files';
import { ResultCache } from '../../server/src/engine/batch/cache';

const root = path.resolve(__dirname, '../..');
const corpora = [path.join(root, 'test/eval/corpus'), path.join(root, 'test/eval/corpus2'), path.join(root, 'examples/fraud-detector')];

/** What a scan reports, without its timings. */
function reported(result: ScanResult) {
  return { findings: result.findings, fileProblems: result.fileProblems, skipped: result.skipped, filesScanned: result.filesScanned, bytesScanned: result.bytesScanned, artifacts: result.artifacts, timed: result.timings.map((t) => t.file) };
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-batch-'));
}

function cacheEntries(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((name) => name.endsWith('.json')).map((name) => path.join(dir, name));
}

for (const corpus of corpora) {
  test(`pooled scan = single-threaded scan: ${path.relative(root, corpus)}`, async () => {
    const setup = await setUpScan({ paths: [corpus] });
    const single = scanFiles(setup, [corpus]);
    assert.ok(single.findings.length > 0);
    const pooled = await scanPaths(setup, [corpus], { jobs: 2, poolMinFiles: 1 });
    assert.equal(pooled.workers, 1, 'this thread and one worker');
    assert.deepStrictEqual(reported(pooled), reported(single));
    const oneJob = await scanPaths(setup, [corpus], { jobs: 1 });
    assert.equal(oneJob.workers, 0);
    assert.deepStrictEqual(reported(oneJob), reported(single));
  });
}

test('more workers than batches, and a pool of three, still merge in scan order', async () => {
  const corpus = corpora[0]!;
  const setup = await setUpScan({ paths: [corpus] });
  const single = scanFiles(setup, [corpus]);
  for (const jobs of [3, 8]) {
    const pooled = await scanPaths(setup, [corpus], { jobs, poolMinFiles: 1 });
    assert.deepStrictEqual(reported(pooled), reported(single));
  }
});

test('a cache hit returns byte-identical findings, from this thread and from workers', async () => {
  const corpus = corpora[0]!;
  const setup = await setUpScan({ paths: [corpus] });
  const uncached = scanFiles(setup, [corpus]);
  const dir = tempDir();
  try {
    const cold = await scanPaths(setup, [corpus], { jobs: 1, cache: openCache(setup, dir) });
    assert.equal(cold.cacheHits, 0);
    assert.ok(cacheEntries(dir).length > 0);
    assert.equal(fs.readFileSync(path.join(dir, '.gitignore'), 'utf8').split('\n').includes('*'), true);
    for (const jobs of [1, 2]) {
      const warm = await scanPaths(setup, [corpus], { jobs, poolMinFiles: 1, cache: openCache(setup, dir) });
      assert.equal(warm.cacheHits, warm.timings.length, `jobs ${jobs}: every source file from the cache`);
      assert.equal(JSON.stringify(warm.findings), JSON.stringify(uncached.findings));
      assert.deepStrictEqual(reported(warm), reported(uncached));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a changed rule setting or rule pack gives a new fingerprint: no old result is read', async () => {
  const project = tempDir();
  const dir = path.join(project, '.atlas-lens-cache');
  try {
    fs.writeFileSync(path.join(project, 'train.py'), 'import torch\nmodel = torch.load("model.pt")\n');
    const first = await setUpScan({ paths: [project] });
    const before = await scanPaths(first, [project], { jobs: 1, cache: openCache(first) });
    assert.deepStrictEqual(before.findings.map((f) => [f.ruleId, f.severity]), [['torch-load-unsafe', 'warning']]);
    assert.ok(fs.existsSync(dir), 'the default folder is in the project root');

    fs.writeFileSync(path.join(project, '.atlas-lens.yaml'), 'rules:\n  torch-load-unsafe: info\n');
    const second = await setUpScan({ paths: [project] });
    assert.notEqual(openCache(second).fingerprint, openCache(first).fingerprint);
    const after = await scanPaths(second, [project], { jobs: 1, cache: openCache(second) });
    assert.equal(after.cacheHits, 0);
    assert.deepStrictEqual(after.findings.map((f) => [f.ruleId, f.severity]), [['torch-load-unsafe', 'info']]);

    // A rule pack of one's own changes the rule set, hence the fingerprint.
    const pack = path.join(tempDir(), 'pack');
    fs.mkdirSync(pack);
    const ruleFile = fs.readdirSync(path.join(root, 'rules/python')).find((name) => name === 'torch-load-unsafe.yaml')!;
    fs.writeFileSync(path.join(pack, 'my-torch-load.yaml'), fs.readFileSync(path.join(root, 'rules/python', ruleFile), 'utf8').replace(/^id: torch-load-unsafe$/m, 'id: my-torch-load'));
    const withPack = await setUpScan({ paths: [project], ruleDirs: [pack] });
    assert.equal(withPack.problems.length, 0, JSON.stringify(withPack.problems));
    assert.notEqual(openCache(withPack).fingerprint, openCache(second).fingerprint);
    const packed = await scanPaths(withPack, [project], { jobs: 1, cache: openCache(withPack) });
    assert.equal(packed.cacheHits, 0);
    assert.ok(packed.findings.some((f) => f.ruleId === 'my-torch-load'));

    // Back to a known fingerprint: its entries are still there and used.
    const again = await scanPaths(second, [project], { jobs: 1, cache: openCache(second) });
    assert.ok(again.cacheHits > 0);
    assert.equal(again.cacheHits, again.timings.length);
    assert.deepStrictEqual(again.findings, after.findings);
    fs.rmSync(path.dirname(pack), { recursive: true, force: true });
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('a changed file misses; a path a rule looked for that appears since invalidates the entry', async () => {
  const project = tempDir();
  try {
    const file = path.join(project, 'app.py');
    fs.writeFileSync(file, 'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("acme/detector")\n');
    const setup = await setUpScan({ paths: [project] });
    const cacheDir = path.join(project, 'cache');
    const first = await scanPaths(setup, [file], { jobs: 1, cache: openCache(setup, cacheDir) });
    assert.deepStrictEqual(first.findings.map((f) => f.ruleId), ['hf-model-unpinned']);
    // "acme/detector" is a local folder once it exists: not a hub download any more.
    fs.mkdirSync(path.join(project, 'acme/detector'), { recursive: true });
    // A new engine, as a new scan has (an engine remembers the paths it has looked for).
    const later = await setUpScan({ paths: [project] });
    const second = await scanPaths(later, [file], { jobs: 1, cache: openCache(later, cacheDir) });
    assert.equal(second.cacheHits, 0);
    assert.deepStrictEqual(second.findings, []);

    fs.appendFileSync(file, 'import pickle\npickle.loads(b"")\n');
    const third = await scanPaths(later, [file], { jobs: 1, cache: openCache(later, cacheDir) });
    assert.equal(third.cacheHits, 0);
    assert.deepStrictEqual(third.findings.map((f) => f.ruleId), ['pickle-deserialization']);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('corrupted, truncated or foreign cache entries are ignored, never an error', async () => {
  const corpus = corpora[0]!;
  const setup = await setUpScan({ paths: [corpus] });
  const uncached = scanFiles(setup, [corpus]);
  const dir = tempDir();
  try {
    await scanPaths(setup, [corpus], { jobs: 1, cache: openCache(setup, dir) });
    const entries = cacheEntries(dir);
    assert.ok(entries.length >= 6);
    const damage = [
      (text: string) => text.slice(0, Math.floor(text.length / 2)), // truncated
      () => '\u0000\u0001garbage', // not JSON
      () => 'null',
      () => '{"format":1}', // JSON of the wrong shape
      (text: string) => text.replace(/"ruleId":"[^"]+"/, '"ruleId":42'),
      (text: string) => JSON.stringify({ ...JSON.parse(text), file: '/elsewhere.py' }), // another file's entry
    ];
    entries.forEach((entry, index) => fs.writeFileSync(entry, damage[index % damage.length]!(fs.readFileSync(entry, 'utf8'))));
    for (const jobs of [1, 2]) {
      const cache = openCache(setup, dir);
      const result = await scanPaths(setup, [corpus], { jobs, poolMinFiles: 1, cache });
      assert.deepStrictEqual(reported(result), reported(uncached));
    }
    // The damaged entries were rewritten: the next scan hits again.
    const healed = await scanPaths(setup, [corpus], { jobs: 1, cache: openCache(setup, dir) });
    assert.equal(healed.cacheHits, healed.timings.length);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a cache folder that cannot be written leaves the scan as it is', async () => {
  const corpus = corpora[0]!;
  const setup = await setUpScan({ paths: [corpus] });
  const dir = tempDir();
  try {
    const blocker = path.join(dir, 'not-a-folder');
    fs.writeFileSync(blocker, '');
    const cache = new ResultCache(blocker, openCache(setup).fingerprint);
    const result = await scanPaths(setup, [corpus], { jobs: 1, cache });
    assert.deepStrictEqual(reported(result), reported(scanFiles(setup, [corpus])));
    assert.equal(cache.stats.writes, 0);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a worker that cannot start or dies mid-scan hands its files back: same result', async () => {
  const corpus = corpora[1]!;
  const setup = await setUpScan({ paths: [corpus] });
  const single = scanFiles(setup, [corpus]);
  const files = single.timings.map((timing) => timing.file);
  const dir = tempDir();
  try {
    const dies = path.join(dir, 'dies.js');
    fs.writeFileSync(dies, "const { parentPort } = require('node:worker_threads');\nparentPort.postMessage({ type: 'ready' });\nparentPort.on('message', () => process.exit(3));\n");
    const fails = path.join(dir, 'fails.js');
    fs.writeFileSync(fails, "require('node:worker_threads').parentPort.postMessage({ type: 'failed', message: 'no parser' });\n");
    for (const workerFile of [path.join(dir, 'missing.js'), dies, fails]) {
      const result = await scanFileList(setup.engine, setup.settings, files, { jobs: 3, poolMinFiles: 1, workerFile });
      assert.equal(result.workers, 2, workerFile);
      assert.deepStrictEqual(
        result.outcomes.flatMap((outcome) => outcome.findings),
        single.findings,
        workerFile,
      );
      assert.deepStrictEqual(
        result.outcomes.flatMap((outcome) => outcome.problems),
        single.fileProblems,
        workerFile,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('a file whose load call reads a model file is analysed again when the model changes on disk, served from the cache while not', async () => {
  const { torchZip, stateDictPickle, callPickle } = await import('../artifacts/writers');
  const project = tempDir();
  const dir = path.join(project, '.atlas-lens-cache');
  try {
    fs.writeFileSync(path.join(project, '.atlas-lens.yaml'), 'minimumSeverity: info\n');
    fs.writeFileSync(path.join(project, 'train.py'), 'import torch\nmodel = torch.load("model.pt", weights_only=True)\n');
    fs.writeFileSync(path.join(project, 'model.pt'), torchZip(stateDictPickle([{ name: 'fc.weight', numel: 4, key: '0' }]), [Buffer.alloc(16)]));
    const setup = await setUpScan({ paths: [project] });
    const loadFindings = (result: ScanResult) => result.findings.filter((f) => f.file.endsWith('train.py')).map((f) => [f.ruleId, f.severity]);
    const clean = await scanPaths(setup, [project], { jobs: 1, cache: openCache(setup, dir) });
    assert.deepEqual(loadFindings(clean), []);
    const again = await scanPaths(setup, [project], { jobs: 1, cache: openCache(setup, dir) });
    assert.equal(again.cacheHits, 2, 'train.py and .atlas-lens.yaml from the cache');
    // The same checkpoint path now holds a pickle that calls posix.system.
    fs.writeFileSync(path.join(project, 'model.pt'), torchZip(callPickle('posix', 'system', 'echo pwned', 2)));
    const hostile = await scanPaths(setup, [project], { jobs: 1, cache: openCache(setup, dir) });
    assert.equal(hostile.cacheHits, 1, 'only .atlas-lens.yaml from the cache');
    assert.deepEqual(loadFindings(hostile), [['load-inspected-artifact', 'error']]);
  } finally {
    fs.rmSync(project, { recursive: true, force: true });
  }
});

test('the pool waits for enough source: below poolMinBytes this thread does it all, with the same outcomes', async () => {
  const corpus = corpora[0]!;
  const setup = await setUpScan({ paths: [corpus] });
  const single = scanFiles(setup, [corpus]);
  const files = single.timings.map((timing) => timing.file);
  const bytes = files.reduce((sum, file) => sum + fs.statSync(file).size, 0);
  const held = await scanFileList(setup.engine, setup.settings, files, { jobs: 2, poolMinFiles: 1, poolMinBytes: bytes + 1 });
  assert.equal(held.workers, 0);
  const pooled = await scanFileList(setup.engine, setup.settings, files, { jobs: 2, poolMinFiles: 1, poolMinBytes: bytes });
  assert.equal(pooled.workers, 1);
  assert.deepStrictEqual(held.outcomes.flatMap((outcome) => outcome.findings), single.findings);
  assert.deepStrictEqual(pooled.outcomes.flatMap((outcome) => outcome.findings), single.findings);
  assert.ok(POOL_MIN_BYTES > bytes, 'by default a corpus this small is not worth a worker');
});
