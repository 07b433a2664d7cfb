/**
 * Analyses of open documents, one per document version and configuration generation. Every
 * handler (diagnostics, hover, code actions) asks here, so a version is analysed once however
 * many requests need it. The result always describes the document's current version: the
 * awaits (settings, rule loading) come first and the analysis itself is synchronous.
 */
import type { ArtifactReference } from '../engine/artifacts/references';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import type { AnalysisResult, Engine } from '../engine/engine';
import { budgetStopProblem, DEFAULT_TIME_BUDGET_MS, isBudgetStop } from '../engine/guard';
import { sizeProblem } from '../engine/limits';
import type { Finding, InputProblem } from '../engine/types';
import type { DocumentStore, LspDocument } from './documents';
import type { Logger } from './logger';
import type { Projects } from './projects';
import type { AtlasLensSettings, SettingsCache } from './settings';

export interface DocumentAnalysis {
  uri: string;
  version: number;
  generation: number;
  findings: Finding[];
  /** Load calls resolved to model files, with their verdicts (the hover shows them). */
  artifacts?: ArtifactReference[];
  /** Problems with the file itself (binary, parser gave up); syntax errors are left to the language's own tools. */
  problems: InputProblem[];
  engine: Engine;
  catalog: AtlasCatalog;
  settings: AtlasLensSettings;
  /** Why nothing was analysed, if nothing was. */
  skipped?: string;
  /** Time spent in the engine (parse included). */
  ms: number;
  /** How the tree was obtained, for the log. */
  parse?: string;
}

/**
 * In the editor, the analysis after an edit (its parse included) is stopped past this, or past
 * timeBudgetMs if lower; opening or saving a document gets the whole timeBudgetMs. An edit normally
 * takes milliseconds: only a pathological file gets near this, and it would hold the server (hovers,
 * code actions, other files) for that long at every keystroke.
 */
export const EDIT_TIME_BUDGET_MS = 1000;
/** What a held document's (or notebook's) problem adds (see Analyzer.held). */
export const HELD_UNTIL_SAVED = '; edits are not analysed until it is saved';
/** …and once the analysis a save started was stopped too: saves (autosave) would stall the server each time. */
export const HELD_UNTIL_REOPENED = '; stopped again after a save, it is not analysed until it is reopened or the settings change';
/** Why a held document is not analysed (the log's "not analysed (…)"). */
export const HELD = 'held until saved: its analysis went over the time budget';

/** The budget of one analysis in the editor: the file's, and at most EDIT_TIME_BUDGET_MS after an edit. */
export function editorBudgetMs(timeBudgetMs: number | undefined, afterEdit: boolean): number {
  return Math.min(timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS, afterEdit ? EDIT_TIME_BUDGET_MS : Number.POSITIVE_INFINITY);
}

/**
 * The problems of an analysis the budget stopped, its warning now saying what is held: edits
 * until a save, or (`afterSave`: the analysis a save started was stopped too) everything until
 * the document is reopened.
 */
export function heldProblems<P extends InputProblem>(problems: readonly P[], afterSave: boolean): P[] {
  const suffix = afterSave ? HELD_UNTIL_REOPENED : HELD_UNTIL_SAVED;
  return problems.map((problem) => (isBudgetStop(problem) ? { ...problem, message: problem.message + suffix } : problem));
}

/**
 * Which open documents (or notebooks) are held, and which will be analysed again: held after an
 * analysis the time budget stopped; released once by a save; held for good (until forgotten: a
 * reopen, or a new configuration generation) when the analysis that save started is stopped too.
 */
export class Holds<T extends { generation: number }> {
  private readonly held = new Map<string, { analysis: T; final: boolean }>();
  private readonly retrying = new Set<string>();

  /** The held analysis of `uri` for this configuration generation (others are dropped). */
  get(uri: string, generation: number): T | undefined {
    const entry = this.held.get(uri);
    if (entry && entry.analysis.generation !== generation) this.forget(uri);
    return entry && entry.analysis.generation === generation ? entry.analysis : undefined;
  }

  /** An analysis of `uri` is running: true when a save started it (see heldProblems). */
  ranAfterSave(uri: string): boolean {
    return this.retrying.delete(uri);
  }

  /** Holds `uri` with the analysis the budget stopped; for good (`final`) when a save had started it. */
  hold(uri: string, analysis: T, final: boolean): void {
    this.held.set(uri, { analysis, final });
  }

  /** Saved: a held document is analysed again, once (true then). */
  saved(uri: string): boolean {
    const entry = this.held.get(uri);
    if (!entry || entry.final) return false;
    this.held.delete(uri);
    this.retrying.add(uri);
    return true;
  }

  forget(uri: string): void {
    this.held.delete(uri);
    this.retrying.delete(uri);
  }
}

export class Analyzer {
  private readonly cache = new Map<string, DocumentAnalysis>();
  /**
   * Documents whose last analysis the time budget stopped, with that analysis: they are not
   * analysed again at each edit (each would take the whole budget) but when saved, reopened or the
   * configuration changes. Its findings are shown for its own version only (not at stale places).
   */
  private readonly held = new Holds<DocumentAnalysis>();
  /** Generation of settings; bumped on workspace/didChangeConfiguration. */
  settingsGeneration = 0;

  constructor(
    private readonly documents: DocumentStore,
    private readonly projects: Projects,
    private readonly settings: SettingsCache,
    private readonly log: Logger,
  ) {}

  get generation(): number {
    return this.projects.generation * 1_000_000 + this.settingsGeneration;
  }

  cached(uri: string): DocumentAnalysis | undefined {
    const cached = this.cache.get(uri);
    const document = this.documents.get(uri);
    return cached && document && cached.version === document.version && cached.generation === this.generation ? cached : undefined;
  }

  /** The document was saved: one held for its analysis time is analysed again (true then). */
  saved(uri: string): boolean {
    if (!this.held.saved(uri)) return false;
    this.cache.delete(uri);
    return true;
  }

  forget(uri: string): void {
    this.held.forget(uri);
    this.cache.delete(uri);
  }

  /** The analysis of the document's current version; undefined when it is not open (any more). */
  async analyze(uri: string): Promise<DocumentAnalysis | undefined> {
    const hit = this.cached(uri);
    if (hit) return hit;
    let document = this.documents.get(uri);
    if (!document) return undefined;
    const settings = await this.settings.get(uri);
    const context = await this.projects.contextFor(document.analysisPath ?? document.uri, document.fsPath, settings);
    // The awaits may have let edits, a close or a settings change in; analyse what is current now.
    document = this.documents.get(uri);
    if (!document) return undefined;
    const again = this.cached(uri);
    if (again) return again;
    const base = { uri, version: document.version, generation: this.generation, engine: context.engine, catalog: context.catalog, settings };
    const held = this.held.get(uri, this.generation);
    // After an edit (an analysis of an earlier version with the same configuration): the edit budget.
    const previous = this.cache.get(uri);
    const afterEdit = previous !== undefined && previous.generation === this.generation && previous.version !== document.version;
    let analysis: DocumentAnalysis;
    if (held) {
      // Its findings stand for its own version only: after an edit they could be at the wrong places.
      analysis = { ...base, findings: held.version === document.version ? held.findings : [], problems: held.problems, skipped: HELD, ms: 0 };
    } else if (!settings.enable) analysis = { ...base, findings: [], problems: [], skipped: 'atlasLens.enable is false', ms: 0 };
    else if (!document.analysisPath || !context.engine.supports(document.analysisPath)) analysis = { ...base, findings: [], problems: [], skipped: 'not a supported language', ms: 0 };
    else if (context.excludedBy) analysis = { ...base, findings: [], problems: [], skipped: `excluded by ${context.excludedBy}`, ms: 0 };
    else if (sizeProblem(document.analysisPath, document.source, context.analysis.maxFileSizeKb)) {
      // Checked before the syntax tree is built: a huge document is neither parsed nor analysed.
      const problem = sizeProblem(document.analysisPath, document.source, context.analysis.maxFileSizeKb)!;
      analysis = { ...base, findings: [], problems: [problem], skipped: problem.message, ms: 0 };
    } else {
      analysis = this.run(document, context.engine, context.analysis, base, afterEdit);
      const afterSave = this.held.ranAfterSave(uri);
      if (analysis.problems.some(isBudgetStop)) {
        analysis.problems = heldProblems(analysis.problems, afterSave);
        this.held.hold(uri, analysis, afterSave);
      }
    }
    if (analysis.skipped) this.log.debug(`${uri}: not analysed (${analysis.skipped})`);
    else this.log.debug(`${uri} v${analysis.version}: ${analysis.findings.length} finding(s) in ${analysis.ms.toFixed(1)} ms (${analysis.parse})`);
    this.cache.set(uri, analysis);
    return analysis;
  }

  private run(document: LspDocument, engine: Engine, settings: Parameters<Engine['analyze']>[2], base: Omit<DocumentAnalysis, 'findings' | 'problems' | 'ms'>, afterEdit: boolean): DocumentAnalysis {
    const started = performance.now();
    const file = document.analysisPath!;
    const budgetMs = editorBudgetMs(settings?.timeBudgetMs, afterEdit);
    const before = { ...document.tree?.stats };
    // The document's whole parse is budgeted too: without it, pathological text held the server
    // for seconds at every keystroke. (The engine's own budget starts after the parse: together
    // they take at most twice the budget.)
    const deadline = started + budgetMs;
    const tree = document.tree?.syntax(document.source, () => performance.now() > deadline);
    // Info problems are not shown, so the engine need not locate the first syntax error (a walk over the tree up to it).
    const result: AnalysisResult = tree
      ? engine.analyzeTree(file, document.source, tree, { ...settings, timeBudgetMs: budgetMs, syntaxErrorProblems: false })
      : document.tree && performance.now() > deadline
        ? { findings: [], problems: [budgetStopProblem(file, 'while parsing', budgetMs)], parsed: false }
        : engine.analyzeVersion(file, document.text, { ...settings, timeBudgetMs: budgetMs });
    const problems = result.problems.filter((problem) => problem.severity !== 'info');
    // Limits hit and rules that threw (engine/guard.ts) also go to the log, with the document.
    for (const problem of problems) if (/^(rule \S+ (failed|took)|analysis stopped|internal error|nested too deeply)/.test(problem.message)) this.log.warn(`${document.uri}: ${problem.message}`);
    const stats = document.tree?.stats;
    const parse = !tree || !stats ? 'no tree' : stats.definition > (before.definition ?? 0) ? 'definitions parsed alone' : stats.incremental > (before.incremental ?? 0) ? 'incremental parse' : 'parse';
    return { ...base, findings: result.findings, ...(result.artifacts ? { artifacts: result.artifacts } : {}), problems, ms: performance.now() - started, parse };
  }
}
