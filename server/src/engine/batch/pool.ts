/**
 * A pool of worker threads for whole scans, sized to the cores. Each worker builds its own Engine;
 * files go out in small batches to whichever worker is free, and outcomes come back into the
 * slot of their file, so the caller merges them in the order the single-threaded scan uses.
 * A worker that fails to start or dies hands its batch back to the calling thread.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FileOutcome } from './analyze-file';
import type { FromWorker, ToWorker, WorkerSpec } from './protocol';

/** The worker's entry: the bundle next to this code (server/dist), or the source under tsx. */
export function workerEntry(): string {
  const bundled = path.join(__dirname, 'scan-worker.js');
  if (fs.existsSync(bundled)) return bundled;
  return path.join(__dirname, 'scan-worker.ts');
}

export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

export interface PoolRun {
  /** One outcome per file, in the files' order. */
  outcomes: FileOutcome[];
  /** Files the calling thread analysed because a worker failed. */
  fallbackFiles: number;
  /** From the pool's start to the first worker ready. */
  startupMs: number;
}

export function batchSizeFor(files: number, jobs: number): number {
  // Several batches a worker keeps them all busy to the end; a few files a batch keeps messages rare.
  return Math.max(1, Math.min(16, Math.ceil(files / (jobs * 8))));
}

export async function analyzeInPool(
  spec: WorkerSpec,
  files: readonly string[],
  jobs: number,
  analyzeHere: (file: string) => FileOutcome,
  onOutcome?: (done: number) => void,
  entry: string = workerEntry(),
): Promise<PoolRun> {
  const started = performance.now();
  const outcomes: FileOutcome[] = new Array(files.length);
  const size = batchSizeFor(files.length, jobs);
  const pending: Array<{ id: number; start: number; files: string[] }> = [];
  for (let start = 0, id = 0; start < files.length; start += size, id++) pending.push({ id, start, files: files.slice(start, start + size) });
  let done = 0;
  let fallbackFiles = 0;
  let startupMs = -1;
  const record = (start: number, batchOutcomes: FileOutcome[]): void => {
    batchOutcomes.forEach((outcome, offset) => (outcomes[start + offset] = outcome));
    done += batchOutcomes.length;
    onOutcome?.(done);
  };
  const runHere = (batch: { start: number; files: string[] }): void => {
    fallbackFiles += batch.files.length;
    record(batch.start, batch.files.map(analyzeHere));
  };

  await new Promise<void>((resolve) => {
    let live = 0;
    const finishIfDone = (): void => {
      if (done === files.length && live === 0) resolve();
    };
    const count = Math.max(1, Math.min(jobs, pending.length));
    for (let i = 0; i < count; i++) {
      live++;
      const worker = new Worker(entry, { workerData: spec });
      let current: { id: number; start: number; files: string[] } | undefined;
      let ended = false;
      const next = (): void => {
        current = pending.shift();
        if (current) worker.postMessage({ type: 'batch', id: current.id, files: current.files } satisfies ToWorker);
        else end();
      };
      const end = (): void => {
        if (ended) return;
        ended = true;
        live--;
        void worker.terminate();
        // Whatever this worker still held, and anything no live worker will take, is done here.
        if (current) runHere(current);
        current = undefined;
        if (live === 0) while (pending.length > 0) runHere(pending.shift()!);
        finishIfDone();
      };
      worker.on('message', (message: FromWorker) => {
        if (message.type === 'ready') {
          if (startupMs < 0) startupMs = performance.now() - started;
          next();
        } else if (message.type === 'results' && current && message.id === current.id) {
          record(current.start, message.outcomes);
          current = undefined;
          next();
        } else if (message.type === 'failed') {
          end();
        }
      });
      worker.on('error', () => end());
      worker.on('exit', () => end());
    }
  });
  return { outcomes, fallbackFiles, startupMs: Math.max(0, startupMs) };
}
