/**
 * The fuzz harness on demand:
 *   npm run fuzz                          a bounded run (the same size as in npm test)
 *   npm run fuzz -- --long                50,000 inputs (or --count N), progress every 10 s
 *   npm run fuzz -- --seed 42 --count 1000
 *   npm run fuzz -- --seed 42 --index 1234   one input again (a reproducer)
 * ATLAS_LENS_FUZZ_SEED and ATLAS_LENS_FUZZ_COUNT set the same from the environment. Prints inputs/s
 * and every failure; each failing input is saved under .fuzz/ (git-ignored) with its recipe and
 * the command that reproduces it. Exit status 1 when anything failed.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';
import { contentBytes, ROOT } from './generate';
import { FuzzHarness, type FuzzFailure } from './oracle';

export const BOUNDED_COUNT = 1200;

export function clip(text: string, max = 600): string {
  return text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text;
}

function option(name: string): string | undefined {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

export function seedFromEnvironment(): number {
  const given = option('seed') ?? process.env.ATLAS_LENS_FUZZ_SEED;
  return given !== undefined ? Number(given) >>> 0 : 0x41544c53; // "ATLS"
}

/** Writes each failing input under .fuzz/ with a note of how to reproduce it; returns the folder. */
export function saveReproducers(seed: number, failures: readonly FuzzFailure[]): string {
  const dir = path.join(ROOT, '.fuzz', `seed-${seed}`);
  const seen = new Set<number>();
  for (const failure of failures) {
    const { input } = failure;
    if (seen.has(input.index)) continue;
    seen.add(input.index);
    const base = path.join(dir, `${input.index}`);
    fs.mkdirSync(base, { recursive: true });
    fs.writeFileSync(path.join(base, input.name), contentBytes(input));
    const reasons = failures.filter((f) => f.input.index === input.index).map((f) => `- ${f.what}`);
    fs.writeFileSync(
      path.join(base, 'README.txt'),
      `${input.recipe}\nkind: ${input.kind}\n\n${reasons.join('\n')}\n\nreproduce: npm run fuzz -- --seed ${seed} --index ${input.index}\n`,
    );
  }
  return dir;
}

/**
 * A hang never returns to the event loop, so the watchdog is a thread: it reads the index being
 * analysed and when it started from shared memory, and past `limitMs` it saves the reproducer
 * note and ends the process.
 */
function startWatchdog(seed: number, limitMs: number): { start(index: number): void; stop(): void } {
  const shared = new Float64Array(new SharedArrayBuffer(16));
  const dir = path.join(ROOT, '.fuzz', `seed-${seed}`);
  const worker = new Worker(
    `const { workerData } = require('node:worker_threads');
     const fs = require('node:fs');
     const path = require('node:path');
     const shared = new Float64Array(workerData.buffer);
     setInterval(() => {
       const started = shared[1];
       if (started > 0 && Date.now() - started > workerData.limitMs) {
         const index = shared[0];
         const note = 'HANG: input ' + index + ' ran for more than ' + workerData.limitMs + ' ms\\nreproduce: npm run fuzz -- --seed ' + workerData.seed + ' --index ' + index + '\\n';
         fs.mkdirSync(path.join(workerData.dir, 'hang-' + index), { recursive: true });
         fs.writeFileSync(path.join(workerData.dir, 'hang-' + index, 'README.txt'), note);
         fs.writeSync(2, note);
         process.kill(process.pid, 'SIGKILL');
       }
     }, 1000);`,
    { eval: true, workerData: { buffer: shared.buffer, limitMs, seed, dir } },
  );
  worker.unref();
  return {
    start(index) {
      shared[0] = index;
      shared[1] = Date.now();
    },
    stop() {
      void worker.terminate();
    },
  };
}

async function main(): Promise<void> {
  const seed = seedFromEnvironment();
  const long = process.argv.includes('--long');
  const index = option('index');
  const count = index !== undefined ? 1 : Number(option('count') ?? process.env.ATLAS_LENS_FUZZ_COUNT ?? (long ? 50_000 : BOUNDED_COUNT));
  const start = index !== undefined ? Number(index) : 0;
  console.log(`fuzz: seed ${seed} (set with --seed N or ATLAS_LENS_FUZZ_SEED), ${count} input(s) from index ${start}`);
  const harness = await FuzzHarness.create();
  let done = 0;
  let lastReport = performance.now();
  const started = performance.now();
  const watchdog = startWatchdog(seed, 120_000);
  try {
    const report = await harness.run({
      seed,
      count,
      start,
      scanEvery: index !== undefined ? 1 : 10,
      specials: index === undefined && !process.argv.includes('--no-specials'),
      onStart: (input) => watchdog.start(input.index),
      onInput: (input, ms) => {
        done++;
        if (index !== undefined) console.log(`${input.recipe} (${input.kind}, ${input.name}): ${ms.toFixed(1)} ms`);
        if (performance.now() - lastReport > 10_000) {
          lastReport = performance.now();
          console.log(`  ${done} inputs, ${(done / ((lastReport - started) / 1000)).toFixed(0)} inputs/s`);
        }
      },
    });
    const seconds = report.ms / 1000;
    console.log(`${report.inputs} inputs (${report.scans} also scanned beside control files) in ${seconds.toFixed(1)} s: ${(report.inputs / seconds).toFixed(0)} inputs/s; ${report.stopped} stopped by the time budget (reported)`);
    console.log(`slowest: ${report.slowest.map((s) => `${s.ms.toFixed(0)} ms ${s.recipe}`).join('; ')}`);
    if (report.failures.length === 0) {
      console.log('no failures');
      return;
    }
    for (const failure of report.failures) console.log(`FAIL #${failure.input.index} ${failure.input.name} [${failure.input.recipe}]: ${clip(failure.what)}`);
    console.log(`${report.failures.length} failure(s); inputs saved in ${path.relative(process.cwd(), saveReproducers(seed, report.failures))}`);
    process.exitCode = 1;
  } finally {
    watchdog.stop();
    harness.dispose();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(2);
  });
}
