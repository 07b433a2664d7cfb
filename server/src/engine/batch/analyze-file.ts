/**
 * One source file of a whole scan: read it, analyse it (or take its result from the cache), and
 * say what the scan should record. The single-threaded scan, the worker pool and the cache all go
 * through here, so a file's outcome does not depend on where it was analysed.
 */
import * as fs from 'node:fs';
import type { AnalysisSettings, Engine } from '../engine';
import type { Finding, InputProblem } from '../types';
import type { ResultCache } from './cache';

export interface FileOutcome {
  findings: Finding[];
  problems: InputProblem[];
  /** UTF-8 bytes read; 0 when the file could not be read. */
  bytes: number;
  /** Time spent on the file; absent when it could not be read (no timing is recorded then). */
  timing?: { chars: number; ms: number };
  /** Whether the result came from the cache. */
  cached?: boolean;
}

/** `lookUp: false` when the caller has already missed the cache for this file (results are still stored). */
export function readAndAnalyze(engine: Engine, file: string, settings: AnalysisSettings, cache?: ResultCache, lookUp = true): FileOutcome {
  const started = performance.now();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { findings: [], problems: [{ file, message: `cannot read file: ${(error as Error).message}`, severity: 'warning' }], bytes: 0 };
  }
  const bytes = Buffer.byteLength(text);
  const hit = lookUp ? cache?.get(file, text) : undefined;
  if (hit) return { findings: hit.findings, problems: hit.problems, bytes, timing: { chars: text.length, ms: performance.now() - started }, cached: true };
  let findings: Finding[] = [];
  let problems: InputProblem[] = [];
  const pathsChecked: Array<[string, boolean]> = [];
  let fileStamps: Array<[string, string]> = [];
  /** Not to be stored in the cache (an exception, or a result that is not a function of the text). */
  let failed = false;
  try {
    const result = engine.analyze(file, text, settings, cache ? { onPathChecked: (p, exists) => pathsChecked.push([p, exists]) } : undefined);
    findings = result.findings;
    problems = result.problems;
    fileStamps = result.fileStamps ?? [];
    // A result that a limit cut short is not kept.
    if (result.uncacheable) failed = true;
  } catch (error) {
    // One file must never stop the scan; say which file and go on.
    problems = [{ file, message: `internal error while analysing this file: ${(error as Error).message}`, severity: 'warning' }];
    failed = true;
  }
  if (cache && !failed) cache.put(file, text, { findings, problems, pathsChecked, fileStamps });
  return { findings, problems, bytes, timing: { chars: text.length, ms: performance.now() - started } };
}
