/**
 * Engine.analyzeCells: a notebook given as its code cells' texts (the language server's notebook
 * sync) is analysed as the .ipynb is, and every position comes back in its own cell.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { applyEdits } from '../../server/src/engine/text-edits';

let engine: Engine;
let fresh: Engine;
before(async () => {
  engine = await Engine.create();
  fresh = await Engine.create();
});

const CELLS = [
  'import torch as t\nimport yaml\n!pip install torch',
  'x = 1\nm = t.load(p)\nc = yaml.load(s)  # keep',
  '!wget http://example.com/a.csv\n%matplotlib inline',
];

test('imports carry across cells; findings carry their cell and in-cell positions', () => {
  const { findings, problems } = engine.analyzeCells('/nb/train.ipynb', CELLS);
  assert.deepEqual(problems, [], 'IPython lines are not syntax errors');
  assert.deepEqual(
    findings.map((f) => [f.ruleId, f.cell, f.range, f.statementLines]),
    [
      ['ml-package-unpinned', { index: 0, line: 2 }, { start: { line: 2, character: 13 }, end: { line: 2, character: 18 } }, { first: 2, last: 2 }],
      ['torch-load-unsafe', { index: 1, line: 1 }, { start: { line: 1, character: 4 }, end: { line: 1, character: 10 } }, { first: 1, last: 1 }],
      ['yaml-unsafe-load', { index: 1, line: 2 }, { start: { line: 2, character: 4 }, end: { line: 2, character: 13 } }, { first: 2, last: 2 }],
      ['insecure-shell-download', { index: 2, line: 0 }, { start: { line: 0, character: 6 }, end: { line: 0, character: 30 } }, { first: 0, last: 0 }],
    ],
  );
  const yamlLoad = findings.find((f) => f.ruleId === 'yaml-unsafe-load')!;
  assert.deepEqual(yamlLoad.fix?.edits, [{ range: { start: { line: 2, character: 9 }, end: { line: 2, character: 13 } }, newText: 'safe_load' }]);
  assert.equal(applyEdits(CELLS[1]!, yamlLoad.fix!.edits), 'x = 1\nm = t.load(p)\nc = yaml.safe_load(s)  # keep');
  const fixed = [CELLS[0]!, applyEdits(CELLS[1]!, yamlLoad.fix!.edits), CELLS[2]!];
  assert.equal(engine.analyzeCells('/nb/train.ipynb', fixed).findings.filter((f) => f.ruleId === 'yaml-unsafe-load').length, 0);
});

test('without the import cell, the call in cell 2 is nothing', () => {
  assert.deepEqual(engine.analyzeCells('/nb/train.ipynb', ['import numpy as t', 'm = t.load(p)']).findings, []);
});

test('suppressions: on the line in its cell, ignore-file in any cell', () => {
  const onLine = engine.analyzeCells('/nb/train.ipynb', [CELLS[0]!, 'm = t.load(p)  # atlas-lens: ignore[torch-load-unsafe]']);
  assert.deepEqual(onLine.findings.map((f) => f.ruleId), ['ml-package-unpinned']);
  const inFile = engine.analyzeCells('/nb/train.ipynb', [`# atlas-lens: ignore-file[torch-load-unsafe]\n${CELLS[0]!}`, 'm = t.load(p)']);
  assert.deepEqual(inFile.findings.map((f) => f.ruleId), ['ml-package-unpinned']);
  // The same comment on another line of another cell does not suppress the call.
  const elsewhere = engine.analyzeCells('/nb/train.ipynb', [`${CELLS[0]!}  # atlas-lens: ignore[torch-load-unsafe]`, 'm = t.load(p)']);
  assert.deepEqual(elsewhere.findings.map((f) => [f.ruleId, f.cell.index]), [['ml-package-unpinned', 0], ['torch-load-unsafe', 1]]);
});

test('a syntax error is reported in its cell; no cells, nothing', () => {
  const { problems } = engine.analyzeCells('/nb/train.ipynb', ['import torch', 'torch.load(p, weights_only=False)\ndef broken(:\n  pass']);
  assert.deepEqual(problems, [{ file: '/nb/train.ipynb', line: 1, character: 11, cell: 1, severity: 'info', message: 'syntax error; the parts that parse were analysed (cell 2, line 2)' }]);
  assert.deepEqual(engine.analyzeCells('/nb/train.ipynb', []), { findings: [], problems: [], parsed: false });
});

/** A notebook to type into: imports in one cell, definitions and module code in others, IPython lines. */
const NOTEBOOK = [
  'import torch\nimport numpy as np\nimport yaml\n!pip install transformers',
  'def restore(path):\n    return torch.load(path)\n\n\ndef features(path):\n    return np.load(path, allow_pickle=True)',
  '%%bash\ncurl -s http://example.com/setup.sh | sh',
  'class Trainer:\n    def config(self, path):\n        with open(path) as handle:\n            return yaml.load(handle)',
  'state = restore("last.pt")\n%time arr = features("x.npy")\nREV = "main"',
];
const KEYSTROKES = ['x', ' ', '\n', '(', ')', '"', ':', '#', 'torch.load(p)', ', weights_only=True', '\n    ', 'def ', 'import pickle\n', '!pip install torch\n', '%%bash\n', 'pickle.loads(b)'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

/** What a notebook's analysis says, without the file name (the fresh analyses each use a new one). */
function withoutFile(result: ReturnType<Engine['analyzeCells']>) {
  return { findings: result.findings.map(({ file: _file, ...rest }) => rest), problems: result.problems.map(({ file: _file, ...rest }) => rest) };
}

test('typing in the cells of an open notebook (kept parsed between analyses): after every keystroke the findings and problems equal a fresh analysis', () => {
  for (let seed = 1; seed <= 4; seed++) {
    const next = random(seed * 104729);
    const cells = [...NOTEBOOK];
    const file = `/nb/typing_${seed}.ipynb`;
    for (let step = 0; step < 40; step++) {
      const index = Math.floor(next() * cells.length);
      const cell = cells[index]!;
      const at = Math.floor(next() * (cell.length + 1));
      const remove = next() < 0.25 ? Math.floor(next() * 5) : 0;
      const text = remove > 0 && next() < 0.5 ? '' : KEYSTROKES[Math.floor(next() * KEYSTROKES.length)]!;
      cells[index] = cell.slice(0, at) + text + cell.slice(at + remove);
      const incremental = withoutFile(engine.analyzeCells(file, cells, { syntaxErrorProblems: false }));
      const full = withoutFile(fresh.analyzeCells(`/nb/fresh_${seed}_${step}.ipynb`, cells, { syntaxErrorProblems: false }));
      assert.deepEqual(incremental, full, `seed ${seed}, step ${step}:\n${cells.join('\n---\n')}`);
    }
  }
});

test('an open notebook is analysed from its last version: a keystroke in one definition parses that definition alone', () => {
  const file = '/nb/kept.ipynb';
  // As the language server asks (it shows no info problems, so no syntax error is located).
  const first = engine.analyzeCells(file, NOTEBOOK, { syntaxErrorProblems: false });
  const edited = [...NOTEBOOK];
  edited[1] = edited[1]!.replace('torch.load(path)', 'torch.load(path, weights_only=True)');
  const second = engine.analyzeCells(file, edited, { syntaxErrorProblems: false });
  assert.deepEqual(second.findings.map((f) => f.ruleId).sort(), first.findings.map((f) => f.ruleId).filter((id) => id !== 'torch-load-unsafe').sort());
  // The notebook analyzer's tree of this notebook: one parse of the whole, then one of the edited definition.
  const notebooks = (engine as unknown as { analyzers: Map<string, { open: Map<string, { tree: { stats: Record<string, number> } }> }> }).analyzers.get('notebook')!;
  assert.deepEqual(notebooks.open.get(file)?.tree.stats, { incremental: 0, full: 1, definition: 1 });
});

test('an ignore-file comment in a Python cell suppresses the shell lines\' findings too, even where no Python rule applies', () => {
  assert.deepEqual(engine.analyzeCells('/nb/pip.ipynb', ['import os', '!pip install torch']).findings.map((f) => f.ruleId), ['ml-package-unpinned']);
  assert.deepEqual(engine.analyzeCells('/nb/pip.ipynb', ['# atlas-lens: ignore-file\nimport os', '!pip install torch']).findings, []);
  assert.deepEqual(engine.analyzeCells('/nb/pip.ipynb', ['note = "# atlas-lens: ignore-file"', '!pip install torch']).findings.map((f) => f.ruleId), ['ml-package-unpinned']);
});
