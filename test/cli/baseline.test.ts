/**
 * `atlas-lens scan --baseline FILE` on the built bundle: scan → SARIF → edit a copy (lines shifted,
 * one new risk) → only the new finding is reported and decides the exit status; a missing or
 * invalid baseline is a located error with exit 2.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { runCli as run } from '../helpers/run-cli';

const ROOT = path.resolve(__dirname, '../..');
const FIXTURE = path.join(ROOT, 'test/fixtures/workspace-review');

function copyOfFixture(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-baseline-')));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

test('scan → SARIF → shifted lines and one new risk → --baseline reports only the new one', () => {
  const original = copyOfFixture();
  const written = run(['scan', '.', '--format', 'sarif', '--output', 'baseline.sarif'], original);
  assert.equal(written.code, 1, written.stderr);
  const sarif = JSON.parse(fs.readFileSync(path.join(original, 'baseline.sarif'), 'utf8')) as { runs: [{ results: Array<{ ruleId: string; partialFingerprints: Record<string, string> }> }] };
  // train.py (2), serve/app.py (1), notes/scratch.py (1); vendor/ is excluded by the config, ignored/ and *.generated.py by .gitignore.
  assert.deepEqual(sarif.runs[0].results.map((r) => r.ruleId).sort(), ['pickle-deserialization', 'pickle-deserialization', 'torch-load-unsafe', 'yaml-unsafe-load']);
  assert.ok(sarif.runs[0].results.every((r) => typeof r.partialFingerprints['atlasLens/v1'] === 'string'));

  // The same project elsewhere (a CI checkout), edited: everything moves down, one risk added.
  const edited = copyOfFixture();
  fs.copyFileSync(path.join(original, 'baseline.sarif'), path.join(edited, 'baseline.sarif'));
  const train = path.join(edited, 'train.py');
  fs.writeFileSync(train, `"""Training entry point."""\n\n\n${fs.readFileSync(train, 'utf8')}\n\ndef load_more(blob):\n    return pickle.loads(blob)\n`);
  const app = path.join(edited, 'serve/app.py');
  fs.writeFileSync(app, `# moved\n\n${fs.readFileSync(app, 'utf8')}`);

  const result = run(['scan', '.', '--baseline', 'baseline.sarif', '--fail-on', 'warning'], edited);
  assert.equal(result.code, 1, 'the new warning fails --fail-on warning');
  const lines = result.stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^train\.py:18:12: warning \[pickle-deserialization\] /);
  assert.match(lines[1]!, /^1 finding \(0 errors, 1 warning, 0 info\) in 5 files, \d+ ms$/);
  assert.equal(lines.length, 2);
  assert.equal(result.stderr, 'baseline baseline.sarif: 4 known findings not reported\n');

  // --fail-on counts the new findings only: the known error in serve/app.py does not fail the default.
  assert.equal(run(['scan', '.', '--baseline', 'baseline.sarif'], edited).code, 0);
  // Every format reports the new ones only.
  const json = JSON.parse(run(['scan', '.', '--baseline', 'baseline.sarif', '--format', 'json'], edited).stdout) as { findings: Array<{ ruleId: string }> };
  assert.deepEqual(json.findings.map((f) => f.ruleId), ['pickle-deserialization']);
  // Without the baseline, all five.
  assert.equal(JSON.parse(run(['scan', '.', '--format', 'json', '--fail-on', 'never'], edited).stdout).findings.length, 5);
  // The unchanged original against its own baseline: nothing.
  const same = run(['scan', '.', '--baseline', 'baseline.sarif'], original);
  assert.equal(same.code, 0);
  assert.match(same.stdout, /^No findings in 5 files/);
});

test('a missing or invalid baseline is a located error, exit 2, nothing scanned', () => {
  const dir = copyOfFixture();
  const missing = run(['scan', '.', '--baseline', 'nope.sarif'], dir);
  assert.equal(missing.code, 2);
  assert.equal(missing.stdout, '');
  assert.equal(missing.stderr, 'nope.sarif: error baseline: file not found\natlas-lens: cannot use the baseline, nothing scanned\n');

  fs.writeFileSync(path.join(dir, 'list.sarif'), '{\n  "runs": [\n    { "results": {} }\n  ]\n}\n');
  const notList = run(['scan', '.', '--baseline', 'list.sarif'], dir);
  assert.equal(notList.code, 2);
  assert.equal(notList.stderr.split('\n')[0], 'list.sarif:3:7: error baseline: runs[0].results is not an array');

  fs.writeFileSync(path.join(dir, 'broken.sarif'), '{"runs": [');
  const broken = run(['scan', '.', '--baseline', 'broken.sarif'], dir);
  assert.equal(broken.code, 2);
  assert.match(broken.stderr, /^broken\.sarif:\d+:\d+: error baseline: not valid JSON \(/);
});
