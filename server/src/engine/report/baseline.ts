/**
 * A baseline: the findings of an earlier scan, read from the SARIF file `--format sarif` wrote.
 * A finding is "new" when its fingerprint (./fingerprint.ts) is not among the baseline's
 * `partialFingerprints`. Fingerprints include the path relative to the scan's base directory
 * (the CLI's working directory, the server's workspace folder), so a baseline is compared from
 * the same place it was written from.
 *
 * Reading never throws: a missing file, invalid JSON or a document that is not SARIF becomes a
 * located InputProblem and no baseline.
 */
import * as fs from 'node:fs';
import type { Finding, InputProblem } from '../types';
import { fingerprintFindings } from './fingerprint';

export interface Baseline {
  file: string;
  /** `key:fingerprint` of every result of every run. */
  fingerprints: ReadonlySet<string>;
  /** Results read. */
  results: number;
}

export type BaselineLoad = { baseline: Baseline; problem?: undefined } | { baseline?: undefined; problem: InputProblem };

/** Zero-based line and column of a character offset. */
function locate(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, character: Math.max(0, Math.min(offset, text.length) - lineStart) };
}

/** Where JSON.parse gave up, from its message (V8 says "at position N", newer ones "(line L column C)"). */
function jsonErrorLocation(text: string, message: string): { line: number; character: number } | undefined {
  const lineColumn = /line (\d+) column (\d+)/.exec(message);
  if (lineColumn) return { line: Number(lineColumn[1]) - 1, character: Number(lineColumn[2]) - 1 };
  const position = /position (\d+)/.exec(message);
  if (position) return locate(text, Number(position[1]));
  return undefined;
}

export function parseBaseline(file: string, text: string): BaselineLoad {
  const problem = (message: string, where?: { line: number; character: number }): BaselineLoad => ({
    problem: { file, ...(where ?? {}), message: `baseline: ${message}`, severity: 'error' },
  });
  let document: unknown;
  try {
    document = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    const message = (error as Error).message;
    return problem(`not valid JSON (${message})`, jsonErrorLocation(text, message) ?? { line: 0, character: 0 });
  }
  const runs = (document as { runs?: unknown } | null)?.runs;
  if (typeof document !== 'object' || document === null || Array.isArray(document) || !Array.isArray(runs)) {
    return problem('not a SARIF log (expected an object with "runs", as written by atlas-lens scan --format sarif)', { line: 0, character: 0 });
  }
  const fingerprints = new Set<string>();
  let results = 0;
  for (const [runIndex, run] of runs.entries()) {
    const list = (run as { results?: unknown } | null)?.results;
    if (list === undefined) continue;
    if (!Array.isArray(list)) return problem(`runs[${runIndex}].results is not an array`, locateKey(text, 'results'));
    for (const result of list) {
      results++;
      const partial = (result as { partialFingerprints?: unknown } | null)?.partialFingerprints;
      if (!partial || typeof partial !== 'object') continue;
      for (const [key, value] of Object.entries(partial)) if (typeof value === 'string') fingerprints.add(`${key}:${value}`);
    }
  }
  if (results > 0 && fingerprints.size === 0) {
    return problem('no result has partialFingerprints (write the baseline with atlas-lens scan --format sarif)', locateKey(text, 'results'));
  }
  return { baseline: { file, fingerprints, results } };
}

function locateKey(text: string, key: string): { line: number; character: number } {
  const offset = text.indexOf(`"${key}"`);
  return offset < 0 ? { line: 0, character: 0 } : locate(text, offset);
}

export function readBaseline(file: string): BaselineLoad {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return { problem: { file, message: code === 'ENOENT' ? 'baseline: file not found' : `baseline: cannot read the file (${code ?? (error as Error).message})`, severity: 'error' } };
  }
  return parseBaseline(file, text);
}

/**
 * The findings that are not in the baseline. Fingerprints are computed as the SARIF reporter does
 * (same `baseDir`, same `readSource`); findings of a file count their occurrences together, so pass
 * all findings of a file at once.
 */
export function newSinceBaseline(findings: readonly Finding[], baseline: Baseline, baseDir: string, readSource?: (file: string) => string | undefined): Set<Finding> {
  const fresh = new Set<Finding>();
  for (const { finding, key, fingerprint } of fingerprintFindings(findings, baseDir, readSource)) {
    if (!baseline.fingerprints.has(`${key}:${fingerprint}`)) fresh.add(finding);
  }
  return fresh;
}
