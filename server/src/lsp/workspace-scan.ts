/**
 * The workspace review: "Scan Workspace", the snapshot of findings it leaves, and keeping that
 * snapshot current (watched files, closed documents, settings).
 *
 * Decisions:
 * - Files are found by the engine's discovery (engine/workspace/discover.ts: .gitignore, the
 *   `.atlas-lens.yaml` include/exclude, skipped tool directories, size limits) with
 *   `atlasLens.exclude` as extra excludes relative to the folder; each file then goes through the
 *   same project context as an open document (nearest config, its excludes, its rules). The
 *   settings of the workspace folder apply to every file in it (one configuration request per
 *   folder, not per file).
 * - The snapshot keeps, per scanned file, its findings, their fingerprints and a revision — never
 *   text or parse trees. Open documents keep their live analysis: their on-disk results are not
 *   published, not reported by `workspace/diagnostic`, and replaced by the live findings in
 *   `atlasLens/workspaceFindings`. A document that is closed is analysed again from disk.
 * - Scans yield to the event loop after every file, so edits, hovers and `$/cancelRequest` are
 *   handled during a scan. A new scan cancels the running one; a settings change during a scan lets
 *   it finish and scans again after.
 * - Watched files: the server registers watchers for source and model files at startup (one
 *   registration, cheap for the client), but only acts on source changes once a workspace scan
 *   has happened (before that there is no snapshot to keep current). A changed model file always
 *   re-analyses the open documents, whose load calls may show its verdict; the verdict cache is
 *   dropped (its path+mtime+size key can miss a rewrite within the same mtime tick).
 * - Settings, config, rule or ATLAS data changes re-run the scan when one has happened.
 * - Baseline (`atlasLens.baseline`, a SARIF file relative to the workspace folder): findings get
 *   `newSinceBaseline`; with `atlasLens.onlyNewSinceBaseline` the others are left out of
 *   diagnostics, the findings list and the matrix. The baseline is honoured in an untrusted
 *   workspace too: it is only data (JSON read, fingerprints compared, nothing executed), and
 *   hiding findings with it gives a workspace no power it lacks already (suppression comments and
 *   `rules: off` in `.atlas-lens.yaml` are honoured there as well).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CancellationTokenSource,
  DocumentDiagnosticReportKind,
  FileChangeType,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type FileEvent,
  type WorkspaceDiagnosticParams,
  type WorkspaceDiagnosticReport,
  type WorkDoneProgressReporter,
  type WorkspaceDocumentDiagnosticReport,
} from 'vscode-languageserver';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import { createArtifactScanner, type ArtifactScanner } from '../engine/artifacts/scan-artifacts';
import { ARTIFACT_EXTENSIONS, isArtifactPath } from '../engine/artifacts/inspect';
import { clearArtifactVerdicts } from '../engine/artifacts/verdicts';
import type { Engine } from '../engine/engine';
import { readBaseline, type Baseline } from '../engine/report/baseline';
import { fingerprintFindings } from '../engine/report/fingerprint';
import { buildMatrix } from '../engine/report/matrix';
import type { Finding, InputProblem } from '../engine/types';
import { discoverFiles } from '../engine/workspace/discover';
import type { Analyzer, DocumentAnalysis } from './analysis';
import type { ClientFeatures } from './capabilities';
import { findingToDiagnostic, problemToDiagnostic, type DiagnosticsService } from './diagnostics';
import { uriToPath, type DocumentStore } from './documents';
import type { Logger } from './logger';
import type { Projects } from './projects';
import { FindingsChangedNotification, type ScanWorkspaceParams, type ScanWorkspaceResult, type WorkspaceFinding, type WorkspaceFindingsResult } from './protocol';
import type { AtlasLensSettings, SettingsCache } from './settings';
import { isInside } from '../engine/paths';

/** Glob patterns of the files a workspace scan reads (besides `**\/*.{yaml,yml}`, already watched for configs). */
export const WATCHED_SCAN_GLOBS: readonly string[] = [
  '**/*.{py,pyw,pyi,ipynb,ts,tsx,mts,cts,js,jsx,mjs,cjs,toml,dockerfile,dvc}',
  '**/{requirements,constraints}*.{txt,in}',
  '**/{Dockerfile,Dockerfile.*,dockerfile,Containerfile,MLproject,dvc.lock}',
  `**/*.{${[...ARTIFACT_EXTENSIONS].map((extension) => extension.slice(1)).join(',')}}`,
  '**/*.sarif',
];

/** How long snapshot changes are gathered before `atlasLens/findingsChanged` is sent. */
export const FINDINGS_CHANGED_DEBOUNCE_MS = 200;

interface ScannedFile {
  uri: string;
  file: string;
  folder: string;
  findings: Finding[];
  /** `key:fingerprint` of each finding, same order (compared with the baseline). */
  fingerprints: string[];
  problems: InputProblem[];
  engine: Engine;
  catalog: AtlasCatalog;
  settings: AtlasLensSettings;
  /** Bumped on every change of this entry: the `workspace/diagnostic` resultId. */
  revision: number;
}

interface FolderContext {
  folder: string;
  settings: AtlasLensSettings;
  /** Per project config (by its file; '' for none): the artifact scanner. */
  artifacts: Map<string, ArtifactScanner>;
}

export interface WorkspaceReviewDeps {
  connection: Connection;
  documents: DocumentStore;
  analyzer: Analyzer;
  projects: Projects;
  settings: SettingsCache;
  features: ClientFeatures;
  diagnostics: DiagnosticsService;
  log: Logger;
  /** The catalog of the matrix (the global atlasDataPath, else the bundled one). */
  catalog: () => Promise<AtlasCatalog>;
  /** URIs of notebooks open in a notebook editor: their findings are shown on the cells, so the .ipynb gets none. */
  openNotebooks?: () => Iterable<string>;
}

const yieldToEventLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));


export class WorkspaceReview {
  private readonly entries = new Map<string, ScannedFile>();
  /** Files whose entry was removed (deleted, now excluded): reported once more as empty. */
  private readonly cleared = new Map<string, number>();
  /** URIs whose pushed diagnostics are not empty. */
  private readonly pushed = new Set<string>();
  private revisions = 0;
  private running: { source: CancellationTokenSource; done: Promise<ScanWorkspaceResult> } | undefined;
  /** Settings or project inputs changed during a scan: scan again once it ends. */
  private rescanWhenDone = false;
  private lastScan: { files: number; finishedAt: string } | undefined;
  /** A scan has been started: from then on the snapshot is kept current. */
  private scanned = false;
  private changedTimer: NodeJS.Timeout | undefined;
  private refreshPending = false;
  private readonly baselines = new Map<string, { stamp: string; baseline?: Baseline; problem?: InputProblem }>();
  private readonly baselineProblemFiles = new Set<string>();
  private readonly ruleTitles = new WeakMap<Engine, Map<string, string>>();

  constructor(private readonly deps: WorkspaceReviewDeps) {}

  get hasScanned(): boolean {
    return this.scanned;
  }

  /** A scan is running (its workers use the cores). */
  get scanning(): boolean {
    return this.running !== undefined;
  }

  // ------------------------------------------------------------------ scan

  /** Scans every workspace folder; a running scan is cancelled first. */
  async scan(params: ScanWorkspaceParams | undefined, token?: CancellationToken): Promise<ScanWorkspaceResult> {
    if (this.running) {
      this.running.source.cancel();
      await this.running.done.catch(() => undefined);
    }
    const source = new CancellationTokenSource();
    token?.onCancellationRequested(() => source.cancel());
    // A token that is not a string or number is ignored (bad input must not reach $/progress).
    const requested = (params as { workDoneToken?: unknown } | null | undefined)?.workDoneToken;
    const done = this.run(typeof requested === 'string' || typeof requested === 'number' ? requested : undefined, source);
    this.running = { source, done };
    try {
      return await done;
    } finally {
      if (this.running?.done === done) {
        this.running = undefined;
        if (this.rescanWhenDone) {
          this.rescanWhenDone = false;
          void this.scan(undefined).catch((error: unknown) => this.deps.log.error(`workspace rescan failed: ${(error as Error).stack ?? String(error)}`));
        }
      }
      source.dispose();
    }
  }

  private async run(workDoneToken: string | number | undefined, source: CancellationTokenSource): Promise<ScanWorkspaceResult> {
    const { connection, log } = this.deps;
    const started = performance.now();
    this.scanned = true;
    let progress: WorkDoneProgressReporter;
    if (workDoneToken !== undefined) {
      progress = connection.window.attachWorkDoneProgress(workDoneToken);
    } else {
      try {
        const created = await connection.window.createWorkDoneProgress();
        created.token.onCancellationRequested(() => source.cancel());
        progress = created;
      } catch (error) {
        // The client refused the token: scan without progress.
        log.warn(`window/workDoneProgress/create failed: ${(error as Error).message}`);
        progress = connection.window.attachWorkDoneProgress(undefined);
      }
    }
    progress.begin('ATLAS Lens: scanning the workspace', 0, 'finding files…', true);
    try {
      return await this.scanFolders(progress, source.token, started);
    } finally {
      progress.done();
    }
  }

  private async scanFolders(progress: WorkDoneProgressReporter, token: CancellationToken, started: number): Promise<ScanWorkspaceResult> {
    const { projects, log } = this.deps;
    const cancelled = (): boolean => token.isCancellationRequested;

    // Discovery first (per folder), so the total is known.
    const work: Array<{ context: FolderContext; files: string[] }> = [];
    let skipped = 0;
    for (const folder of projects.workspaceFolders) {
      const settings = await this.deps.settings.get(pathToFileURL(folder).href);
      if (!settings.enable) continue;
      const context: FolderContext = { folder, settings, artifacts: new Map() };
      const discovered = await this.discover(context);
      for (const entry of discovered.skipped) {
        // Files that would have been scanned: too large, unreadable, broken links (not duplicate directories).
        const counts = /^(larger than|cannot read|broken symbolic link)/.test(entry.reason);
        if (counts) {
          skipped++;
          log.info(`scan: skipped ${entry.file}: ${entry.reason}`);
        } else {
          log.debug(`scan: skipped ${entry.file}: ${entry.reason}`);
        }
      }
      // A file of a nested workspace folder belongs to the innermost one (as for watched files).
      work.push({ context, files: discovered.files.filter((file) => this.folderOf(file) === folder) });
      if (cancelled()) break;
    }
    const total = work.reduce((sum, folder) => sum + folder.files.length, 0);
    let done = 0;
    let analysed = 0;
    let findings = 0;
    let lastPercent = -1;
    const seen = new Set<string>();
    for (const { context, files } of work) {
      for (const file of files) {
        if (cancelled()) break;
        seen.add(file);
        try {
          // An open document is analysed from the editor's text already, and read from disk again
          // when it is closed (documentClosed): analysing its file here too would only hold up the
          // keystrokes in it (400 ms for a 5,000-line file on startup). Its live findings count.
          const live = this.openPaths().has(file) ? await this.deps.analyzer.analyze(pathToFileURL(file).href) : undefined;
          const entry = live ? (live.skipped ? undefined : { findings: live.findings }) : await this.analyseFile(file, context);
          if (entry === 'unreadable') skipped++;
          else if (entry) {
            analysed++;
            findings += entry.findings.length;
          }
        } catch (error) {
          log.error(`scan: ${file}: ${(error as Error).stack ?? String(error)}`);
          skipped++;
        }
        done++;
        const percent = Math.floor((done / total) * 100);
        if (percent !== lastPercent) {
          lastPercent = percent;
          progress.report(percent, `${done}/${total} files`);
        }
        await yieldToEventLoop();
      }
    }
    const wasCancelled = cancelled();
    if (!wasCancelled) {
      // Files of the scanned folders that are gone or now out of scope.
      for (const entry of [...this.entries.values()]) {
        if (!seen.has(entry.file) && work.some(({ context }) => context.folder === entry.folder)) this.remove(entry.uri);
      }
      this.lastScan = { files: analysed, finishedAt: new Date().toISOString() };
    }
    this.snapshotChanged(true);
    const durationMs = Math.round(performance.now() - started);
    log.info(`workspace scan${wasCancelled ? ' cancelled' : ''}: ${analysed} file(s), ${findings} finding(s), ${skipped} skipped, in ${durationMs} ms`);
    return { files: analysed, findings, skipped, cancelled: wasCancelled, durationMs };
  }

  private async discover(context: FolderContext, prune?: (entry: string, isDirectory: boolean) => boolean) {
    const { projects } = this.deps;
    // The folder's own project context: the config found from the folder, its engine.
    const probe = path.join(context.folder, '.atlas-lens-scan');
    const folderContext = await projects.contextFor(probe, probe, context.settings);
    const artifacts = this.artifactScanner(context, folderContext.engine, folderContext.config);
    return discoverFiles([context.folder], {
      config: folderContext.config?.config,
      configDir: folderContext.config?.configDir,
      extraExclude: context.settings.exclude,
      isSupported: (file) => folderContext.engine.supports(file) || artifacts.isArtifact(file),
      maxBytesFor: (file) => (artifacts.isArtifact(file) ? artifacts.maxBytes : undefined),
      prune,
    });
  }

  private artifactScanner(context: FolderContext, engine: Engine, config: Awaited<ReturnType<Projects['contextFor']>>['config']): ArtifactScanner {
    const key = config?.file ?? '';
    let scanner = context.artifacts.get(key);
    if (!scanner) {
      const settings = { rules: { ...(config?.config.rules ?? {}), ...context.settings.rules } as Record<string, string>, minimumSeverity: context.settings.minimumSeverity ?? config?.config.minimumSeverity };
      scanner = createArtifactScanner(engine.rules, config?.config, config?.file, settings);
      context.artifacts.set(key, scanner);
    }
    return scanner;
  }

  /**
   * Analyses one file from disk into the snapshot and publishes its diagnostics (unless it is
   * open). Undefined: not analysed (excluded, unsupported); 'unreadable': could not be read.
   */
  private async analyseFile(file: string, context: FolderContext): Promise<ScannedFile | 'unreadable' | undefined> {
    const { projects, log } = this.deps;
    const uri = pathToFileURL(file).href;
    const project = await projects.contextFor(file, file, context.settings);
    if (project.excludedBy) {
      this.remove(uri);
      return undefined;
    }
    let findings: Finding[];
    let problems: InputProblem[] = [];
    let text: string | undefined;
    const artifacts = this.artifactScanner(context, project.engine, project.config);
    if (artifacts.isArtifact(file)) {
      try {
        findings = artifacts.scan(file).findings;
      } catch (error) {
        log.warn(`scan: cannot inspect model file ${file}: ${(error as Error).message}`);
        return 'unreadable';
      }
    } else if (project.engine.supports(file)) {
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        log.warn(`scan: cannot read ${file}: ${(error as Error).message}`);
        return 'unreadable';
      }
      const result = project.engine.analyze(file, text, project.analysis);
      findings = result.findings;
      problems = result.problems.filter((problem) => problem.severity !== 'info');
    } else {
      return undefined;
    }
    const fingerprinted = fingerprintFindings(findings, context.folder, () => (isArtifactPath(file) ? undefined : text));
    const entry: ScannedFile = {
      uri,
      file,
      folder: context.folder,
      findings: fingerprinted.map((item) => item.finding),
      fingerprints: fingerprinted.map((item) => `${item.key}:${item.fingerprint}`),
      problems,
      engine: project.engine,
      catalog: project.catalog,
      settings: context.settings,
      revision: ++this.revisions,
    };
    this.entries.set(uri, entry);
    this.cleared.delete(uri);
    if (!this.openPaths().has(file)) await this.push(entry);
    this.snapshotChanged(false);
    return entry;
  }

  private remove(uri: string): void {
    if (!this.entries.delete(uri)) return;
    this.cleared.set(uri, ++this.revisions);
    if (this.pushed.has(uri) && !this.deps.features.pullDiagnostics && !this.isOpenUri(uri)) {
      this.pushed.delete(uri);
      void this.deps.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
    this.snapshotChanged(false);
  }

  // ------------------------------------------------------------------ diagnostics of files that are not open

  /**
   * Files whose diagnostics come from the editor, not from the scan. An open notebook counts (its
   * cells carry its findings) except for the findings list (`withNotebooks` false), which keeps the
   * notebook's scanned findings because the live ones are on cell URIs.
   */
  private openPaths(withNotebooks = true): Set<string> {
    const paths = new Set<string>();
    for (const document of this.deps.documents.all()) if (document.fsPath) paths.add(document.fsPath);
    if (withNotebooks) {
      for (const uri of this.deps.openNotebooks?.() ?? []) {
        const file = uriToPath(uri);
        if (file) paths.add(file);
      }
    }
    return paths;
  }

  /** A notebook opened in a notebook editor: withdraw the scan's diagnostics of its .ipynb (the cells show them). */
  notebookOpened(uri: string): void {
    if (!this.pushed.delete(uri) || this.deps.features.pullDiagnostics) return;
    void this.deps.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  private isOpenUri(uri: string): boolean {
    const file = uriToPath(uri);
    return file !== undefined && this.openPaths().has(file);
  }

  private entryDiagnostics(entry: ScannedFile): Diagnostic[] {
    const keep = this.keepFilter(entry);
    return [
      ...entry.problems.map((problem) => problemToDiagnostic(problem, undefined)),
      ...entry.findings.filter((_, i) => keep(i)).map((finding) => findingToDiagnostic(finding, entry.catalog, this.deps.features)),
    ];
  }

  private async push(entry: ScannedFile): Promise<void> {
    if (this.deps.features.pullDiagnostics) return;
    const diagnostics = this.entryDiagnostics(entry);
    if (diagnostics.length === 0 && !this.pushed.has(entry.uri)) return;
    if (diagnostics.length > 0) this.pushed.add(entry.uri);
    else this.pushed.delete(entry.uri);
    await this.deps.connection.sendDiagnostics({ uri: entry.uri, diagnostics });
  }

  /** `workspace/diagnostic`: every scanned file that is not open, `unchanged` where the client is up to date. */
  async workspaceDiagnostics(params: WorkspaceDiagnosticParams): Promise<WorkspaceDiagnosticReport> {
    const previous = new Map(params.previousResultIds.map((item) => [item.uri, item.value]));
    const open = this.openPaths();
    const generation = `${this.deps.analyzer.generation}`;
    const items: WorkspaceDocumentDiagnosticReport[] = [];
    for (const entry of this.entries.values()) {
      if (open.has(entry.file)) continue;
      this.baselineOf(entry.folder, entry.settings); // refreshes the stamp when the file changed
      const resultId = `ws:${entry.revision}:${generation}:${this.baselineStamp(entry.folder, entry.settings)}`;
      if (previous.get(entry.uri) === resultId) items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri: entry.uri, version: null, resultId });
      else items.push({ kind: DocumentDiagnosticReportKind.Full, uri: entry.uri, version: null, resultId, items: this.entryDiagnostics(entry) });
    }
    for (const [uri, revision] of this.cleared) {
      if (open.has(uriToPath(uri) ?? '')) continue;
      const resultId = `ws:${revision}:cleared`;
      if (previous.get(uri) === resultId) items.push({ kind: DocumentDiagnosticReportKind.Unchanged, uri, version: null, resultId });
      else items.push({ kind: DocumentDiagnosticReportKind.Full, uri, version: null, resultId, items: [] });
    }
    return { items };
  }

  // ------------------------------------------------------------------ baseline

  private baselineStamp(folder: string, settings: AtlasLensSettings): string {
    if (!settings.baseline) return 'none';
    return `${settings.onlyNewSinceBaseline ? 'only' : 'all'}:${this.baselines.get(path.resolve(folder, settings.baseline))?.stamp ?? ''}`;
  }

  /** The folder's baseline, re-read when the file changed (by mtime and size); undefined: none or unusable. */
  baselineOf(folder: string | undefined, settings: AtlasLensSettings): Baseline | undefined {
    if (!settings.baseline || !folder) return undefined;
    const file = path.resolve(folder, settings.baseline);
    const stat = fs.statSync(file, { throwIfNoEntry: false });
    const stamp = stat ? `${stat.mtimeMs}:${stat.size}` : 'missing';
    let cached = this.baselines.get(file);
    if (!cached || cached.stamp !== stamp) {
      const load = readBaseline(file);
      cached = { stamp, baseline: load.baseline, problem: load.problem };
      this.baselines.set(file, cached);
      if (load.problem) this.deps.log.warn(`atlasLens.baseline: ${file}: ${load.problem.message}`);
      else this.deps.log.info(`baseline ${file}: ${load.baseline.results} result(s)`);
      this.publishBaselineProblem(file, load.problem);
    }
    return cached.baseline;
  }

  private publishBaselineProblem(file: string, problem: InputProblem | undefined): void {
    const uri = pathToFileURL(file).href;
    if (problem && fs.existsSync(file)) {
      this.baselineProblemFiles.add(file);
      let text: string | undefined;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch {
        text = undefined;
      }
      void this.deps.connection.sendDiagnostics({ uri, diagnostics: [problemToDiagnostic(problem, text)] });
    } else if (this.baselineProblemFiles.delete(file)) {
      void this.deps.connection.sendDiagnostics({ uri, diagnostics: [] });
    }
  }

  /** Which of the entry's findings are shown (by index): all, unless onlyNewSinceBaseline hides known ones. */
  private keepFilter(entry: ScannedFile): (index: number) => boolean {
    const baseline = entry.settings.onlyNewSinceBaseline ? this.baselineOf(entry.folder, entry.settings) : undefined;
    if (!baseline) return () => true;
    return (index) => !baseline.fingerprints.has(entry.fingerprints[index]!);
  }

  /** For the diagnostics of an open document: the findings to show (undefined: all). */
  documentFilter(analysis: DocumentAnalysis): ((finding: Finding) => boolean) | undefined {
    if (!analysis.settings.onlyNewSinceBaseline || !analysis.settings.baseline) return undefined;
    const fresh = this.newInDocument(analysis);
    return fresh ? (finding) => fresh.has(finding) : undefined;
  }

  /** The open document's findings that are not in its folder's baseline; undefined: no baseline. */
  private newInDocument(analysis: DocumentAnalysis): Set<Finding> | undefined {
    const document = this.deps.documents.get(analysis.uri);
    const folder = document?.fsPath ? this.deps.projects.workspaceFolderOf(document.fsPath) : undefined;
    const baseline = this.baselineOf(folder, analysis.settings);
    if (!baseline || !folder || !document) return undefined;
    const fresh = new Set<Finding>();
    for (const item of fingerprintFindings(analysis.findings, folder, () => document.text)) {
      if (!baseline.fingerprints.has(`${item.key}:${item.fingerprint}`)) fresh.add(item.finding);
    }
    return fresh;
  }

  // ------------------------------------------------------------------ the snapshot

  private title(engine: Engine, ruleId: string): string {
    let titles = this.ruleTitles.get(engine);
    if (!titles) {
      titles = new Map(engine.rules.map((rule) => [rule.id, rule.title]));
      this.ruleTitles.set(engine, titles);
    }
    return titles.get(ruleId) ?? ruleId;
  }

  private toWorkspaceFinding(uri: string, finding: Finding, engine: Engine, newSinceBaseline: boolean | undefined): WorkspaceFinding {
    return {
      uri,
      range: finding.range,
      ruleId: finding.ruleId,
      title: this.title(engine, finding.ruleId),
      message: finding.message,
      severity: finding.severity,
      techniques: [...finding.techniques],
      ...(finding.fix ? { fix: { title: finding.fix.title, safe: finding.fix.safe } } : {}),
      ...(newSinceBaseline !== undefined ? { newSinceBaseline } : {}),
    };
  }

  /** `atlasLens/workspaceFindings`: the scanned files' findings, open documents' live ones instead of theirs, and the matrix. */
  async findings(): Promise<WorkspaceFindingsResult> {
    const shown = await this.shownFindings();
    const matrix = buildMatrix(shown.map((item) => item.finding), await this.deps.catalog());
    return { findings: shown.map((item) => item.workspace), matrix, ...(this.lastScan ? { lastScan: { ...this.lastScan } } : {}) };
  }

  /** The findings of the snapshot, sorted, with the engine that reported each (also rendered by `atlasLens/exportReport`, lsp/export.ts). */
  async shownFindings(): Promise<Array<{ workspace: WorkspaceFinding; finding: Finding; engine: Engine }>> {
    const { documents, analyzer } = this.deps;
    const open = this.openPaths(false);
    const shown: Array<{ workspace: WorkspaceFinding; finding: Finding; engine: Engine }> = [];
    for (const entry of this.entries.values()) {
      if (open.has(entry.file)) continue;
      const baseline = this.baselineOf(entry.folder, entry.settings);
      entry.findings.forEach((finding, i) => {
        const isNew = baseline ? !baseline.fingerprints.has(entry.fingerprints[i]!) : undefined;
        if (isNew === false && entry.settings.onlyNewSinceBaseline) return;
        shown.push({ workspace: this.toWorkspaceFinding(entry.uri, finding, entry.engine, isNew), finding, engine: entry.engine });
      });
    }
    for (const document of documents.all()) {
      const analysis = await analyzer.analyze(document.uri);
      if (!analysis || analysis.skipped) continue;
      const fresh = this.newInDocument(analysis);
      for (const finding of analysis.findings) {
        const isNew = fresh ? fresh.has(finding) : undefined;
        if (isNew === false && analysis.settings.onlyNewSinceBaseline) continue;
        shown.push({ workspace: this.toWorkspaceFinding(analysis.uri, finding, analysis.engine, isNew), finding, engine: analysis.engine });
      }
    }
    shown.sort(
      (a, b) =>
        (a.workspace.uri < b.workspace.uri ? -1 : a.workspace.uri > b.workspace.uri ? 1 : 0) ||
        a.workspace.range.start.line - b.workspace.range.start.line ||
        a.workspace.range.start.character - b.workspace.range.start.character ||
        (a.workspace.ruleId < b.workspace.ruleId ? -1 : a.workspace.ruleId > b.workspace.ruleId ? 1 : 0),
    );
    return shown;
  }

  /** The snapshot changed: tell the client soon (debounced); `diskChanged` also asks pull clients to pull again. */
  snapshotChanged(diskChanged: boolean): void {
    if (diskChanged) this.refreshPending = true;
    if (this.changedTimer) return;
    this.changedTimer = setTimeout(() => {
      this.changedTimer = undefined;
      const refresh = this.refreshPending;
      this.refreshPending = false;
      void this.deps.connection.sendNotification(FindingsChangedNotification).catch(() => undefined);
      if (refresh && this.deps.features.pullDiagnostics && this.deps.features.diagnosticRefresh) {
        void this.deps.connection.languages.diagnostics.refresh().catch(() => undefined);
      }
    }, FINDINGS_CHANGED_DEBOUNCE_MS);
  }

  // ------------------------------------------------------------------ keeping it current

  private folderOf(file: string): string | undefined {
    return this.deps.projects.workspaceFolders.filter((folder) => isInside(folder, file)).sort((a, b) => b.length - a.length)[0];
  }

  /** Re-analyses files from disk (those still in scope) or drops them from the snapshot. */
  private async refreshFiles(files: readonly string[]): Promise<void> {
    const byFolder = new Map<string, string[]>();
    for (const file of files) {
      const folder = this.folderOf(file);
      if (!folder) continue;
      const list = byFolder.get(folder) ?? [];
      list.push(file);
      byFolder.set(folder, list);
    }
    for (const [folder, list] of byFolder) {
      const settings = await this.deps.settings.get(pathToFileURL(folder).href);
      const context: FolderContext = { folder, settings, artifacts: new Map() };
      const wanted = new Set(list);
      const ways = new Set<string>();
      for (const file of list) for (let dir = path.dirname(file); isInside(folder, dir); dir = path.dirname(dir)) ways.add(dir);
      const inScope = settings.enable ? new Set((await this.discover(context, (entry, isDirectory) => (isDirectory ? !ways.has(entry) : !wanted.has(entry)))).files) : new Set<string>();
      for (const file of list) {
        if (inScope.has(file)) {
          try {
            await this.analyseFile(file, context);
          } catch (error) {
            this.deps.log.error(`re-analysing ${file} failed: ${(error as Error).stack ?? String(error)}`);
          }
        } else {
          this.remove(pathToFileURL(file).href);
        }
      }
    }
    this.snapshotChanged(true);
  }

  /**
   * Watched files changed (the server passes the ones that are not config / rule / ATLAS inputs).
   * Returns whether open documents need analysing again (a model file or a baseline changed).
   */
  async watchedFilesChanged(changes: readonly FileEvent[]): Promise<boolean> {
    const latest = new Map<string, FileChangeType>();
    for (const change of changes) {
      const file = uriToPath(change.uri);
      if (file) latest.set(file, change.type);
    }
    const artifactChanged = [...latest.keys()].some(isArtifactPath);
    if (artifactChanged) clearArtifactVerdicts();
    const baselineChanged = [...latest.keys()].some((file) => path.extname(file) === '.sarif');
    if (baselineChanged) this.snapshotChanged(true);
    if (!this.scanned) return artifactChanged || baselineChanged;
    const open = this.openPaths();
    const files = [...latest.keys()].filter((file) => !open.has(file) && path.extname(file) !== '.sarif');
    const gone = files.filter((file) => latest.get(file) === FileChangeType.Deleted);
    for (const file of gone) this.remove(pathToFileURL(file).href);
    const present = files.filter((file) => latest.get(file) !== FileChangeType.Deleted);
    if (present.length > 0) await this.refreshFiles(present);
    if (gone.length > 0) this.snapshotChanged(true);
    return artifactChanged || baselineChanged;
  }

  /** A document was closed: its diagnostics now come from disk again. */
  async documentClosed(uri: string): Promise<void> {
    this.snapshotChanged(false);
    const file = uriToPath(uri);
    if (!this.scanned || !file || this.openPaths().has(file)) return;
    await this.refreshFiles([file]);
  }

  /** An open document changed (live findings in the snapshot). */
  documentChanged(): void {
    this.snapshotChanged(false);
  }

  /** Settings or project inputs changed: scan again if a scan has happened. */
  async inputsChanged(): Promise<void> {
    this.baselines.clear();
    this.snapshotChanged(true);
    if (!this.scanned) return;
    // A running scan (the user's Scan Workspace) is not cancelled under them: it finishes, then a
    // second scan brings the snapshot up to date with the new settings.
    if (this.running) {
      this.rescanWhenDone = true;
      return;
    }
    await this.scan(undefined);
  }

  /** `atlasLens.scanOnStartup` of any workspace folder. */
  async scanOnStartup(): Promise<void> {
    for (const folder of this.deps.projects.workspaceFolders) {
      const settings = await this.deps.settings.get(pathToFileURL(folder).href);
      if (settings.enable && settings.scanOnStartup) {
        await this.scan(undefined);
        return;
      }
    }
  }

  dispose(): void {
    this.running?.source.cancel();
    if (this.changedTimer) clearTimeout(this.changedTimer);
  }
}
