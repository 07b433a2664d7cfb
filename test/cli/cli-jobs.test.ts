/**
 * The built CLI with its worker pool (server/dist/scan-worker.js) and its cache: the same report
 * as one thread without a cache.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, runCli as run } from '../helpers/run-cli';

// 45 files: above the size where the CLI starts workers.
const CORPORA = ['test/eval/corpus', 'test/eval/corpus2'];

/** The JSON report without its timing. */
function report(stdout: string): unknown {
  const json = JSON.parse(stdout) as { summary: { durationMs?: number } };
  delete json.summary.durationMs;
  return json;
}

test('scan --jobs 2 starts workers from the bundle and reports what --jobs 1 reports', () => {
  const single = run(['scan', ...CORPORA, '--format', 'json', '--jobs', '1', '--stats']);
  const pooled = run(['scan', ...CORPORA, '--format', 'json', '--jobs', '2', '--stats']);
  assert.match(single.stderr, /45 files, .* 1 thread$/m);
  assert.match(pooled.stderr, /45 files, .* 2 threads \(1 worker\)$/m);
  assert.equal(pooled.code, single.code);
  assert.deepStrictEqual(report(pooled.stdout), report(single.stdout));
  const text1 = run(['scan', ...CORPORA, '--jobs', '1']);
  const text2 = run(['scan', ...CORPORA, '--jobs', '2']);
  assert.equal(text2.stdout.replace(/\d+ ms/, ''), text1.stdout.replace(/\d+ ms/, ''));
});

test('scan --cache: the second run is served from the cache with byte-identical findings', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-cli-cache-'));
  try {
    const plain = run(['scan', ...CORPORA, '--format', 'sarif', '--jobs', '1']);
    const cold = run(['scan', ...CORPORA, '--format', 'sarif', '--cache-dir', dir, '--stats']);
    const warm = run(['scan', ...CORPORA, '--format', 'sarif', '--cache-dir', dir, '--stats']);
    assert.match(cold.stderr, /cache 0 hits/);
    assert.match(warm.stderr, /cache 45 hits/);
    assert.equal(cold.stdout, plain.stdout);
    assert.equal(warm.stdout, plain.stdout);
    const off = run(['scan', ...CORPORA, '--format', 'sarif', '--cache-dir', dir, '--no-cache', '--stats']);
    assert.doesNotMatch(off.stderr, /cache/);
    assert.equal(off.stdout, plain.stdout);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('scan --jobs takes a whole number of at least 1', () => {
  for (const bad of ['0', '-1', 'two', '1.5']) {
    const result = run(['scan', CORPORA[0]!, `--jobs=${bad}`]);
    assert.equal(result.code, 2, bad);
    assert.match(result.stderr, /--jobs must be a whole number of at least 1/);
  }
});
