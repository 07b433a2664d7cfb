/**
 * Where the time from didChange to diagnostics goes, in process (no JSON-RPC, no child): the
 * same edits as didchange-bench.ts replayed on the server's own document store and engine, each
 * phase timed — applying the change (document sync), the incremental reparse, the analysis,
 * findings → LSP diagnostics, JSON serialisation. For a CPU profile of the whole:
 *   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx test/bench/didchange-phases.ts [--lines 5000 --edits 200 --scenario stress]
 * Each phase is given as wall-clock median/p95 and as the median CPU time of the process (less
 * disturbed by a busy machine). `--src DIR` runs the server sources in DIR instead (an older
 * checkout's server/src copied under .bench/, for before/after on the same machine load).
 */
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { arg, EDITS, edits, LINES, pythonFile, SCENARIOS, stats } from './didchange-scenarios';

const WARMUP = 5;
/** `--server-warm-up N`: first N steps of the server's own idle warm-up (lsp/warm-up.ts), as a server idle for a few seconds after it started has run. */
const SERVER_WARM_UP = Number(arg('server-warm-up', '0'));
const SRC = path.resolve(arg('src', path.join(__dirname, '../../server/src')));
/** What the server passes (older sources ignore the setting). */
const SETTINGS = { syntaxErrorProblems: false };

async function main(): Promise<void> {
  const { loadBundledCatalog } = (await import(path.join(SRC, 'engine/atlas/catalog'))) as typeof import('../../server/src/engine/atlas/catalog');
  const { Engine } = (await import(path.join(SRC, 'engine/engine'))) as typeof import('../../server/src/engine/engine');
  const { createPythonParser } = (await import(path.join(SRC, 'engine/python/parser'))) as typeof import('../../server/src/engine/python/parser');
  const { findingToDiagnostic } = (await import(path.join(SRC, 'lsp/diagnostics'))) as typeof import('../../server/src/lsp/diagnostics');
  const { DocumentStore } = (await import(path.join(SRC, 'lsp/documents'))) as typeof import('../../server/src/lsp/documents');
  console.log(`${path.relative(process.cwd(), SRC)}: phases of didChange → diagnostics, ${EDITS} edits (after ${WARMUP} warm-up edits); wall median/p95 ms, then median CPU ms`);
  const engine = await Engine.create();
  const catalog = loadBundledCatalog();
  const features = { codeDescription: true, relatedInformation: true };
  if (SERVER_WARM_UP > 0) {
    const { WarmUpSession } = (await import(path.join(SRC, 'lsp/warm-up'))) as typeof import('../../server/src/lsp/warm-up');
    const session = new WarmUpSession(await createPythonParser(), { engine, catalog, analysis: { rules: {} }, features });
    const started = performance.now();
    for (let step = 0; step < SERVER_WARM_UP; step++) session.step();
    session.dispose();
    console.log(`  the server's warm-up: ${SERVER_WARM_UP} steps in ${(performance.now() - started).toFixed(0)} ms`);
    if (process.argv.includes('--mark')) console.log('=== WARMED UP');
  }
  for (const lines of LINES) {
    for (const scenario of SCENARIOS) {
      const documents = new DocumentStore(await createPythonParser());
      const uri = `file:///bench/lines_${lines}_${scenario}.py`;
      const document = documents.open(uri, 'python', 1, pythonFile(lines));
      engine.analyzeTree(document.analysisPath!, document.text, document.tree!.current(document.text)!, SETTINGS);
      const phases: Record<string, number[]> = { sync: [], reparse: [], analyse: [], diagnostics: [], json: [], total: [] };
      const cpu: number[] = [];
      let version = 1;
      let i = 0;
      for (const change of edits(scenario, document.text, EDITS + WARMUP)) {
        version++;
        const c0 = process.cpuUsage();
        const t0 = performance.now();
        document.update([change], version);
        const t1 = performance.now();
        // As the server parses (lsp/analysis.ts): one definition alone where that is enough (older sources: current()).
        // As the server reads it: in slices of a ChunkedText (older sources: the whole string).
        const text = 'source' in document ? document.source : (document as { text: string }).text;
        const tree = 'syntax' in document.tree! ? document.tree!.syntax(text)! : document.tree!.current(text)!;
        const t2 = performance.now();
        // As the server asks (lsp/analysis.ts): it shows no info problems.
        const result = engine.analyzeTree(document.analysisPath!, text, tree, SETTINGS);
        const t3 = performance.now();
        const diagnostics = result.findings.map((finding) => findingToDiagnostic(finding, catalog, features));
        const t4 = performance.now();
        JSON.stringify({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri, version, diagnostics } });
        const t5 = performance.now();
        const c1 = process.cpuUsage(c0);
        // Work the server leaves until the diagnostics are out (freeing the old tree) runs between edits, untimed, as there.
        await new Promise((resolve) => setImmediate(resolve));
        await new Promise((resolve) => setImmediate(resolve));
        if (i++ < WARMUP) continue;
        phases.sync!.push(t1 - t0);
        phases.reparse!.push(t2 - t1);
        phases.analyse!.push(t3 - t2);
        phases.diagnostics!.push(t4 - t3);
        phases.json!.push(t5 - t4);
        phases.total!.push(t5 - t0);
        cpu.push((c1.user + c1.system) / 1000);
      }
      const parses = document.tree!.stats;
      documents.close(uri);
      const cells = Object.entries(phases).map(([name, samples]) => {
        const { median, p95 } = stats(samples);
        return `${name} ${median.toFixed(2)}/${p95.toFixed(2)}`;
      });
      const alone = parses.definition === undefined ? '' : `; parses: ${parses.definition} of one definition alone, ${parses.incremental} incremental of the whole`;
      console.log(`${String(lines).padStart(6)} lines ${scenario.padEnd(6)}: ${cells.join('  ')}  cpu ${stats(cpu).median.toFixed(2)}${alone}`);
    }
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
