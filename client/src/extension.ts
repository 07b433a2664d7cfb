/**
 * The ATLAS Lens extension: starts the language server (server/dist/server.js over Node IPC) and
 * adds the editor side: a log channel, commands, the findings count in the status bar. No analysis
 * happens here; settings are read by the server through `workspace/configuration`.
 *
 * Workspace trust ("limited", see package.json `capabilities.untrustedWorkspaces` and the README):
 * ATLAS Lens never executes workspace code, but an ATLAS data file and custom rule packs are
 * workspace input. In an untrusted workspace `atlasLens.atlasDataPath` from the workspace's
 * settings is ignored (VS Code withholds it as a restricted setting, and the configuration
 * middleware below answers the server with the user's value only), and the server is told
 * `workspaceTrusted: false` in its initialization options so that it can skip the custom rule
 * directories a workspace `.atlas-lens.yaml` names. Granting trust restarts the server once.
 */
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { ExecuteCommandRequest, LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { CONFIGURATION_SECTION, ServerCommands, type ApplyFixAllArguments, type AtlasEntry } from '../../server/src/lsp/protocol';
import { DOCUMENT_SELECTOR } from './languages';
import { serverFaultHandler } from './server-faults';
import { FindingsStatus } from './status';
import { showTechnique, TechniqueCards } from './technique-card';
import { techniqueOfArgument } from './findings-view';
import { registerWorkspaceReview, type WorkspaceReviewApi } from './workspace-review';

export const Commands = {
  restartServer: 'atlasLens.restartServer',
  showLogs: 'atlasLens.showLogs',
  showTechnique: 'atlasLens.showTechnique',
  fixAll: 'atlasLens.fixAll',
} as const;

/** What `activate` returns: used by the extension tests, stable enough for other extensions. */
export interface AtlasLensApi extends WorkspaceReviewApi {
  /** Resolves once the server answered `initialize` (rejects if it could not start). */
  readonly ready: Promise<void>;
  /** The number the status bar shows for the active file, or undefined when the item is hidden. */
  findingsInActiveFile(): number | undefined;
}

/** Settings that must not come from an untrusted workspace (also `restrictedConfigurations` in package.json). */
const RESTRICTED_SETTINGS = ['atlasDataPath'] as const;

/** The section with the restricted keys replaced by their user-level (or default) values. */
function withoutWorkspaceValues(section: unknown, scopeUri: string | undefined): unknown {
  if (!section || typeof section !== 'object' || Array.isArray(section)) return section;
  const scope = scopeUri ? vscode.Uri.parse(scopeUri) : undefined;
  const configuration = vscode.workspace.getConfiguration(CONFIGURATION_SECTION, scope);
  const copy: Record<string, unknown> = { ...(section as Record<string, unknown>) };
  for (const key of RESTRICTED_SETTINGS) {
    const inspected = configuration.inspect(key);
    copy[key] = inspected?.globalValue ?? inspected?.defaultValue ?? null;
  }
  return copy;
}

let client: LanguageClient | undefined;

/** The notebook of the active notebook editor, unless a text editor outside it has the focus. */
function activeNotebook(editor: vscode.TextEditor | undefined): vscode.NotebookDocument | undefined {
  const notebook = vscode.window.activeNotebookEditor?.notebook;
  if (!notebook) return undefined;
  return !editor || notebook.getCells().some((cell) => cell.document === editor.document) ? notebook : undefined;
}

export async function activate(context: vscode.ExtensionContext): Promise<AtlasLensApi> {
  const log = vscode.window.createOutputChannel('ATLAS Lens', { log: true });
  context.subscriptions.push(log);

  const serverModule = context.asAbsolutePath('server/dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const faults = serverFaultHandler({ log, restart: () => restart('requested after repeated crashes') });
  const clientOptions: LanguageClientOptions = {
    documentSelector: DOCUMENT_SELECTOR,
    errorHandler: faults.handler,
    outputChannel: log,
    traceOutputChannel: log,
    // Evaluated at every (re)start, so a restart after granting trust tells the server.
    initializationOptions: () => ({ workspaceTrusted: vscode.workspace.isTrusted }),
    diagnosticPullOptions: { onChange: true, onSave: true },
    middleware: {
      workspace: {
        configuration: async (params, token, next) => {
          const result = await next(params, token);
          if (vscode.workspace.isTrusted || !Array.isArray(result)) return result;
          return result.map((value: unknown, index) => {
            const item = params.items[index];
            return item?.section === CONFIGURATION_SECTION ? withoutWorkspaceValues(value, item.scopeUri) : value;
          });
        },
      },
    },
  };
  // The id makes vscode-languageclient honour `atlasLens.trace.server` for the protocol trace.
  const languageClient = new LanguageClient('atlasLens', 'ATLAS Lens', serverOptions, clientOptions);
  client = languageClient;

  const status = new FindingsStatus();
  const cards = new TechniqueCards();
  context.subscriptions.push(status, cards, vscode.workspace.registerTextDocumentContentProvider('atlas-lens', cards));

  const start = async (): Promise<void> => {
    if (!fs.existsSync(serverModule)) {
      const message = `ATLAS Lens: the language server is missing (${serverModule}); run "npm run build".`;
      log.error(message);
      void vscode.window.showErrorMessage(message);
      throw new Error(message);
    }
    log.info(`starting ${serverModule}${vscode.workspace.isTrusted ? '' : ' (untrusted workspace: limited mode)'}`);
    await languageClient.start();
  };
  const ready = start();
  ready.catch((error: unknown) => log.error(`the language server did not start: ${(error as Error).message}`));

  const restart = async (why: string): Promise<void> => {
    log.info(`restarting the language server: ${why}`);
    faults.policy.reset();
    if (languageClient.isRunning()) await languageClient.restart();
    else await start();
  };

  context.subscriptions.push(
    vscode.commands.registerCommand(Commands.restartServer, () => restart('command')),
    vscode.commands.registerCommand(Commands.showLogs, () => log.show(true)),
    vscode.commands.registerCommand(Commands.showTechnique, async (id?: unknown): Promise<AtlasEntry | undefined> => {
      await ready;
      // An id, or a node of the Findings tree (its context menu).
      return showTechnique(languageClient, cards, techniqueOfArgument(id));
    }),
    vscode.commands.registerCommand(Commands.fixAll, async (target?: unknown): Promise<boolean> => {
      await ready;
      const editor = vscode.window.activeTextEditor;
      // A notebook (the target, or the active notebook editor, a cell of it focused or not) is fixed as a whole.
      const notebook = target instanceof vscode.Uri ? vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === target.toString()) : activeNotebook(editor);
      if (notebook) {
        // No version: the server's edit carries each cell's version, which VS Code checks.
        const args: ApplyFixAllArguments = { uri: languageClient.code2ProtocolConverter.asUri(notebook.uri) };
        const result = (await languageClient.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.applyFixAll, arguments: [args] })) as { applied?: boolean } | null;
        if (!result?.applied) void vscode.window.showInformationMessage('ATLAS Lens: no safe fix to apply in this notebook.');
        return result?.applied === true;
      }
      const document = target instanceof vscode.Uri ? vscode.workspace.textDocuments.find((d) => d.uri.toString() === target.toString()) : editor?.document;
      if (!document) {
        void vscode.window.showInformationMessage('ATLAS Lens: open a file to fix.');
        return false;
      }
      const args: ApplyFixAllArguments = { uri: languageClient.code2ProtocolConverter.asUri(document.uri), version: document.version };
      const result = (await languageClient.sendRequest(ExecuteCommandRequest.type, { command: ServerCommands.applyFixAll, arguments: [args] })) as { applied?: boolean } | null;
      if (!result?.applied) void vscode.window.showInformationMessage('ATLAS Lens: no safe fix to apply in this file.');
      return result?.applied === true;
    }),
    vscode.workspace.onDidGrantWorkspaceTrust(() => void restart('workspace trusted')),
    { dispose: () => void languageClient.dispose() },
  );

  const review = registerWorkspaceReview(context, languageClient, ready, (id) => showTechnique(languageClient, cards, id, { beside: true }), log);
  return { ready, findingsInActiveFile: () => status.count, ...review };
}

export async function deactivate(): Promise<void> {
  await client?.dispose();
  client = undefined;
}
