import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildFindingsTree, describeTree, filterFindings, hasBaseline, type TreeNode } from '../../client/src/findings-tree-model';
import { MATRIX, displayPath, finding } from './matrix-fixture';

const FINDINGS = [
  finding('train.py', 9, 'torch-load-unsafe', 'warning', ['AML.T0011.000']),
  finding('serve/app.py', 3, 'pickle-deserialization', 'error', ['AML.T0011.000']),
  finding('train.py', 2, 'torch-load-unsafe', 'warning', ['AML.T0011.000']),
  finding('requirements.txt', 0, 'ml-package-unpinned', 'warning', ['AML.T0010.001']),
  finding('download.py', 5, 'hf-model-unpinned', 'error', ['AML.T0010.003', 'AML.T0010']),
  finding('serve/app.py', 1, 'bind-all-interfaces', 'info', ['AML.T0049']),
  finding('notes.py', 0, 'odd-rule', 'info', ['AML.T9999']),
];

test('by tactic: tactics and techniques in matrix order, files by path, findings by line, exact counts', () => {
  const tree = buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'tactic', displayPath });
  assert.deepEqual(describeTree(tree), [
    'Initial Access — 3 findings',
    '  AML.T0010 AI Supply Chain Compromise — 1 finding',
    '    download.py — 1 finding',
    '      hf-model-unpinned title — hf-model-unpinned · Ln 6',
    '  AML.T0010.001 AI Supply Chain Compromise: AI Software — 1 finding',
    '    requirements.txt — 1 finding',
    '      ml-package-unpinned title — ml-package-unpinned · Ln 1',
    '  AML.T0010.003 AI Supply Chain Compromise: Model — 1 finding',
    '    download.py — 1 finding',
    '      hf-model-unpinned title — hf-model-unpinned · Ln 6',
    '  AML.T0049 Exploit Public-Facing Application — 1 finding',
    '    serve/app.py — 1 finding',
    '      bind-all-interfaces title — bind-all-interfaces · Ln 2',
    'Execution — 4 findings',
    '  AML.T0011.000 User Execution: Unsafe AI Artifacts — 3 findings',
    '    serve/app.py — 1 finding',
    '      pickle-deserialization title — pickle-deserialization · Ln 4',
    '    train.py — 2 findings',
    '      torch-load-unsafe title — torch-load-unsafe · Ln 3',
    '      torch-load-unsafe title — torch-load-unsafe · Ln 10',
    '  AML.T0049 Exploit Public-Facing Application — 1 finding',
    '    serve/app.py — 1 finding',
    '      bind-all-interfaces title — bind-all-interfaces · Ln 2',
    'Other — 1 finding',
    '  AML.T9999 — 1 finding',
    '    notes.py — 1 finding',
    '      odd-rule title — odd-rule · Ln 1',
  ]);
  // A finding citing a technique and its sub-technique counts once for the tactic.
  assert.equal(tree[0]!.count, 3);
  assert.deepEqual(tree.map((node) => node.severity), ['error', 'error', 'info']);
  const execution = tree[1]!;
  assert.equal(execution.kind, 'tactic');
  assert.equal(execution.children[0]!.kind, 'technique');
  assert.equal(execution.children[0]!.techniqueId, 'AML.T0011.000');
  const trainFile = execution.children[0]!.children[1]!;
  assert.equal(trainFile.kind, 'file');
  assert.equal(trainFile.uri, 'file:///ws/train.py');
  assert.equal(trainFile.severity, 'warning');
  const first = trainFile.children[0]!;
  assert.equal(first.kind, 'finding');
  assert.equal(first.finding, FINDINGS[2]);
  assert.equal(first.techniqueId, 'AML.T0011.000');
});

test('node ids are unique and stable', () => {
  const ids = (nodes: readonly TreeNode[]): string[] => nodes.flatMap((node) => [node.id, ...ids(node.children)]);
  const tree = ids(buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'tactic', displayPath }));
  assert.equal(new Set(tree).size, tree.length);
  assert.deepEqual(ids(buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'tactic', displayPath })), tree);
  const files = ids(buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'file', displayPath }));
  assert.equal(new Set(files).size, files.length);
});

test('by file: files sorted by path, findings by line, each finding once', () => {
  const tree = buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'file', displayPath });
  assert.deepEqual(describeTree(tree), [
    'download.py — 1 finding',
    '  hf-model-unpinned title — hf-model-unpinned · Ln 6',
    'notes.py — 1 finding',
    '  odd-rule title — odd-rule · Ln 1',
    'requirements.txt — 1 finding',
    '  ml-package-unpinned title — ml-package-unpinned · Ln 1',
    'serve/app.py — 2 findings',
    '  bind-all-interfaces title — bind-all-interfaces · Ln 2',
    '  pickle-deserialization title — pickle-deserialization · Ln 4',
    'train.py — 2 findings',
    '  torch-load-unsafe title — torch-load-unsafe · Ln 3',
    '  torch-load-unsafe title — torch-load-unsafe · Ln 10',
  ]);
  assert.deepEqual(tree.map((node) => node.severity), ['error', 'info', 'warning', 'error', 'warning']);
  assert.equal(tree[0]!.children[0]!.techniqueId, 'AML.T0010.003', 'the first technique the finding cites');
});

test('same line: findings ordered by column, then rule', () => {
  const a = finding('x.py', 4, 'b-rule', 'info', ['AML.T0049'], { range: { start: { line: 4, character: 20 }, end: { line: 4, character: 22 } } });
  const b = finding('x.py', 4, 'c-rule', 'info', ['AML.T0049'], { range: { start: { line: 4, character: 2 }, end: { line: 4, character: 9 } } });
  const c = finding('x.py', 4, 'a-rule', 'info', ['AML.T0049'], { range: { start: { line: 4, character: 20 }, end: { line: 4, character: 25 } } });
  const [file] = buildFindingsTree({ findings: [a, b, c], matrix: MATRIX }, { mode: 'file', displayPath });
  assert.deepEqual(file!.children.map((node) => node.finding!.ruleId), ['c-rule', 'a-rule', 'b-rule']);
});

test('technique filter: the technique and its sub-techniques only', () => {
  const parent = buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'tactic', displayPath, filter: { technique: 'AML.T0010' } });
  assert.deepEqual(describeTree(parent), [
    'Initial Access — 2 findings',
    '  AML.T0010 AI Supply Chain Compromise — 1 finding',
    '    download.py — 1 finding',
    '      hf-model-unpinned title — hf-model-unpinned · Ln 6',
    '  AML.T0010.001 AI Supply Chain Compromise: AI Software — 1 finding',
    '    requirements.txt — 1 finding',
    '      ml-package-unpinned title — ml-package-unpinned · Ln 1',
    '  AML.T0010.003 AI Supply Chain Compromise: Model — 1 finding',
    '    download.py — 1 finding',
    '      hf-model-unpinned title — hf-model-unpinned · Ln 6',
  ]);
  const sub = buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'file', displayPath, filter: { technique: 'AML.T0011.000' } });
  assert.deepEqual(describeTree(sub), [
    'serve/app.py — 1 finding',
    '  pickle-deserialization title — pickle-deserialization · Ln 4',
    'train.py — 2 findings',
    '  torch-load-unsafe title — torch-load-unsafe · Ln 3',
    '  torch-load-unsafe title — torch-load-unsafe · Ln 10',
  ]);
  // AML.T0001 is not a prefix match of AML.T0010.
  assert.deepEqual(buildFindingsTree({ findings: FINDINGS, matrix: MATRIX }, { mode: 'tactic', displayPath, filter: { technique: 'AML.T001' } }), []);
});

test('new since baseline: only findings marked new; no baseline without the field', () => {
  assert.equal(hasBaseline(FINDINGS), false);
  const marked = [
    finding('a.py', 1, 'torch-load-unsafe', 'warning', ['AML.T0011.000'], { newSinceBaseline: false }),
    finding('a.py', 7, 'torch-load-unsafe', 'warning', ['AML.T0011.000'], { newSinceBaseline: true }),
    finding('b.py', 2, 'pickle-deserialization', 'error', ['AML.T0011.000'], { newSinceBaseline: false }),
  ];
  assert.equal(hasBaseline(marked), true);
  assert.deepEqual(filterFindings(marked, { newOnly: true }), [marked[1]]);
  assert.deepEqual(describeTree(buildFindingsTree({ findings: marked, matrix: MATRIX }, { mode: 'tactic', displayPath, filter: { newOnly: true } })), [
    'Execution — 1 finding',
    '  AML.T0011.000 User Execution: Unsafe AI Artifacts — 1 finding',
    '    a.py — 1 finding',
    '      torch-load-unsafe title — torch-load-unsafe · Ln 8',
  ]);
  assert.equal(buildFindingsTree({ findings: marked, matrix: MATRIX }, { mode: 'file', displayPath })[0]!.count, 2, 'no filter: all of them');
});

test('a finding citing no technique goes under Other', () => {
  const tree = buildFindingsTree({ findings: [finding('z.py', 0, 'r', 'warning', [])], matrix: MATRIX }, { mode: 'tactic', displayPath });
  assert.deepEqual(describeTree(tree), ['Other — 1 finding', '  No ATLAS technique — 1 finding', '    z.py — 1 finding', '      r title — r · Ln 1']);
  assert.equal(tree[0]!.children[0]!.techniqueId, undefined);
});

test('no findings: an empty tree', () => {
  assert.deepEqual(buildFindingsTree({ findings: [], matrix: MATRIX }, { mode: 'tactic', displayPath }), []);
  assert.deepEqual(buildFindingsTree({ findings: [], matrix: MATRIX }, { mode: 'file', displayPath }), []);
});
