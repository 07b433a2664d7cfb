/** Helpers shared by the reporters: ordering, relative paths, counting. */
import * as path from 'node:path';
import type { Finding, Severity } from '../types';

/** `file` relative to `base`, with forward slashes; the file unchanged when it is `base` itself or on another root. */
export function relativePath(base: string, file: string): string {
  const relative = path.relative(base, file);
  if (relative === '' || path.isAbsolute(relative)) return toSlashes(file);
  return toSlashes(relative);
}

export function toSlashes(p: string): string {
  return path.sep === '\\' ? p.replace(/\\/g, '/') : p;
}

/** Plain code-unit comparison, so the order does not depend on the locale. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Findings ordered by path, line, column, then rule id and message so the order is total. */
export function sortFindings(findings: readonly Finding[], displayPath: (file: string) => string): Finding[] {
  return findings
    .map((finding) => ({ finding, shown: displayPath(finding.file) }))
    .sort(
      (a, b) =>
        compareStrings(a.shown, b.shown) ||
        a.finding.range.start.line - b.finding.range.start.line ||
        a.finding.range.start.character - b.finding.range.start.character ||
        compareStrings(a.finding.ruleId, b.finding.ruleId) ||
        compareStrings(a.finding.message, b.finding.message),
    )
    .map((entry) => entry.finding);
}

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

/** Newlines in a message would break one-line-per-finding output. */
export function oneLine(text: string): string {
  return text.replace(/\s*[\r\n]+\s*/g, ' ').trim();
}
