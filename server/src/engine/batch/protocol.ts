/** Messages between the scan pool (pool.ts) and its workers (scan-worker.ts). Plain data only. */
import type { AnalysisSettings } from '../engine';
import type { LoadedRule } from '../rules/loader';
import type { FileOutcome } from './analyze-file';

/** What a worker needs to build the same Engine, settings and cache as the thread that started it. */
export interface WorkerSpec {
  /** The rules as loaded by the calling thread (not loaded and validated again in each worker). */
  rules: readonly LoadedRule[];
  settings: AnalysisSettings;
  cache?: { dir: string; fingerprint: string };
}

export type ToWorker = { type: 'batch'; id: number; files: string[] };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'failed'; message: string }
  | { type: 'results'; id: number; outcomes: FileOutcome[] };
