/**
 * The time budget in the editor: a document whose parse would take seconds (here ~400 KB of
 * punctuation, which tree-sitter takes seconds to recover from) must not hold the server at
 * every keystroke. Its analysis is stopped at `timeBudgetMs`, it says so where the user looks,
 * and it is analysed again only when saved; other documents are analysed as usual meanwhile.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { assertFull, makeWorkspace, TestClient, waitFor } from './lsp-client';

/** Far past a 50 ms budget on any machine: ~1.7 s to parse on the 2-core CI VM. */
const HOSTILE = 'import torch\nstate = torch.load(path)\n' + Array.from({ length: 400_000 }, (_, i) => '(){}[]:=,.*@\'"\\\n '[(i * 7919) % 18]).join('');
const VALID = 'import torch\nstate = torch.load(path)\n';
const STOPPED = 'analysis stopped while parsing: over the time budget of 50 ms (timeBudgetMs); edits are not analysed until it is saved';
const STOPPED_AGAIN = 'analysis stopped while parsing: over the time budget of 50 ms (timeBudgetMs); stopped again after a save, it is not analysed until it is reopened or the settings change';
const STOPPED_DIAGNOSTIC = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 12 } }, severity: 2, source: 'atlas-lens', message: STOPPED };
const TORCH_RANGE = { start: { line: 1, character: 8 }, end: { line: 1, character: 18 } };

const summary = (diagnostics: Diagnostic[]) => diagnostics.map((d) => ({ code: d.code, range: d.range, message: d.message }));

for (const mode of ['push', 'pull'] as const) {
  describe(`time budget in the editor (${mode})`, () => {
    let client: TestClient;
    let workspace: string;
    before(async () => {
      // The budget is set for the slow/ folder only: the other file keeps the default.
      workspace = makeWorkspace({ 'slow/.atlas-lens.yaml': 'timeBudgetMs: 50\n' });
      client = await TestClient.start({ workspace, pull: mode === 'pull', codeDescription: true, settings: () => ({ trace: { server: 'verbose' } }) });
    });
    after(() => client.stop());

    test('a document over the budget gets one warning, is not reanalysed at each edit, and is analysed again when saved', async () => {
      const uri = await client.open(path.join(workspace, 'slow', 'generated.py'), HOSTILE);
      assert.deepEqual(await client.diagnostics(uri), [STOPPED_DIAGNOSTIC]);

      // Meanwhile another document is analysed as usual.
      const other = await client.open(path.join(workspace, 'train.py'), VALID);
      assert.deepEqual(summary(await client.diagnostics(other)).map((d) => [d.code, d.range]), [['torch-load-unsafe', TORCH_RANGE]]);

      // The whole text replaced by valid code: still held (no parse at each keystroke), and no findings of an older version shown.
      const held = client.logs.length;
      await client.change(uri, [{ text: VALID }]);
      assert.deepEqual(await client.diagnostics(uri), [STOPPED_DIAGNOSTIC]);
      assert.ok(client.logs.slice(held).some((log) => log.message === `${uri}: not analysed (held until saved: its analysis went over the time budget)`), 'held, not analysed');

      // Saved: analysed again, with the whole budget; a pull client is asked to pull again.
      const refreshes = client.refreshRequests;
      await client.save(uri);
      if (mode === 'pull') await waitFor('a diagnostics refresh request', () => client.refreshRequests > refreshes);
      const saved = await waitFor('diagnostics after the save', async () => {
        const diagnostics = mode === 'pull' ? await pullItems(client, uri) : client.published.get(uri)?.at(-1)?.diagnostics;
        return diagnostics && diagnostics.some((d) => d.code === 'torch-load-unsafe') ? diagnostics : undefined;
      });
      assert.deepEqual(summary(saved).map((d) => [d.code, d.range]), [['torch-load-unsafe', TORCH_RANGE]]);

      // From then on, edits are analysed at each keystroke again.
      await client.change(uri, [{ range: { start: { line: 1, character: 23 }, end: { line: 1, character: 23 } }, text: ', weights_only=True' }]);
      assert.deepEqual(await client.diagnostics(uri), []);
    });

    test('a notebook over the budget: the warning on its first code cell, held through edits, analysed again when saved', async () => {
      const { uri, cells } = await client.openNotebook(path.join(workspace, 'slow', 'generated.ipynb'), [{ text: '# Notes', markdown: true }, { text: 'import torch' }, { text: HOSTILE.slice('import torch\n'.length) }]);
      const cellDiagnostics = async (cell: string) => (mode === 'pull' ? pullItems(client, cell) : client.diagnosticsAt(cell, null));
      const stoppedOnCell = { ...STOPPED_DIAGNOSTIC }; // line 0 of the first code cell: "import torch"
      assert.deepEqual(await cellDiagnostics(cells[1]!), [stoppedOnCell]);
      const held = client.logs.length;
      await client.changeNotebook(uri, [{ cell: cells[2]!, changes: [{ text: 'state = torch.load(path)\n' }] }]);
      if (mode === 'push') await waitFor('a push after the edit', () => (client.published.get(cells[2]!)?.length ?? 0) >= 2);
      assert.deepEqual(await cellDiagnostics(cells[1]!), [stoppedOnCell]);
      assert.deepEqual(await cellDiagnostics(cells[2]!), []);
      assert.ok(!client.logs.slice(held).some((log) => / finding\(s\) in /.test(log.message)), 'not analysed while held');

      const refreshes = client.refreshRequests;
      await client.connection.sendNotification('notebookDocument/didSave', { notebookDocument: { uri } });
      if (mode === 'pull') await waitFor('a diagnostics refresh request', () => client.refreshRequests > refreshes);
      const saved = await waitFor('the finding after the save', async () => {
        const diagnostics = await cellDiagnostics(cells[2]!);
        return diagnostics.length > 0 ? diagnostics : undefined;
      });
      assert.deepEqual(summary(saved).map((d) => [d.code, d.range]), [['torch-load-unsafe', { start: { line: 0, character: 8 }, end: { line: 0, character: 18 } }]]);
      assert.deepEqual(await cellDiagnostics(cells[1]!), []);
    });

    test('a save whose analysis is stopped too holds the document until it is reopened: autosave does not stall the server at each save', async () => {
      const file = path.join(workspace, 'slow', 'stubborn.py');
      const uri = await client.open(file, HOSTILE);
      assert.deepEqual(await client.diagnostics(uri), [STOPPED_DIAGNOSTIC]);
      // Saved unchanged: analysed once more, stopped again.
      await client.save(uri);
      const again = await waitFor('the second stop', async () => {
        const diagnostics = mode === 'pull' ? await pullItems(client, uri) : client.published.get(uri)?.at(-1)?.diagnostics;
        return diagnostics?.[0]?.message === STOPPED_AGAIN ? diagnostics : undefined;
      });
      assert.deepEqual(again, [{ ...STOPPED_DIAGNOSTIC, message: STOPPED_AGAIN }]);
      // Further saves start nothing: no analysis is logged as stopped again.
      const stops = () => client.logs.filter((log) => log.message.startsWith(`${uri}: analysis stopped`)).length;
      const before = stops();
      await client.change(uri, [{ text: VALID }]);
      await client.save(uri);
      assert.deepEqual(await client.diagnostics(uri), [{ ...STOPPED_DIAGNOSTIC, message: STOPPED_AGAIN }]);
      assert.equal(stops(), before);
      // Reopened: analysed from scratch.
      await client.close(uri);
      const reopened = await client.open(file, VALID);
      assert.deepEqual(summary(await client.diagnostics(reopened)).map((d) => d.code), ['torch-load-unsafe']);
    });

    test('an edit that makes the document slow to parse is stopped at the budget and held until saved', async () => {
      const uri = await client.open(path.join(workspace, 'slow', 'edited.py'), VALID);
      assert.deepEqual(summary(await client.diagnostics(uri)).map((d) => d.code), ['torch-load-unsafe']);
      await client.change(uri, [{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: HOSTILE.slice(VALID.length) }]);
      assert.deepEqual(await client.diagnostics(uri), [STOPPED_DIAGNOSTIC]);
    });
  });
}

async function pullItems(client: TestClient, uri: string): Promise<Diagnostic[]> {
  const report = await client.pull(uri);
  assertFull(report);
  return report.items;
}
