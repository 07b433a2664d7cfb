/**
 * Where the scan pool starts to pay (run on demand: `node --import tsx test/bench/pool-bench.ts [DIR]`):
 * the first N source files of DIR (default .bench/real/sklearn-src) analysed by one thread and by a
 * pool of one worker per core, for growing N, best of several runs each, worker start-up included.
 * The crossover decides POOL_MIN_FILES in server/src/engine/batch/scan-files.ts.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { setUpScan } from '../../server/src/engine/scan';
import { scanFileList } from '../../server/src/engine/batch/scan-files';
import { discoverFiles } from '../../server/src/engine/workspace/discover';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { runs: { type: 'string', default: '5' }, sizes: { type: 'string', default: '5,10,20,40,80,160,320' } } });
  const dir = path.resolve(positionals[0] ?? path.join(__dirname, '../../.bench/real/sklearn-src'));
  if (!fs.existsSync(dir)) throw new Error(`${dir} does not exist: run bash test/bench/fetch-corpus.sh first`);
  const setup = await setUpScan({ paths: [dir] });
  const { files } = discoverFiles([dir], { isSupported: (file) => setup.engine.supports(file) });
  const jobs = os.availableParallelism();
  // The built worker, as the CLI runs it (the source one would be compiled by tsx in each worker).
  const workerFile = path.join(__dirname, '../../server/dist/scan-worker.js');
  if (!fs.existsSync(workerFile)) throw new Error('build first: npm run build');
  console.log(`${files.length} files in ${dir}; ${jobs} threads (this one and ${jobs - 1} workers); load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`${'files'.padStart(6)} ${'KB'.padStart(7)} ${'1 thread'.padStart(9)} ${`${jobs} threads`.padStart(10)}  pool/1`);
  // Spread the sample over the tree (the first files of one folder are not typical).
  for (const size of values.sizes.split(',').map(Number).filter((n) => n <= files.length)) {
    const step = files.length / size;
    const sample = Array.from({ length: size }, (_, i) => files[Math.floor(i * step)]!);
    const kb = sample.reduce((sum, file) => sum + fs.statSync(file).size, 0) / 1024;
    let single = Infinity;
    let pooled = Infinity;
    for (let run = 0; run < Number(values.runs); run++) {
      let started = performance.now();
      await scanFileList(setup.engine, setup.settings, sample, { jobs: 1 });
      single = Math.min(single, performance.now() - started);
      started = performance.now();
      const result = await scanFileList(setup.engine, setup.settings, sample, { jobs, poolMinFiles: 1, workerFile });
      pooled = Math.min(pooled, performance.now() - started);
      if (result.workers === 0) throw new Error('the pool did not start');
    }
    console.log(`${String(size).padStart(6)} ${kb.toFixed(0).padStart(7)} ${single.toFixed(0).padStart(7)} ms ${pooled.toFixed(0).padStart(8)} ms  ${(pooled / single).toFixed(2)}`);
  }
}

void main();
