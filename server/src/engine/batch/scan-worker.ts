/**
 * A scan pool worker: its own Engine (rules loaded, tree-sitter initialised in this thread), then
 * batches of files analysed exactly as the single-threaded scan does (analyze-file.ts).
 * Bundled as server/dist/scan-worker.js.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Engine } from '../engine';
import { readAndAnalyze } from './analyze-file';
import { ResultCache } from './cache';
import type { FromWorker, ToWorker, WorkerSpec } from './protocol';

async function start(): Promise<void> {
  const port = parentPort;
  if (!port) return;
  const spec = workerData as WorkerSpec;
  const send = (message: FromWorker): void => port.postMessage(message);
  let engine: Engine;
  try {
    engine = await Engine.fromRules(spec.rules);
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
    return;
  }
  const cache = spec.cache ? new ResultCache(spec.cache.dir, spec.cache.fingerprint) : undefined;
  port.on('message', (message: ToWorker) => {
    if (message.type !== 'batch') return;
    const outcomes = message.files.map((file) => readAndAnalyze(engine, file, spec.settings, cache, false));
    send({ type: 'results', id: message.id, outcomes });
  });
  send({ type: 'ready' });
}

void start();
