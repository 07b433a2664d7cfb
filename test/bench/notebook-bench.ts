/**
 * Time from a keystroke in a notebook cell to its findings, in process: `Engine.analyzeCells` as
 * the language server calls it for an open notebook (every code cell's text, after each change),
 * on notebooks of 1,000 and 5,000 lines cut into cells at each top-level definition, typing in
 * turn in twenty of them. Prints median and p95 per size.
 *   npm run bench:notebook [-- --lines 1000,5000 --edits 200 --script]
 */
import { Engine } from '../../server/src/engine/engine';
import { arg, pythonFile, stats } from './didchange-scenarios';

const LINES = arg('lines', '1000,5000').split(',').map(Number);
const EDITS = Number(arg('edits', '200'));
const WARMUP = 20;
/**
 * `--script`: cells of top-level code, as most notebooks are (each block's body without its
 * `def` line and `return`), rather than a function per cell.
 */
const SCRIPT = process.argv.includes('--script');

/** The cells: the bench file cut at each top-level definition, or (`--script`) those definitions' bodies as top-level code. */
function notebookCells(lines: number): string[] {
  const cells = pythonFile(lines).split('\ndef ').map((cell, index) => (index === 0 ? cell : `def ${cell}`));
  if (!SCRIPT) return cells;
  return cells.map((cell, index) => (index === 0 ? cell : cell.split('\n').slice(1).filter((line) => !line.trimStart().startsWith('return ')).map((line) => line.replace(/^ {4}/, '')).join('\n')));
}

async function main(): Promise<void> {
  const engine = await Engine.create();
  console.log(`analyzeCells after one change in one cell, ${EDITS} changes (after ${WARMUP} warm-up ones), in process`);
  for (const lines of LINES) {
    const cells = notebookCells(lines);
    const file = `/bench/notebook_${lines}.ipynb`;
    engine.analyzeCells(file, cells, { syntaxErrorProblems: false });
    const samples: number[] = [];
    for (let i = 0; i < EDITS + WARMUP; i++) {
      // A digit typed into a statement of one of twenty cells, in turn.
      const index = 1 + (i % 20);
      cells[index] = cells[index]!.replace(/^( *)total = \d+/m, `$1total = ${i % 10}0`);
      const started = performance.now();
      engine.analyzeCells(file, cells, { syntaxErrorProblems: false });
      if (i >= WARMUP) samples.push(performance.now() - started);
    }
    const { median, p95 } = stats(samples);
    console.log(`  ${String(lines).padStart(5)} lines in ${cells.length} cells: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms`);
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
