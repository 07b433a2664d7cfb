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

/**
 * One thread per core that is idle: this thread, plus a worker for each core the machine's load
 * leaves free. Measured on a shared 2-core machine, a worker on a busy core made the scan ~30%
 * slower (a second isolate compiles and warms up the same code); on idle cores it pays.
 * Where there is no load average (Windows: 0), every core.
 */
export function defaultJobs(): number {
  const cores = typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  const idle = Math.floor(cores - 1 - os.loadavg()[0]! + 0.5);
  return Math.max(1, Math.min(cores, 1 + idle));
}

export interface PoolRun {
  /** One outcome per file, in the files' order. */
  outcomes: FileOutcome[];
  /** Worker threads started. */
  workers: number;
  /** Files the calling thread analysed because a worker failed. */
  fallbackFiles: number;
}

export function batchSizeFor(files: number, jobs: number): number {
  // Several batches a thread keep them all busy to the end; a few files a batch keep messages rare.
  return Math.max(1, Math.min(16, Math.ceil(files / (jobs * 8))));
}

interface Batch {
  id: number;
  /** Positions of the batch's files in the caller's list. */
  positions: number[];
  files: string[];
}

/**
 * Batches, largest files first: the threads start on the long work and finish on short files, so
 * none is left with one big file while the others idle (a file's time grows with its size, when
 * it is parsed at all). Each batch holds about the same bytes, at most batchSizeFor files; without
 * sizes, files keep their order.
 */
export function planBatches(files: readonly string[], jobs: number, sizes?: readonly number[]): Batch[] {
  const order = files.map((_, position) => position);
  if (sizes) order.sort((a, b) => (sizes[b] ?? 0) - (sizes[a] ?? 0) || a - b);
  const maxFiles = batchSizeFor(files.length, jobs);
  const total = sizes ? order.reduce((sum, position) => sum + (sizes[position] ?? 0), 0) : 0;
  const byteBudget = sizes ? Math.max(1, total / (jobs * 8 * 2)) : Number.POSITIVE_INFINITY;
  const batches: Batch[] = [];
  let current: Batch | undefined;
  let bytes = 0;
  for (const position of order) {
    if (!current || current.files.length >= maxFiles || bytes >= byteBudget) {
      current = { id: batches.length, positions: [], files: [] };
      batches.push(current);
      bytes = 0;
    }
    current.positions.push(position);
    current.files.push(files[position]!);
    bytes += sizes?.[position] ?? 0;
  }
  return batches;
}

/** Batches a worker holds at once: the next one is waiting when it finishes one. */
const IN_FLIGHT = 2;

/**
 * Analyses `files` with `jobs` threads: the calling thread (which has its engine already, so it
 * starts at once) and `jobs - 1` workers. The calling thread yields after each file so that
 * workers' results are taken and their next batches sent without delay.
 */
export async function analyzeInPool(
  spec: WorkerSpec,
  files: readonly string[],
  jobs: number,
  analyzeHere: (file: string) => FileOutcome,
  onOutcome?: (done: number) => void,
  entry: string = workerEntry(),
  sizes?: readonly number[],
): Promise<PoolRun> {
  const outcomes: FileOutcome[] = new Array(files.length);
  const pending = planBatches(files, jobs, sizes);
  let done = 0;
  let fallbackFiles = 0;
  const record = (batch: Batch, batchOutcomes: FileOutcome[]): void => {
    batchOutcomes.forEach((outcome, offset) => (outcomes[batch.positions[offset]!] = outcome));
    done += batchOutcomes.length;
    onOutcome?.(done);
  };
  const yieldToMessages = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

  const workerCount = Math.max(0, Math.min(jobs - 1, pending.length - 1));
  let live = workerCount;
  let allEnded: () => void = () => {};
  const workersEnded = new Promise<void>((resolve) => (allEnded = resolve));
  if (live === 0) allEnded();
  const orphans: Batch[] = [];
  const endIfIdle: Array<() => void> = [];
  for (let i = 0; i < workerCount; i++) {
    let worker: Worker;
    try {
      worker = new Worker(entry, { workerData: spec });
    } catch {
      // No thread to be had (resource limits): this thread does its share.
      if (--live === 0) allEnded();
      continue;
    }
    const inFlight = new Map<number, Batch>();
    let ended = false;
    const fill = (): void => {
      while (!ended && inFlight.size < IN_FLIGHT && pending.length > 0) {
        const batch = pending.shift()!;
        inFlight.set(batch.id, batch);
        worker.postMessage({ type: 'batch', id: batch.id, files: batch.files } satisfies ToWorker);
      }
      if (inFlight.size === 0) end();
    };
    const end = (): void => {
      if (ended) return;
      ended = true;
      void worker.terminate();
      // Whatever this worker still held is done by the calling thread.
      orphans.push(...inFlight.values());
      inFlight.clear();
      if (--live === 0) allEnded();
    };
    worker.on('message', (message: FromWorker) => {
      if (message.type === 'ready') fill();
      else if (message.type === 'results') {
        const batch = inFlight.get(message.id);
        if (!batch) return;
        inFlight.delete(message.id);
        record(batch, message.outcomes);
        fill();
      } else if (message.type === 'failed') end();
    });
    worker.on('error', () => end());
    worker.on('exit', () => end());
    endIfIdle.push(() => {
      if (inFlight.size === 0) end();
    });
  }

  // This thread takes batches from the same queue until none is left.
  while (pending.length > 0) {
    const batch = pending.shift()!;
    const batchOutcomes: FileOutcome[] = [];
    for (const file of batch.files) {
      batchOutcomes.push(analyzeHere(file));
      await yieldToMessages();
    }
    record(batch, batchOutcomes);
  }
  // Then stops the workers that hold nothing (one still starting up is not waited for), waits
  // for the others, and does what a failed one left.
  for (const stop of endIfIdle) stop();
  for (;;) {
    while (orphans.length > 0) {
      const batch = orphans.shift()!;
      fallbackFiles += batch.files.length;
      record(batch, batch.files.map(analyzeHere));
    }
    if (live === 0) break;
    await Promise.race([workersEnded, new Promise((resolve) => setTimeout(resolve, 20))]);
  }
  while (orphans.length > 0) {
    const batch = orphans.shift()!;
    fallbackFiles += batch.files.length;
    record(batch, batch.files.map(analyzeHere));
  }
  return { outcomes, workers: workerCount, fallbackFiles };
}
