/**
 * The workspace review in a real VS Code: Scan Workspace, the Findings tree (by tactic, by file,
 * filtered), its context-menu commands, the ATLAS matrix webview and the exports, on the fixture
 * workspace as it is on disk (the suite first reverts what earlier suites edited).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { AtlasEntry } from '../../../server/src/lsp/protocol';
import type { TreeNode } from '../../src/findings-tree-model';
import type { TreeItemSnapshot } from '../../src/findings-view';
import type { AtlasLensApi } from '../../src/extension';
import { activateExtension, EXTENSION_ID, waitFor, workspaceFile } from './helpers';

const TITLE = {
  yaml: 'YAML loaded with a loader that builds arbitrary objects',
  torch: 'torch.load can run code from the checkpoint',
  pickle: 'Pickle-family deserialization runs code from the data',
  bind: 'Model server listens on every network interface',
  pin: 'ML package installed without an exact version pin',
};

/** The tree as lines: label — description, indented two spaces a level. */
function lines(items: readonly TreeItemSnapshot[], depth = 0): string[] {
  return items.flatMap((item) => [`${'  '.repeat(depth)}${item.label} — ${item.description}`, ...lines(item.children, depth + 1)]);
}

const BY_TACTIC = [
  'Initial Access — 2 findings',
  '  AML.T0010.001 AI Supply Chain Compromise: AI Software — 1 finding',
  '    service/requirements.txt — 1 finding',
  `      ${TITLE.pin} — ml-package-unpinned · Ln 1`,
  '  AML.T0049 Exploit Public-Facing Application — 1 finding',
  '    service/app.py — 1 finding',
  `      ${TITLE.bind} — bind-all-interfaces · Ln 15`,
  'AI Model Access — 1 finding',
  '  AML.T0040 AI Model Inference API Access — 1 finding',
  '    service/app.py — 1 finding',
  `      ${TITLE.bind} — bind-all-interfaces · Ln 15`,
  'Execution — 4 findings',
  '  AML.T0011.000 User Execution: Unsafe AI Artifacts — 4 findings',
  '    config_loader.py — 1 finding',
  `      ${TITLE.yaml} — yaml-unsafe-load · Ln 6`,
  '    evaluate.py — 1 finding',
  `      ${TITLE.torch} — torch-load-unsafe · Ln 6`,
  '    service/app.py — 1 finding',
  `      ${TITLE.pickle} — pickle-deserialization · Ln 11`,
  '    train.py — 1 finding',
  `      ${TITLE.torch} — torch-load-unsafe · Ln 6`,
];

const BY_FILE = [
  'config_loader.py — 1 finding',
  `  ${TITLE.yaml} — yaml-unsafe-load · Ln 6`,
  'evaluate.py — 1 finding',
  `  ${TITLE.torch} — torch-load-unsafe · Ln 6`,
  'service/app.py — 2 findings',
  `  ${TITLE.pickle} — pickle-deserialization · Ln 11`,
  `  ${TITLE.bind} — bind-all-interfaces · Ln 15`,
  'service/requirements.txt — 1 finding',
  `  ${TITLE.pin} — ml-package-unpinned · Ln 1`,
  'train.py — 1 finding',
  `  ${TITLE.torch} — torch-load-unsafe · Ln 6`,
];

function findNode(nodes: readonly TreeNode[], match: (node: TreeNode) => boolean): TreeNode | undefined {
  for (const node of nodes) {
    if (match(node)) return node;
    const below = findNode(node.children, match);
    if (below) return below;
  }
  return undefined;
}

/** The fixture workspace as in the repository (relative path → bytes). */
const originals = new Map<string, Uint8Array>();

async function readTree(root: vscode.Uri, prefix = ''): Promise<void> {
  for (const [name, type] of await vscode.workspace.fs.readDirectory(vscode.Uri.joinPath(root, prefix))) {
    const relative = prefix ? `${prefix}/${name}` : name;
    if (type === vscode.FileType.Directory) await readTree(root, relative);
    else originals.set(relative, await vscode.workspace.fs.readFile(vscode.Uri.joinPath(root, relative)));
  }
}

/**
 * The workspace as in the repository: edited documents reverted, the fixture files written back
 * where an earlier edit was saved (VS Code saves files a workspace edit touched:
 * files.refactoring.autoSave), every open document showing the disk again, no editors open.
 */
async function revertAll(): Promise<void> {
  for (const document of vscode.workspace.textDocuments.filter((d) => d.isDirty && d.uri.scheme === 'file')) {
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
  const decoder = new TextDecoder();
  for (const [name, bytes] of originals) {
    const current = await vscode.workspace.fs.readFile(workspaceFile(name));
    if (Buffer.compare(Buffer.from(current), Buffer.from(bytes)) !== 0) await vscode.workspace.fs.writeFile(workspaceFile(name), bytes);
  }
  await waitFor('the open documents to show the files as on disk', () => [...originals].every(([name, bytes]) => {
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === workspaceFile(name).toString());
    return !open || (!open.isDirty && open.getText() === decoder.decode(bytes));
  }));
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}

suite('Workspace review', () => {
  let api: AtlasLensApi;

  suiteSetup(async () => {
    api = await activateExtension();
    // The fixture as in the repository (an earlier suite's fixes may have been saved to the copy).
    await readTree(vscode.Uri.joinPath(vscode.extensions.getExtension(EXTENSION_ID)!.extensionUri, 'client/test/fixture-workspace'));
    await revertAll();
    // The notebooks belong to the notebook suite (which edits them); this suite reviews the scripts.
    await vscode.workspace.getConfiguration('atlasLens').update('exclude', ['**/*.ipynb'], vscode.ConfigurationTarget.Workspace);
  });

  suiteTeardown(async () => {
    await vscode.workspace.getConfiguration('atlasLens').update('exclude', undefined, vscode.ConfigurationTarget.Workspace);
    await revertAll();
  });

  test('Scan Workspace: the result, and the tree by tactic in matrix order with exact counts', async () => {
    const result = await api.scanWorkspace();
    assert.ok(result, 'a scan result');
    assert.equal(result.cancelled, false);
    assert.equal(result.findings, 6);
    assert.equal(result.files, 6, 'the four .py files at the top, service/app.py and service/requirements.txt');
    assert.equal(result.skipped, 0);
    const snapshot = api.treeSnapshot();
    assert.equal(snapshot.mode, 'tactic');
    assert.deepEqual(lines(snapshot.items), BY_TACTIC);
    assert.equal(snapshot.message, undefined);
    // Severity icons in theme colours; the finding opens its location; context values for the menus.
    const execution = snapshot.items[2]!;
    assert.deepEqual([execution.icon, execution.iconColor, execution.contextValue], ['error', 'problemsErrorIcon.foreground', 'tactic']);
    const technique = execution.children[0]!;
    assert.deepEqual([technique.icon, technique.contextValue], ['error', 'technique']);
    const file = technique.children[3]!;
    assert.deepEqual([file.icon, file.contextValue], ['file', 'file']);
    const train = file.children[0]!;
    assert.deepEqual([train.icon, train.iconColor, train.contextValue, train.command], ['warning', 'problemsWarningIcon.foreground', 'finding.fixable', 'vscode.open']);
    const pickle = technique.children[2]!.children[0]!;
    assert.equal(pickle.contextValue, 'finding', 'pickle-deserialization has no fix');
  });

  test('Show Findings by File / by Tactic', async () => {
    await vscode.commands.executeCommand('atlasLens.groupByFile');
    const byFile = api.treeSnapshot();
    assert.equal(byFile.mode, 'file');
    assert.deepEqual(lines(byFile.items), BY_FILE);
    await vscode.commands.executeCommand('atlasLens.groupByTactic');
    assert.deepEqual(lines(api.treeSnapshot().items), BY_TACTIC);
  });

  test('a finding node opens its location', async () => {
    const app = api.treeSnapshot().items[0]!.children[1]!.children[0]!;
    assert.equal(app.label, 'service/app.py');
    const finding = app.children[0]!;
    assert.equal(finding.command, 'vscode.open');
    // What a click runs.
    await vscode.commands.executeCommand(finding.command, ...(finding.commandArguments ?? []));
    const uri = workspaceFile('service/app.py').toString();
    const editor = await waitFor('service/app.py active', () => vscode.window.activeTextEditor?.document.uri.toString() === uri && vscode.window.activeTextEditor);
    assert.equal(editor.selection.start.line, 14);
    assert.equal(editor.document.getText(editor.selection), 'host="0.0.0.0"');
  });

  test('the ATLAS matrix: opens, and a technique cell filters the tree and shows the card', async () => {
    await vscode.commands.executeCommand('atlasLens.showMatrix');
    assert.equal(api.matrixPanelOpen(), true);
    const html = api.matrixHtml() ?? '';
    const tactics = [...html.matchAll(/<h2 id="tactic-\d+">([^<]*)</g)].map((m) => m[1]);
    assert.deepEqual(tactics.slice(0, 5), ['Reconnaissance', 'Resource Development', 'Initial Access', 'AI Model Access', 'Execution']);
    assert.equal(tactics.length, 16);
    assert.match(html, /data-technique="AML\.T0011"[^>]*aria-label="AML\.T0011 User Execution: 1 error, 3 warnings"/);
    assert.match(html, /class="nav technique sev-error lvl-2" data-col="4" data-technique="AML\.T0011"/);
    assert.match(html, /class="nav technique dim" data-col="0" data-technique="AML\.T0000"/);

    await api.postFromMatrix({ type: 'select', techniqueId: 'AML.T0011' });
    const filtered = api.treeSnapshot();
    assert.deepEqual(filtered.filter, { newOnly: false, technique: 'AML.T0011' });
    assert.equal(filtered.message, 'Showing Technique AML.T0011: 4 findings.');
    assert.deepEqual(lines(filtered.items), BY_TACTIC.slice(11));
    await waitFor('the card of AML.T0011', () => vscode.window.tabGroups.all.flatMap((group) => group.tabs).some((tab) => tab.label.includes('AML.T0011')));
    assert.match(api.matrixHtml() ?? '', /class="nav technique sev-error lvl-2 selected" data-col="4" data-technique="AML\.T0011"/);

    await vscode.commands.executeCommand('atlasLens.clearTechniqueFilter');
    assert.deepEqual(lines(api.treeSnapshot().items), BY_TACTIC);
    assert.doesNotMatch(api.matrixHtml() ?? '', / selected"/);
  });

  test('Show Technique from a tree node', async () => {
    const node = findNode(api.treeNodes(), (n) => n.kind === 'technique' && n.techniqueId === 'AML.T0049');
    assert.ok(node);
    const entry = await vscode.commands.executeCommand<AtlasEntry | undefined>('atlasLens.showTechnique', node);
    assert.equal(entry?.id, 'AML.T0049');
    assert.equal(entry?.name, 'Exploit Public-Facing Application');
  });

  test('Apply Fix from a finding node: the server\'s fix, and the tree follows', async () => {
    const node = findNode(api.treeNodes(), (n) => n.kind === 'finding' && n.finding?.ruleId === 'torch-load-unsafe' && n.finding.uri.endsWith('/train.py'));
    assert.ok(node?.finding?.fix);
    assert.equal(await vscode.commands.executeCommand<boolean>('atlasLens.applyFix', node), true);
    const document = await vscode.workspace.openTextDocument(workspaceFile('train.py'));
    assert.equal(document.lineAt(5).text.trim(), 'model = torch.load(path, weights_only=True)');
    await waitFor('train.py gone from the tree', () => !lines(api.treeSnapshot().items).some((line) => line.trim().startsWith('train.py')));
    assert.equal(api.treeSnapshot().items[2]!.description, '3 findings');
  });

  test('Suppress on This Line from a finding node', async () => {
    const node = findNode(api.treeNodes(), (n) => n.kind === 'finding' && n.finding?.ruleId === 'pickle-deserialization');
    assert.ok(node?.finding);
    assert.equal(await vscode.commands.executeCommand<boolean>('atlasLens.suppressOnLine', node), true);
    const document = await vscode.workspace.openTextDocument(workspaceFile('service/app.py'));
    assert.equal(document.lineAt(10).text, '        return pickle.load(f)  # atlas-lens: ignore[pickle-deserialization]');
    await waitFor('the pickle finding gone from the tree', () => !lines(api.treeSnapshot().items).some((line) => line.includes(TITLE.pickle)));
  });

  test('exports: SARIF, Navigator layer and Markdown of the snapshot', async () => {
    await revertAll();
    // On a timeout, the comparison below shows how the tree differs.
    await waitFor('the tree back to the disk state', () => lines(api.treeSnapshot().items).join('\n') === BY_TACTIC.join('\n'), 20_000).catch(() => undefined);
    assert.deepEqual(lines(api.treeSnapshot().items), BY_TACTIC);
    const read = async (uri: vscode.Uri): Promise<string> => new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));

    const sarifUri = await vscode.commands.executeCommand<vscode.Uri>('atlasLens.exportSarif', workspaceFile('out/report.sarif'));
    const sarif = JSON.parse(await read(sarifUri));
    assert.equal(sarif.version, '2.1.0');
    const results = sarif.runs[0].results.map((r: { ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }) =>
      `${r.locations[0]!.physicalLocation.artifactLocation.uri}:${r.locations[0]!.physicalLocation.region.startLine} ${r.ruleId}`);
    assert.deepEqual(results, [
      'config_loader.py:6 yaml-unsafe-load',
      'evaluate.py:6 torch-load-unsafe',
      'service/app.py:11 pickle-deserialization',
      'service/app.py:15 bind-all-interfaces',
      'service/requirements.txt:1 ml-package-unpinned',
      'train.py:6 torch-load-unsafe',
    ]);

    const layerUri = await vscode.commands.executeCommand<vscode.Uri>('atlasLens.exportNavigator', workspaceFile('out/layer.json'));
    const layer = JSON.parse(await read(layerUri));
    assert.equal(layer.domain, 'atlas-atlas');
    const scored = layer.techniques.filter((t: { score?: number }) => t.score !== undefined).map((t: { techniqueID: string; score: number }) => `${t.techniqueID} ${t.score}`);
    assert.deepEqual(scored, ['AML.T0010.001 3', 'AML.T0011.000 19', 'AML.T0040 3', 'AML.T0049 3']);

    const markdownUri = await vscode.commands.executeCommand<vscode.Uri>('atlasLens.exportMarkdown', workspaceFile('out/report.md'));
    const markdown = await read(markdownUri);
    assert.match(markdown, /^### ATLAS Lens: 6 findings \(1 error, 5 warnings, 0 info\)\n/);
    assert.ok(markdown.includes('[service/app.py:15](service/app.py#L15)'), markdown);
  });

  test('new since the baseline: findings not in the exported SARIF, and the filter', async () => {
    const configuration = vscode.workspace.getConfiguration('atlasLens');
    try {
      await vscode.commands.executeCommand('atlasLens.exportSarif', workspaceFile('out/baseline.sarif'));
      await configuration.update('baseline', 'out/baseline.sarif', vscode.ConfigurationTarget.Workspace);
      const all = (): TreeNode[] => api.treeNodes().flatMap((node) => [node, ...node.children.flatMap((t) => [t, ...t.children.flatMap((f) => [f, ...f.children])])]);
      await waitFor('the findings compared with the baseline', () => all().some((node) => node.finding?.newSinceBaseline === false));
      assert.equal(all().some((node) => node.finding?.newSinceBaseline === true), false, 'nothing is new yet');
      await vscode.workspace.fs.writeFile(workspaceFile('service/extra.py'), new TextEncoder().encode('import torch\n\n\ndef load(path):\n    return torch.load(path)\n'));
      await waitFor('the new file\'s finding, marked new', () => all().some((node) => node.finding?.newSinceBaseline === true));
      await vscode.commands.executeCommand('atlasLens.showNewSinceBaseline');
      const onlyNew = api.treeSnapshot();
      assert.deepEqual(onlyNew.filter, { newOnly: true });
      assert.equal(onlyNew.message, 'Showing new since the baseline: 1 finding.');
      assert.deepEqual(lines(onlyNew.items), [
        'Execution — 1 finding',
        '  AML.T0011.000 User Execution: Unsafe AI Artifacts — 1 finding',
        '    service/extra.py — 1 finding',
        `      ${TITLE.torch} — torch-load-unsafe · Ln 5`,
      ]);
      await vscode.commands.executeCommand('atlasLens.showAllFindings');
      assert.equal(api.treeSnapshot().message, undefined);
      assert.equal(api.treeSnapshot().items[2]!.description, '5 findings');
    } finally {
      await vscode.commands.executeCommand('atlasLens.showAllFindings');
      await configuration.update('baseline', undefined, vscode.ConfigurationTarget.Workspace);
      await vscode.workspace.fs.delete(workspaceFile('service/extra.py')).then(undefined, () => undefined);
    }
  });
});
