/**
 * The CLI starts through V8's code cache (server/src/launch/code-cache.ts). The cache may only
 * ever save time: a corrupt, empty, foreign or missing cache gives the same output, and a run
 * with ATLAS_LENS_WRITE_CODE_CACHE writes one that V8 accepts.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';

const ROOT = path.join(__dirname, '../..');
const DIST = path.join(ROOT, 'server/dist');

/** A copy of the built CLI in a directory of its own, next to the repository's data and rules. */
function copyOfCli(): { cli: string; cache: string } {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-cli-'));
  const dist = path.join(root, 'server/dist');
  fs.mkdirSync(dist, { recursive: true });
  for (const name of fs.readdirSync(DIST)) if (/\.(js|wasm|json)$/.test(name) && name !== 'typescript-analysis.js') fs.copyFileSync(path.join(DIST, name), path.join(dist, name));
  fs.symlinkSync(path.join(ROOT, 'data'), path.join(root, 'data'));
  fs.symlinkSync(path.join(ROOT, 'rules'), path.join(root, 'rules'));
  return { cli: path.join(dist, 'cli.js'), cache: path.join(dist, 'cli-main.cache') };
}

function scanExample(cli: string, env: NodeJS.ProcessEnv = {}): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [cli, 'scan', path.join(ROOT, 'examples/fraud-detector'), '--format', 'json', '--fail-on', 'never'], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', ...env },
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const findingsOf = (stdout: string) => (JSON.parse(stdout) as { findings: Array<{ ruleId: string; path: string; range: unknown }> }).findings.map((f) => `${f.ruleId} ${f.path} ${JSON.stringify(f.range)}`);

test('a corrupt, empty or missing code cache gives the same scan; a written one is used', () => {
  assert.ok(fs.existsSync(path.join(DIST, 'cli-main.js')), 'run npm run build');
  const { cli, cache } = copyOfCli();
  const expected = findingsOf(scanExample(path.join(DIST, 'cli.js')).stdout);
  assert.ok(expected.length > 20, `${expected.length} findings`);
  for (const [label, content] of [['random bytes', fs.readFileSync(path.join(DIST, 'cli-main.js')).subarray(0, 4096)], ['empty', Buffer.alloc(0)], ['missing', undefined]] as const) {
    if (content === undefined) fs.rmSync(cache, { force: true });
    else fs.writeFileSync(cache, content);
    const run = scanExample(cli);
    assert.equal(run.status, 0, `${label}: ${run.stderr}`);
    assert.equal(run.stderr, '', label);
    assert.deepEqual(findingsOf(run.stdout), expected, label);
  }
  const written = path.join(path.dirname(cache), 'written.cache');
  assert.deepEqual(findingsOf(scanExample(cli, { ATLAS_LENS_WRITE_CODE_CACHE: written }).stdout), expected);
  assert.ok(fs.statSync(written).size > 100_000, 'V8 wrote the compiled code of the run');
  fs.renameSync(written, cache);
  assert.deepEqual(findingsOf(scanExample(cli).stdout), expected);
});
