/**
 * Findings and configuration problems as LSP diagnostics, delivered the way the client prefers:
 * answered when it pulls (`textDocument/diagnostic`, with `resultId` / `unchanged`), otherwise
 * pushed after each change. Configuration problems (config, rule and ATLAS data files, usually
 * not open) are always pushed, in both modes.
 */
import * as fs from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { pathToFileURL } from 'node:url';
import {
  DiagnosticSeverity,
  DocumentDiagnosticReportKind,
  LSPErrorCodes,
  ResponseError,
  type CancellationToken,
  type Connection,
  type Diagnostic,
  type DocumentDiagnosticParams,
  type DocumentDiagnosticReport,
} from 'vscode-languageserver';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import type { Finding, InputProblem, Severity } from '../engine/types';
import { parseLocatedYaml, type PathSegment } from '../engine/yaml/located-yaml';
import type { Analyzer, DocumentAnalysis } from './analysis';
import type { ClientFeatures } from './capabilities';
import type { DocumentStore } from './documents';
import { CoalescingQueue } from './coalescing-queue';
import type { Logger } from './logger';
import type { Projects } from './projects';
import { DIAGNOSTIC_SOURCE } from './protocol';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  info: DiagnosticSeverity.Information,
};

type DiagnosticFeatures = Pick<ClientFeatures, 'codeDescription' | 'relatedInformation'>;

/**
 * The diagnostic made for each finding, with what it was made for. The engine hands out the same
 * finding object while the finding stays the same (an unchanged definition's findings, at each
 * keystroke), so its diagnostic is made once, and the JSON written for it too (message-encoder.ts).
 * Diagnostics are never mutated once made.
 */
const diagnosticOf = new WeakMap<Finding, { catalog: AtlasCatalog; features: DiagnosticFeatures; diagnostic: Diagnostic }>();

export function findingToDiagnostic(finding: Finding, catalog: AtlasCatalog, features: DiagnosticFeatures): Diagnostic {
  const made = diagnosticOf.get(finding);
  if (made && made.catalog === catalog && made.features === features) return made.diagnostic;
  const diagnostic: Diagnostic = {
    range: finding.range,
    severity: SEVERITY[finding.severity],
    code: finding.ruleId,
    source: DIAGNOSTIC_SOURCE,
    message: finding.message,
  };
  const primary = finding.techniques[0];
  const href = primary ? catalog.techniqueUrl(primary) : undefined;
  if (features.codeDescription && href) diagnostic.codeDescription = { href };
  // The file itself, from its start: what the client opens when the related line is clicked.
  if (features.relatedInformation && finding.related && finding.related.length > 0) {
    diagnostic.relatedInformation = finding.related.map((related) => ({ location: { uri: pathToFileURL(related.file).href, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, message: related.message }));
  }
  // No `data`: code actions take the fix and the statement from the current analysis' finding of
  // the same rule at the same range (code-actions.ts). Each publish carries every diagnostic of
  // the document; the fix edits and statement lines were 40% of their JSON.
  diagnosticOf.set(finding, { catalog, features, diagnostic });
  return diagnostic;
}

/**
 * Whether two lists of diagnostics are the same. Asked at every pull: most diagnostics are the
 * very objects answered before (findingToDiagnostic); the others are compared field by field, the
 * fields findingToDiagnostic and problemToDiagnostic write one by one (a deep comparison took
 * 0.5 ms for 150 findings), any other field deeply.
 */
export function sameDiagnostics(a: readonly Diagnostic[], b: readonly Diagnostic[]): boolean {
  return a.length === b.length && a.every((diagnostic, index) => diagnostic === b[index] || sameDiagnostic(diagnostic, b[index]!));
}

type Fields = Record<string, unknown>;
const DIAGNOSTIC_FIELDS = new Set(['range', 'severity', 'code', 'source', 'message', 'codeDescription', 'data', 'relatedInformation']);

function sameDiagnostic(a: Diagnostic, b: Diagnostic): boolean {
  return a.message === b.message && a.code === b.code && a.severity === b.severity && a.source === b.source && sameRange(a.range, b.range) &&
    a.codeDescription?.href === b.codeDescription?.href && isDeepStrictEqual(a.data, b.data) && isDeepStrictEqual(a.relatedInformation, b.relatedInformation) && sameOtherFields(a as Fields, b as Fields, DIAGNOSTIC_FIELDS);
}

function sameRange(a: Diagnostic['range'], b: Diagnostic['range']): boolean {
  return a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;
}

/** The fields not in `known`, deeply compared. */
function sameOtherFields(a: Fields, b: Fields, known: ReadonlySet<string>): boolean {
  for (const key in a) if (!known.has(key) && !isDeepStrictEqual(a[key], b[key])) return false;
  for (const key in b) if (!known.has(key) && !(key in a)) return false;
  return true;
}

/** "atlas.techniques[0]" → ["atlas", "techniques", 0]. */
function fieldPath(field: string): PathSegment[] {
  return [...field.matchAll(/([^.[\]]+)|\[(\d+)\]/g)].map((match) => (match[2] !== undefined ? Number(match[2]) : match[1]!));
}

/** A problem located in `text` (the file's content): from its position to the end of that line's content. */
export function problemToDiagnostic(problem: InputProblem, text: string | undefined): Diagnostic {
  let line = problem.line;
  let character = problem.character;
  if (line === undefined && problem.field && text !== undefined) {
    try {
      ({ line, character } = parseLocatedYaml(text).locate(fieldPath(problem.field)));
    } catch {
      // not YAML any more; the problem stays at the top
    }
  }
  line ??= 0;
  character ??= 0;
  const lineText = text?.split(/\r?\n|\r/)[line] ?? '';
  const end = Math.max(character, lineText.trimEnd().length);
  return {
    range: { start: { line, character }, end: { line, character: end } },
    severity: SEVERITY[problem.severity],
    source: DIAGNOSTIC_SOURCE,
    message: problem.message,
  };
}

export class DiagnosticsService {
  // setImmediate: edits already queued are applied first, so a burst is analysed once.
  private readonly publishQueue = new CoalescingQueue((uri) => void this.publish(uri));
  /** Files that have pushed configuration problems, to clear them once fixed. */
  private inputProblemFiles = new Set<string>();
  /** Which findings of an open document to show (the workspace review's baseline); undefined: all. */
  findingFilter?: (analysis: DocumentAnalysis) => ((finding: Finding) => boolean) | undefined;

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentStore,
    private readonly analyzer: Analyzer,
    private readonly projects: Projects,
    private readonly features: ClientFeatures,
    private readonly log: Logger,
  ) {}

  /** Full reports answered so far, which numbers their result ids. */
  private reports = 0;
  /** Per document, the diagnostics last answered to a pull and their result id. */
  private readonly answered = new Map<string, { resultId: string; generation: number; items: Diagnostic[] }>();

  private toDiagnostics(analysis: DocumentAnalysis): Diagnostic[] {
    const document = this.documents.get(analysis.uri);
    const keep = this.findingFilter?.(analysis);
    return [
      ...analysis.problems.map((problem) => problemToDiagnostic(problem, document?.text)),
      ...(keep ? analysis.findings.filter(keep) : analysis.findings).map((finding) => findingToDiagnostic(finding, analysis.catalog, this.features)),
    ];
  }

  // ------------------------------------------------------------------ pull

  async pull(params: DocumentDiagnosticParams, token: CancellationToken): Promise<DocumentDiagnosticReport> {
    const uri = params.textDocument.uri;
    // Let queued notifications (edits, $/cancelRequest) in before deciding what to analyse.
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    const analysis = await this.analyzer.analyze(uri);
    this.publishInputProblemsIfLoaded();
    if (token.isCancellationRequested) throw new ResponseError(LSPErrorCodes.RequestCancelled, 'cancelled');
    if (!analysis) return { kind: DocumentDiagnosticReportKind.Full, items: [] };
    const items = this.toDiagnostics(analysis);
    // Most keystrokes change no diagnostic: those are answered "unchanged" instead of resending
    // them all (120 kB for 170 findings). The id stays while the diagnostics stay the same (code
    // actions accept them while the current analysis has the same finding: code-actions.ts).
    const last = this.answered.get(uri);
    // Numbered: the same version may be answered differently (a held document reanalysed when saved).
    const resultId = last && last.generation === analysis.generation && sameDiagnostics(last.items, items) ? last.resultId : `${analysis.generation}:${analysis.version}:${++this.reports}`;
    this.answered.set(uri, { resultId, generation: analysis.generation, items });
    if (params.previousResultId === resultId) return { kind: DocumentDiagnosticReportKind.Unchanged, resultId };
    return { kind: DocumentDiagnosticReportKind.Full, resultId, items };
  }


  // ------------------------------------------------------------------ push

  /** A document was opened or changed (push mode: analyse and publish soon; pull mode: the client asks). */
  changed(uri: string): void {
    if (this.features.pullDiagnostics) return;
    this.publishQueue.add(uri);
  }

  private async publish(uri: string): Promise<void> {
    try {
      const analysis = await this.analyzer.analyze(uri);
      this.publishInputProblemsIfLoaded();
      const document = this.documents.get(uri);
      // Never publish for an older version: a newer one is already scheduled.
      if (!analysis || !document || analysis.version !== document.version) return;
      await this.connection.sendDiagnostics({ uri, version: this.features.publishVersion ? analysis.version : undefined, diagnostics: this.toDiagnostics(analysis) });
    } catch (error) {
      this.log.error(`analysing ${uri} failed: ${(error as Error).stack ?? String(error)}`);
    }
  }

  closed(uri: string): void {
    this.publishQueue.delete(uri);
    this.answered.delete(uri);
    if (!this.features.pullDiagnostics) void this.connection.sendDiagnostics({ uri, diagnostics: [] });
  }

  /** One document's diagnostics may have changed without an edit (it was saved after being held: analysis.ts). */
  async refresh(uri: string): Promise<void> {
    if (!this.features.pullDiagnostics) return this.changed(uri);
    if (this.features.diagnosticRefresh) await this.connection.languages.diagnostics.refresh();
  }

  /** Settings or inputs changed: every open document's diagnostics may be out of date. */
  async refreshAll(): Promise<void> {
    await this.publishInputProblems();
    if (this.features.pullDiagnostics) {
      if (this.features.diagnosticRefresh) await this.connection.languages.diagnostics.refresh();
    } else {
      for (const document of this.documents.all()) this.changed(document.uri);
    }
  }

  // ------------------------------------------------------------------ configuration problems

  /** A config, rule pack or catalog was loaded for the first time (lazily, for a file in a new folder): show its problems. */
  private publishInputProblemsIfLoaded(): void {
    if (this.projects.takeNewlyLoaded()) {
      this.publishInputProblems().catch((error: unknown) => this.log.error(`publishing configuration problems failed: ${(error as Error).stack ?? String(error)}`));
    }
  }

  async publishInputProblems(): Promise<void> {
    this.projects.takeNewlyLoaded();
    const problems = await this.projects.inputProblems();
    const byFile = new Map<string, InputProblem[]>();
    for (const problem of problems) {
      const list = byFile.get(problem.file) ?? [];
      list.push(problem);
      byFile.set(problem.file, list);
    }
    const previous = this.inputProblemFiles;
    this.inputProblemFiles = new Set(byFile.keys());
    for (const [file, list] of byFile) {
      const uri = pathToFileURL(file).href;
      let text = this.documents.get(uri)?.text;
      if (text === undefined) {
        try {
          text = fs.readFileSync(file, 'utf8');
        } catch {
          text = undefined;
        }
      }
      await this.connection.sendDiagnostics({ uri, diagnostics: list.map((problem) => problemToDiagnostic(problem, text)) });
    }
    for (const file of previous) {
      if (!byFile.has(file)) await this.connection.sendDiagnostics({ uri: pathToFileURL(file).href, diagnostics: [] });
    }
  }
}
