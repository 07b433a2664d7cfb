/**
 * The ATLAS Lens language server: connection, capabilities and handler wiring. The handlers live
 * in ./lsp (one module each), the analysis in ./engine.
 *   node server/dist/server.js --node-ipc    (the VS Code extension)
 *   atlas-lens lsp [--stdio]                 (any other editor)
 */
import {
  DidChangeConfigurationNotification,
  DidChangeWatchedFilesNotification,
  ErrorCodes,
  LSPErrorCodes,
  ProposedFeatures,
  ResponseError,
  StreamMessageWriter,
  createConnection,
  type CancellationToken,
  type Connection,
} from 'vscode-languageserver/node';
import { Console } from 'node:console';
import packageJson from '../../package.json';
import { createPythonParser } from './engine/python/parser';
import { Analyzer } from './lsp/analysis';
import { clientFeatures, serverCapabilities, workspaceFoldersOf, type ClientFeatures } from './lsp/capabilities';
import { codeActions, fixAllAction } from './lsp/code-actions';
import { DiagnosticsService } from './lsp/diagnostics';
import { DocumentStore, uriToPath } from './lsp/documents';
import { atlasEntry, hover } from './lsp/hover';
import { exportReport, snapshotExportSource } from './lsp/export';
import { tuneHeapForEditing } from './lsp/heap-tuning';
import { createLogger } from './lsp/logger';
import { lspJsonEncoder } from './lsp/message-encoder';
import { Notebooks } from './lsp/notebooks';
import { Projects } from './lsp/projects';
import { AtlasEntryRequest, AtlasTechniquesRequest, CONFIGURATION_SECTION, ExportReportRequest, ScanWorkspaceRequest, ServerCommands, WorkspaceFindingsRequest, type ApplyFixAllArguments } from './lsp/protocol';
import { normalizeSettings, sameForAnalysis, SettingsCache, type AtlasLensSettings } from './lsp/settings';
import { NotebookWarmUpSession, NOTEBOOK_WARM_UP_STEPS, WarmUp, WARM_UP_FILE } from './lsp/warm-up';
import { WATCHED_SCAN_GLOBS, WorkspaceReview } from './lsp/workspace-scan';

const VERSION: string = packageJson.version;

interface Session {
  features: ClientFeatures;
  documents: DocumentStore;
  analyzer: Analyzer;
  diagnostics: DiagnosticsService;
  notebooks: Notebooks;
  review: WorkspaceReview;
  /** The keystroke path run on a sample while the server is idle (lsp/warm-up.ts); off with initializationOptions.warmUp = false. */
  warmUp?: WarmUp;
  /** The same for notebooks, once one is open. */
  notebookWarmUp?: WarmUp;
}

/** Wires every handler on `connection` and starts listening. */
export function startServer(connection: Connection): void {
  let verbose = false;
  const log = createLogger(connection.console, () => verbose);
  const projects = new Projects(log);
  /** Settings sent with initializationOptions or didChangeConfiguration, for clients without workspace/configuration. */
  let pushedSettings: unknown;
  let features: ClientFeatures | undefined;
  const settings = new SettingsCache(async (uri) => {
    if (features?.configuration) return connection.workspace.getConfiguration({ scopeUri: uri, section: CONFIGURATION_SECTION });
    return pushedSettings;
  }, (message) => log.warn(message));
  let session: Session | undefined;
  const ready = (): Session => {
    if (!session) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the server is not initialized');
    return session;
  };

  /** An exception in a handler is logged and answered as an error; the server keeps running. */
  const request = <P, R>(name: string, handler: (params: P, token: CancellationToken) => R | Promise<R>) =>
    async (params: P, token: CancellationToken): Promise<R> => {
      session?.warmUp?.activity();
      session?.notebookWarmUp?.activity();
      try {
        return await handler(params, token);
      } catch (error) {
        if (error instanceof ResponseError) throw error;
        const about = `${name} failed${documentOf(params)}`;
        log.error(`${about}: ${(error as Error)?.stack ?? String(error)}`);
        throw new ResponseError(ErrorCodes.InternalError, `${about}: ${(error as Error)?.message ?? String(error)}`);
      }
    };
  const notification = <P>(name: string, handler: (params: P) => void | Promise<void>) =>
    (params: P): void => {
      session?.warmUp?.activity();
      session?.notebookWarmUp?.activity();
      try {
        const result = handler(params);
        if (result instanceof Promise) result.catch((error: unknown) => log.error(`${name} failed${documentOf(params)}: ${(error as Error)?.stack ?? String(error)}`));
      } catch (error) {
        log.error(`${name} failed${documentOf(params)}: ${(error as Error)?.stack ?? String(error)}`);
      }
    };
  const cancelled = (token: CancellationToken): void => {
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
  };

  /** The global settings last pulled (to tell whether a change touched what analysis reads). */
  let lastGlobal: AtlasLensSettings | undefined;
  const globalSettings = async (): Promise<AtlasLensSettings> => {
    const raw = features?.configuration ? await connection.workspace.getConfiguration(CONFIGURATION_SECTION) : pushedSettings;
    const current = normalizeSettings(raw).settings;
    verbose = current.trace.server === 'verbose';
    lastGlobal = current;
    return current;
  };

  const inputsChanged = async (why: string): Promise<void> => {
    log.info(`${why}: reloading the configuration`);
    projects.invalidate();
    await projects.preload(await globalSettings());
    await ready().diagnostics.refreshAll();
    ready().notebooks.refreshAll();
    void ready().review.inputsChanged().catch((error: unknown) => log.error(`workspace rescan failed: ${(error as Error).stack ?? String(error)}`));
  };

  connection.onInitialize(request('initialize', async (params) => {
    features = clientFeatures(params.capabilities);
    // initializationOptions: { settings?: the atlasLens section (clients without workspace/configuration), workspaceTrusted?: boolean, warmUp?: boolean }
    const options = (params.initializationOptions ?? {}) as { settings?: unknown; workspaceTrusted?: unknown; warmUp?: unknown };
    pushedSettings = typeof options === 'object' ? options.settings : undefined;
    projects.trusted = options.workspaceTrusted !== false;
    projects.workspaceFolders = workspaceFoldersOf(params).map(uriToPath).filter((folder): folder is string => folder !== undefined);
    const parser = await createPythonParser();
    const documents = new DocumentStore(parser);
    const analyzer = new Analyzer(documents, projects, settings, log);
    const notebooks = new Notebooks(connection, new DocumentStore(parser), analyzer, projects, settings, features, log);
    const diagnostics = new DiagnosticsService(connection, documents, analyzer, projects, features, log);
    const review = new WorkspaceReview({ connection, documents, analyzer, projects, settings, features, diagnostics, log, catalog: async () => projects.defaultCatalog(await globalSettings()), openNotebooks: () => notebooks.openNotebookUris() });
    diagnostics.findingFilter = (analysis) => review.documentFilter(analysis);
    const warmUpContext = async () => {
      const global = await globalSettings();
      if (!global.enable) return undefined;
      const context = await projects.contextFor(WARM_UP_FILE, undefined, global);
      return { engine: context.engine, catalog: context.catalog, analysis: context.analysis, features: features! };
    };
    const warmUp = options.warmUp === false ? undefined : new WarmUp({ parser, log, busy: () => review.scanning, context: warmUpContext });
    // After the module's, never beside it.
    const notebookWarmUp = warmUp && new WarmUp({
      parser,
      log,
      busy: () => review.scanning || !warmUp.finished,
      context: warmUpContext,
      session: (sessionParser, context) => new NotebookWarmUpSession(sessionParser, context),
      steps: NOTEBOOK_WARM_UP_STEPS,
      what: 'in a notebook',
    });
    session = { features, documents, analyzer, diagnostics, review, notebooks, warmUp, notebookWarmUp };
    return { capabilities: serverCapabilities(features), serverInfo: { name: 'atlas-lens', version: VERSION } };
  }));

  connection.onInitialized(notification('initialized', async () => {
    const { features: client, diagnostics, review } = ready();
    log.info(`ATLAS Lens ${VERSION}: ${client.pullDiagnostics ? 'pull' : 'push'} diagnostics; workspace ${projects.workspaceFolders.join(', ') || '(none)'}${projects.trusted ? '' : ' (untrusted: custom rule directories are not loaded)'}`);
    if (client.configurationChangeRegistration) await connection.client.register(DidChangeConfigurationNotification.type, { section: CONFIGURATION_SECTION });
    if (client.watchedFilesRegistration) {
      await connection.client.register(DidChangeWatchedFilesNotification.type, {
        watchers: [{ globPattern: '**/.atlas-lens.{yaml,yml}' }, { globPattern: '**/*.{yaml,yml}' }, ...WATCHED_SCAN_GLOBS.map((globPattern) => ({ globPattern }))],
      });
    }
    await projects.preload(await globalSettings());
    await diagnostics.publishInputProblems();
    void review.scanOnStartup().catch((error: unknown) => log.error(`scan on startup failed: ${(error as Error).stack ?? String(error)}`));
    ready().warmUp?.start();
  }));

  connection.onDidOpenTextDocument(notification('didOpen', (params) => {
    const { documents, diagnostics } = ready();
    const { uri, languageId, version, text } = params.textDocument;
    documents.open(uri, languageId, version, text);
    diagnostics.changed(uri);
    ready().review.documentChanged();
  }));

  connection.onDidChangeTextDocument(notification('didChange', (params) => {
    const { documents, diagnostics } = ready();
    const document = documents.get(params.textDocument.uri);
    if (!document) return log.warn(`didChange for a document that is not open: ${params.textDocument.uri}`);
    document.update(params.contentChanges, params.textDocument.version);
    diagnostics.changed(document.uri);
    ready().review.documentChanged();
  }));

  connection.onDidCloseTextDocument(notification('didClose', async (params) => {
    const { documents, analyzer, diagnostics } = ready();
    documents.close(params.textDocument.uri);
    analyzer.forget(params.textDocument.uri);
    settings.delete(params.textDocument.uri);
    diagnostics.closed(params.textDocument.uri);
    await ready().review.documentClosed(params.textDocument.uri);
  }));

  // Notebooks (cells with them): lsp/notebooks.ts.
  connection.notebooks.synchronization.onDidOpenNotebookDocument(notification('notebookDocument/didOpen', (params) => {
    ready().notebooks.open(params);
    ready().review.notebookOpened(params.notebookDocument.uri);
    ready().notebookWarmUp?.start();
  }));
  connection.notebooks.synchronization.onDidChangeNotebookDocument(notification('notebookDocument/didChange', (params) => ready().notebooks.change(params)));
  connection.notebooks.synchronization.onDidSaveNotebookDocument(notification('notebookDocument/didSave', (params) => ready().notebooks.saved(params.notebookDocument.uri)));
  connection.notebooks.synchronization.onDidCloseNotebookDocument(notification('notebookDocument/didClose', async (params) => {
    ready().notebooks.close(params);
    await ready().review.documentClosed(params.notebookDocument.uri);
  }));

  connection.onDidSaveTextDocument(notification('didSave', async (params) => {
    const { analyzer, diagnostics } = ready();
    if (analyzer.saved(params.textDocument.uri)) await diagnostics.refresh(params.textDocument.uri);
    const file = uriToPath(params.textDocument.uri);
    if (file && projects.isInput(file)) await inputsChanged(`saved ${file}`);
  }));

  connection.onDidChangeWatchedFiles(notification('didChangeWatchedFiles', async (params) => {
    const changed = params.changes.map((change) => uriToPath(change.uri)).filter((file): file is string => file !== undefined && projects.isInput(file));
    if (changed.length > 0) return inputsChanged(`changed ${changed.join(', ')}`);
    const { review, analyzer, diagnostics } = ready();
    // A model file or the baseline changed: open documents' findings may read them.
    if (await review.watchedFilesChanged(params.changes)) {
      analyzer.settingsGeneration++;
      await diagnostics.refreshAll();
    }
  }));

  connection.onDidChangeConfiguration(notification('didChangeConfiguration', async (params) => {
    const { analyzer, diagnostics } = ready();
    if (!features?.configuration) {
      const raw = params.settings as Record<string, unknown> | null | undefined;
      pushedSettings = raw && typeof raw === 'object' && CONFIGURATION_SECTION in raw ? raw[CONFIGURATION_SECTION] : raw;
    }
    // Only a change to what analysis reads re-analyses the open documents and rescans the
    // workspace: turning the log to verbose must not cost a review of the whole repository.
    const before = await settings.pulled();
    const globalBefore = lastGlobal;
    settings.clear();
    const globalAfter = await globalSettings();
    const changed = !globalBefore || !sameForAnalysis(globalBefore, globalAfter) ||
      (await Promise.all([...before].map(async ([uri, old]) => !sameForAnalysis(old, await settings.get(uri))))).some(Boolean);
    if (!changed) return log.info('settings changed: nothing analysis reads (trace, scanOnStartup); results kept');
    analyzer.settingsGeneration++;
    log.info('settings changed: re-analysing open documents');
    await diagnostics.refreshAll();
    ready().notebooks.refreshAll();
    void ready().review.inputsChanged().catch((error: unknown) => log.error(`workspace rescan failed: ${(error as Error).stack ?? String(error)}`));
  }));

  connection.languages.diagnostics.on(request('textDocument/diagnostic', (params, token) =>
    ready().notebooks.ownsCell(params.textDocument.uri) ? ready().notebooks.pull(params, token) : ready().diagnostics.pull(params, token)));
  connection.languages.diagnostics.onWorkspace(request('workspace/diagnostic', (params) => ready().review.workspaceDiagnostics(params)));
  connection.onRequest(ScanWorkspaceRequest, request('atlasLens/scanWorkspace', (params, token) => ready().review.scan(params, token)));
  const workspaceFindings = request('atlasLens/workspaceFindings', () => ready().review.findings());
  connection.onRequest(WorkspaceFindingsRequest, (token) => workspaceFindings(undefined, token));
  const snapshot = () => snapshotExportSource({ ...ready(), workspaceFolders: () => projects.workspaceFolders, catalog: async () => projects.defaultCatalog(await globalSettings()) });
  connection.onRequest(ExportReportRequest, request('atlasLens/exportReport', (params) => exportReport(params, snapshot, VERSION)));

  connection.onHover(request('textDocument/hover', async (params, token) => {
    const { documents, analyzer, features: client, notebooks } = ready();
    if (notebooks.ownsCell(params.textDocument.uri)) return notebooks.hover(params, client.hoverMarkdown);
    const document = documents.get(params.textDocument.uri);
    if (!document) return null;
    const analysis = await analyzer.analyze(document.uri);
    cancelled(token);
    return hover(document, params.position, analysis, projects.defaultCatalog(analysis?.settings), client.hoverMarkdown);
  }));

  connection.onCodeAction(request('textDocument/codeAction', async (params, token) => {
    const { documents, analyzer, features: client, notebooks } = ready();
    if (notebooks.ownsCell(params.textDocument.uri)) return notebooks.codeActions(params, client);
    const document = documents.get(params.textDocument.uri);
    if (!document) return [];
    const analysis = await analyzer.analyze(document.uri);
    cancelled(token);
    return analysis ? codeActions(params, document, analysis, client) : [];
  }));

  connection.onExecuteCommand(request('workspace/executeCommand', async (params) => {
    const { documents, analyzer, features: client } = ready();
    if (params.command !== ServerCommands.applyFixAll) throw new ResponseError(ErrorCodes.InvalidParams, `unknown command ${params.command}`);
    const args = params.arguments?.[0] as ApplyFixAllArguments | undefined;
    if (args?.uri && ready().notebooks.isNotebook(args.uri)) {
      const action = await ready().notebooks.fixAllEdit(args.uri, args.version, client);
      return { applied: action?.edit ? (await connection.workspace.applyEdit({ label: action.title, edit: action.edit })).applied : false };
    }
    const document = args?.uri ? documents.get(args.uri) : undefined;
    if (!document || (args?.version !== undefined && args.version !== document.version)) return { applied: false };
    const analysis = await analyzer.analyze(document.uri);
    if (!analysis || analysis.version !== document.version) return { applied: false };
    const action = fixAllAction(document, analysis, client);
    if (!action?.edit) return { applied: false };
    const result = await connection.workspace.applyEdit({ label: action.title, edit: action.edit });
    return { applied: result.applied };
  }));

  connection.onRequest(AtlasEntryRequest, request('atlasLens/atlasEntry', async (params) => {
    if (typeof params?.id !== 'string') throw new ResponseError(ErrorCodes.InvalidParams, 'expected { id: string }');
    return atlasEntry(projects.defaultCatalog(await globalSettings()), params.id.trim()) ?? null;
  }));

  const techniques = request('atlasLens/atlasTechniques', async () => {
    const catalog = projects.defaultCatalog(await globalSettings());
    const cited = projects.citedTechniques();
    return catalog.allTechniques().map((technique) => ({
      id: technique.id,
      name: catalog.fullName(technique.id) ?? technique.name,
      tactics: technique.tactics.map((id) => catalog.tactic(id)?.name ?? id),
      citedByRules: cited.has(technique.id),
    }));
  });
  connection.onRequest(AtlasTechniquesRequest, (token) => techniques(undefined, token));

  connection.onShutdown(() => {
    session?.warmUp?.stop();
    session?.notebookWarmUp?.stop();
  });

  process.on('uncaughtException', (error) => log.error(`uncaught exception: ${error.stack ?? String(error)}`));
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${(reason as Error)?.stack ?? String(reason)}`));

  connection.listen();
}

/** " on <uri>" for the log line of a failed handler whose parameters name a document. */
function documentOf(params: unknown): string {
  const uri = (params as { textDocument?: { uri?: unknown } } | undefined)?.textDocument?.uri;
  return typeof uri === 'string' ? ` on ${uri}` : '';
}

/**
 * A connection over the transport named on the command line (--node-ipc, --socket=, --pipe=),
 * else stdio (--stdio or nothing). Over stdio messages are written with our encoder (diagnostics'
 * JSON kept: message-encoder.ts). stdin is still handed over as a stream, so that the library
 * ends the process when it closes; the writer, which has no addListener, is taken as a writer.
 * stdout carries the protocol: whatever a library prints with console.log goes to stderr, which
 * editors keep in their language-server log (vscode-languageserver's own --stdio handling sent it
 * to the client's log; handing it our writer means doing this ourselves).
 */
export function createServerConnection(argv: readonly string[] = process.argv): Connection {
  const named = argv.some((arg) => arg === '--node-ipc' || arg.startsWith('--socket') || arg.startsWith('--pipe'));
  if (named) return createConnection(ProposedFeatures.all);
  globalThis.console = new Console({ stdout: process.stderr, stderr: process.stderr });
  const writer = new StreamMessageWriter(process.stdout, { charset: 'utf-8', contentTypeEncoder: lspJsonEncoder });
  return createConnection(ProposedFeatures.all, process.stdin, writer as unknown as NodeJS.WritableStream);
}

// Started as a program (server/dist/server.js, or `node --import tsx server/src/server.ts`); not when the CLI bundles this module.
if (require.main === module && /(^|[\\/])server\.[cm]?[jt]s$/.test(require.main.filename)) {
  tuneHeapForEditing();
  startServer(createServerConnection());
}
