/**
 * ATLAS Lens inside a real VS Code (code-server here, VS Code desktop under @vscode/test-electron):
 * diagnostics, hover, quick fix, settings, commands and the status bar, through the editor's API.
 * The workspace is a throw-away copy of client/test/fixture-workspace.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AtlasEntry } from '../../../server/src/lsp/protocol';
import type { AtlasLensApi } from '../../src/extension';
import { activateExtension, codeOf, findings, hoverText, nonEmpty, open, waitFor } from './helpers';

const TECHNIQUE_URL = 'https://atlas.mitre.org/techniques/AML.T0011.000';

suite('ATLAS Lens in VS Code', () => {
  let api: AtlasLensApi;

  suiteSetup(async () => {
    api = await activateExtension();
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('atlasLens').update('rules', undefined, vscode.ConfigurationTarget.Workspace);
  });

  test('torch.load(path) shows a warning linked to AML.T0011.000', async () => {
    const editor = await open('train.py');
    const [diagnostic] = await waitFor('the torch-load-unsafe diagnostic', () => nonEmpty(findings(editor.document.uri, 'torch-load-unsafe')));
    assert.ok(diagnostic);
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(diagnostic.source, 'atlas-lens');
    assert.equal(diagnostic.range.start.line, 5);
    assert.match(editor.document.getText(diagnostic.range), /^torch\.load/);
    assert.match(diagnostic.message, /weights_only=True/);
    const code = diagnostic.code as { value: string; target: vscode.Uri };
    assert.equal(typeof code, 'object', 'the code carries its codeDescription.href');
    assert.equal(code.value, 'torch-load-unsafe');
    assert.equal(code.target.toString(true), TECHNIQUE_URL);
  });

  test('the status bar counts the findings of the active file', async () => {
    await open('train.py');
    await waitFor('a count of 1 for train.py', () => api.findingsInActiveFile() === 1);
    await open('clean.py');
    await waitFor('a count of 0 for clean.py', () => api.findingsInActiveFile() === 0);
  });

  test('the hover names AML.T0011.000, its tactic and the link', async () => {
    const editor = await open('train.py');
    const [diagnostic] = await waitFor('the diagnostic', () => nonEmpty(findings(editor.document.uri, 'torch-load-unsafe')));
    assert.ok(diagnostic);
    const text = await waitFor('an ATLAS Lens hover', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', editor.document.uri, diagnostic.range.start.translate(0, 2));
      const value = hoverText(hovers);
      return value.includes('AML.T0011.000') && value;
    });
    assert.match(text, /torch-load-unsafe/);
    assert.match(text, /Execution/, 'the tactic of AML.T0011.000');
    assert.ok(text.includes(TECHNIQUE_URL), `the technique link in:\n${text}`);
  });

  test('the quick fix adds weights_only=True and the warning goes', async () => {
    const editor = await open('train.py');
    const uri = editor.document.uri;
    const [diagnostic] = await waitFor('the diagnostic', () => nonEmpty(findings(uri, 'torch-load-unsafe')));
    assert.ok(diagnostic);
    const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, diagnostic.range, vscode.CodeActionKind.QuickFix.value);
    const titles = actions.map((action) => action.title);
    assert.ok(titles.some((title) => /suppress/i.test(title) && title.includes('torch-load-unsafe')), `a suppression among ${JSON.stringify(titles)}`);
    const fix = actions.find((action) => /weights_only=True/.test(action.title));
    assert.ok(fix?.edit, `a fix with an edit among ${JSON.stringify(titles)}`);
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    if (fix.command) await vscode.commands.executeCommand(fix.command.command, ...(fix.command.arguments ?? []));
    assert.equal(editor.document.lineAt(5).text.trim(), 'model = torch.load(path, weights_only=True)');
    await waitFor('the warning to go', () => findings(uri, 'torch-load-unsafe').length === 0);
  });

  test('a settings change re-analyses open files without a restart', async () => {
    const editor = await open('evaluate.py');
    const uri = editor.document.uri;
    await waitFor('the evaluate.py diagnostic', () => findings(uri, 'torch-load-unsafe').length === 1);
    const configuration = vscode.workspace.getConfiguration('atlasLens');
    await configuration.update('rules', { 'torch-load-unsafe': 'error' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('the rule raised to error', () => findings(uri, 'torch-load-unsafe')[0]?.severity === vscode.DiagnosticSeverity.Error);
    await configuration.update('rules', { 'torch-load-unsafe': 'off' }, vscode.ConfigurationTarget.Workspace);
    await waitFor('the rule turned off', () => findings(uri, 'torch-load-unsafe').length === 0);
    await configuration.update('rules', undefined, vscode.ConfigurationTarget.Workspace);
    await waitFor('the rule back on', () => findings(uri, 'torch-load-unsafe')[0]?.severity === vscode.DiagnosticSeverity.Warning);
  });

  test('Fix All in File applies the safe fixes', async () => {
    const editor = await open('config_loader.py');
    const uri = editor.document.uri;
    await waitFor('the yaml-unsafe-load diagnostic', () => findings(uri, 'yaml-unsafe-load').length === 1);
    const applied = await vscode.commands.executeCommand<boolean>('atlasLens.fixAll');
    assert.equal(applied, true);
    await waitFor('yaml.safe_load in the text', () => editor.document.getText().includes('yaml.safe_load(stream)'));
    await waitFor('the error to go', () => findings(uri, 'yaml-unsafe-load').length === 0);
  });

  test('Show ATLAS Technique… shows the card of an id', async () => {
    const entry = await vscode.commands.executeCommand<AtlasEntry | undefined>('atlasLens.showTechnique', 'AML.T0011.000');
    assert.ok(entry, 'an entry for AML.T0011.000');
    assert.equal(entry.url, TECHNIQUE_URL);
    assert.ok(entry.tactics.includes('Execution'), `tactics ${entry.tactics.join(', ')}`);
    // The card opens in a Markdown preview tab (or as a document where there is no preview).
    await waitFor('a tab showing the card', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => tab.label.includes('AML.T0011.000')));
    const card = await vscode.workspace.openTextDocument(vscode.Uri.from({ scheme: 'atlas-lens', path: '/AML.T0011.000.md' }));
    assert.match(card.getText(), /AML\.T0011\.000/);
    assert.match(card.getText(), /Execution/);
  });

  test('Restart Server brings the diagnostics back', async () => {
    await vscode.commands.executeCommand('atlasLens.restartServer');
    const editor = await open('evaluate.py');
    const uri = editor.document.uri;
    await waitFor('diagnostics after the restart', () => findings(uri, 'torch-load-unsafe').length === 1);
    assert.equal(codeOf(findings(uri)[0]!), 'torch-load-unsafe');
    // Answered by the new server process.
    const position = findings(uri)[0]!.range.start.translate(0, 2);
    await waitFor('a hover from the restarted server', async () =>
      hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', uri, position)).includes('AML.T0011.000'));
  });
});
