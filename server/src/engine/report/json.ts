/**
 * The `--format json` report: a stable, documented object for scripts. Changing a field's meaning
 * or removing one bumps `version`; adding optional fields does not.
 *
 * Positions are the engine's own: zero-based lines and zero-based UTF-16 columns (the LSP
 * convention), stated in `positionEncoding`. Paths are relative to `meta.cwd` with forward slashes.
 * Findings are sorted by path, line and column; problems by path and line.
 *
 * {
 *   "version": 1,
 *   "positionEncoding": "zero-based lines, UTF-16 columns",
 *   "tool": { "name": "ATLAS Lens", "version": "0.1.0" },
 *   "atlasVersion": "5.6.0" | null,
 *   "summary": { "findings": 3, "error": 1, "warning": 2, "info": 0, "problems": 0,
 *                "filesScanned"?: 12, "durationMs"?: 40 },
 *   "findings": [ { "ruleId", "severity", "message", "path", "range": { "start": {line, character}, "end": ... },
 *                   "statementLines": { "first", "last" }, "techniques": [...], "mitigations": [...],
 *                   "cell"?: { "index", "line" }, "fix"?: { "title", "safe", "edits": [ { "range", "newText" } ] },
 *                   "related"?: [ { "path", "message" } ] } ],
 *   "problems": [ { "path", "line"?, "character"?, "field"?, "severity", "message" } ]
 * }
 */
import type { Finding, InputProblem, Range, Severity } from '../types';
import { compareStrings, countBySeverity, relativePath, sortFindings } from './common';

export const JSON_REPORT_VERSION = 1;
export const POSITION_ENCODING = 'zero-based lines, UTF-16 columns';
export const TOOL_NAME = 'ATLAS Lens';

export interface JsonReportMeta {
  /** Paths in the report are relative to this directory. */
  cwd: string;
  toolVersion: string;
  /** The ATLAS data version the rules were checked against; null/absent when unknown. */
  atlasVersion?: string | null;
  filesScanned?: number;
  durationMs?: number;
}

export interface JsonFinding {
  ruleId: string;
  severity: Severity;
  message: string;
  path: string;
  range: Range;
  statementLines: { first: number; last: number };
  techniques: string[];
  mitigations: string[];
  /** Notebooks: zero-based cell index and zero-based line inside the cell. */
  cell?: { index: number; line: number };
  fix?: { title: string; safe: boolean; edits: Array<{ range: Range; newText: string }> };
  /** Other files the finding is about (the model file a load call reads). */
  related?: Array<{ path: string; message: string }>;
}

export interface JsonProblem {
  path: string;
  line?: number;
  character?: number;
  field?: string;
  severity: Severity;
  message: string;
}

export interface JsonReport {
  version: typeof JSON_REPORT_VERSION;
  positionEncoding: typeof POSITION_ENCODING;
  tool: { name: string; version: string };
  atlasVersion: string | null;
  summary: {
    findings: number;
    error: number;
    warning: number;
    info: number;
    problems: number;
    filesScanned?: number;
    durationMs?: number;
  };
  findings: JsonFinding[];
  problems: JsonProblem[];
}

const copyRange = (range: Range): Range => ({
  start: { line: range.start.line, character: range.start.character },
  end: { line: range.end.line, character: range.end.character },
});

function toJsonFinding(finding: Finding, cwd: string): JsonFinding {
  const out: JsonFinding = {
    ruleId: finding.ruleId,
    severity: finding.severity,
    message: finding.message,
    path: relativePath(cwd, finding.file),
    range: copyRange(finding.range),
    statementLines: { first: finding.statementLines.first, last: finding.statementLines.last },
    techniques: [...finding.techniques],
    mitigations: [...finding.mitigations],
  };
  if (finding.cell) out.cell = { index: finding.cell.index, line: finding.cell.line };
  if (finding.related && finding.related.length > 0) out.related = finding.related.map((related) => ({ path: relativePath(cwd, related.file), message: related.message }));
  if (finding.fix) {
    out.fix = {
      title: finding.fix.title,
      safe: finding.fix.safe,
      ...(finding.fix.placeholder ? { placeholder: true } : {}),
      edits: finding.fix.edits.map((edit) => ({ range: copyRange(edit.range), newText: edit.newText })),
    };
  }
  return out;
}

function toJsonProblem(problem: InputProblem, cwd: string): JsonProblem {
  return {
    path: relativePath(cwd, problem.file),
    ...(problem.line !== undefined ? { line: problem.line } : {}),
    ...(problem.character !== undefined ? { character: problem.character } : {}),
    ...(problem.field !== undefined ? { field: problem.field } : {}),
    severity: problem.severity,
    message: problem.message,
  };
}

/** Builds the report object; the CLI prints it with `JSON.stringify(report, null, 2)`. */
export function formatJson(findings: readonly Finding[], problems: readonly InputProblem[], meta: JsonReportMeta): JsonReport {
  const counts = countBySeverity(findings);
  const summary: JsonReport['summary'] = { findings: findings.length, ...counts, problems: problems.length };
  if (meta.filesScanned !== undefined) summary.filesScanned = meta.filesScanned;
  if (meta.durationMs !== undefined) summary.durationMs = Math.round(meta.durationMs);
  const jsonProblems = problems
    .map((problem) => toJsonProblem(problem, meta.cwd))
    .sort((a, b) => compareStrings(a.path, b.path) || (a.line ?? -1) - (b.line ?? -1) || (a.character ?? -1) - (b.character ?? -1));
  return {
    version: JSON_REPORT_VERSION,
    positionEncoding: POSITION_ENCODING,
    tool: { name: TOOL_NAME, version: meta.toolVersion },
    atlasVersion: meta.atlasVersion ?? null,
    summary,
    findings: sortFindings(findings, (file) => relativePath(meta.cwd, file)).map((finding) => toJsonFinding(finding, meta.cwd)),
    problems: jsonProblems,
  };
}
