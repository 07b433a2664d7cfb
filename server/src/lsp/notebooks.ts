/**
 * Notebooks in the editor (LSP 3.17 notebook document sync). A Jupyter notebook arrives as one
 * notebook with its cells (notebookDocument/didOpen, didChange, didSave, didClose) instead of one
 * text document per cell, and is analysed as a whole by the engine (`Engine.analyzeCells`: the
 * Python code cells in order, so imports and constants carry from cell to cell and `!pip` /
 * `%magic` lines are commands, not syntax errors). Each finding is reported on its cell's URI
 * with the range inside the cell: pushed per cell, or answered when the client pulls a cell.
 *
 * - Cells are kept here (never in the DocumentStore of text documents), so a cell is never also
 *   analysed as a standalone Python document; a request for a cell's URI is answered from here.
 * - An edit in one cell can change another cell's findings (an import removed). In push mode every
 *   cell is published after each change; in pull mode the client pulls only the cells it changed,
 *   so when another cell's report differs from what it last pulled the server asks for a refresh.
 * - Code actions on a cell edit that cell; "Suppress … in this notebook" writes the `ignore-file`
 *   comment at the top of the first code cell (the engine reads it for every cell). A fix with an
 *   edit in another cell is not offered (see engine/analyzers/notebook.ts `toCells`).
 * - `notebook.source.fixAll.atlasLens` (VS Code's notebook "fix all", e.g. on save through
 *   `notebook.codeActionsOnSave`, asked on the notebook's first cell, whatever its kind; only when
 *   asked for by kind) returns one WorkspaceEdit with every safe fix of every cell;
 *   `atlasLens.server.applyFixAll` with the notebook's URI applies it.
 */
import { createHash } from 'node:crypto';
import {
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  NotebookCellKind,
  ResponseError,
  type CancellationToken,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type DidChangeNotebookDocumentParams,
  type DidCloseNotebookDocumentParams,
  type DidOpenNotebookDocumentParams,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
  type Hover,
  type HoverParams,
  type NotebookCell,
  type NotebookDocumentSyncOptions,
  type TextDocumentItem,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver';
import { isBudgetStop } from '../engine/guard';
import type { CellsAnalysisResult } from '../engine/engine';
import { editorBudgetMs, HELD, heldProblems, Holds, type DocumentAnalysis, type Analyzer } from './analysis';
import type { ClientFeatures } from './capabilities';
import { codeActions, safeFixEdits } from './code-actions';
import { findingToDiagnostic, problemToDiagnostic } from './diagnostics';
import { uriToPath, type DocumentStore, type LspDocument } from './documents';
import { CoalescingQueue } from './coalescing-queue';
import { hover } from './hover';
import type { Logger } from './logger';
import type { Projects } from './projects';
import type { SettingsCache } from './settings';

/** The notebook "fix all" kind (VS Code asks for `notebook.source.fixAll…` kinds on the first cell). */
export const NOTEBOOK_FIX_ALL_KIND = 'notebook.source.fixAll.atlasLens';

/**
 * The `notebookDocumentSync` server capability: Jupyter notebooks, their Python and Markdown
 * cells. Markdown cells are never analysed, but VS Code asks for notebook code actions on the
 * notebook's first cell, which is usually Markdown: it must be a cell the server knows.
 */
export const NOTEBOOK_SYNC: NotebookDocumentSyncOptions = {
  notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }, { language: 'markdown' }] }],
  save: true,
};

const PYTHON_CELL_LANGUAGES = new Set(['python']);

interface OpenNotebook {
  uri: string;
  version: number;
  /** Bumped on every change (cell text or structure); analyses are cached per revision. */
  revision: number;
  /** Cells in notebook order (markup cells included; only code cells are analysed). */
  cells: NotebookCell[];
  /** The path the engine sees (the .ipynb, or a made-up one for an untitled notebook). */
  analysisPath: string;
  fsPath: string | undefined;
}

interface NotebookAnalysis {
  revision: number;
  generation: number;
  /** Per code cell URI (cells without findings included). */
  cells: Map<string, DocumentAnalysis>;
  /** The code cells analysed, in order. */
  order: string[];
}

type Features = ClientFeatures;

export class Notebooks {
  private readonly notebooks = new Map<string, OpenNotebook>();
  /** Cell URI → notebook URI. */
  private readonly owner = new Map<string, string>();
  private readonly cache = new Map<string, NotebookAnalysis>();
  /** Notebooks whose last analysis the time budget stopped, held until saved as documents are (analysis.ts): that analysis, by revision. */
  private readonly held = new Holds<{ revision: number; generation: number; result: Pick<CellsAnalysisResult, 'findings' | 'problems'> }>();
  /** Pull mode: the resultId last answered per cell, to tell whether a refresh is needed. */
  private readonly pulled = new Map<string, string>();
  private readonly publishQueue = new CoalescingQueue((uri) => void this.publish(uri));

  constructor(
    private readonly connection: Connection,
    /** The cells' text documents (a store of their own: never analysed as standalone files). */
    private readonly cells: DocumentStore,
    private readonly analyzer: Pick<Analyzer, 'generation'>,
    private readonly projects: Projects,
    private readonly settings: SettingsCache,
    private readonly features: Features,
    private readonly log: Logger,
  ) {}

  /** Whether `uri` is a cell of an open notebook (requests for it are answered here). */
  ownsCell(uri: string): boolean {
    return this.owner.has(uri);
  }

  isNotebook(uri: string): boolean {
    return this.notebooks.has(uri);
  }

  /** URIs of the open notebooks (their files' findings live on the cells, not on the .ipynb). */
  openNotebookUris(): Iterable<string> {
    return this.notebooks.keys();
  }

  cell(uri: string): LspDocument | undefined {
    return this.owner.has(uri) ? this.cells.get(uri) : undefined;
  }

  // ------------------------------------------------------------------ sync

  open(params: DidOpenNotebookDocumentParams): void {
    const { uri, version, cells } = params.notebookDocument;
    if (this.notebooks.has(uri)) this.dropNotebook(uri);
    const fsPath = uriToPath(uri);
    const analysisPath = fsPath ?? `/${uri.replace(/^[a-z-]+:\/*/i, '').replace(/[?#].*$/, '')}`;
    const notebook: OpenNotebook = { uri, version, revision: 0, cells: [...cells], analysisPath: analysisPath.endsWith('.ipynb') ? analysisPath : `${analysisPath}.ipynb`, fsPath };
    this.notebooks.set(uri, notebook);
    for (const item of params.cellTextDocuments) this.openCell(notebook, item);
    this.changed(uri);
  }

  change(params: DidChangeNotebookDocumentParams): void {
    const notebook = this.notebooks.get(params.notebookDocument.uri);
    if (!notebook) return this.log.warn(`notebookDocument/didChange for a notebook that is not open: ${params.notebookDocument.uri}`);
    notebook.version = params.notebookDocument.version;
    notebook.revision++;
    const cells = params.change.cells;
    /** Cells the client itself will pull again after this change. */
    const pulledByClient = new Set<string>();
    if (cells?.structure) {
      const { array, didOpen, didClose } = cells.structure;
      notebook.cells.splice(array.start, array.deleteCount, ...(array.cells ?? []));
      for (const closed of didClose ?? []) this.closeCell(closed.uri);
      for (const opened of didOpen ?? []) {
        this.openCell(notebook, opened);
        pulledByClient.add(opened.uri);
      }
    }
    for (const data of cells?.data ?? []) {
      const index = notebook.cells.findIndex((cell) => cell.document === data.document);
      if (index >= 0) notebook.cells[index] = data;
    }
    for (const content of cells?.textContent ?? []) {
      const document = this.cells.get(content.document.uri);
      if (!document) {
        this.log.warn(`notebook cell change for a cell that is not open: ${content.document.uri}`);
        continue;
      }
      document.update(content.changes, content.document.version);
      pulledByClient.add(document.uri);
    }
    this.changed(notebook.uri, pulledByClient);
  }

  /** The notebook was saved: one held for its analysis time is analysed again. */
  saved(notebookUri: string): void {
    if (!this.held.saved(notebookUri)) return;
    this.cache.delete(notebookUri);
    this.changed(notebookUri);
  }

  close(params: DidCloseNotebookDocumentParams): void {
    const uri = params.notebookDocument.uri;
    const cellUris = this.dropNotebook(uri);
    for (const cell of params.cellTextDocuments) if (!cellUris.includes(cell.uri)) this.closeCell(cell.uri);
    this.settings.delete(uri);
  }

  private openCell(notebook: OpenNotebook, item: TextDocumentItem): void {
    this.cells.open(item.uri, item.languageId, item.version, item.text);
    this.owner.set(item.uri, notebook.uri);
  }

  private closeCell(uri: string): void {
    this.cells.close(uri);
    this.owner.delete(uri);
    this.pulled.delete(uri);
    if (!this.features.pullDiagnostics) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** Forgets a notebook and its cells; returns the cell URIs. */
  private dropNotebook(uri: string): string[] {
    const cellUris = [...this.owner].filter(([, owner]) => owner === uri).map(([cell]) => cell);
    for (const cell of cellUris) this.closeCell(cell);
    this.notebooks.delete(uri);
    this.cache.delete(uri);
    this.held.forget(uri);
    this.publishQueue.delete(uri);
    return cellUris;
  }

  // ------------------------------------------------------------------ analysis

  private codeCells(notebook: OpenNotebook): LspDocument[] {
    return notebook.cells
      .filter((cell) => cell.kind === NotebookCellKind.Code)
      .map((cell) => this.cells.get(cell.document))
      .filter((document): document is LspDocument => document !== undefined && PYTHON_CELL_LANGUAGES.has(document.languageId));
  }

  /** The analysis of the notebook's current revision; undefined when it is not open (any more). */
  async analyze(notebookUri: string): Promise<NotebookAnalysis | undefined> {
    const current = (): NotebookAnalysis | undefined => {
      const cached = this.cache.get(notebookUri);
      const notebook = this.notebooks.get(notebookUri);
      return cached && notebook && cached.revision === notebook.revision && cached.generation === this.analyzer.generation ? cached : undefined;
    };
    const hit = current();
    if (hit) return hit;
    let notebook = this.notebooks.get(notebookUri);
    if (!notebook) return undefined;
    const settings = await this.settings.get(notebookUri);
    const context = await this.projects.contextFor(notebook.analysisPath, notebook.fsPath, settings);
    // The awaits may have let edits, a close or a settings change in; analyse what is current now.
    notebook = this.notebooks.get(notebookUri);
    if (!notebook) return undefined;
    const again = current();
    if (again) return again;
    const generation = this.analyzer.generation;
    const documents = this.codeCells(notebook);
    const held = this.held.get(notebookUri, generation);
    const skipped = !settings.enable ? 'atlasLens.enable is false' : context.excludedBy ? `excluded by ${context.excludedBy}` : held ? HELD : undefined;
    const started = performance.now();
    // After an edit (an analysis of an earlier revision with the same configuration): the edit budget.
    const previous = this.cache.get(notebookUri);
    const afterEdit = previous !== undefined && previous.generation === generation && previous.revision !== notebook.revision;
    const timeBudgetMs = editorBudgetMs(context.analysis.timeBudgetMs, afterEdit);
    let result: Pick<CellsAnalysisResult, 'findings' | 'problems'> | undefined;
    // Held: its findings stand for their own revision only.
    if (held && skipped === HELD) result = held.revision === notebook.revision ? held.result : { findings: [], problems: held.result.problems };
    else if (skipped) result = undefined;
    else {
      // Info problems are not shown (below), so the engine need not locate the first syntax error, nor reparse the whole text for it.
      result = context.engine.analyzeCells(notebook.analysisPath, documents.map((document) => document.text), { ...context.analysis, timeBudgetMs, syntaxErrorProblems: false });
      const afterSave = this.held.ranAfterSave(notebookUri);
      if (result.problems.some(isBudgetStop)) {
        result = { ...result, problems: heldProblems(result.problems, afterSave) };
        this.held.hold(notebookUri, { revision: notebook.revision, generation, result }, afterSave);
      }
    }
    const ms = performance.now() - started;
    const cells = new Map<string, DocumentAnalysis>();
    documents.forEach((document, index) => {
      cells.set(document.uri, {
        uri: document.uri,
        version: document.version,
        generation,
        engine: context.engine,
        catalog: context.catalog,
        settings,
        findings: result?.findings.filter((finding) => finding.cell.index === index) ?? [],
        // Problems without a line (none today) go to the first cell; info (syntax errors) is left to the language's tools.
        problems: result?.problems.filter((problem) => problem.severity !== 'info' && (problem.cell ?? 0) === index) ?? [],
        ms,
        ...(skipped ? { skipped } : { parse: 'notebook' }),
      });
    });
    if (skipped) this.log.debug(`${notebookUri}: not analysed (${skipped})`);
    else this.log.debug(`${notebookUri} r${notebook.revision}: ${result?.findings.length ?? 0} finding(s) in ${documents.length} cell(s) in ${ms.toFixed(1)} ms`);
    const analysis: NotebookAnalysis = { revision: notebook.revision, generation, cells, order: documents.map((document) => document.uri) };
    this.cache.set(notebookUri, analysis);
    return analysis;
  }

  /** The analysis of one cell (the notebook's, restricted to the cell); undefined for a cell not analysed. */
  async analyzeCell(cellUri: string): Promise<DocumentAnalysis | undefined> {
    const notebookUri = this.owner.get(cellUri);
    return notebookUri ? (await this.analyze(notebookUri))?.cells.get(cellUri) : undefined;
  }

  // ------------------------------------------------------------------ diagnostics

  private toDiagnostics(analysis: DocumentAnalysis): Diagnostic[] {
    const text = this.cells.get(analysis.uri)?.text;
    return [
      ...analysis.problems.map((problem) => problemToDiagnostic(problem, text)),
      ...analysis.findings.map((finding) => findingToDiagnostic(finding, analysis.catalog, this.features)),
    ];
  }

  /** Same diagnostics, same id: a cell's report is "unchanged" across edits of other cells that do not affect it. */
  private resultId(analysis: DocumentAnalysis, items: Diagnostic[]): string {
    return `nb:${analysis.generation}:${createHash('sha1').update(JSON.stringify(items)).digest('hex').slice(0, 16)}`;
  }

  async pull(params: DocumentDiagnosticParams, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const uri = params.textDocument.uri;
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const analysis = await this.analyzeCell(uri);
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (!analysis) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const items = this.toDiagnostics(analysis);
    const resultId = this.resultId(analysis, items);
    this.pulled.set(uri, resultId);
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items };
  }

  /** A notebook was opened or changed: push every cell, or (pull) ask for a refresh when a cell the client will not pull changed. */
  private changed(notebookUri: string, pulledByClient: ReadonlySet<string> = new Set()): void {
    if (this.features.pullDiagnostics) {
      void this.refreshIfOthersChanged(notebookUri, pulledByClient);
      return;
    }
    this.publishQueue.add(notebookUri);
  }

  private async refreshIfOthersChanged(notebookUri: string, pulledByClient: ReadonlySet<string>): Promise<void> {
    if (!this.features.diagnosticRefresh) return;
    try {
      const analysis = await this.analyze(notebookUri);
      if (!analysis) return;
      for (const [uri, cell] of analysis.cells) {
        const last = this.pulled.get(uri);
        if (last === undefined || pulledByClient.has(uri)) continue;
        if (last !== this.resultId(cell, this.toDiagnostics(cell))) {
          this.log.debug(`${notebookUri}: findings of another cell changed; asking the client to pull again`);
          await this.connection.languages.diagnostics.refresh();
          return;
        }
      }
    } catch (error) {
      this.log.error(`analysing ${notebookUri} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  private async publish(notebookUri: string): Promise<void> {
    try {
      const analysis = await this.analyze(notebookUri);
      const notebook = this.notebooks.get(notebookUri);
      // Never publish for an older revision: a newer one is already scheduled.
      if (!analysis || !notebook || analysis.revision !== notebook.revision) return;
      for (const cell of analysis.cells.values()) {
        await this.connection.sendDiagnostics({ uri: cell.uri, version: this.features.publishVersion ? cell.version : undefined, diagnostics: this.toDiagnostics(cell) });
      }
    } catch (error) {
      this.log.error(`analysing ${notebookUri} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  /** Settings or inputs changed (push mode: publish every notebook again; pull mode is refreshed by the DiagnosticsService). */
  refreshAll(): void {
    if (this.features.pullDiagnostics) return;
    for (const uri of this.notebooks.keys()) this.changed(uri);
  }

  // ------------------------------------------------------------------ hover and code actions

  async hover(params: HoverParams, markdown: boolean): Promise<Hover | null> {
    const document = this.cell(params.textDocument.uri);
    if (!document) return null;
    const analysis = await this.analyzeCell(document.uri);
    return hover(document, params.position, analysis, analysis?.catalog ?? this.projects.defaultCatalog(analysis?.settings), markdown);
  }

  async codeActions(params: CodeActionParams, features: Features): Promise<CodeAction[]> {
    const uri = params.textDocument.uri;
    const document = this.cell(uri);
    const notebookUri = this.owner.get(uri);
    if (!document || !notebookUri) return [];
    const analysis = await this.analyze(notebookUri);
    if (!analysis) return [];
    const cell = analysis.cells.get(uri);
    const first = this.cells.get(analysis.order[0]!);
    // A cell that is not analysed (Markdown) has no actions of its own, only the notebook's.
    const actions = cell ? codeActions(params, document, cell, features, first ? { document: first, noun: 'notebook' } : undefined) : [];
    const only = params.context.only;
    if (only?.some((kind) => NOTEBOOK_FIX_ALL_KIND === kind || NOTEBOOK_FIX_ALL_KIND.startsWith(`${kind}.`))) {
      const fixAll = this.fixAllAction(analysis, features);
      if (fixAll) actions.push(fixAll);
    }
    return actions;
  }

  /** Every safe fix of every cell, as one action of kind `notebook.source.fixAll.atlasLens`. */
  private fixAllAction(analysis: NotebookAnalysis, features: Pick<Features, 'documentChanges'>): CodeAction | undefined {
    const perCell: Array<{ document: LspDocument; edits: TextEdit[] }> = [];
    for (const uri of analysis.order) {
      const document = this.cells.get(uri);
      const cell = analysis.cells.get(uri);
      if (!document || !cell) continue;
      const edits = safeFixEdits(document, cell.findings);
      if (edits.length > 0) perCell.push({ document, edits });
    }
    if (perCell.length === 0) return undefined;
    const edit: WorkspaceEdit = features.documentChanges
      ? { documentChanges: perCell.map(({ document, edits }) => ({ textDocument: { uri: document.uri, version: document.version }, edits })) }
      : { changes: Object.fromEntries(perCell.map(({ document, edits }) => [document.uri, edits])) };
    return { title: 'Fix all safe ATLAS Lens problems in the notebook', kind: NOTEBOOK_FIX_ALL_KIND, edit };
  }

  /** `atlasLens.server.applyFixAll` for a notebook URI: the notebook-wide fix all (undefined: nothing to fix, or not current). */
  async fixAllEdit(notebookUri: string, version: number | undefined, features: Features): Promise<CodeAction | undefined> {
    const notebook = this.notebooks.get(notebookUri);
    if (!notebook || (version !== undefined && version !== notebook.version)) return undefined;
    const analysis = await this.analyze(notebookUri);
    if (!analysis || analysis.revision !== this.notebooks.get(notebookUri)?.revision) return undefined;
    return this.fixAllAction(analysis, features);
  }
}

