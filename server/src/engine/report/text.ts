/**
 * Compiler-style text output for the CLI:
 *
 *   src/train.py:12:5: error [torch-load-unsafe] torch.load without weights_only=True ... (AML.T0011.000)
 *
 * Paths are relative to the working directory, lines and columns one-based (the engine's are
 * zero-based), notebook findings carry ` [cell N, line M]`. Input problems come first, then the
 * findings sorted by path, line and column, then one summary line.
 */
import type { Finding, InputProblem, Severity } from '../types';
import { countBySeverity, oneLine, relativePath, sortFindings, compareStrings } from './common';

export interface TextOptions {
  cwd: string;
  /** ANSI colour; the CLI passes `process.stdout.isTTY && !process.env.NO_COLOR`. */
  color: boolean;
  problems?: InputProblem[];
  filesScanned: number;
  durationMs: number;
}

const ESC = '\u001b[';
const SEVERITY_COLOR: Record<Severity, string> = { error: '31', warning: '33', info: '36' };

interface Painter {
  severity(severity: Severity, text: string): string;
  bold(text: string): string;
  dim(text: string): string;
}

const PLAIN: Painter = { severity: (_s, text) => text, bold: (text) => text, dim: (text) => text };
const ANSI: Painter = {
  severity: (severity, text) => `${ESC}${SEVERITY_COLOR[severity]}m${text}${ESC}39m`,
  bold: (text) => `${ESC}1m${text}${ESC}22m`,
  dim: (text) => `${ESC}2m${text}${ESC}22m`,
};

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** `path:line:col` (one-based) as far as the position is known. */
function location(shownPath: string, line: number | undefined, character: number | undefined): string {
  if (line === undefined) return shownPath;
  if (character === undefined) return `${shownPath}:${line + 1}`;
  return `${shownPath}:${line + 1}:${character + 1}`;
}

export function formatProblemLine(problem: InputProblem, cwd: string, color = false): string {
  const paint = color ? ANSI : PLAIN;
  const where = location(relativePath(cwd, problem.file), problem.line, problem.character);
  return `${paint.bold(where)}: ${paint.severity(problem.severity, problem.severity)} ${oneLine(problem.message)}`;
}

export function formatFindingLine(finding: Finding, cwd: string, color = false): string {
  const paint = color ? ANSI : PLAIN;
  const { line, character } = finding.range.start;
  const where = location(relativePath(cwd, finding.file), line, character);
  let out = `${paint.bold(where)}: ${paint.severity(finding.severity, finding.severity)} [${finding.ruleId}] ${oneLine(finding.message)}`;
  if (finding.techniques.length > 0) out += ` ${paint.dim(`(${finding.techniques.join(', ')})`)}`;
  if (finding.cell) out += ` [cell ${finding.cell.index + 1}, line ${finding.cell.line + 1}]`;
  return out;
}

export function formatSummary(findings: readonly Finding[], filesScanned: number, durationMs: number): string {
  const ms = Math.round(durationMs);
  const files = plural(filesScanned, 'file');
  if (findings.length === 0) return `No findings in ${files} (${ms} ms)`;
  const counts = countBySeverity(findings);
  return `${plural(findings.length, 'finding')} (${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info) in ${files}, ${ms} ms`;
}

/** The whole report, one line each, ending with a newline. */
export function formatText(findings: readonly Finding[], options: TextOptions): string {
  const lines: string[] = [];
  const problems = [...(options.problems ?? [])].sort(
    (a, b) =>
      compareStrings(relativePath(options.cwd, a.file), relativePath(options.cwd, b.file)) ||
      (a.line ?? -1) - (b.line ?? -1) ||
      (a.character ?? -1) - (b.character ?? -1),
  );
  for (const problem of problems) lines.push(formatProblemLine(problem, options.cwd, options.color));
  for (const finding of sortFindings(findings, (file) => relativePath(options.cwd, file))) {
    lines.push(formatFindingLine(finding, options.cwd, options.color));
  }
  lines.push(formatSummary(findings, options.filesScanned, options.durationMs));
  return `${lines.join('\n')}\n`;
}
