/**
 * Notebook document sync over stdio: a Jupyter notebook opened as one notebook (cells with it)
 * is analysed as a whole — imports of one cell resolve calls in the next, `!pip` / `!wget` lines
 * are commands — and every finding is reported on its cell's URI at the range inside the cell.
 * Then edits and a new cell, hovers, code actions on the cell URI, the notebook fix-all, the
 * Fix All command on the notebook, close, and pull mode (cells pulled one by one, refresh when a
 * cell the client does not pull changes, a cell also opened as a text document answered once).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, MarkupContent, TextEdit } from 'vscode-languageserver';
import { applyTextEdits, assertFull, editsFor, makeWorkspace, TestClient, waitFor, type TestCell } from './lsp-client';

const CELLS: TestCell[] = [
  { text: '# Fraud model\nLoads `torch`.', markdown: true },
  { text: 'import torch as t\nimport yaml\nimport gradio as gr\n!pip install torch' },
  { text: 'state = t.load(path)\ncfg = yaml.load(text)' },
  { text: 'demo = gr.Interface(fn=f, inputs="text", outputs="text")\ndemo.launch(share=True)' },
  { text: '!wget http://example.com/data.csv' },
];

const range = (line: number, start: number, end: number, endLine = line) => ({ start: { line, character: start }, end: { line: endLine, character: end } });
const summary = (diagnostics: Diagnostic[]) => diagnostics.map((d) => [d.code, d.range]);

describe('notebook sync, push diagnostics', () => {
  let client: TestClient;
  let workspace: string;
  let counter = 0;
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, notebooks: true, dataSupport: true, codeDescription: true });
  });
  after(() => client.stop());

  const openNotebook = (cells = CELLS) => client.openNotebook(path.join(workspace, `nb${counter++}.ipynb`), cells);
  /** The next publication for `cell` after `count` earlier ones. */
  const nextPublished = (cell: string, count: number) =>
    waitFor(`publication ${count + 1} for ${cell}`, () => (client.published.get(cell)?.length ?? 0) > count && client.published.get(cell)!.at(-1)!.diagnostics);

  test('the server declares notebook sync for Jupyter Python cells and the notebook fix-all kind', () => {
    const capabilities = client.initializeResult.capabilities;
    assert.deepEqual(capabilities.notebookDocumentSync, { notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }, { language: 'markdown' }] }], save: true });
    assert.deepEqual((capabilities.codeActionProvider as { codeActionKinds: string[] }).codeActionKinds, ['quickfix', 'source.fixAll.atlasLens', 'notebook.source.fixAll.atlasLens']);
  });

  test('findings on their cells at the cell ranges; aliases resolve across cells; shell lines are commands', async () => {
    const { uri, cells } = await openNotebook();
    assert.deepEqual(summary(await client.diagnosticsAt(cells[1]!, 1)), [['ml-package-unpinned', range(3, 13, 18)]], 'the !pip line is a command, not a syntax error');
    const cell2 = await client.diagnosticsAt(cells[2]!, 1);
    assert.deepEqual(summary(cell2), [['torch-load-unsafe', range(0, 8, 14)], ['yaml-unsafe-load', range(1, 6, 15)]]);
    assert.equal(cell2[0]!.codeDescription?.href, 'https://atlas.mitre.org/techniques/AML.T0011.000');
    assert.deepEqual(summary(await client.diagnosticsAt(cells[3]!, 1)), [['gradio-public-share', range(1, 12, 22)]]);
    assert.deepEqual(summary(await client.diagnosticsAt(cells[4]!, 1)), [['insecure-shell-download', range(0, 6, 33)]]);
    assert.equal(client.published.get(cells[0]!), undefined, 'nothing for the markdown cell');
    assert.equal(client.published.get(uri), undefined, 'nothing on the notebook URI itself');
  });

  test('the same cell alone (no import cell) has no torch finding: the alias came from cell 1', async () => {
    const { cells } = await openNotebook([{ text: 'import numpy as t\nimport yaml' }, CELLS[2]!]);
    assert.deepEqual(summary(await client.diagnosticsAt(cells[1]!, 1)), [['yaml-unsafe-load', range(1, 6, 15)]]);
  });

  test('didChange: an edit in cell 1 updates cell 2; an added cell is analysed with the others', async () => {
    const { uri, cells } = await openNotebook();
    await client.diagnosticsAt(cells[2]!, 1);
    const before2 = client.published.get(cells[2]!)!.length;
    await client.changeNotebook(uri, [{ cell: cells[1]!, changes: [{ range: range(0, 7, 12), text: 'numpy' }] }]);
    assert.equal(client.text(cells[1]!).split('\n')[0], 'import numpy as t');
    assert.deepEqual(summary(await nextPublished(cells[2]!, before2)), [['yaml-unsafe-load', range(1, 6, 15)]], 't.load is numpy.load now');
    const added = client.cellUri(uri, 9);
    await client.changeNotebook(uri, [], { start: 3, cells: [{ uri: added, text: 'import pickle\n\nobj = pickle.loads(blob)' }] });
    const diagnostics = await client.diagnosticsAt(added, 1);
    assert.deepEqual(summary(diagnostics), [['pickle-deserialization', range(2, 6, 18)]]);
  });

  test('hover on a cell finding shows the card', async () => {
    const { cells } = await openNotebook();
    await client.diagnosticsAt(cells[2]!, 1);
    const hover = await client.hover(cells[2]!, { line: 0, character: 10 });
    assert.ok(hover);
    const value = (hover.contents as MarkupContent).value;
    assert.equal(value.split('\n')[0], '**torch.load can run code from the checkpoint** · warning · `torch-load-unsafe`');
    assert.ok(value.includes('[AML.T0011.000](https://atlas.mitre.org/techniques/AML.T0011.000)'), value);
    assert.deepEqual(hover.range, range(0, 8, 14));
    assert.equal(await client.hover(cells[2]!, { line: 0, character: 2 }), null, 'nothing off the finding');
  });

  test('code actions: the fix and the line suppression edit the cell; "in this notebook" goes to the first code cell', async () => {
    const { uri, cells } = await openNotebook();
    const diagnostics = await client.diagnosticsAt(cells[2]!, 1);
    const yamlLoad = diagnostics.find((d) => d.code === 'yaml-unsafe-load')!;
    const actions = await client.codeActions(cells[2]!, yamlLoad.range, [yamlLoad]);
    assert.deepEqual(actions.map((a) => [a.title, a.kind, Object.keys(a.edit?.changes ?? {})]), [
      ['Use yaml.safe_load', 'quickfix', [cells[2]]],
      ['Suppress yaml-unsafe-load on this line', 'quickfix', [cells[2]]],
      ['Suppress yaml-unsafe-load in this notebook', 'quickfix', [cells[1]]],
      ['Fix all safe ATLAS Lens problems', 'source.fixAll.atlasLens', [cells[2]]],
    ]);
    assert.deepEqual(editsFor(actions[1]!.edit, cells[2]!), [{ range: range(1, 21, 21), newText: '  # atlas-lens: ignore[yaml-unsafe-load]' }]);
    assert.deepEqual(editsFor(actions[2]!.edit, cells[1]!), [{ range: range(0, 0, 0), newText: '# atlas-lens: ignore-file[yaml-unsafe-load]\n' }]);
    const fix = editsFor(actions[0]!.edit, cells[2]!);
    assert.deepEqual(fix, [{ range: range(1, 11, 15), newText: 'safe_load' }]);
    const before2 = client.published.get(cells[2]!)!.length;
    await client.changeNotebook(uri, [{ cell: cells[2]!, changes: fix.map((edit) => ({ range: edit.range, text: edit.newText })) }]);
    assert.deepEqual(summary(await nextPublished(cells[2]!, before2)), [['torch-load-unsafe', range(0, 8, 14)]], 'the fixed finding is gone');
  });

  test('the notebook suppression in the first code cell silences the finding in cell 2', async () => {
    const { uri, cells } = await openNotebook();
    const yamlLoad = (await client.diagnosticsAt(cells[2]!, 1)).find((d) => d.code === 'yaml-unsafe-load')!;
    const action = (await client.codeActions(cells[2]!, yamlLoad.range, [yamlLoad])).find((a) => a.title.endsWith('in this notebook'))!;
    const before2 = client.published.get(cells[2]!)!.length;
    await client.changeNotebook(uri, [{ cell: cells[1]!, changes: editsFor(action.edit, cells[1]!).map((edit) => ({ range: edit.range, text: edit.newText })) }]);
    assert.deepEqual(summary(await nextPublished(cells[2]!, before2)), [['torch-load-unsafe', range(0, 8, 14)]]);
  });

  test('notebook.source.fixAll: every safe fix across the cells in one edit; then nothing is left to fix', async () => {
    const { uri, cells } = await openNotebook();
    await client.diagnosticsAt(cells[4]!, 1);
    // VS Code asks on the notebook's first cell, here Markdown; any cell of the notebook gets the same answer.
    const actions = await client.codeActions(cells[0]!, range(0, 0, 0), [], ['notebook.source.fixAll']);
    assert.equal(actions.length, 1, JSON.stringify(actions));
    assert.deepEqual(await client.codeActions(cells[2]!, range(0, 0, 0), [], ['notebook.source.fixAll']), actions);
    assert.deepEqual(await client.codeActions(cells[0]!, range(0, 0, 0), [], ['quickfix']), [], 'the Markdown cell has no actions of its own');
    const [fixAll] = actions as [CodeAction];
    assert.equal(fixAll.kind, 'notebook.source.fixAll.atlasLens');
    assert.deepEqual(fixAll.edit?.changes, {
      [cells[2]!]: [{ range: range(1, 11, 15), newText: 'safe_load' }],
      [cells[3]!]: [{ range: range(1, 18, 22), newText: 'False' }],
    });
    // A cell-level source.fixAll request does not get the notebook-wide action.
    assert.deepEqual((await client.codeActions(cells[2]!, range(0, 0, 0), [], ['source.fixAll'])).map((a) => [a.kind, Object.keys(a.edit?.changes ?? {})]), [['source.fixAll.atlasLens', [cells[2]]]]);
    const counts = [2, 3].map((i) => client.published.get(cells[i]!)!.length);
    await client.changeNotebook(uri, Object.entries(fixAll.edit!.changes!).map(([cell, edits]) => ({ cell, changes: (edits as TextEdit[]).map((edit) => ({ range: edit.range, text: edit.newText })) })));
    assert.equal(client.text(cells[3]!), applyTextEdits(CELLS[3]!.text, [{ range: range(1, 18, 22), newText: 'False' }]));
    assert.deepEqual(summary(await nextPublished(cells[2]!, counts[0]!)), [['torch-load-unsafe', range(0, 8, 14)]]);
    assert.deepEqual(summary(await nextPublished(cells[3]!, counts[1]!)), []);
    assert.deepEqual(await client.codeActions(cells[0]!, range(0, 0, 0), [], ['notebook.source.fixAll']), []);
  });

  test('the Fix All command on the notebook URI applies the notebook edit; a stale version applies nothing', async () => {
    const { uri, cells } = await openNotebook();
    await client.diagnosticsAt(cells[4]!, 1);
    const stale = await client.connection.sendRequest('workspace/executeCommand', { command: 'atlasLens.server.applyFixAll', arguments: [{ uri, version: 7 }] });
    assert.deepEqual(stale, { applied: false });
    const appliedBefore = client.appliedEdits.length;
    const result = await client.connection.sendRequest('workspace/executeCommand', { command: 'atlasLens.server.applyFixAll', arguments: [{ uri, version: 1 }] });
    assert.deepEqual(result, { applied: true });
    assert.equal(client.appliedEdits.length, appliedBefore + 1);
    assert.deepEqual(Object.keys(client.appliedEdits.at(-1)!.changes ?? {}), [cells[2], cells[3]]);
  });

  test('a Markdown cell sent as a text document (another notebook type) is not read as the .ipynb', async () => {
    const uri = await client.openUri(client.cellUri(`file://${path.join(workspace, 'other.ipynb')}`, 0), '# Notes\nwhy pickle.load and http:// downloads are risky', 'markdown');
    assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
  });

  test('didClose clears every cell', async () => {
    const { uri, cells } = await openNotebook();
    await client.diagnosticsAt(cells[2]!, 1);
    const counts = cells.map((cell) => client.published.get(cell)?.length ?? 0);
    await client.closeNotebook(uri, cells);
    for (const index of [1, 2, 3, 4]) assert.deepEqual(await nextPublished(cells[index]!, counts[index]!), [], `cell ${index} cleared`);
    assert.equal(await client.hover(cells[2]!, { line: 0, character: 10 }), null, 'the cell is gone');
  });
});

describe('notebook sync, pull diagnostics', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, notebooks: true, pull: true, refreshSupport: true, dataSupport: true });
  });
  after(() => client.stop());

  test('cells are pulled one by one; an edit that changes another cell asks for a refresh; unchanged reports say so', async () => {
    const { uri, cells } = await client.openNotebook(path.join(workspace, 'pull.ipynb'), CELLS);
    const first = await client.pull(cells[2]!);
    assertFull(first);
    assert.deepEqual(summary(first.items), [['torch-load-unsafe', range(0, 8, 14)], ['yaml-unsafe-load', range(1, 6, 15)]]);
    const cell1 = await client.pull(cells[1]!);
    assertFull(cell1);
    assert.deepEqual(summary(cell1.items), [['ml-package-unpinned', range(3, 13, 18)]]);
    assert.deepEqual(await client.pull(cells[2]!, first.resultId), { kind: 'unchanged', resultId: first.resultId });
    assert.deepEqual(await client.pull(cells[0]!), { kind: 'full', items: [] }, 'the markdown cell is not analysed');

    // An edit of cell 4 alone: no other cell changes, no refresh.
    await client.changeNotebook(uri, [{ cell: cells[4]!, changes: [{ range: range(0, 6, 13), text: 'https://' }] }]);
    const cell4 = await client.pull(cells[4]!);
    assertFull(cell4);
    assert.deepEqual(cell4.items, []);
    assert.deepEqual(await client.pull(cells[2]!, first.resultId), { kind: 'unchanged', resultId: first.resultId });
    assert.equal(client.refreshRequests, 0);

    // Cell 1 no longer imports torch: cell 2 (not edited) changes, so the server asks for a refresh.
    await client.changeNotebook(uri, [{ cell: cells[1]!, changes: [{ range: range(0, 7, 12), text: 'numpy' }] }]);
    await waitFor('a diagnostic refresh', () => client.refreshRequests === 1);
    const after = await client.pull(cells[2]!, first.resultId);
    assertFull(after);
    assert.deepEqual(summary(after.items), [['yaml-unsafe-load', range(1, 6, 15)]]);
  });

  test('a cell also opened as a text document is answered from its notebook (no standalone analysis)', async () => {
    const { cells } = await client.openNotebook(path.join(workspace, 'twice.ipynb'), CELLS);
    await client.openUri(cells[2]!, CELLS[2]!.text);
    const report = await client.pull(cells[2]!);
    assertFull(report);
    assert.deepEqual(summary(report.items), [['torch-load-unsafe', range(0, 8, 14)], ['yaml-unsafe-load', range(1, 6, 15)]]);
  });
});
