/**
 * The project root of a command-line scan without a config file: where `project-requires`
 * reads the requirements, and inside which model files are inspected. Scanning a subfolder or
 * one file from the top of a repository must give that file the findings the whole scan (and
 * the editor, rooted at the workspace folder) gives it.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { defaultProjectRoot } from '../../server/src/engine/scan';
import { runCli as run } from '../helpers/run-cli';

function tree(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-root-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const LOAD = 'import torch\nstate = torch.load(path)\n';
const torchFindings = (stdout: string) => stdout.split('\n').filter((line) => line.includes('[torch-load-unsafe]')).map((line) => line.replace(/\] .*/, ']'));

test('scan src/ and scan src/app.py from the top of a repository read its requirements, as scan . does', () => {
  const dir = tree({ 'requirements.txt': 'torch>=2.6\n', 'src/app.py': LOAD });
  const whole = torchFindings(run(['scan', '.'], dir).stdout);
  assert.deepEqual(whole, ['src/app.py:2:9: info [torch-load-unsafe]']);
  assert.deepEqual(torchFindings(run(['scan', 'src'], dir).stdout), whole);
  assert.deepEqual(torchFindings(run(['scan', 'src/app.py'], dir).stdout), whole);
});

test('the nearest project wins, nothing above the working directory is read, and without a marker the scanned folder is the root', () => {
  const dir = tree({
    'requirements.txt': 'torch>=2.6\n',
    'services/old/setup.py': 'from setuptools import setup\nsetup(install_requires=["torch==2.0"])\n',
    'services/old/src/app.py': LOAD,
    'loose/app.py': LOAD,
  });
  assert.equal(defaultProjectRoot(path.join(dir, 'services/old/src/app.py'), dir), path.join(dir, 'services/old'));
  assert.equal(defaultProjectRoot(path.join(dir, 'services/old/src'), dir), path.join(dir, 'services/old'));
  assert.equal(defaultProjectRoot(path.join(dir, 'loose'), dir), dir);
  // The working directory is the limit: run from inside loose/, the requirements above are not read.
  assert.equal(defaultProjectRoot(path.join(dir, 'loose'), path.join(dir, 'loose')), path.join(dir, 'loose'));
  assert.equal(defaultProjectRoot(path.join(dir, 'loose/app.py'), path.join(dir, 'loose')), path.join(dir, 'loose'));
  // Run from the filesystem's root: the walk still ends (at the first marker, or at the root).
  assert.equal(defaultProjectRoot(path.join(dir, 'loose'), path.parse(dir).root), dir);
  const bare = tree({ 'x/app.py': LOAD });
  const found = defaultProjectRoot(path.join(bare, 'x'), path.parse(bare).root);
  assert.ok(found === path.join(bare, 'x') || path.join(bare, 'x').startsWith(found), found);
  // A path outside the working directory: its own folder, as before.
  assert.equal(defaultProjectRoot(path.join(dir, 'loose/app.py'), path.join(dir, 'services')), path.join(dir, 'loose'));
  // Through the CLI: from loose/, torch 2.6 is not known to be required, so the load is a warning.
  assert.deepEqual(torchFindings(run(['scan', '.'], path.join(dir, 'loose')).stdout), ['app.py:2:9: warning [torch-load-unsafe]']);
});
