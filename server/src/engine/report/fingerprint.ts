/**
 * Stable finding fingerprints: SARIF's `partialFingerprints` and the baseline comparison
 * (`atlas-lens scan --baseline`, the server's `atlasLens.baseline`) use the same ones.
 *
 * `atlasLens/v1` hashes the rule id, the path relative to the base directory, the normalised text
 * of the flagged statement and of the underlined span, and the occurrence index of that statement
 * text in the file. Lines inserted or removed elsewhere, re-indentation and moving the statement
 * do not change it; two identical statements get different ones. Without source text,
 * `atlasLensMessage/v1` hashes the rule id, path, message and occurrence among such findings.
 * Every counter is per file (the path is part of each key), so fingerprinting one file alone gives
 * the same values as fingerprinting it in a whole scan.
 */
import { createHash } from 'node:crypto';
import type { Finding, Range } from '../types';
import { relativePath, sortFindings } from './common';

export const FINGERPRINT_KEY = 'atlasLens/v1';
export const MESSAGE_FINGERPRINT_KEY = 'atlasLensMessage/v1';

export interface FingerprintedFinding {
  finding: Finding;
  /** FINGERPRINT_KEY or MESSAGE_FINGERPRINT_KEY. */
  key: string;
  fingerprint: string;
  /** The underlined text, when the source was available. */
  snippet?: string;
}

function normaliseLine(line: string): string {
  return line.trim().replace(/\s+/g, ' ');
}

interface SourceLines {
  raw: string[];
  normalised: string[];
}

function sha(parts: readonly string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
}

/** Text of a range in raw lines (lines joined by \n), or undefined when out of bounds. */
function rangeText(lines: readonly string[], range: Range): string | undefined {
  const { start, end } = range;
  if (start.line < 0 || end.line >= lines.length || end.line < start.line) return undefined;
  if (start.line === end.line) return lines[start.line]!.slice(start.character, end.character);
  const parts = [lines[start.line]!.slice(start.character)];
  for (let line = start.line + 1; line < end.line; line++) parts.push(lines[line]!);
  parts.push(lines[end.line]!.slice(0, end.character));
  return parts.join('\n');
}

/** How often the normalised block `lines[first..last]` occurs in the file before `first`. */
function occurrenceIndex(normalised: readonly string[], first: number, last: number): number {
  const length = last - first + 1;
  let count = 0;
  for (let start = 0; start < first; start++) {
    let same = true;
    for (let offset = 0; offset < length && same; offset++) {
      if (normalised[start + offset] !== normalised[first + offset]) same = false;
    }
    if (same) count++;
  }
  return count;
}

/**
 * Fingerprints of `findings`, returned in report order (path, line, column, rule, message).
 * `readSource` gives a file's text (undefined: unavailable, e.g. a binary model file).
 */
export function fingerprintFindings(findings: readonly Finding[], baseDir: string, readSource?: (file: string) => string | undefined): FingerprintedFinding[] {
  const sources = new Map<string, SourceLines | undefined>();
  const sourceOf = (file: string): SourceLines | undefined => {
    if (!sources.has(file)) {
      const text = readSource?.(file);
      const raw = text === undefined ? undefined : text.split(/\r\n|\r|\n/);
      sources.set(file, raw && { raw, normalised: raw.map(normaliseLine) });
    }
    return sources.get(file);
  };
  const sorted = sortFindings(findings, (file) => relativePath(baseDir, file));
  const messageOccurrences = new Map<string, number>();
  const seenFingerprints = new Map<string, number>();

  return sorted.map((finding) => {
    const relative = relativePath(baseDir, finding.file);
    const source = sourceOf(finding.file);
    let key = MESSAGE_FINGERPRINT_KEY;
    let parts: string[] | undefined;
    let snippet: string | undefined;
    if (source) {
      // The whole statement when its lines are known and inside the file, else the underlined lines.
      const inFile = (lines: { first: number; last: number }): boolean => lines.first >= 0 && lines.last >= lines.first && lines.last < source.raw.length;
      const { first, last } = inFile(finding.statementLines) ? finding.statementLines : { first: finding.range.start.line, last: finding.range.end.line };
      const span = rangeText(source.raw, finding.range);
      if (first >= 0 && last >= first && last < source.raw.length && span !== undefined) {
        const statement = source.normalised.slice(first, last + 1).join('\n');
        key = FINGERPRINT_KEY;
        parts = [FINGERPRINT_KEY, finding.ruleId, relative, statement, normaliseLine(span), String(occurrenceIndex(source.normalised, first, last))];
        snippet = span;
      }
    }
    if (!parts) {
      const messageKey = [finding.ruleId, relative, finding.message].join('\u0000');
      const occurrence = messageOccurrences.get(messageKey) ?? 0;
      messageOccurrences.set(messageKey, occurrence + 1);
      parts = [MESSAGE_FINGERPRINT_KEY, finding.ruleId, relative, finding.message, String(occurrence)];
    }
    // Two findings of one rule on the very same text: keep their fingerprints apart.
    let fingerprint = sha(parts);
    const duplicates = seenFingerprints.get(fingerprint) ?? 0;
    seenFingerprints.set(fingerprint, duplicates + 1);
    if (duplicates > 0) fingerprint = sha([...parts, `duplicate ${duplicates}`]);
    return { finding, key, fingerprint, ...(snippet !== undefined ? { snippet } : {}) };
  });
}
