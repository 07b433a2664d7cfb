/**
 * torch.load without weights_only depends on the torch the project requires: from 2.6 on the
 * default is safe, so the finding drops to info.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { parseRequirement, requiresAtLeast } from '../../server/src/engine/project/requirements';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function projectWith(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-req-'));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

const SOURCE = 'import torch\nstate = torch.load(path)\n';

function severityIn(root: string): string | undefined {
  return engine.analyze(path.join(root, 'train.py'), SOURCE, { projectRoot: root }).findings[0]?.severity;
}

test('requirement lines: lowest allowed version', () => {
  assert.deepEqual(parseRequirement('torch>=2.6,<3 ; python_version > "3.8"'), ['torch', { lowest: [2, 6] }]);
  assert.deepEqual(parseRequirement('Torch[cuda]==2.7.1'), ['torch', { lowest: [2, 7, 1] }]);
  assert.deepEqual(parseRequirement('torch~=2.6.0'), ['torch', { lowest: [2, 6, 0] }]);
  assert.deepEqual(parseRequirement('torch>2.5'), ['torch', undefined]);
  assert.deepEqual(parseRequirement('torch'), ['torch', undefined]);
  assert.equal(parseRequirement('--extra-index-url https://x'), undefined);
});

test('torch >= 2.6 required: the finding is info and the fix is safe', () => {
  const root = projectWith({ 'requirements.txt': '# ml stack\nnumpy==1.26.4\ntorch>=2.6.0\n' });
  const finding = engine.analyze(path.join(root, 'train.py'), SOURCE, { projectRoot: root }).findings[0];
  assert.equal(finding?.severity, 'info');
  assert.match(finding?.message ?? '', /relies on the default weights_only=True of torch >= 2\.6/);
  assert.equal(finding?.fix?.safe, true);
});

test('older, unpinned or open-ended torch keeps the warning', () => {
  assert.equal(severityIn(projectWith({ 'requirements.txt': 'torch==2.5.1\n' })), 'warning');
  assert.equal(severityIn(projectWith({ 'requirements.txt': 'torch\n' })), 'warning');
  assert.equal(severityIn(projectWith({ 'requirements.txt': 'torch>2.5\n' })), 'warning');
  assert.equal(severityIn(projectWith({})), 'warning');
  // Two files disagree: the project only guarantees the weaker one.
  assert.equal(severityIn(projectWith({ 'requirements.txt': 'torch>=2.6\n', 'requirements-legacy.txt': 'torch==2.1.0\n' })), 'warning');
});

test('pyproject.toml: PEP 621 strings and Poetry tables', () => {
  assert.equal(severityIn(projectWith({ 'pyproject.toml': '[project]\nname = "x"\ndependencies = [\n  "torch>=2.6",\n  "numpy",\n]\n' })), 'info');
  assert.equal(severityIn(projectWith({ 'pyproject.toml': '[tool.poetry.dependencies]\npython = "^3.10"\ntorch = "^2.7"\n' })), 'info');
  assert.equal(requiresAtLeast(projectWith({ 'pyproject.toml': '[tool.poetry.dependencies]\ntorch = "2.6.0"\n' }), 'torch', '2.6'), true);
});

test('weights_only=False stays an error whatever torch is required', () => {
  const root = projectWith({ 'requirements.txt': 'torch>=2.6\n' });
  const findings = engine.analyze(path.join(root, 'train.py'), 'import torch\ntorch.load(p, weights_only=False)\n', { projectRoot: root }).findings;
  assert.equal(findings[0]?.severity, 'error');
});
