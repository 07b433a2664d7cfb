/**
 * Load calls tied to the model files they read, on a workspace generated here: a clean torch
 * checkpoint, one whose data.pkl calls posix.system, one beside the code calling os.system, a
 * joblib file of scikit-learn classes, a safetensors file, and Python code loading each through a
 * literal, a constant, os.path.join, pathlib `/`, `with open`, and a path relative to the file.
 * Exact findings (one per call), the artifact references the editor's hover shows (clean ones
 * included), paths that do not resolve or lead outside the root (unchanged behaviour), and no
 * file-system context (nothing happens).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import type { Finding } from '../../server/src/engine/types';
import { callPickle, makeSafetensors, PickleWriter, stateDictPickle, torchZip } from './writers';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

const CLEAN_PT = torchZip(stateDictPickle([{ name: 'fc.weight', numel: 4, key: '0' }]), [Buffer.alloc(16)]);
const EVIL_PT = torchZip(callPickle('posix', 'system', 'echo pwned', 2));
const LOCAL_PT = torchZip(callPickle('os', 'system', 'id', 2));
const FOREST = new PickleWriter().proto(4).str('sklearn.ensemble._forest').str('RandomForestClassifier').stackGlobal().emptyTuple().newobj().emptyDict().build().stop().toBuffer();
const SAFETENSORS = makeSafetensors({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8);

const APP = (outside: string) => `import os
import pickle
from pathlib import Path

import joblib
import torch
from safetensors.torch import load_file

HERE = os.path.dirname(__file__)
EVIL = "models/evil.pt"
BASE = "models"

clean = torch.load("models/clean.pt", weights_only=True)
evil = torch.load(EVIL, weights_only=True)
joined = torch.load(os.path.join(BASE, "evil.pt"))
forest = joblib.load(Path(BASE) / "fraud.joblib")
weights = load_file("models/encoder.safetensors")
missing = torch.load("models/missing.pt")
absolute = torch.load("${outside}")
climbing = torch.load("../../outside/evil.pt")
linked = torch.load("models/link.pt", weights_only=True)
with open("models/evil.pt", "rb") as fh:
    raw = pickle.load(fh)
unpinned = torch.load("models/clean.pt")


def local(name):
    beside = torch.load(os.path.join(HERE, "local.pt"), weights_only=False)
    unknown = torch.load(name)
    return beside, unknown
`;

function workspace(): { root: string; outside: string } {
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-load-calls-'));
  const root = path.join(top, 'ws');
  const outside = path.join(top, 'outside', 'evil.pt');
  const files: Record<string, Buffer | string> = {
    'models/clean.pt': CLEAN_PT,
    'models/evil.pt': EVIL_PT,
    'models/fraud.joblib': FOREST,
    'models/encoder.safetensors': SAFETENSORS,
    'src/local.pt': LOCAL_PT,
    'src/app.py': APP(outside),
  };
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  fs.mkdirSync(path.dirname(outside), { recursive: true });
  fs.writeFileSync(outside, EVIL_PT);
  // A symlink inside the root whose target is outside it.
  fs.symlinkSync(outside, path.join(root, 'models/link.pt'));
  return { root, outside };
}

const row = (f: Finding) => [f.range.start.line, f.range.start.character, f.range.end.line, f.range.end.character, f.ruleId, f.severity];

const EVIL_VERDICT = "dangerous: imports posix.system (process, called as posix.system('echo pwned'))";
const DO_NOT = 'Do not load this file, whatever the arguments: it is built to run code.';
const TORCH_UNSAFE = 'torch.load() unpickles the checkpoint, and a crafted .pt file runs code when it is loaded (torch < 2.6 defaults to weights_only=False). Pass weights_only=True, or store weights as safetensors.';

test('each load call gets one finding that follows its file: exact ranges, severities, messages, techniques', () => {
  const { root } = workspace();
  const file = path.join(root, 'src/app.py');
  const result = engine.analyze(file, fs.readFileSync(file, 'utf8'), { projectRoot: root });
  assert.deepEqual(result.findings.map(row), [
    [13, 18, 13, 22, 'load-inspected-artifact', 'error'], // EVIL constant, weights_only=True
    [14, 20, 14, 49, 'load-inspected-artifact', 'error'], // os.path.join(BASE, "evil.pt"): torch-load-unsafe folded in
    [15, 21, 15, 48, 'load-inspected-artifact', 'warning'], // Path(BASE) / "fraud.joblib": joblib-load folded in
    [17, 10, 17, 20, 'torch-load-unsafe', 'warning'], // models/missing.pt: unchanged
    [18, 11, 18, 21, 'torch-load-unsafe', 'warning'], // absolute path outside the root: not inspected
    [19, 11, 19, 21, 'torch-load-unsafe', 'warning'], // ../../outside: not inspected
    [22, 22, 22, 24, 'load-inspected-artifact', 'error'], // with open(...) as fh: pickle-deserialization folded in
    [23, 11, 23, 21, 'torch-load-unsafe', 'warning'], // a clean file lowers nothing
    [27, 24, 27, 54, 'load-inspected-artifact', 'error'], // relative to the file (HERE = dirname(__file__)); weights_only=False folded in
    [28, 14, 28, 24, 'torch-load-unsafe', 'warning'], // a parameter: unchanged
  ]);
  const [evil, joined, forest, , , , raw, , beside] = result.findings;
  assert.equal(evil!.message, `torch.load() loads models/evil.pt, inspected by ATLAS Lens: ${EVIL_VERDICT}. ${DO_NOT}`);
  assert.deepEqual(evil!.techniques, ['AML.T0011.000', 'AML.T0018.002']);
  assert.deepEqual(evil!.mitigations, ['AML.M0014']);
  assert.equal(evil!.fix, undefined);
  // Dangerous: the folded torch-load-unsafe adds nothing to the message, and its fix is not offered.
  assert.equal(joined!.message, evil!.message);
  assert.equal(joined!.fix, undefined);
  assert.equal(raw!.message, `pickle.load() loads models/evil.pt, inspected by ATLAS Lens: ${EVIL_VERDICT}. ${DO_NOT}`);
  assert.equal(beside!.message, `torch.load() loads src/local.pt, inspected by ATLAS Lens: dangerous: imports os.system (process, called as os.system('id')). ${DO_NOT}`);
  // Suspicious: the verdict first, then what the folded finding said.
  assert.equal(
    forest!.message,
    'joblib.load() loads models/fraud.joblib, inspected by ATLAS Lens: suspicious: imports outside the known-safe set: sklearn.ensemble._forest.RandomForestClassifier. Loading it calls that code; make sure you trust where the file came from. ' +
      'joblib.load() unpickles the file, so a crafted .joblib/.pkl model runs code when it is loaded. Load only files you produced; for scikit-learn models use skops (skops.io.load with trusted types) or ONNX.',
  );
  assert.deepEqual(forest!.techniques, ['AML.T0011.000']);
  for (const line of [17, 18, 19, 23, 28]) assert.equal(result.findings.find((f) => f.range.start.line === line)!.message, TORCH_UNSAFE);
});

test('a suspicious file raises a lower finding to warning and keeps its fix; a higher one stays', () => {
  const { root } = workspace();
  fs.writeFileSync(path.join(root, 'models/custom.pt'), torchZip(new PickleWriter().proto(2).global('mylib.models', 'Net').emptyTuple().newobj().stop().toBuffer()));
  fs.writeFileSync(path.join(root, 'pyproject.toml'), '[project]\nname = "x"\ndependencies = ["torch>=2.6"]\n');
  const file = path.join(root, 'train.py');
  fs.writeFileSync(file, 'import torch\na = torch.load("models/custom.pt")\nb = torch.load("models/custom.pt", weights_only=False)\n');
  const findings = engine.analyze(file, fs.readFileSync(file, 'utf8'), { projectRoot: root }).findings;
  assert.deepEqual(findings.map(row), [
    [1, 15, 1, 33, 'load-inspected-artifact', 'warning'], // torch-load-unsafe was info (torch >= 2.6 required): raised to warning
    [2, 15, 2, 33, 'load-inspected-artifact', 'error'], // weights_only=False is an error: it stays one
  ]);
  const suspicious = "torch.load() loads models/custom.pt, inspected by ATLAS Lens: suspicious: imports outside the known-safe set: mylib.models.Net. Loading it calls that code; make sure you trust where the file came from.";
  assert.equal(findings[0]!.message, `${suspicious} torch.load() relies on the default weights_only=True of torch >= 2.6, which this project requires. Pass weights_only=True explicitly so the load stays safe if the code runs with an older torch.`);
  assert.deepEqual(findings[0]!.fix?.title, 'Add weights_only=True');
  assert.equal(findings[1]!.message, `${suspicious} torch.load(weights_only=False) explicitly allows the checkpoint to run arbitrary code when loaded. Use weights_only=True, or load safetensors.`);
  assert.deepEqual(findings[1]!.fix?.title, 'Set weights_only=True');
  assert.deepEqual(findings[1]!.fix?.edits.map((e) => [e.range.start.character, e.range.end.character, e.newText]), [[48, 53, 'True']]);
});

test('artifact references: every resolved load call with its verdict, clean ones included, for the hover', () => {
  const { root } = workspace();
  const file = path.join(root, 'src/app.py');
  const result = engine.analyze(file, fs.readFileSync(file, 'utf8'), { projectRoot: root });
  const refs = (result.artifacts ?? []).map((r) => [r.range.start.line, r.range.start.character, r.range.end.character, r.pathRange.start.character, r.callee, path.relative(root, r.file), r.shown, r.verdict, r.format]);
  assert.deepEqual(refs, [
    [12, 8, 56, 19, 'torch.load', 'models/clean.pt', 'models/clean.pt', 'clean', 'torch-zip'],
    [13, 7, 42, 18, 'torch.load', 'models/evil.pt', 'models/evil.pt', 'dangerous', 'torch-zip'],
    [14, 9, 50, 20, 'torch.load', 'models/evil.pt', 'models/evil.pt', 'dangerous', 'torch-zip'],
    [15, 9, 49, 21, 'joblib.load', 'models/fraud.joblib', 'models/fraud.joblib', 'suspicious', 'joblib'],
    [16, 10, 49, 20, 'load_file', 'models/encoder.safetensors', 'models/encoder.safetensors', 'clean', 'safetensors'],
    [22, 10, 25, 22, 'pickle.load', 'models/evil.pt', 'models/evil.pt', 'dangerous', 'torch-zip'],
    [23, 11, 40, 22, 'torch.load', 'models/clean.pt', 'models/clean.pt', 'clean', 'torch-zip'],
    [27, 13, 75, 24, 'torch.load', 'src/local.pt', 'src/local.pt', 'dangerous', 'torch-zip'],
  ]);
  const safetensors = result.artifacts!.find((r) => r.format === 'safetensors')!;
  assert.equal(safetensors.summary, 'clean: safetensors header well-formed, nothing executable (a data-only format)');
  assert.equal(
    safetensors.markdown,
    '**✅ models/encoder.safetensors**: clean: safetensors header well-formed, nothing executable (a data-only format)\n\n*Inspected statically by ATLAS Lens (safetensors); nothing was unpickled.*',
  );
  assert.equal(
    result.artifacts![1]!.markdown,
    `**⛔ models/evil.pt**: ${EVIL_VERDICT}\n- \`posix.system\` (dangerous, process) — called as \`posix.system('echo pwned')\` in archive/data.pkl\n\n*Inspected statically by ATLAS Lens (torch-zip); nothing was unpickled.*`,
  );
  assert.equal(result.artifacts![0]!.markdown.split('\n')[0], '**✅ models/clean.pt**: clean: only known-safe imports (collections.OrderedDict, torch._utils._rebuild_tensor_v2, torch.FloatStorage)');
});

test('without a file on disk nothing is resolved: bare text, a relative path, an untitled document', () => {
  const { root } = workspace();
  const text = fs.readFileSync(path.join(root, 'src/app.py'), 'utf8');
  const withContext = engine.analyze(path.join(root, 'src/app.py'), text, { projectRoot: root });
  assert.ok(withContext.findings.some((f) => f.ruleId === 'load-inspected-artifact'), 'the same text on disk does get artifact findings');
  for (const [file, settings] of [
    ['app.py', {}],
    ['src/app.py', { projectRoot: root }],
    ['/Untitled-1.py', { projectRoot: '/' }],
    [path.join(root, 'src/unsaved.py'), { projectRoot: root }],
  ] as const) {
    const result = engine.analyze(file, text, settings);
    assert.deepEqual(result.findings.filter((f) => f.ruleId === 'load-inspected-artifact'), [], file);
    assert.equal(result.artifacts, undefined, file);
    // The plain call rules report as before.
    assert.deepEqual(
      result.findings.map((f) => [f.range.start.line, f.ruleId, f.severity]),
      [[14, 'torch-load-unsafe', 'warning'], [15, 'joblib-load', 'warning'], [17, 'torch-load-unsafe', 'warning'], [18, 'torch-load-unsafe', 'warning'], [19, 'torch-load-unsafe', 'warning'], [22, 'pickle-deserialization', 'warning'], [23, 'torch-load-unsafe', 'warning'], [27, 'torch-load-unsafe', 'error'], [28, 'torch-load-unsafe', 'warning']],
      file,
    );
  }
});

test('the rule off: no artifact findings, no references, the call rules report alone', () => {
  const { root } = workspace();
  const file = path.join(root, 'src/app.py');
  const result = engine.analyze(file, fs.readFileSync(file, 'utf8'), { projectRoot: root, rules: { 'load-inspected-artifact': 'off' } });
  assert.equal(result.artifacts, undefined);
  assert.equal(result.findings.filter((f) => f.ruleId === 'load-inspected-artifact').length, 0);
  assert.equal(result.findings.filter((f) => f.ruleId === 'torch-load-unsafe').length, 7);
});

test('incremental analysis: a definition is analysed again when its model file or the artifacts lists of the config change', async () => {
  const { createPythonParser } = await import('../../server/src/engine/python/parser');
  const { root } = workspace();
  const custom = torchZip(new PickleWriter().proto(2).global('mylib.models', 'Net').emptyTuple().newobj().stop().toBuffer());
  fs.writeFileSync(path.join(root, 'models/custom.pt'), custom);
  fs.writeFileSync(path.join(root, '.atlas-lens.yaml'), 'minimumSeverity: info\n');
  const file = path.join(root, 'train.py');
  const text = 'import torch\n\n\ndef load():\n    return torch.load("models/custom.pt", weights_only=True)\n';
  fs.writeFileSync(file, text);
  const parser = await createPythonParser();
  const tree = parser.parse(text)!;
  const later = (seconds: number) => new Date(Date.now() + seconds * 1000);
  try {
    const run = () => engine.analyzeTree(file, text, tree, { projectRoot: root });
    const first = run();
    assert.deepEqual(first.findings.map(row), [[4, 22, 4, 40, 'load-inspected-artifact', 'warning']]);
    assert.deepEqual(first.artifacts?.map((r) => [r.range.start.line, r.verdict]), [[4, 'suspicious']]);
    // Reused as is while nothing changed.
    assert.deepEqual(run().findings.map(row), [[4, 22, 4, 40, 'load-inspected-artifact', 'warning']]);
    // The config now trusts mylib.models.Net: the same definition gets a clean verdict.
    fs.writeFileSync(path.join(root, '.atlas-lens.yaml'), 'minimumSeverity: info\nartifacts:\n  safe:\n    - "mylib.models:Net"\n');
    fs.utimesSync(path.join(root, '.atlas-lens.yaml'), later(5), later(5));
    const trusted = run();
    assert.deepEqual(trusted.findings, []);
    assert.deepEqual(trusted.artifacts?.map((r) => [r.range.start.line, r.verdict]), [[4, 'clean']]);
    // The model file is replaced by a hostile one.
    fs.writeFileSync(path.join(root, 'models/custom.pt'), EVIL_PT);
    fs.utimesSync(path.join(root, 'models/custom.pt'), later(10), later(10));
    assert.deepEqual(run().findings.map(row), [[4, 22, 4, 40, 'load-inspected-artifact', 'error']]);
    // And deleted: the call is judged by its arguments alone (weights_only=True: nothing).
    fs.rmSync(path.join(root, 'models/custom.pt'));
    const gone = run();
    assert.deepEqual(gone.findings, []);
    assert.equal(gone.artifacts, undefined);
  } finally {
    tree.delete();
  }
});
