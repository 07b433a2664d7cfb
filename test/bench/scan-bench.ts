/**
 * Whole-repository scan benchmark (run on demand: `npm run bench -- [DIR] [--files N]`).
 * Without DIR it generates a corpus of realistic ML files (default 3000) under .bench/ and scans
 * it. Prints files/s, MB/s, wall time, how many files were parsed (the rest were skipped by the
 * rules' trigger words), peak RSS and the ten slowest files. One core: the scan is sequential.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { scanFiles, setUpScan } from '../../server/src/engine/scan';
import { generateCorpus } from './generate-corpus';

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { files: { type: 'string', default: '3000' }, runs: { type: 'string', default: '3' } } });
  let target = positionals[0];
  if (!target) {
    target = path.resolve(__dirname, '../../.bench/corpus');
    const count = Number(values.files);
    const marker = path.join(target, `.generated-${count}`);
    if (!fs.existsSync(marker)) {
      fs.rmSync(target, { recursive: true, force: true });
      const { bytes } = generateCorpus(target, count);
      fs.writeFileSync(marker, '');
      console.log(`generated ${count} files, ${(bytes / 1e6).toFixed(1)} MB in ${target}`);
    }
  }
  const setupStarted = performance.now();
  const setup = await setUpScan({ paths: [target] });
  console.log(`setup (rules, catalog, parser): ${(performance.now() - setupStarted).toFixed(0)} ms, ${setup.engine.rules.length} rules`);

  const runs = Number(values.runs);
  let best: ReturnType<typeof scanFiles> | undefined;
  let bestCpuMs = Number.POSITIVE_INFINITY;
  for (let run = 0; run < runs; run++) {
    const cpuBefore = process.cpuUsage();
    const result = scanFiles(setup, [target]);
    const cpu = process.cpuUsage(cpuBefore);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    console.log(`run ${run + 1}: ${result.filesScanned} files in ${result.durationMs.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU`);
    if (!best || result.durationMs < best.durationMs) best = result;
    bestCpuMs = Math.min(bestCpuMs, cpuMs);
  }
  if (!best) return;
  const seconds = best.durationMs / 1000;
  const megabytes = best.bytesScanned / 1e6;
  console.log('');
  console.log(`files:        ${best.filesScanned} (${(megabytes).toFixed(2)} MB), ${best.findings.length} findings`);
  console.log(`wall time:    ${best.durationMs.toFixed(0)} ms (best of ${runs}, discovery included)`);
  console.log(`throughput:   ${(best.filesScanned / seconds).toFixed(0)} files/s, ${(megabytes / seconds).toFixed(2)} MB/s (wall)`);
  // CPU time is what one core spends; it stays meaningful when other processes share the machine.
  console.log(`per CPU-second: ${(megabytes / (bestCpuMs / 1000)).toFixed(2)} MB/s (best run: ${bestCpuMs.toFixed(0)} ms CPU; load average ${os.loadavg()[0]!.toFixed(2)})`);
  console.log(`peak RSS:     ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  console.log('slowest files:');
  for (const timing of [...best.timings].sort((a, b) => b.ms - a.ms).slice(0, 10)) {
    console.log(`  ${timing.ms.toFixed(1).padStart(7)} ms  ${(timing.bytes / 1024).toFixed(1).padStart(6)} KB  ${path.relative(process.cwd(), timing.file)}`);
  }
}

void main();
