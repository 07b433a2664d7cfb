/**
 * A scripted LSP client for the protocol tests: starts the real server as a child process and
 * talks JSON-RPC to it over stdio, with the client capabilities each test switches on or off.
 * Waiting is by polling for a condition, never a fixed sleep.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type {
  ClientCapabilities,
  CodeAction,
  Diagnostic,
  DocumentDiagnosticReport,
  Hover,
  InitializeResult,
  Position,
  PublishDiagnosticsParams,
  Range,
  TextDocumentContentChangeEvent,
  TextEdit,
  WorkspaceEdit,
} from 'vscode-languageserver';

export const ROOT = path.resolve(__dirname, '../..');

export interface ClientOptions {
  pull?: boolean;
  codeDescription?: boolean;
  dataSupport?: boolean;
  /** workspace/configuration (default true). */
  configuration?: boolean;
  refreshSupport?: boolean;
  documentChanges?: boolean;
  workspace: string;
  /** The `atlasLens` section answered to workspace/configuration, per scope URI. */
  settings?: (scopeUri: string | undefined) => unknown;
  /** Sent as initializationOptions (merged with `settings` for clients without workspace/configuration). */
  initializationOptions?: Record<string, unknown>;
  /** Start through the CLI (`atlas-lens lsp --stdio`) instead of server.ts. */
  viaCli?: boolean;
  /** window.workDoneProgress: the server may create progress tokens (recorded in `progress`). */
  workDoneProgress?: boolean;
  /** notebookDocument.synchronization (LSP 3.17 notebook sync). */
  notebooks?: boolean;
}

/** A cell of `TestClient.openNotebook`: code (kind 2, Python) unless `markdown`. */
export interface TestCell {
  text: string;
  markdown?: boolean;
}

export function capabilities(options: ClientOptions): ClientCapabilities {
  const rich = { relatedInformation: true, codeDescriptionSupport: options.codeDescription ?? false, dataSupport: options.dataSupport ?? false, versionSupport: true };
  return {
    textDocument: {
      synchronization: { didSave: true, dynamicRegistration: false },
      publishDiagnostics: rich,
      ...(options.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
      hover: { contentFormat: ['markdown', 'plaintext'] },
      codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix', 'source', 'source.fixAll'] } }, dataSupport: true, isPreferredSupport: true },
    },
    ...(options.notebooks ? { notebookDocument: { synchronization: { dynamicRegistration: false, executionSummarySupport: false } } } : {}),
    workspace: {
      configuration: options.configuration ?? true,
      didChangeConfiguration: { dynamicRegistration: true },
      didChangeWatchedFiles: { dynamicRegistration: true },
      applyEdit: true,
      workspaceEdit: { documentChanges: options.documentChanges ?? false },
      ...(options.pull ? { diagnostics: { refreshSupport: options.refreshSupport ?? true } } : {}),
    },
    ...(options.workDoneProgress ? { window: { workDoneProgress: true } } : {}),
  };
}

export async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

export function makeWorkspace(files: Record<string, string>): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-lsp-')));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

export const uriOf = (file: string): string => pathToFileURL(file).href;

/** Applies LSP text edits to a string (non-overlapping, like an editor does). */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') starts.push(i + 1);
  const offset = (p: Position): number => (starts[p.line] ?? text.length) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const edit of sorted) out = out.slice(0, offset(edit.range.start)) + edit.newText + out.slice(offset(edit.range.end));
  return out;
}

/** The edits a WorkspaceEdit makes to one document, in either shape. */
export function editsFor(edit: WorkspaceEdit | undefined, uri: string): TextEdit[] {
  if (!edit) return [];
  if (edit.changes) return edit.changes[uri] ?? [];
  const edits: TextEdit[] = [];
  for (const change of edit.documentChanges ?? []) if ('textDocument' in change && change.textDocument.uri === uri) edits.push(...(change.edits as TextEdit[]));
  return edits;
}

export class TestClient {
  readonly published = new Map<string, PublishDiagnosticsParams[]>();
  readonly logs: Array<{ type: number; message: string }> = [];
  readonly appliedEdits: WorkspaceEdit[] = [];
  refreshRequests = 0;
  /** The scope of each setting the server pulled (null: the global settings), in order. */
  readonly configurationRequests: Array<string | null> = [];
  /** `$/progress` notifications in order, and the tokens the server asked to create. */
  readonly progress: Array<{ token: string | number; value: { kind: string; title?: string; message?: string; percentage?: number; cancellable?: boolean } }> = [];
  readonly createdProgressTokens: Array<string | number> = [];
  /** Custom notifications by method (e.g. atlasLens/findingsChanged), counted. */
  readonly notifications = new Map<string, number>();
  registrations: string[] = [];
  registrationOptions: Array<{ method: string; registerOptions?: unknown }> = [];
  stderr = '';
  private versions = new Map<string, number>();
  private texts = new Map<string, string>();
  initializeResult!: InitializeResult;

  private constructor(
    readonly options: ClientOptions,
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
  ) {}

  static async start(options: ClientOptions): Promise<TestClient> {
    const args = options.viaCli ? ['--import', 'tsx', 'server/src/cli.ts', 'lsp', '--stdio'] : ['--import', 'tsx', 'server/src/server.ts', '--stdio'];
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new TestClient(options, child, connection);
    child.stderr.on('data', (chunk: Buffer) => (client.stderr += chunk.toString()));
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      const list = client.published.get(params.uri) ?? [];
      list.push(params);
      client.published.set(params.uri, list);
    });
    connection.onNotification('window/logMessage', (params: { type: number; message: string }) => {
      client.logs.push(params);
    });
    connection.onRequest('workspace/configuration', (params: { items: Array<{ scopeUri?: string; section?: string }> }) => {
      client.configurationRequests.push(...params.items.map((item) => item.scopeUri ?? null));
      return params.items.map((item) => (item.section === 'atlasLens' ? (client.options.settings?.(item.scopeUri) ?? {}) : null));
    });
    connection.onRequest('client/registerCapability', (params: { registrations: Array<{ method: string; registerOptions?: unknown }> }) => {
      client.registrations.push(...params.registrations.map((r) => r.method));
      client.registrationOptions.push(...params.registrations.map((r) => ({ method: r.method, registerOptions: r.registerOptions })));
      return null;
    });
    connection.onRequest('window/workDoneProgress/create', (params: { token: string | number }) => {
      client.createdProgressTokens.push(params.token);
      return null;
    });
    connection.onNotification('$/progress', (params: TestClient['progress'][number]) => {
      client.progress.push(params);
    });
    connection.onNotification('atlasLens/findingsChanged', () => {
      client.notifications.set('atlasLens/findingsChanged', (client.notifications.get('atlasLens/findingsChanged') ?? 0) + 1);
    });
    connection.onRequest('workspace/diagnostic/refresh', () => {
      client.refreshRequests++;
      return null;
    });
    connection.onRequest('workspace/applyEdit', (params: { edit: WorkspaceEdit }) => {
      client.appliedEdits.push(params.edit);
      return { applied: true };
    });
    connection.listen();
    client.initializeResult = await connection.sendRequest<InitializeResult>('initialize', {
      processId: process.pid,
      rootUri: uriOf(options.workspace),
      workspaceFolders: [{ uri: uriOf(options.workspace), name: 'fixture' }],
      capabilities: capabilities(options),
      // The server's idle warm-up (lsp/warm-up.ts) is off unless a test asks for it: it would take the CPU between a test's steps.
      initializationOptions: { warmUp: false, ...options.initializationOptions, ...(options.configuration === false ? { settings: options.settings?.(undefined) } : {}) },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  text(uri: string): string {
    return this.texts.get(uri) ?? '';
  }

  version(uri: string): number {
    return this.versions.get(uri) ?? 0;
  }

  open(file: string, text: string, languageId = 'python'): Promise<string> {
    return this.openUri(uriOf(file), text, languageId);
  }

  async openUri(uri: string, text: string, languageId = 'python'): Promise<string> {
    this.versions.set(uri, 1);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
    return uri;
  }

  /** Sends a change; with ranges, `text` is computed here the way an editor would. */
  async change(uri: string, changes: TextDocumentContentChangeEvent[]): Promise<number> {
    const version = this.version(uri) + 1;
    let text = this.text(uri);
    for (const change of changes) text = 'range' in change && change.range ? applyTextEdits(text, [{ range: change.range, newText: change.text }]) : change.text;
    this.versions.set(uri, version);
    this.texts.set(uri, text);
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    return version;
  }

  /** Replaces the whole text (as an editor applying a workspace edit and sending it back would, minimally). */
  async applyEdits(uri: string, edits: readonly TextEdit[]): Promise<number> {
    // Sent as ranged changes from the end, so the server's incremental path is exercised too.
    const sorted = [...edits].sort((a, b) => b.range.start.line - a.range.start.line || b.range.start.character - a.range.start.character);
    return this.change(uri, sorted.map((edit) => ({ range: edit.range, text: edit.newText })));
  }

  /** Opens a notebook whose cells are `<notebook>#cell<n>` (vscode-notebook-cell URIs, as VS Code names them); returns the cell URIs. */
  async openNotebook(file: string, cells: readonly TestCell[]): Promise<{ uri: string; cells: string[] }> {
    const uri = uriOf(file);
    const cellUris = cells.map((_, index) => this.cellUri(uri, index));
    this.versions.set(uri, 1);
    cells.forEach((cell, index) => {
      this.versions.set(cellUris[index]!, 1);
      this.texts.set(cellUris[index]!, cell.text);
    });
    await this.connection.sendNotification('notebookDocument/didOpen', {
      notebookDocument: { uri, notebookType: 'jupyter-notebook', version: 1, cells: cells.map((cell, index) => ({ kind: cell.markdown ? 1 : 2, document: cellUris[index] })) },
      cellTextDocuments: cells.map((cell, index) => ({ uri: cellUris[index], languageId: cell.markdown ? 'markdown' : 'python', version: 1, text: cell.text })),
    });
    return { uri, cells: cellUris };
  }

  cellUri(notebookUri: string, index: number): string {
    return `vscode-notebook-cell:${notebookUri.slice('file:'.length)}#cell${index}`;
  }

  /** Edits cells' text (ranged changes as computed for `change`) and optionally inserts cells at `insert.start`. */
  async changeNotebook(uri: string, edits: Array<{ cell: string; changes: TextDocumentContentChangeEvent[] }>, insert?: { start: number; cells: Array<{ uri: string; text: string }> }): Promise<number> {
    const version = this.version(uri) + 1;
    this.versions.set(uri, version);
    const textContent = edits.map(({ cell, changes }) => {
      let text = this.text(cell);
      for (const change of changes) text = 'range' in change && change.range ? applyTextEdits(text, [{ range: change.range, newText: change.text }]) : change.text;
      const cellVersion = this.version(cell) + 1;
      this.versions.set(cell, cellVersion);
      this.texts.set(cell, text);
      return { document: { uri: cell, version: cellVersion }, changes };
    });
    for (const cell of insert?.cells ?? []) {
      this.versions.set(cell.uri, 1);
      this.texts.set(cell.uri, cell.text);
    }
    const structure = insert && {
      array: { start: insert.start, deleteCount: 0, cells: insert.cells.map((cell) => ({ kind: 2, document: cell.uri })) },
      didOpen: insert.cells.map((cell) => ({ uri: cell.uri, languageId: 'python', version: 1, text: cell.text })),
    };
    await this.connection.sendNotification('notebookDocument/didChange', {
      notebookDocument: { uri, version },
      change: { cells: { ...(structure ? { structure } : {}), ...(textContent.length > 0 ? { textContent } : {}) } },
    });
    return version;
  }

  async closeNotebook(uri: string, cells: readonly string[]): Promise<void> {
    await this.connection.sendNotification('notebookDocument/didClose', { notebookDocument: { uri }, cellTextDocuments: cells.map((cell) => ({ uri: cell })) });
  }

  async save(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didSave', { textDocument: { uri } });
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** The diagnostics last published for `uri` at `version` (push; null: any version), polled for. */
  async diagnosticsAt(uri: string, version: number | null = this.version(uri)): Promise<Diagnostic[]> {
    const found = await waitFor(`diagnostics of ${uri} v${version}`, () => {
      const list = this.published.get(uri);
      const last = list?.at(-1);
      return last && (version === null || last.version === version) ? last : undefined;
    });
    return found.diagnostics;
  }

  pull(uri: string, previousResultId?: string): Promise<DocumentDiagnosticReport> {
    return this.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri }, previousResultId });
  }

  async diagnostics(uri: string): Promise<Diagnostic[]> {
    if (!this.options.pull) return this.diagnosticsAt(uri);
    const report = await this.pull(uri);
    assertFull(report);
    return report.items;
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  codeActions(uri: string, range: Range, diagnostics: Diagnostic[], only?: string[]): Promise<CodeAction[]> {
    return this.connection.sendRequest('textDocument/codeAction', { textDocument: { uri }, range, context: { diagnostics, ...(only ? { only } : {}) } });
  }

  async changeSettings(): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: this.options.configuration === false ? { atlasLens: this.options.settings?.(undefined) } : null });
  }

  async watchedFileChanged(file: string, type: 1 | 2 | 3 = 2): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(file), type }] });
  }

  async stop(): Promise<void> {
    try {
      await Promise.race([this.connection.sendRequest('shutdown'), new Promise((resolve) => setTimeout(resolve, 2000))]);
      await this.connection.sendNotification('exit');
    } catch {
      // already gone
    }
    await waitFor('the server to exit', () => this.child.exitCode !== null || this.child.signalCode !== null, 3000).catch(() => this.child.kill());
    this.connection.dispose();
  }
}

export function assertFull(report: DocumentDiagnosticReport): asserts report is Extract<DocumentDiagnosticReport, { kind: 'full' }> {
  if (report.kind !== 'full') throw new Error(`expected a full report, got ${JSON.stringify(report)}`);
}
