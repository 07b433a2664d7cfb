/**
 * Side-by-side benchmark (run on demand): one directory scanned in one run by ATLAS Lens (the
 * built CLI, server/dist/cli.js, as users run it), by Bandit (when `bandit` is on the PATH) and
 * by ruff's wasm build with its S (flake8-bandit) rules, each in its own process so that each
 * peak RSS is its own. Prints wall time, CPU time, files/s, MB/s, peak RSS, the ten slowest files,
 * the effect of each way to speed ATLAS Lens up (worker pool, cache) and our time as a ratio of
 * each of theirs.
 *
 *   bash test/bench/fetch-corpus.sh            # scikit-learn from Debian into .bench/real/
 *   npm run build && npm run bench:compare -- [DIR] [--runs N] [--jobs N]
 *
 * DIR defaults to .bench/real/sklearn-src (scikit-learn without its tests, ~170k lines).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'server/dist/cli.js');

interface Measured {
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  stdout: string;
  stderr: string;
  status: number | null;
}

/** Runs a command under GNU time (for the child's own peak RSS and CPU time). */
function measure(command: string, args: string[]): Measured {
  const timeFile = path.join(os.tmpdir(), `atlas-lens-bench-time-${process.pid}`);
  const hasTime = fs.existsSync('/usr/bin/time');
  const started = performance.now();
  const result = hasTime
    ? spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M %U %S', command, ...args], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(command, args, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const wallMs = performance.now() - started;
  let peakRssMb = NaN;
  let cpuMs = NaN;
  if (hasTime) {
    const last = fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ');
    peakRssMb = Number(last[0]) / 1024;
    cpuMs = (Number(last[1]) + Number(last[2])) * 1000;
    fs.rmSync(timeFile, { force: true });
  }
  return { wallMs, cpuMs, peakRssMb, stdout: result.stdout, stderr: result.stderr, status: result.status };
}

function pythonFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...pythonFiles(full));
    else if (entry.isFile() && entry.name.endsWith('.py')) out.push(full);
  }
  return out.sort();
}

function onPath(command: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${command}`], { encoding: 'utf8' }).status === 0;
}

/** The ruff-wasm child: reads and checks every .py file in-process, prints JSON. */
async function ruffChild(dir: string): Promise<void> {
  const loadStarted = performance.now();
  const ruff = (await import('@astral-sh/ruff-wasm-nodejs')) as typeof import('@astral-sh/ruff-wasm-nodejs');
  const workspace = new ruff.Workspace({ lint: { select: ['S'] } }, ruff.PositionEncoding.Utf16);
  const setupMs = performance.now() - loadStarted;
  const started = performance.now();
  const timings: Array<[string, number, number]> = [];
  let diagnostics = 0;
  let bytes = 0;
  const files = pythonFiles(dir);
  for (const file of files) {
    const fileStarted = performance.now();
    const text = fs.readFileSync(file, 'utf8');
    diagnostics += (workspace.check(text) as unknown[]).length;
    bytes += Buffer.byteLength(text);
    timings.push([file, bytes, performance.now() - fileStarted]);
  }
  const loopMs = performance.now() - started;
  timings.sort((a, b) => b[2] - a[2]);
  process.stdout.write(JSON.stringify({ setupMs, loopMs, files: files.length, diagnostics, version: ruff.Workspace.version(), slowest: timings.slice(0, 10) }));
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(2);
const fmt = (ms: number): string => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.round(ms)} ms`);

interface Row {
  name: string;
  wallMs: number;
  cpuMs: number;
  peakRssMb: number;
  note: string;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { runs: { type: 'string', default: '3' }, jobs: { type: 'string' }, 'ruff-child': { type: 'boolean', default: false }, 'no-bandit': { type: 'boolean', default: false } },
  });
  const dir = path.resolve(positionals[0] ?? path.join(ROOT, '.bench/real/sklearn-src'));
  if (values['ruff-child']) return ruffChild(dir);
  if (!fs.existsSync(dir)) {
    console.error(`${dir} does not exist: run bash test/bench/fetch-corpus.sh first (or name a directory)`);
    process.exit(2);
  }
  if (!fs.existsSync(path.join(ROOT, 'server/dist/scan-worker.js'))) {
    console.error('build first: npm run build');
    process.exit(2);
  }
  const files = pythonFiles(dir);
  let bytes = 0;
  let lines = 0;
  for (const file of files) {
    const text = fs.readFileSync(file);
    bytes += text.length;
    for (const byte of text) if (byte === 10) lines++;
  }
  const cpu = (fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) ?? [])[1] ?? os.cpus()[0]?.model ?? 'unknown';
  console.log(`machine: ${os.availableParallelism()} cores (nproc), ${cpu}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GB, Node ${process.version}; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log(`corpus:  ${path.relative(process.cwd(), dir) || dir}: ${files.length} .py files, ${lines.toLocaleString('en')} lines, ${mb(bytes)} MB`);

  const runs = Math.max(1, Number(values.runs));
  const jobs = values.jobs ?? String(os.availableParallelism());
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-bench-cache-'));
  const configs: Array<{ name: string; args: string[]; beforeEach?: () => void }> = [
    { name: 'ATLAS Lens, 1 thread', args: ['--jobs', '1'] },
    { name: `ATLAS Lens, --jobs ${jobs}`, args: ['--jobs', jobs] },
    { name: `ATLAS Lens, --jobs ${jobs}, cold cache`, args: ['--jobs', jobs, '--cache-dir', cacheDir], beforeEach: () => fs.rmSync(cacheDir, { recursive: true, force: true }) },
    { name: `ATLAS Lens, --jobs ${jobs}, warm cache`, args: ['--jobs', jobs, '--cache-dir', cacheDir] },
  ];
  const best = new Map<string, Row>();
  const keep = (row: Row): void => {
    const previous = best.get(row.name);
    if (!previous || row.wallMs < previous.wallMs) best.set(row.name, row);
  };
  const bandit = !values['no-bandit'] && onPath('bandit');
  let ruffDetail: { setupMs: number; loopMs: number; files: number; diagnostics: number; version: string; slowest: Array<[string, number, number]> } | undefined;
  for (let run = 0; run < runs; run++) {
    for (const config of configs) {
      config.beforeEach?.();
      const m = measure(process.execPath, [CLI, 'scan', dir, '--format', 'json', '--fail-on', 'never', '--stats', ...config.args]);
      if (m.status !== 0) throw new Error(`${config.name} failed: ${m.stderr}`);
      const json = JSON.parse(m.stdout) as { findings: unknown[]; summary: { filesScanned?: number } };
      keep({ name: config.name, wallMs: m.wallMs, cpuMs: m.cpuMs, peakRssMb: m.peakRssMb, note: `${json.findings.length} findings in ${json.summary.filesScanned} files; ${m.stderr.trim().replace(/^atlas-lens: /, '').replace(/ in \/.*$/, '')}` });
    }
    if (bandit) {
      const m = measure('bandit', ['-r', '-q', '-f', 'json', dir]);
      let note = `exit ${m.status}`;
      try {
        const json = JSON.parse(m.stdout) as { results: unknown[]; metrics: { _totals: { loc: number } } };
        note = `${json.results.length} results, ${json.metrics._totals.loc.toLocaleString('en')} lines of code`;
      } catch {
        // keep the exit status
      }
      keep({ name: 'Bandit', wallMs: m.wallMs, cpuMs: m.cpuMs, peakRssMb: m.peakRssMb, note });
    }
    const r = measure(process.execPath, ['--import', 'tsx', __filename, '--ruff-child', dir]);
    if (r.status !== 0) throw new Error(`ruff-wasm failed: ${r.stderr}`);
    const detail = JSON.parse(r.stdout) as NonNullable<typeof ruffDetail>;
    keep({ name: 'ruff-wasm S rules (process)', wallMs: r.wallMs, cpuMs: r.cpuMs, peakRssMb: r.peakRssMb, note: `${detail.diagnostics} diagnostics, ruff ${detail.version}` });
    keep({ name: 'ruff-wasm S rules (read+check loop)', wallMs: detail.loopMs, cpuMs: NaN, peakRssMb: NaN, note: `in-process loop over ${detail.files} files; wasm load ${fmt(detail.setupMs)}` });
    if (!ruffDetail || detail.loopMs < ruffDetail.loopMs) ruffDetail = detail;
    console.log(`run ${run + 1}/${runs} done (load average ${os.loadavg()[0]!.toFixed(2)})`);
  }
  fs.rmSync(cacheDir, { recursive: true, force: true });

  console.log(`\nbest of ${runs} runs, wall time of each process (startup included):`);
  console.log(`${'tool'.padEnd(40)} ${'wall'.padStart(8)} ${'CPU'.padStart(8)} ${'files/s'.padStart(8)} ${'MB/s'.padStart(7)} ${'peak RSS'.padStart(9)}  note`);
  for (const row of best.values()) {
    const seconds = row.wallMs / 1000;
    console.log(
      `${row.name.padEnd(40)} ${fmt(row.wallMs).padStart(8)} ${(Number.isNaN(row.cpuMs) ? '' : fmt(row.cpuMs)).padStart(8)} ${(files.length / seconds).toFixed(0).padStart(8)} ${(bytes / 1e6 / seconds).toFixed(2).padStart(7)} ${(Number.isNaN(row.peakRssMb) ? '' : `${row.peakRssMb.toFixed(0)} MB`).padStart(9)}  ${row.note}`,
    );
  }

  const single = best.get(configs[0]!.name)!;
  const pooled = best.get(configs[1]!.name)!;
  const cold = best.get(configs[2]!.name)!;
  const warm = best.get(configs[3]!.name)!;
  console.log('\neach step:');
  console.log(`  worker pool (${jobs} threads) vs 1 thread: ${fmt(single.wallMs)} -> ${fmt(pooled.wallMs)} (x${(single.wallMs / pooled.wallMs).toFixed(2)})`);
  console.log(`  writing the cache (cold) vs no cache:      ${fmt(pooled.wallMs)} -> ${fmt(cold.wallMs)} (${(((cold.wallMs - pooled.wallMs) / pooled.wallMs) * 100).toFixed(0)}%)`);
  console.log(`  warm cache vs no cache:                    ${fmt(pooled.wallMs)} -> ${fmt(warm.wallMs)} (x${(pooled.wallMs / warm.wallMs).toFixed(2)})`);

  console.log('\nour time as a ratio of theirs (lower is better; target: <= 0.10 of Bandit, < 1 of ruff-wasm S):');
  const theirs = [...best.values()].filter((row) => !row.name.startsWith('ATLAS Lens'));
  for (const ours of [single, pooled, warm]) {
    console.log(`  ${ours.name}: ${theirs.map((row) => `${(ours.wallMs / row.wallMs).toFixed(3)} of ${row.name}`).join(', ')}`);
  }

  // Our ten slowest files, from an in-process single-threaded scan (the CLI does not print them).
  const { setUpScan, scanFiles } = await import('../../server/src/engine/scan');
  const setup = await setUpScan({ paths: [dir] });
  const result = scanFiles(setup, [dir]);
  console.log('\nATLAS Lens, ten slowest files (one thread, in-process):');
  for (const timing of [...result.timings].sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    console.log(`  ${timing.ms.toFixed(1).padStart(7)} ms  ${(timing.bytes / 1024).toFixed(1).padStart(6)} KB  ${path.relative(dir, timing.file)}`);
  }
  if (ruffDetail) {
    console.log('ruff-wasm S rules, ten slowest files (read + check):');
    const sizes = new Map<string, number>();
    for (const file of files) sizes.set(file, fs.statSync(file).size);
    for (const [file, , ms] of ruffDetail.slowest) console.log(`  ${ms.toFixed(1).padStart(7)} ms  ${((sizes.get(file) ?? 0) / 1024).toFixed(1).padStart(6)} KB  ${path.relative(dir, file)}`);
  }
  console.log(`\nload average at the end: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} (other processes on the machine inflate wall times; CPU times are steadier)`);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
