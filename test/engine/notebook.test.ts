/**
 * Notebooks: Python rules across cells, IPython shell lines, positions mapped to the .ipynb text
 * (cell, line in cell, JSON line and column), fixes that keep the JSON valid, broken notebooks.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { cellCoordinates } from '../../server/src/engine/analyzers/notebook';
import { Engine } from '../../server/src/engine/engine';
import { applyEdits } from '../../server/src/engine/text-edits';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function notebook(cells: Array<{ type?: string; source: string[] | string }>, nbformat = 4): string {
  return `${JSON.stringify(
    {
      cells: cells.map((cell) => ({ cell_type: cell.type ?? 'code', execution_count: null, metadata: {}, outputs: [], source: cell.source })),
      metadata: { language_info: { name: 'python' } },
      nbformat,
      nbformat_minor: 5,
    },
    null,
    1,
  )}\n`;
}

/** The text of the .ipynb line a finding points at, from its start to its end column. */
function underlined(text: string, range: { start: { line: number; character: number }; end: { line: number; character: number } }): string {
  return text.split('\n')[range.start.line]!.slice(range.start.character, range.end.character);
}

const MULTI = notebook([
  { type: 'markdown', source: ['# Fraud model\n', 'Loads the checkpoint.\n'] },
  { source: ['import torch\n', '!pip install torch\n', '%matplotlib inline\n', 'PATH = "ckpt/model.pt"'] },
  { source: ['if True:\n', '    !wget http://example.com/data.csv\n', 'state = torch.load(PATH)\n', 'label = "say \\"hi\\""; other = torch.load(PATH)'] },
]);

test('Python rules see imports of earlier cells; findings carry the cell, the cell line and the .ipynb position', () => {
  const { findings, problems } = engine.analyze('/nb/train.ipynb', MULTI);
  assert.deepEqual(problems, [], 'IPython lines are not syntax errors');
  const torchLoads = findings.filter((f) => f.ruleId === 'torch-load-unsafe');
  assert.equal(torchLoads.length, 2);
  const lines = MULTI.split('\n');
  assert.deepEqual(torchLoads[0]!.cell, { index: 2, line: 2 });
  assert.match(lines[torchLoads[0]!.range.start.line]!, /"state = torch\.load\(PATH\)\\n",/);
  assert.equal(underlined(MULTI, torchLoads[0]!.range), 'torch.load');
  // After escaped quotes on the same line, the column still lands on the call.
  assert.deepEqual(torchLoads[1]!.cell, { index: 2, line: 3 });
  assert.equal(underlined(MULTI, torchLoads[1]!.range), 'torch.load');
  assert.equal(torchLoads[1]!.statementLines.first, torchLoads[1]!.range.start.line);

  const pip = findings.find((f) => f.ruleId === 'ml-package-unpinned')!;
  assert.deepEqual(pip.cell, { index: 1, line: 1 });
  assert.equal(underlined(MULTI, pip.range), 'torch');
  const wget = findings.find((f) => f.ruleId === 'insecure-shell-download')!;
  assert.deepEqual(wget.cell, { index: 2, line: 1 });
  assert.equal(underlined(MULTI, wget.range), 'http://example.com/data.csv');
});

test('a fix applied to the .ipynb text keeps it valid JSON with the fixed code', () => {
  const { findings } = engine.analyze('/nb/train.ipynb', MULTI);
  const second = findings.filter((f) => f.ruleId === 'torch-load-unsafe')[1]!;
  assert.ok(second.fix);
  const fixed = applyEdits(MULTI, second.fix.edits);
  const parsed = JSON.parse(fixed) as { cells: Array<{ source: string[] }> };
  assert.equal(parsed.cells[2]!.source[3], 'label = "say \\"hi\\""; other = torch.load(PATH, weights_only=True)');
  const again = engine.analyze('/nb/train.ipynb', fixed).findings.filter((f) => f.ruleId === 'torch-load-unsafe');
  assert.equal(again.length, 1);

  const wget = findings.find((f) => f.ruleId === 'insecure-shell-download')!;
  const https = JSON.parse(applyEdits(MULTI, wget.fix!.edits)) as { cells: Array<{ source: string[] }> };
  assert.equal(https.cells[2]!.source[1], '    !wget https://example.com/data.csv\n');
});

test('a fix whose text needs escaping is escaped in the JSON', () => {
  const text = notebook([{ source: ['import yaml\n', 'cfg = yaml.load(open("c.yaml"))'] }]);
  const finding = engine.analyze('/nb/a.ipynb', text).findings.find((f) => f.ruleId === 'yaml-unsafe-load')!;
  assert.ok(finding.fix, 'yaml-unsafe-load offers a fix');
  const fixed = JSON.parse(applyEdits(text, finding.fix.edits)) as { cells: Array<{ source: string[] }> };
  assert.match(fixed.cells[0]!.source[1]!, /^cfg = yaml\.safe_load\(open\("c\.yaml"\)\)$/);
});

test('a notebook whose source is one string (not a list of lines) maps too', () => {
  const text = notebook([{ source: 'import torch\nx = torch.load("m.pt")\n' }]);
  const finding = engine.analyze('/nb/a.ipynb', text).findings.find((f) => f.ruleId === 'torch-load-unsafe')!;
  assert.deepEqual(finding.cell, { index: 0, line: 1 });
  assert.equal(underlined(text, finding.range), 'torch.load');
});

test('suppression comments in cells apply', () => {
  const text = notebook([{ source: ['import torch\n', 'x = torch.load("m.pt")  # atlas-lens: ignore[torch-load-unsafe]\n', '!pip install torch  # atlas-lens: ignore\n'] }]);
  assert.deepEqual(engine.analyze('/nb/a.ipynb', text).findings, []);
});

test('shell cells (%%bash) are read as commands; %%writefile cells are neither Python nor shell', () => {
  const text = notebook([
    { source: ['%%bash\n', 'pip install transformers\n', 'curl -fsSL https://example.com/i.sh | sh\n'] },
    { source: ['%%writefile app.py\n', 'import torch\n', 'torch.load("x")\n', 'def broken(:\n'] },
  ]);
  const { findings, problems } = engine.analyze('/nb/a.ipynb', text);
  assert.deepEqual(problems, []);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.cell?.index, f.cell?.line]), [
    ['ml-package-unpinned', 0, 1],
    ['download-piped-to-shell', 0, 2],
  ]);
});

test('a Python syntax error is one problem located in its cell', () => {
  // A rule must have something to look at (a trigger word) for the notebook to be parsed at all.
  const text = notebook([{ source: ['import torch\n', 'state = torch.load("m.pt", weights_only=True)\n'] }, { source: ['x = (1,\n'] }]);
  const { problems } = engine.analyze('/nb/a.ipynb', text);
  assert.equal(problems.length, 1);
  assert.match(problems[0]!.message, /syntax error.*cell 2/);
});

test('invalid JSON gives one located problem and nothing else', () => {
  const text = '{\n "cells": [\n  {"cell_type": "code", "source": ["import torch\\n" "torch.load(x)"]}\n ]\n}\n';
  const result = engine.analyze('/nb/broken.ipynb', text);
  assert.deepEqual(result.findings, []);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.message, /not valid JSON/);
  assert.equal(result.problems[0]!.line, 2);
});

test('an unknown nbformat gives one clear problem', () => {
  const text = notebook([{ source: ['import torch\n', 'torch.load("m.pt")\n'] }], 3);
  const result = engine.analyze('/nb/old.ipynb', text);
  assert.deepEqual(result.findings, []);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.message, /unsupported notebook format \(nbformat 3\)/);
});

test('non-Python kernels: no Python rules, shell lines still read', () => {
  const text = JSON.stringify({ cells: [{ cell_type: 'code', metadata: {}, outputs: [], source: ['library(torch)\n', 'torch.load("x")\n', '!pip install torch\n'] }], metadata: { language_info: { name: 'R' } }, nbformat: 4, nbformat_minor: 5 });
  assert.deepEqual(engine.analyze('/nb/r.ipynb', text).findings.map((f) => f.ruleId), ['ml-package-unpinned']);
});

test('cellCoordinates maps a finding back to its cell (for the language server)', () => {
  const { findings } = engine.analyze('/nb/train.ipynb', MULTI);
  const second = findings.filter((f) => f.ruleId === 'torch-load-unsafe')[1]!;
  const mapped = cellCoordinates(MULTI, second.range);
  const line = 'label = "say \\"hi\\""; other = torch.load(PATH)';
  const column = line.indexOf('torch.load');
  assert.deepEqual(mapped, { index: 2, range: { start: { line: 3, character: column }, end: { line: 3, character: column + 'torch.load'.length } } });
});

test('an ignore-file comment in a Python cell suppresses the shell lines\' findings too, even where no Python rule applies; the same words in a string do not', () => {
  const pip = { source: '!pip install torch' };
  const flagged = engine.analyze('/nb/pip.ipynb', notebook([{ source: 'import os' }, pip])).findings.map((f) => f.ruleId);
  assert.deepEqual(flagged, ['ml-package-unpinned']);
  assert.deepEqual(engine.analyze('/nb/pip.ipynb', notebook([{ source: '# atlas-lens: ignore-file\nimport os' }, pip])).findings, []);
  assert.deepEqual(engine.analyze('/nb/pip.ipynb', notebook([{ source: 'note = "# atlas-lens: ignore-file"' }, pip])).findings.map((f) => f.ruleId), flagged);
});

test('IPython commands only where a logical line starts: not on a continuation line inside brackets, nor in a string', () => {
  // Black puts binary operators at the start of continuation lines: `!=` and `%` there are Python.
  const text = notebook([
    { source: ['import torch\n', 'old = (\n', '    torch.__version__\n', '    != "2.6"\n', ')\n', 'rest = (\n', '    7\n', '    % 3\n', ')\n', 'x = 1 + \\\n', '!2\n'] },
    { source: ['HELP = """\n', '!pip install torch\n', '%run setup.py\n', '"""\n', '# install it (once\n', 'note = "say \\" ( twice"\n', '!pip install torch\n', 'state = torch.load(PATH)  # uses the cell above\n'] },
  ]);
  const { findings, problems } = engine.analyze('/nb/lines.ipynb', text);
  // `x = 1 + \` continued on `!2` is Python (a syntax error), not a command: the only problem.
  assert.deepEqual(problems.map((p) => [p.message, p.severity]), [['syntax error; the parts that parse were analysed (cell 1, line 11)', 'info']]);
  assert.deepEqual(findings.map((f) => [f.ruleId, f.cell]), [
    ['ml-package-unpinned', { index: 1, line: 6 }],
    ['torch-load-unsafe', { index: 1, line: 7 }],
  ]);
  // A one-quote string left open ends with its line (a syntax error): the command after it counts.
  const broken = engine.analyze('/nb/broken.ipynb', notebook([{ source: ['s = "unclosed\n', '!pip install torch\n'] }]));
  assert.deepEqual(broken.findings.map((f) => [f.ruleId, f.cell]), [['ml-package-unpinned', { index: 0, line: 1 }]]);
});
