/**
 * Memory on a 1M-line repository (run on demand: `npm run build && npm run bench:memory -- [DIR]`).
 * Without DIR it builds .bench/million/: copies of scikit-learn's sources (test/bench/fetch-corpus.sh)
 * until there are a million lines, or generated ML files (generate-corpus.ts) when those are absent.
 * Then it reports the peak RSS of
 *   - the CLI scan, one thread and with its worker pool (GNU time's maximum resident set size);
 *   - the language server (server/dist/server.js over stdio) answering atlasLens/scanWorkspace,
 *     sampled from /proc every 50 ms, with the kernel's high-water mark (VmHWM) at the end.
 * Target: the server stays under 300 MB. Options: --no-cli, --no-server, --server FILE (another build).
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { generateCorpus } from './generate-corpus';

const ROOT = path.resolve(__dirname, '../..');
const TARGET_LINES = 1_000_000;

function countLines(dir: string): { files: number; lines: number; bytes: number } {
  let files = 0;
  let lines = 0;
  let bytes = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.py')) continue;
    const text = fs.readFileSync(path.join(entry.parentPath, entry.name));
    files++;
    bytes += text.length;
    for (const byte of text) if (byte === 10) lines++;
  }
  return { files, lines, bytes };
}

function buildMillion(): string {
  const target = path.join(ROOT, '.bench/million');
  const marker = path.join(target, '.complete');
  if (fs.existsSync(marker)) return target;
  fs.rmSync(target, { recursive: true, force: true });
  fs.mkdirSync(target, { recursive: true });
  const real = path.join(ROOT, '.bench/real/sklearn-src');
  if (fs.existsSync(real)) {
    const perCopy = countLines(real).lines;
    const copies = Math.ceil(TARGET_LINES / perCopy);
    for (let i = 1; i <= copies; i++) fs.cpSync(real, path.join(target, `copy-${String(i).padStart(2, '0')}`), { recursive: true });
  } else {
    // The generator's files average ~110 lines.
    generateCorpus(target, Math.ceil(TARGET_LINES / 110));
  }
  fs.writeFileSync(marker, '');
  return target;
}

function procStatus(pid: number, field: 'VmRSS' | 'VmHWM'): number {
  try {
    const match = fs.readFileSync(`/proc/${pid}/status`, 'utf8').match(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm'));
    return match ? Number(match[1]) / 1024 : NaN;
  } catch {
    return NaN;
  }
}

function cliPeak(dir: string, jobs: number): { wallMs: number; peakMb: number; summary: string } {
  const timeFile = path.join(os.tmpdir(), `atlas-lens-memory-${process.pid}`);
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%M', process.execPath, path.join(ROOT, 'server/dist/cli.js'), 'scan', dir, '--fail-on', 'never', '--jobs', String(jobs), '--stats', '--format', 'json', '--output', '/dev/null'], { encoding: 'utf8' });
  const wallMs = performance.now() - started;
  const peakMb = Number(fs.readFileSync(timeFile, 'utf8').trim().split('\n').pop()) / 1024;
  fs.rmSync(timeFile, { force: true });
  return { wallMs, peakMb, summary: result.stderr.trim() };
}

async function serverPeak(dir: string, serverFile: string): Promise<void> {
  const child = spawn(process.execPath, [serverFile, '--stdio'], { stdio: 'pipe' });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  let published = 0;
  connection.onNotification('textDocument/publishDiagnostics', () => {
    published++;
  });
  connection.listen();
  const uri = pathToFileURL(dir).href;
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: uri,
    workspaceFolders: [{ uri, name: 'million' }],
    capabilities: { workspace: { configuration: true, workspaceFolders: true }, window: { workDoneProgress: true }, textDocument: { publishDiagnostics: {} } },
    initializationOptions: { workspaceTrusted: true },
  });
  await connection.sendNotification('initialized', {});
  await new Promise((resolve) => setTimeout(resolve, 500));
  const idle = procStatus(child.pid!, 'VmRSS');
  let sampled = idle;
  const sampler = setInterval(() => (sampled = Math.max(sampled, procStatus(child.pid!, 'VmRSS') || 0)), 50);
  const started = performance.now();
  try {
    const result = await connection.sendRequest('atlasLens/scanWorkspace', {});
    const ms = performance.now() - started;
    const hwm = procStatus(child.pid!, 'VmHWM');
    const after = procStatus(child.pid!, 'VmRSS');
    console.log(`server (${path.relative(process.cwd(), serverFile)}, atlasLens/scanWorkspace): ${(ms / 1000).toFixed(1)} s, answer ${JSON.stringify(result)}, ${published} publishDiagnostics`);
    console.log(`  RSS idle after initialize ${idle.toFixed(0)} MB, peak sampled ${sampled.toFixed(0)} MB, peak (VmHWM) ${hwm.toFixed(0)} MB, after the scan ${after.toFixed(0)} MB; target < 300 MB: ${hwm < 300 ? 'met' : 'NOT met'}`);
  } catch (error) {
    const code = (error as { code?: number }).code;
    if (code === -32601) console.log('server: no atlasLens/scanWorkspace here yet (the wsserver branch is not merged); nothing to measure');
    else console.log(`server: scanWorkspace failed: ${(error as Error).message}\n${stderr.slice(-2000)}`);
  } finally {
    clearInterval(sampler);
    try {
      await connection.sendRequest('shutdown');
      await connection.sendNotification('exit');
    } catch {
      // already gone
    }
    setTimeout(() => child.kill(), 1000).unref();
    connection.dispose();
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'no-cli': { type: 'boolean', default: false }, 'no-server': { type: 'boolean', default: false }, server: { type: 'string' } } });
  if (!fs.existsSync(path.join(ROOT, 'server/dist/scan-worker.js'))) throw new Error('build first: npm run build');
  const dir = path.resolve(positionals[0] ?? buildMillion());
  const size = countLines(dir);
  console.log(`machine: ${os.availableParallelism()} cores, ${(fs.readFileSync('/proc/cpuinfo', 'utf8').match(/^model name\s*:\s*(.*)$/m) ?? [])[1]}; load average ${os.loadavg()[0]!.toFixed(2)}`);
  console.log(`corpus: ${dir}: ${size.files} .py files, ${size.lines.toLocaleString('en')} lines, ${(size.bytes / 1e6).toFixed(1)} MB`);
  if (!values['no-cli']) {
    for (const jobs of [1, os.availableParallelism()]) {
      const run = cliPeak(dir, jobs);
      console.log(`CLI --jobs ${jobs}: ${(run.wallMs / 1000).toFixed(1)} s, peak RSS ${run.peakMb.toFixed(0)} MB (${run.summary.replace(/^atlas-lens: /, '')})`);
    }
  }
  // --server FILE: another build of the server (e.g. a branch with the workspace scan, built elsewhere).
  if (!values['no-server']) await serverPeak(dir, path.resolve(values.server ?? path.join(ROOT, 'server/dist/server.js')));
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
