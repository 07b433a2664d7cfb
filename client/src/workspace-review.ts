/**
 * The workspace review, extension side: "Scan Workspace" (a cancellable progress notification fed
 * by the server's $/progress on a token the client creates), the Findings tree, the ATLAS matrix
 * webview and the export commands. The server does the analysis; this module asks for the
 * snapshot (`atlasLens/workspaceFindings`) after a scan and whenever `atlasLens/findingsChanged`
 * arrives, and shows it.
 */
import { randomUUID } from 'node:crypto';
import * as vscode from 'vscode';
import { WorkDoneProgress, WorkDoneProgressCancelNotification, type LanguageClient } from 'vscode-languageclient/node';
import {
  ExportReportRequest,
  FindingsChangedNotification,
  ScanWorkspaceRequest,
  WorkspaceFindingsRequest,
  type ExportFormat,
  type ScanWorkspaceResult,
  type WorkspaceFinding,
  type WorkspaceFindingsResult,
} from '../../server/src/lsp/protocol';
import type { TreeNode } from './findings-tree-model';
import { FindingsTree, FINDINGS_VIEW, techniqueOfArgument, toVscodeRange, type TreeSnapshot } from './findings-view';
import type { MatrixMessage } from './matrix-html';
import { MatrixPanel } from './matrix-view';

export const ReviewCommands = {
  scanWorkspace: 'atlasLens.scanWorkspace',
  showMatrix: 'atlasLens.showMatrix',
  groupByTactic: 'atlasLens.groupByTactic',
  groupByFile: 'atlasLens.groupByFile',
  showNewOnly: 'atlasLens.showNewSinceBaseline',
  showAll: 'atlasLens.showAllFindings',
  filterByTechnique: 'atlasLens.filterByTechnique',
  clearTechniqueFilter: 'atlasLens.clearTechniqueFilter',
  applyFix: 'atlasLens.applyFix',
  suppressOnLine: 'atlasLens.suppressOnLine',
  exportSarif: 'atlasLens.exportSarif',
  exportNavigator: 'atlasLens.exportNavigator',
  exportMarkdown: 'atlasLens.exportMarkdown',
} as const;

/** What the review adds to the extension's API (for the tests). */
export interface WorkspaceReviewApi {
  /** Runs Scan Workspace; resolves when the tree shows the result (undefined when the scan failed). */
  scanWorkspace(): Promise<ScanWorkspaceResult | undefined>;
  /** Asks the server for the snapshot and shows it. */
  refreshFindings(): Promise<void>;
  /** The Findings tree as the view shows it. */
  treeSnapshot(): TreeSnapshot;
  /** The tree's nodes (what the view's context-menu commands receive). */
  treeNodes(): TreeNode[];
  matrixPanelOpen(): boolean;
  /** The matrix webview's HTML, when open. */
  matrixHtml(): string | undefined;
  /** Handles a message as if the matrix webview had posted it. */
  postFromMatrix(message: MatrixMessage): Promise<void>;
}

const EXPORTS: Record<ExportFormat, { label: string; extension: string; filters: Record<string, string[]> }> = {
  sarif: { label: 'SARIF', extension: 'sarif', filters: { SARIF: ['sarif', 'json'] } },
  navigator: { label: 'ATLAS Navigator layer', extension: 'json', filters: { 'Navigator layer': ['json'] } },
  markdown: { label: 'Markdown report', extension: 'md', filters: { Markdown: ['md'] } },
};

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

/** `showTechnique` shows a technique's card beside the matrix. */
export function registerWorkspaceReview(context: vscode.ExtensionContext, client: LanguageClient, ready: Promise<void>, showTechnique: (id: string) => Promise<unknown>, log: vscode.LogOutputChannel): WorkspaceReviewApi {
  const tree = new FindingsTree();
  const matrix = new MatrixPanel(vscode.Uri.joinPath(context.extensionUri, 'client/images/atlas-lens.svg'), async (techniqueId) => {
    tree.setFilter({ ...tree.filter, technique: techniqueId });
    matrix.update(undefined, techniqueId);
    const first = tree.first();
    if (first) await tree.view.reveal(first, { focus: false, select: false, expand: true });
    else await vscode.commands.executeCommand(`${FINDINGS_VIEW}.focus`);
    await showTechnique(techniqueId);
  });
  context.subscriptions.push(tree, matrix);

  /**
   * Only the answer to the latest request is shown (a change can overtake a slower answer); a
   * refresh overtaken by a newer one resolves when that one is shown.
   */
  let generation = 0;
  let latest: Promise<void> = Promise.resolve();
  const refresh = (): Promise<void> => {
    const mine = ++generation;
    const run = (async () => {
      await ready;
      const snapshot: WorkspaceFindingsResult = await client.sendRequest(WorkspaceFindingsRequest);
      if (mine !== generation) return latest;
      tree.setSnapshot(snapshot);
      matrix.update(snapshot.matrix, tree.filter.technique);
    })();
    latest = run;
    return run;
  };
  const refreshQuietly = (): void => {
    refresh().catch((error: unknown) => log.warn(`could not fetch the workspace findings: ${(error as Error).message}`));
  };

  void ready.then(() => {
    // By method name: the server sends this parameterless notification with `params: null`, which a
    // NotificationType0 handler rejects ("defines 0 params but received 1 arguments").
    context.subscriptions.push(client.onNotification(FindingsChangedNotification.method, refreshQuietly));
    refreshQuietly();
  }, () => undefined);

  const scanWorkspace = async (): Promise<ScanWorkspaceResult | undefined> => {
    await ready;
    const token = `atlasLens.scan.${randomUUID()}`;
    const result = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'ATLAS Lens: scanning the workspace', cancellable: true },
      async (progress, cancellation) => {
        let reported = 0;
        const listener = client.onProgress(WorkDoneProgress.type, token, (value) => {
          if (value.kind === 'end') return;
          const percentage = value.percentage;
          const increment = percentage !== undefined ? Math.max(0, percentage - reported) : undefined;
          if (percentage !== undefined) reported = percentage;
          progress.report({ message: value.message, increment });
        });
        const onCancel = cancellation.onCancellationRequested(() => void client.sendNotification(WorkDoneProgressCancelNotification.type, { token }));
        try {
          // The server cancels a running scan when it starts another (a settings change rescans): a
          // scan reported cancelled that the user did not cancel is asked for again.
          for (let attempt = 1; ; attempt++) {
            const scan = await client.sendRequest(ScanWorkspaceRequest, { workDoneToken: token }, cancellation);
            if (!scan.cancelled || cancellation.isCancellationRequested || attempt === 3) return scan;
            log.info('Scan Workspace: superseded by a scan the server started; asking again');
          }
        } catch (error) {
          if (cancellation.isCancellationRequested) return undefined;
          throw error;
        } finally {
          listener.dispose();
          onCancel.dispose();
        }
      },
    ).then(undefined, (error: unknown) => {
      log.error(`Scan Workspace failed: ${(error as Error).message}`);
      void vscode.window.showErrorMessage(`ATLAS Lens: the workspace scan failed: ${(error as Error).message}`);
      return null;
    });
    if (result === null) return undefined;
    await refresh();
    if (!result || result.cancelled) {
      void vscode.window.showInformationMessage('ATLAS Lens: workspace scan cancelled.');
      return result ?? undefined;
    }
    const seconds = (result.durationMs / 1000).toFixed(1);
    const summary = `ATLAS Lens: ${plural(result.findings, 'finding')} in ${plural(result.files, 'file')} (${seconds} s)${result.skipped > 0 ? `; ${plural(result.skipped, 'file')} skipped` : ''}.`;
    void vscode.window.showInformationMessage(summary, 'Show Findings', 'Show ATLAS Matrix').then((choice) => {
      if (choice === 'Show Findings') void vscode.commands.executeCommand(`${FINDINGS_VIEW}.focus`);
      if (choice === 'Show ATLAS Matrix') void vscode.commands.executeCommand(ReviewCommands.showMatrix);
    });
    return result;
  };

  const showMatrix = async (): Promise<void> => {
    await ready;
    if (!tree.matrix) await refresh();
    if (tree.matrix) matrix.show(tree.matrix, tree.filter.technique);
  };

  /** The finding a command argument is (a tree node), or undefined. */
  const findingOf = (argument: unknown): WorkspaceFinding | undefined => (argument as TreeNode | undefined)?.finding;

  /** Applies the server's code action for `finding` whose title is `title` (polling: the diagnostics of a file just opened arrive shortly). */
  const applyAction = async (finding: WorkspaceFinding, title: string): Promise<boolean> => {
    const uri = vscode.Uri.parse(finding.uri);
    const range = toVscodeRange(finding.range);
    const document = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(document, { selection: range, preserveFocus: false });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', uri, range, vscode.CodeActionKind.QuickFix.value);
      const action = actions?.find((candidate) => candidate.title === title);
      if (action) {
        if (action.edit && !(await vscode.workspace.applyEdit(action.edit))) return false;
        if (action.command) await vscode.commands.executeCommand(action.command.command, ...(action.command.arguments ?? []));
        return true;
      }
      if (Date.now() > deadline) {
        void vscode.window.showWarningMessage(`ATLAS Lens: "${title}" is not available any more (has the file changed?).`);
        return false;
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  const exportReport = async (format: ExportFormat, target?: unknown): Promise<vscode.Uri | undefined> => {
    await ready;
    const { label, extension, filters } = EXPORTS[format];
    let uri = target instanceof vscode.Uri ? target : undefined;
    if (!uri) {
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri;
      uri = await vscode.window.showSaveDialog({
        title: `ATLAS Lens: Export ${label}`,
        defaultUri: folder ? vscode.Uri.joinPath(folder, `atlas-lens.${format === 'navigator' ? 'layer.json' : extension}`) : undefined,
        filters,
        saveLabel: 'Export',
      });
      if (!uri) return undefined;
    }
    const report = await client.sendRequest(ExportReportRequest, { format });
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(report.content));
    if (!(target instanceof vscode.Uri)) {
      void vscode.window.showInformationMessage(`ATLAS Lens: ${label} with ${plural(report.findings, 'finding')} written to ${vscode.workspace.asRelativePath(uri)}.`, 'Open').then((choice) => {
        if (choice === 'Open') void vscode.window.showTextDocument(uri);
      });
    }
    return uri;
  };

  const pickTechnique = async (): Promise<string | undefined> => {
    const counts = new Map<string, number>();
    for (const finding of tree.findings) for (const id of new Set(finding.techniques)) counts.set(id, (counts.get(id) ?? 0) + 1);
    const names = new Map((tree.matrix?.columns ?? []).flatMap((column) => column.cells.flatMap((cell) => [cell, ...cell.subtechniques])).map((cell) => [cell.techniqueId, cell.name] as const));
    const picked = await vscode.window.showQuickPick(
      [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : 1)).map(([id, count]) => ({ id, label: id, description: names.get(id), detail: plural(count, 'finding') })),
      { title: 'ATLAS Lens: Filter Findings by Technique', placeHolder: 'Technique with findings' },
    );
    return picked?.id;
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(ReviewCommands.scanWorkspace, scanWorkspace),
    vscode.commands.registerCommand(ReviewCommands.showMatrix, showMatrix),
    vscode.commands.registerCommand(ReviewCommands.groupByTactic, () => tree.setMode('tactic')),
    vscode.commands.registerCommand(ReviewCommands.groupByFile, () => tree.setMode('file')),
    vscode.commands.registerCommand(ReviewCommands.showNewOnly, () => tree.setFilter({ ...tree.filter, newOnly: true })),
    vscode.commands.registerCommand(ReviewCommands.showAll, () => tree.setFilter({ ...tree.filter, newOnly: false })),
    vscode.commands.registerCommand(ReviewCommands.filterByTechnique, async (argument?: unknown) => {
      const id = techniqueOfArgument(argument) ?? (await pickTechnique());
      if (!id) return;
      tree.setFilter({ ...tree.filter, technique: id });
      matrix.update(undefined, id);
    }),
    vscode.commands.registerCommand(ReviewCommands.clearTechniqueFilter, () => {
      const { technique: _cleared, ...rest } = tree.filter;
      tree.setFilter(rest);
      matrix.update(undefined, undefined);
    }),
    vscode.commands.registerCommand(ReviewCommands.applyFix, async (argument?: unknown) => {
      const finding = findingOf(argument);
      return finding?.fix ? applyAction(finding, finding.fix.title) : false;
    }),
    vscode.commands.registerCommand(ReviewCommands.suppressOnLine, async (argument?: unknown) => {
      const finding = findingOf(argument);
      return finding ? applyAction(finding, `Suppress ${finding.ruleId} on this line`) : false;
    }),
    vscode.commands.registerCommand(ReviewCommands.exportSarif, (target?: unknown) => exportReport('sarif', target)),
    vscode.commands.registerCommand(ReviewCommands.exportNavigator, (target?: unknown) => exportReport('navigator', target)),
    vscode.commands.registerCommand(ReviewCommands.exportMarkdown, (target?: unknown) => exportReport('markdown', target)),
  );

  return {
    scanWorkspace,
    refreshFindings: refresh,
    treeSnapshot: () => tree.describe(),
    treeNodes: () => tree.getChildren(),
    matrixPanelOpen: () => matrix.isOpen,
    matrixHtml: () => matrix.html,
    postFromMatrix: (message) => matrix.handle(message),
  };
}

