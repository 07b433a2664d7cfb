/**
 * The built CLI on a small tree with a notebook, a requirements file, a Dockerfile and a compose
 * file: text output names the notebook cell, SARIF points at the .ipynb line.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, runCli as run } from '../helpers/run-cli';

const NOTEBOOK = `${JSON.stringify(
  {
    cells: [
      { cell_type: 'markdown', metadata: {}, source: ['# Explore\n'] },
      { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['!pip install torch\n', 'import torch'] },
      { cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: ['state = torch.load("m.pt")'] },
    ],
    metadata: { language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  },
  null,
  1,
)}\n`;

function tree(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-files-'));
  const files: Record<string, string> = {
    'notebooks/explore.ipynb': NOTEBOOK,
    'notebooks/broken.ipynb': '{"cells": [',
    'requirements.txt': 'torch==2.6.0\ntransformers\n',
    Dockerfile: 'FROM pytorch/pytorch:latest\nRUN pip install torch==2.6.0\n',
    'docker-compose.yml': 'services:\n  serve:\n    image: pytorch/torchserve:0.12.0-cpu\n    ports:\n      - "8081:8081"\n',
  };
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

test('text output: findings in every kind of file, the notebook cell named, the broken notebook reported once', () => {
  const { code, stdout } = run(['scan', '.'], tree());
  assert.equal(code, 1, 'the management port is an error');
  const findings = stdout.split('\n').filter((line) => /^\S+:\d+:\d+: (error|warning|info) \[/.test(line));
  const lines = NOTEBOOK.split('\n');
  const pipLine = lines.findIndex((line) => line.includes('!pip install torch')) + 1;
  const loadLine = lines.findIndex((line) => line.includes('torch.load')) + 1;
  assert.deepEqual(
    findings.map((line) => line.replace(/ \[(?!cell)[a-z-]+\].*?(\[cell \d+, line \d+\])?$/, (_m, cell: string | undefined) => ` ${/\[([a-z-]+)\]/.exec(line)![1]}${cell ? ` ${cell}` : ''}`)),
    [
      'Dockerfile:1:6: warning container-image-unpinned',
      'docker-compose.yml:3:12: info container-image-unpinned',
      'docker-compose.yml:5:10: error compose-model-port-published',
      `notebooks/explore.ipynb:${pipLine}:19: warning ml-package-unpinned [cell 2, line 1]`,
      // info: requirements.txt pins torch 2.6, where weights_only became the default.
      `notebooks/explore.ipynb:${loadLine}:14: info torch-load-unsafe [cell 3, line 1]`,
      'requirements.txt:2:1: warning ml-package-unpinned',
    ],
  );
  assert.match(stdout, /notebooks\/broken\.ipynb:1:12: .*invalid notebook: not valid JSON/);
});

test('SARIF: the notebook finding points at the .ipynb line and carries the cell', () => {
  const dir = tree();
  const out = path.join(dir, 'out.sarif');
  run(['scan', 'notebooks', '--format', 'sarif', '--output', out, '--fail-on', 'never'], dir);
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  const result = log.runs[0].results.find((r: { ruleId: string }) => r.ruleId === 'torch-load-unsafe');
  const location = result.locations[0].physicalLocation;
  assert.equal(location.artifactLocation.uri, 'notebooks/explore.ipynb');
  const line = NOTEBOOK.split('\n')[location.region.startLine - 1]!;
  assert.equal(line.slice(location.region.startColumn - 1, location.region.endColumn - 1), 'torch.load');
  assert.equal(result.properties.notebookCell, 3);
  assert.equal(result.properties.notebookCellLine, 1);
});
