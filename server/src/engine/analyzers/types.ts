/**
 * What a language analyzer is: given a file's text and the rules that apply to its kind, it
 * returns raw findings (before settings and suppressions), problems with the file, and the
 * comments by line (for suppressions). The engine picks an analyzer by file kind.
 */
import type { ArtifactDependency, ArtifactReference } from '../artifacts/references';
import type { CompiledRule, RawFinding } from '../python/run-rules';
import { wholeText, type TextSource } from '../chunked-text';
import { mayHoldSuppressions } from '../suppressions';
import type { InputProblem, RuleLanguage } from '../types';

export type FileKind = 'python' | 'notebook' | 'typescript' | 'javascript' | 'requirements' | 'dockerfile' | 'yaml' | 'toml';

export interface AnalyzerInput {
  file: string;
  text: string;
  /** The active rules for this kind whose trigger words occur in the text. */
  rules: readonly CompiledRule[];
  projectRoot?: string;
  /** Whether the text may hold a suppression comment, when the caller knows already (else the analyzer looks). */
  mayHoldSuppressions?: boolean;
  /**
   * The caller has findings of its own that this text's comments may suppress (a notebook's shell
   * lines, by an `ignore-file` in a Python cell): comments are then read even when the analysis
   * finds nothing itself.
   */
  suppressibleElsewhere?: boolean;
  /** Cached filesystem existence check (for local-path judgements). */
  pathExists: (absolutePath: string) => boolean;
  /** false: no 'syntax error' info problem (AnalysisSettings.syntaxErrorProblems). */
  syntaxErrorProblems?: boolean;
}

/** The input of an analysis of a document's tree (the language server): its text may be read in slices (a ChunkedText). */
export type TreeAnalyzerInput = Omit<AnalyzerInput, 'text'> & { text: TextSource };

/**
 * Whether an analysis must read the text's comments for suppressions: something could be
 * suppressed (its own findings, or the caller's) and a suppression marker occurs in the text.
 */
export function commentsMayMatter(input: Pick<TreeAnalyzerInput, 'text' | 'mayHoldSuppressions' | 'suppressibleElsewhere'>, findings: readonly unknown[]): boolean {
  return (findings.length > 0 || input.suppressibleElsewhere === true) && (input.mayHoldSuppressions ?? mayHoldSuppressions(wholeText(input.text)));
}

export interface AnalyzerOutput {
  findings: RawFinding[];
  problems: InputProblem[];
  /** Comment text by zero-based line; read lazily, only when a finding could be suppressed. */
  comments: () => ReadonlyMap<number, string>;
  parsed: boolean;
  /** Load calls resolved to model files on disk, with their verdicts (Python only). */
  artifacts?: ArtifactReference[];
  /** The paths those load calls were resolved against, with their state (incremental reuse). */
  artifactDependencies?: ArtifactDependency[];
}

export interface FileAnalyzer {
  kind: FileKind;
  /** Which rules' `languages` this analyzer runs (a notebook runs the Python rules too). */
  ruleLanguages: readonly RuleLanguage[];
  analyze(input: AnalyzerInput): AnalyzerOutput;
  /** One-time setup (loading a parser) done outside the file's time budget. */
  prepare?(): void;
}

/** The output for a file that could not be analysed at all: one problem (a warning), nothing else. */
export function notAnalysed(file: string, message: string, where: { line?: number; character?: number } = {}): AnalyzerOutput {
  return { findings: [], problems: [{ file, ...where, message, severity: 'warning' }], comments: () => new Map(), parsed: false };
}
