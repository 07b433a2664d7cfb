/**
 * The engine's vocabulary. Positions are zero-based lines and UTF-16 columns, the same convention
 * as LSP, so the server maps them one to one; the CLI adds one when it prints them.
 * Nothing here may import vscode-languageserver: the CLI and the tests use the engine bare.
 */

export type Severity = 'error' | 'warning' | 'info';

/** The `languages` a rule may declare. */
export type RuleLanguage = 'python' | 'typescript' | 'javascript' | 'notebook' | 'requirements' | 'dockerfile' | 'yaml' | 'toml' | 'artifact';

/** Higher is worse; used for --fail-on, minimumSeverity and sorting. */
export const SEVERITY_RANK: Record<Severity, number> = { info: 1, warning: 2, error: 3 };

export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  /** Shown as the code action title, e.g. "Set weights_only=True". */
  title: string;
  edits: TextEdit[];
  /** Safe fixes keep behaviour for well-behaved inputs and may be applied by "fix all". */
  safe: boolean;
  /** The edit writes a placeholder the user must replace (the finding stays until they do); never safe. */
  placeholder?: true;
}

export interface Finding {
  ruleId: string;
  severity: Severity;
  /** What, why and how to fix, in one or two sentences. */
  message: string;
  /** Path as given to the engine (absolute in the CLI and server). */
  file: string;
  /** The span to underline. */
  range: Range;
  /** Lines of the whole statement; a suppression comment on any of them applies. */
  statementLines: { first: number; last: number };
  /** ATLAS technique ids (AML.Txxxx[.yyy]), the first is the primary one. */
  techniques: string[];
  /** ATLAS mitigation ids (AML.Mxxxx) that the fix applies. */
  mitigations: string[];
  fix?: Fix;
  /** For findings about a value's path (flow rules): where it came from and where it went, source first. */
  flow?: FlowStepReport[];
  /** For notebooks: the cell index and the line inside the cell. */
  cell?: { index: number; line: number };
  /** Other files the finding is about (the model file a load call reads), for reports and editors. */
  related?: RelatedFile[];
}

/** A file a finding is about besides its own: where to look, and why. */
export interface RelatedFile {
  /** Absolute path. */
  file: string;
  message: string;
}

/** One location on a value's path, with what happens there ("assigned to reply"). */
export interface FlowStepReport {
  range: Range;
  message: string;
}

/** A problem with an input the engine could not use (a rule file, a config, a data file, a source file). */
export interface InputProblem {
  file: string;
  /** Zero-based, when known. */
  line?: number;
  character?: number;
  /** The offending field as a dotted path, e.g. "match.cases[1].severity". */
  field?: string;
  message: string;
  severity: Severity;
}
