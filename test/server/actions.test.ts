/**
 * Protocol tests of hovers and code actions: the hover card on a finding and on an ATLAS id,
 * each rule's fix, suppressions and fix-all applied to the text and re-analysed by the server
 * (the finding must be gone), stale diagnostics, and clients without `dataSupport`.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import type { CodeAction, Diagnostic, MarkupContent } from 'vscode-languageserver';
import { applyTextEdits, editsFor, makeWorkspace, TestClient, waitFor } from './lsp-client';

const SOURCE = ['import torch', 'import yaml', '', 'state = torch.load(path)', 'cfg = yaml.load(text, Loader=yaml.Loader)', ''].join('\n');

for (const dataSupport of [true, false]) {
  describe(`code actions and hovers (dataSupport ${dataSupport ? 'on' : 'off'}, documentChanges ${dataSupport ? 'on' : 'off'})`, () => {
    let client: TestClient;
    let workspace: string;
    let counter = 0;
    before(async () => {
      workspace = makeWorkspace({});
      client = await TestClient.start({ workspace, dataSupport, codeDescription: true, documentChanges: dataSupport });
    });
    after(() => client.stop());

    async function openFile(text: string): Promise<{ uri: string; diagnostics: Diagnostic[] }> {
      const uri = await client.open(path.join(workspace, `file${counter++}.py`), text);
      return { uri, diagnostics: await client.diagnosticsAt(uri, 1) };
    }

    /** Applies the action's edits through didChange and returns the new diagnostics. */
    async function apply(uri: string, action: CodeAction | undefined): Promise<Diagnostic[]> {
      assert.ok(action?.edit, 'an action with an edit');
      if (dataSupport) {
        const change = action.edit.documentChanges?.[0];
        assert.ok(change && 'textDocument' in change, 'documentChanges used when the client supports them');
        assert.equal(change.textDocument.version, client.version(uri), 'edits are built against the current version');
      }
      const edits = editsFor(action.edit, uri);
      const expected = applyTextEdits(client.text(uri), edits);
      const version = await client.applyEdits(uri, edits);
      assert.equal(client.text(uri), expected);
      return client.diagnosticsAt(uri, version);
    }

    test('hover on a finding: rule, severity, why, technique with tactics and link, mitigations, fix', async () => {
      const { uri } = await openFile(SOURCE);
      const hover = await client.hover(uri, { line: 3, character: 12 });
      assert.ok(hover);
      const contents = hover.contents as MarkupContent;
      assert.equal(contents.kind, 'markdown');
      const lines = contents.value.split('\n');
      assert.equal(lines[0], '**torch.load can run code from the checkpoint** · warning · `torch-load-unsafe`');
      assert.match(lines[2]!, /^PyTorch checkpoints are pickle archives\./);
      assert.ok(lines.includes('#### [AML.T0011.000](https://atlas.mitre.org/techniques/AML.T0011.000) User Execution: Unsafe AI Artifacts'), contents.value);
      assert.ok(lines.includes('**Tactics:** Execution (AML.TA0005)'), contents.value);
      assert.ok(lines.some((line) => line.startsWith('The attacker plants code inside an AI artifact')), 'our summary');
      assert.ok(lines.includes('**Mitigations:** [AML.M0011](https://atlas.mitre.org/mitigations/AML.M0011) Restrict Library Loading · [AML.M0014](https://atlas.mitre.org/mitigations/AML.M0014) Verify AI Artifacts'), contents.value);
      assert.equal(lines.at(-1), '**Fix:** Pass weights_only=True (PyTorch >= 1.13), or switch the checkpoint to safetensors. (quick fix: *Add weights_only=True*)');
      assert.deepEqual(hover.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 18 } });
    });

    test('hover on an ATLAS id written in a comment shows the technique card; elsewhere nothing', async () => {
      const { uri } = await openFile('# threat model: AML.T0010.003 and AML.M0014\nx = 1\n');
      const hover = await client.hover(uri, { line: 0, character: 20 });
      assert.ok(hover);
      const value = (hover.contents as MarkupContent).value;
      assert.match(value, /^### \[AML\.T0010\.003\]\(https:\/\/atlas\.mitre\.org\/techniques\/AML\.T0010\.003\) AI Supply Chain Compromise: Model\n/);
      assert.match(value, /\*\*Tactics:\*\* Initial Access \(AML\.TA0004\)/);
      assert.deepEqual(hover.range, { start: { line: 0, character: 16 }, end: { line: 0, character: 29 } });
      const mitigation = await client.hover(uri, { line: 0, character: 40 });
      assert.match((mitigation?.contents as MarkupContent).value, /^### \[AML\.M0014\]\(https:\/\/atlas\.mitre\.org\/mitigations\/AML\.M0014\) Verify AI Artifacts/);
      assert.equal(await client.hover(uri, { line: 1, character: 0 }), null);
    });

    test('the quick fix for torch.load adds weights_only=True, not preferred (unsafe), and the finding goes', async () => {
      const { uri, diagnostics } = await openFile(SOURCE);
      const torch = diagnostics.find((d) => d.code === 'torch-load-unsafe')!;
      const actions = await client.codeActions(uri, torch.range, [torch], ['quickfix']);
      assert.deepEqual(actions.map((a) => [a.title, a.kind, a.isPreferred ?? false]), [
        ['Add weights_only=True', 'quickfix', false],
        ['Suppress torch-load-unsafe on this line', 'quickfix', false],
        ['Suppress torch-load-unsafe in this file', 'quickfix', false],
      ]);
      const after = await apply(uri, actions[0]);
      assert.equal(client.text(uri).split('\n')[3], 'state = torch.load(path, weights_only=True)');
      assert.deepEqual(after.map((d) => d.code), ['yaml-unsafe-load']);
    });

    test('a safe fix is preferred: yaml.load → yaml.safe_load', async () => {
      const { uri, diagnostics } = await openFile(SOURCE);
      const yaml = diagnostics.find((d) => d.code === 'yaml-unsafe-load')!;
      const actions = await client.codeActions(uri, yaml.range, [yaml], ['quickfix']);
      assert.equal(actions[0]?.title, 'Use yaml.safe_load');
      assert.equal(actions[0]?.isPreferred, true);
      const after = await apply(uri, actions[0]);
      assert.equal(client.text(uri).split('\n')[4], 'cfg = yaml.safe_load(text)');
      assert.deepEqual(after.map((d) => d.code), ['torch-load-unsafe']);
    });

    test('suppress on this line: trailing comment on the statement, the finding goes', async () => {
      const { uri, diagnostics } = await openFile(SOURCE);
      const torch = diagnostics.find((d) => d.code === 'torch-load-unsafe')!;
      const actions = await client.codeActions(uri, torch.range, [torch], ['quickfix']);
      const after = await apply(uri, actions.find((a) => a.title === 'Suppress torch-load-unsafe on this line'));
      assert.equal(client.text(uri).split('\n')[3], 'state = torch.load(path)  # atlas-lens: ignore[torch-load-unsafe]');
      assert.deepEqual(after.map((d) => d.code), ['yaml-unsafe-load']);
    });

    test('suppress on this line: multi-line call, indented, with an existing trailing comment', async () => {
      const text = ['import torch', 'def load(path):', '    state = torch.load(  # checkpoint', '        path,', '    )', '    return state', ''].join('\n');
      const { uri, diagnostics } = await openFile(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['torch-load-unsafe']);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      const after = await apply(uri, actions.find((a) => a.title.endsWith('on this line')));
      assert.equal(client.text(uri).split('\n')[2], '    state = torch.load(  # checkpoint  # atlas-lens: ignore[torch-load-unsafe]');
      assert.deepEqual(after, []);
    });

    test('suppress on this line: a statement starting with a multi-line string gets the comment on its last line', async () => {
      const text = ['import yaml', 'cfg = yaml.load("""', 'a: 1', '""", Loader=yaml.Loader)', ''].join('\n');
      const { uri, diagnostics } = await openFile(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['yaml-unsafe-load']);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      const after = await apply(uri, actions.find((a) => a.title.endsWith('on this line')));
      assert.equal(client.text(uri), ['import yaml', 'cfg = yaml.load("""', 'a: 1', '""", Loader=yaml.Loader)  # atlas-lens: ignore[yaml-unsafe-load]', ''].join('\n'));
      assert.deepEqual(after, []);
    });

    test('suppress on this line: an existing ignore[...] gets the rule added', async () => {
      const text = ['import torch, pickle', 'x = pickle.loads(torch.load(p))  # atlas-lens: ignore[pickle-deserialization]', ''].join('\n');
      const { uri, diagnostics } = await openFile(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['torch-load-unsafe']);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      const after = await apply(uri, actions.find((a) => a.title.endsWith('on this line')));
      assert.equal(client.text(uri).split('\n')[1], 'x = pickle.loads(torch.load(p))  # atlas-lens: ignore[pickle-deserialization, torch-load-unsafe]');
      assert.deepEqual(after, []);
    });

    test('suppress in this file: a directive after the shebang, the finding goes everywhere in the file', async () => {
      const text = ['#!/usr/bin/env python', 'import torch', 'a = torch.load(p)', 'b = torch.load(q)', ''].join('\n');
      const { uri, diagnostics } = await openFile(text);
      assert.equal(diagnostics.length, 2);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      assert.equal(actions.filter((a) => a.title.endsWith('in this file')).length, 1, 'one file suppression per rule');
      const after = await apply(uri, actions.find((a) => a.title === 'Suppress torch-load-unsafe in this file'));
      assert.equal(client.text(uri).split('\n').slice(0, 2).join('\n'), '#!/usr/bin/env python\n# atlas-lens: ignore-file[torch-load-unsafe]');
      assert.deepEqual(after, []);
    });

    test('fix all applies only the safe fixes', async () => {
      const text = ['import torch, yaml', 'import gradio as gr', 'a = torch.load(p)', 'b = yaml.load(s, Loader=yaml.Loader)', 'demo = gr.Interface(fn=f, inputs="text", outputs="text")', 'demo.launch(share=True)', ''].join('\n');
      const { uri, diagnostics } = await openFile(text);
      assert.deepEqual(diagnostics.map((d) => d.code), ['torch-load-unsafe', 'yaml-unsafe-load', 'gradio-public-share']);
      const actions = await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll']);
      assert.deepEqual(actions.map((a) => [a.title, a.kind]), [['Fix all safe ATLAS Lens problems', 'source.fixAll.atlasLens']]);
      const after = await apply(uri, actions[0]);
      assert.deepEqual(client.text(uri).split('\n').slice(2, 6), ['a = torch.load(p)', 'b = yaml.safe_load(s)', 'demo = gr.Interface(fn=f, inputs="text", outputs="text")', 'demo.launch(share=False)']);
      assert.deepEqual(after.map((d) => d.code), ['torch-load-unsafe']);
      // Nothing left to fix safely: no fix-all action.
      assert.deepEqual(await client.codeActions(uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, [], ['source.fixAll.atlasLens']), []);
      // A request for other kinds gets neither fixes nor fix-all.
      assert.deepEqual(await client.codeActions(uri, after[0]!.range, after, ['refactor']), []);
    });

    test('the applyFixAll command sends workspace/applyEdit with the safe fixes', async () => {
      const { uri } = await openFile(SOURCE);
      const stale = await client.connection.sendRequest('workspace/executeCommand', { command: 'atlasLens.server.applyFixAll', arguments: [{ uri, version: 0 }] });
      assert.deepEqual(stale, { applied: false }, 'nothing applied for another version');
      const result = await client.connection.sendRequest('workspace/executeCommand', { command: 'atlasLens.server.applyFixAll', arguments: [{ uri, version: 1 }] });
      assert.deepEqual(result, { applied: true });
      const edit = client.appliedEdits.at(-1);
      assert.equal(applyTextEdits(SOURCE, editsFor(edit, uri)).split('\n')[4], 'cfg = yaml.safe_load(text)');
    });

    test('diagnostics of an older version keep their fix while the current analysis has the same finding (a pull answered unchanged)', async () => {
      const { uri, diagnostics } = await openFile(SOURCE);
      await client.change(uri, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: 'x = 1' }]);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, [diagnostics[0]!], ['quickfix']);
      const fix = actions.find((action) => action.title === 'Add weights_only=True');
      assert.ok(fix, actions.map((action) => action.title).join(', '));
      assert.deepEqual(editsFor(fix.edit!, uri), [{ range: { start: { line: 3, character: 23 }, end: { line: 3, character: 23 } }, newText: ', weights_only=True' }]);
      if (dataSupport) assert.equal((fix.edit!.documentChanges![0] as { textDocument: { version: number } }).textDocument.version, client.version(uri), 'built against the current version');
    });

    test('diagnostics of an older version get no actions', async () => {
      const { uri, diagnostics } = await openFile(SOURCE);
      await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
      const actions = await client.codeActions(uri, diagnostics[0]!.range, diagnostics, ['quickfix']);
      // The ranges no longer match the current analysis (with data or without).
      assert.deepEqual(actions, []);
    });
  });
}
