/**
 * The code connection (a load call's severity follows the loaded file's verdict), the cached
 * verdict lookup the language server uses for hovers, and the `artifacts:` config section
 * extending the lists (scan and lookup alike), with located errors.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { artifactVerdictFor, clearArtifactVerdicts, verdictMarkdown } from '../../server/src/engine/artifacts/verdicts';
import { parseGlobalLists } from '../../server/src/engine/artifacts/lists';
import { findArtifactLoads } from '../../server/src/engine/checks/loaded-artifact';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { Engine } from '../../server/src/engine/engine';
import { PythonFacts } from '../../server/src/engine/python/facts';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { scanFiles, setUpScan } from '../../server/src/engine/scan';
import { callPickle, makeSafetensors, PickleWriter, stateDictPickle, torchZip } from './writers';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function project(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-artifacts-'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}

const EVIL_PT = torchZip(callPickle('posix', 'system', 'echo pwned', 2));
const CLEAN_PT = torchZip(stateDictPickle([{ name: 'w', numel: 2, key: '0' }]), [Buffer.alloc(8)]);
const CUSTOM_PKL = new PickleWriter().proto(2).global('mylib.models', 'Net').emptyTuple().newobj().stop().toBuffer();

function analyze(dir: string, file: string) {
  const absolute = path.join(dir, file);
  return engine.analyze(absolute, fs.readFileSync(absolute, 'utf8'), { projectRoot: dir }).findings.filter((f) => f.ruleId === 'load-inspected-artifact');
}

test('torch.load of a file importing posix.system is an error whatever its arguments; the verdict follows the file', () => {
  const code = 'import torch\nm = torch.load("models/x.pt", weights_only=True)\n';
  const dir = project({ 'src/train.py': code, 'models/x.pt': EVIL_PT });
  // Relative to the project root (not to src/).
  const [finding] = analyze(dir, 'src/train.py');
  assert.equal(finding?.severity, 'error');
  // The path is shown relative to the project root, as in the Problems panel.
  assert.equal(finding!.message, "torch.load() loads models/x.pt, inspected by ATLAS Lens: dangerous: imports posix.system (process, called as posix.system('echo pwned')). Do not load this file, whatever the arguments: it is built to run code.");
  assert.deepEqual(finding!.range, { start: { line: 1, character: 15 }, end: { line: 1, character: 28 } });
  assert.deepEqual(finding!.techniques, ['AML.T0011.000', 'AML.T0018.002']);

  // The file is replaced by a clean checkpoint: the cache sees a new size and mtime.
  fs.writeFileSync(path.join(dir, 'models/x.pt'), CLEAN_PT);
  fs.utimesSync(path.join(dir, 'models/x.pt'), new Date(), new Date(Date.now() + 5000));
  assert.deepEqual(analyze(dir, 'src/train.py'), []);
  // A pickle of custom classes: a warning.
  fs.writeFileSync(path.join(dir, 'models/x.pt'), torchZip(CUSTOM_PKL));
  fs.utimesSync(path.join(dir, 'models/x.pt'), new Date(), new Date(Date.now() + 10000));
  const [warning] = analyze(dir, 'src/train.py');
  assert.equal(warning?.severity, 'warning');
  assert.match(warning!.message, /suspicious: imports outside the known-safe set: mylib\.models\.Net/);
  assert.deepEqual(warning!.techniques, ['AML.T0011.000']);
});

test('findArtifactLoads and artifactVerdictFor give the hover its verdict, clean ones included', async () => {
  const dir = project({ 'app.py': 'import joblib\nimport torch\nMODEL = "m/clean.pt"\nstate = torch.load(MODEL)\nclf = joblib.load("m/evil.joblib")\n', 'm/clean.pt': CLEAN_PT, 'm/evil.joblib': callPickle('builtins', 'eval', '1+1', 4) });
  const parser = await createPythonParser();
  const file = path.join(dir, 'app.py');
  const tree = parser.parse(fs.readFileSync(file, 'utf8'))!;
  try {
    const rule = engine.rule('load-inspected-artifact')!;
    const loads = findArtifactLoads(new PythonFacts(tree), { facts: new PythonFacts(tree), file, projectRoot: dir }, 'options' in rule.match ? rule.match.options ?? {} : {});
    assert.deepEqual(loads.map((l) => [l.range.start.line, path.relative(dir, l.artifact), l.inspection.verdict]), [[3, 'm/clean.pt', 'clean'], [4, 'm/evil.joblib', 'dangerous']]);
  } finally {
    tree.delete();
  }
  const verdict = artifactVerdictFor(path.join(dir, 'm/evil.joblib'))!;
  assert.equal(verdict.verdict, 'dangerous');
  const markdown = verdictMarkdown(verdict, 'm/evil.joblib');
  assert.match(markdown, /^\*\*⛔ m\/evil\.joblib\*\*: dangerous: imports builtins\.eval/);
  assert.match(markdown, /`builtins\.eval` \(dangerous, code-execution\) — called as `builtins\.eval\('1\+1'\)`/);
  assert.equal(artifactVerdictFor(path.join(dir, 'app.py')), undefined);
  assert.equal(artifactVerdictFor(path.join(dir, 'm/missing.pt')), undefined);
});

test('artifacts: in .atlas-lens.yaml extends the safe and dangerous lists, for the scan and the load calls', async () => {
  clearArtifactVerdicts();
  const dir = project({
    '.atlas-lens.yaml': 'artifacts:\n  safe:\n    - "mylib.models:Net"\n  dangerous:\n    - module: evil_corp\n      reason: our red team\'s payloads\n',
    'models/custom.pkl': CUSTOM_PKL,
    'models/red.pkl': callPickle('evil_corp.tools', 'beacon', 'x', 2),
    'train.py': 'import pickle\nm = pickle.load(open("models/red.pkl", "rb"))\n',
  });
  const setup = await setUpScan({ paths: [dir] });
  assert.deepEqual(setup.problems, []);
  const result = scanFiles(setup, [dir]);
  const byFile = (name: string) => result.artifacts!.find((a) => a.file === path.join(dir, name));
  assert.equal(byFile('models/custom.pkl')?.verdict, 'clean');
  assert.equal(byFile('models/red.pkl')?.verdict, 'dangerous');
  const artifactFindings = result.findings.filter((f) => f.ruleId.startsWith('artifact-'));
  assert.deepEqual(artifactFindings.map((f) => [path.relative(dir, f.file), f.ruleId, f.severity]), [['models/red.pkl', 'artifact-dangerous-import', 'error']]);
  assert.match(artifactFindings[0]!.message, /evil_corp\.tools\.beacon, called as evil_corp\.tools\.beacon\('x'\) \(at byte 2\) — our red team's payloads/);
  const load = result.findings.find((f) => f.ruleId === 'load-inspected-artifact');
  assert.equal(load?.severity, 'error');
  assert.equal(artifactVerdictFor(path.join(dir, 'models/custom.pkl'))?.verdict, 'clean');
});

test('artifact rules follow the config: off, severity override; clean files are no finding', async () => {
  const dir = project({
    '.atlas-lens.yaml': 'rules:\n  artifact-unknown-import: error\n  artifact-not-inspectable: off\n',
    'a.pkl': CUSTOM_PKL,
    'b.pkl': CUSTOM_PKL.subarray(0, 5),
    'c.safetensors': makeSafetensors({ w: { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }, 4),
  });
  const setup = await setUpScan({ paths: [dir] });
  const result = scanFiles(setup, [dir]);
  assert.deepEqual(result.findings.map((f) => [path.basename(f.file), f.ruleId, f.severity]), [['a.pkl', 'artifact-unknown-import', 'error']]);
  assert.equal(result.artifacts!.length, 3);
});

test('the artifacts section and the lists file are validated with located errors', () => {
  const bad = parseProjectConfig('/p/.atlas-lens.yaml', 'artifacts:\n  safe:\n    - 42\n  maxFileSizeMb: -1\n  extra: true\n');
  assert.deepEqual(
    bad.problems.map((p) => [p.line, p.character, p.field]),
    [[2, 6, 'artifacts.safe[0]'], [3, 17, 'artifacts.maxFileSizeMb'], [4, 2, 'artifacts.extra']],
  );
  const lists = parseGlobalLists('/x/globals.yaml', 'dangerous:\n  - module: os\n    reason: r\n  - module: "not a module"\n    reason: r\nsafe: []\n');
  assert.deepEqual(lists.problems.map((p) => [p.line, p.character, p.field]), [[3, 13, 'dangerous[1].module']]);
  assert.deepEqual(lists.lists.dangerous.map((e) => e.module), ['os']);
});
