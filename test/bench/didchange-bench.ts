/**
 * Time from `textDocument/didChange` to fresh diagnostics on a 5,000-line Python file, over the
 * real server (server/dist/server.js, `npm run build` first) on stdio: a hundred one-character
 * edits, each followed by the diagnostics of that version. Two scenarios:
 * - typing: someone typing code into functions, a character at a time, with brackets closed
 *   automatically as VS Code does by default (a new line of code, a call with a risky argument
 *   appearing and being completed) — the everyday case;
 * - stress: a space inserted at seeded random places, which splits identifiers and keyword
 *   tokens and leaves the file full of syntax errors, so incremental reuse rarely applies.
 * Measured in push mode (publishDiagnostics carrying the new version) and pull mode (didChange,
 * then textDocument/diagnostic answered). Prints median, p95 and max; target p95 < 20 ms.
 *   npm run bench:didchange [-- --edits 100 --lines 5000]
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import type { DocumentDiagnosticReport, PublishDiagnosticsParams } from 'vscode-languageserver';

const ROOT = path.resolve(__dirname, '../..');
const SERVER = path.join(ROOT, 'server/dist/server.js');
const arg = (name: string, fallback: number): number => {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? Number(process.argv[index + 1]) : fallback;
};
const EDITS = arg('edits', 100);
const LINES = arg('lines', 5000);

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** ML-flavoured Python: imports, then blocks of training/serving code with a few findings each. */
function pythonFile(lines: number): string {
  const out = ['import os', 'import pickle', 'import torch', 'import yaml', 'import numpy as np', 'from transformers import AutoModel', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `def train_${i}(data_dir, checkpoint_${i}):`,
      `    """Trains block ${i} and saves a checkpoint."""`,
      `    # comment line for edits ${i}`,
      `    batch_size = ${32 + (i % 8)}`,
      `    path = os.path.join(data_dir, "part-${i}.npy")`,
      i % 5 === 0 ? `    state = torch.load(checkpoint_${i})` : `    state = torch.load(checkpoint_${i}, weights_only=True)`,
      i % 7 === 0 ? `    arr = np.load(path, allow_pickle=True)` : `    arr = np.load(path)`,
      i % 11 === 0 ? `    cfg = yaml.load(open("cfg-${i}.yaml"))` : `    cfg = yaml.safe_load(open("cfg-${i}.yaml"))`,
      `    model = AutoModel.from_pretrained("org/model-${i}", revision="0123456789abcdef0123456789abcdef01234567")`,
      `    total = 0`,
      `    for step in range(batch_size):`,
      `        total += step * ${i}`,
      `    return model, state, arr, cfg, total`,
      '',
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

function stats(samples: number[]): { median: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN };
}

async function run(mode: 'push' | 'pull', scenario: 'typing' | 'stress'): Promise<number[]> {
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-bench-'));
  const file = path.join(workspace, 'big_model.py');
  let text = pythonFile(LINES);
  fs.writeFileSync(file, text);
  const uri = pathToFileURL(file).href;
  const child = spawn(process.execPath, [SERVER, '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiting = new Map<number, () => void>();
  connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
    if (params.uri === uri && params.version !== undefined) waiting.get(params.version)?.();
  });
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.onRequest('client/registerCapability', () => null);
  connection.onNotification('window/logMessage', () => undefined);
  connection.listen();
  const pull = mode === 'pull';
  await connection.sendRequest('initialize', {
    processId: process.pid,
    rootUri: pathToFileURL(workspace).href,
    workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'bench' }],
    capabilities: {
      textDocument: {
        publishDiagnostics: { versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
        ...(pull ? { diagnostic: { dynamicRegistration: false } } : {}),
      },
      workspace: { configuration: true },
    },
  });
  connection.sendNotification('initialized', {});

  const fresh = (version: number): Promise<void> =>
    pull
      ? connection.sendRequest<DocumentDiagnosticReport>('textDocument/diagnostic', { textDocument: { uri } }).then(() => undefined)
      : new Promise((resolve) => waiting.set(version, () => { waiting.delete(version); resolve(); }));

  let version = 1;
  const opened = fresh(version);
  connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  await opened;

  const next = random(42);
  const lines = text.split('\n');
  const samples: number[] = [];
  // Typing: a statement typed a character at a time on a new line inside a function.
  const TYPED = '    extra = torch.load(path, weights_only=False)';
  let typingLine = -1;
  let typed = 0;
  for (let i = 0; i < EDITS + 5; i++) {
    let change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
    if (scenario === 'typing') {
      if (typingLine < 0 || typed >= TYPED.length) {
        // Start a new line after a random function's docstring.
        const from = Math.floor(next() * (lines.length - 1));
        const docstring = lines.findIndex((l, index) => index >= from && l.trimStart().startsWith('"""'));
        typingLine = (docstring < 0 ? lines.findIndex((l) => l.trimStart().startsWith('"""')) : docstring) + 1;
        lines.splice(typingLine, 0, '');
        typed = 0;
        change = { range: { start: { line: typingLine, character: 0 }, end: { line: typingLine, character: 0 } }, text: '\n' };
      } else {
        // As in VS Code (editor.autoClosingBrackets): typing "(" inserts "()", and typing the ")"
        // in front of the auto-inserted one only moves the cursor past it.
        if (TYPED[typed] === ')' && lines[typingLine]![typed] === ')') typed++;
        if (typed >= TYPED.length) {
          i--;
          continue;
        }
        const character = typed;
        const insert = TYPED[typed] === '(' ? '()' : TYPED[typed]!;
        lines[typingLine] = lines[typingLine]!.slice(0, character) + insert + lines[typingLine]!.slice(character);
        change = { range: { start: { line: typingLine, character }, end: { line: typingLine, character } }, text: insert };
        typed++;
      }
    } else {
      // Type one character at a random place of a random line (every fifth edit on a finding's line).
      let line = Math.floor(next() * (lines.length - 1));
      if (i % 5 === 0) line = lines.findIndex((l, index) => index >= line && l.includes('torch.load('));
      if (line < 0) line = 0;
      const character = Math.floor(next() * ((lines[line] ?? '').length + 1));
      const insert = lines[line]!.trimStart().startsWith('#') ? 'x' : ' ';
      lines[line] = lines[line]!.slice(0, character) + (character === 0 ? '' : insert) + lines[line]!.slice(character);
      change = { range: { start: { line, character }, end: { line, character } }, text: character === 0 ? '' : insert };
    }
    version++;
    const started = performance.now();
    const done = pull ? undefined : fresh(version);
    connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
    await (done ?? fresh(version));
    if (i >= 5) samples.push(performance.now() - started); // the first edits warm the JIT
  }
  text = lines.join('\n');
  await connection.sendRequest('shutdown');
  await connection.sendNotification('exit').catch(() => undefined);
  child.stdin.on('error', () => undefined); // the server may close its end first
  connection.dispose();
  child.kill();
  fs.rmSync(workspace, { recursive: true, force: true });
  return samples;
}

async function main(): Promise<void> {
  if (!fs.existsSync(SERVER)) throw new Error(`${SERVER} is missing: run npm run build`);
  console.log(`didChange → fresh diagnostics, ${LINES}-line Python file, ${EDITS} one-character edits (after 5 warm-up edits)`);
  let worst = 0;
  for (const scenario of ['typing', 'stress'] as const) {
    for (const mode of ['push', 'pull'] as const) {
      const { median, p95, max } = stats(await run(mode, scenario));
      if (scenario === 'typing') worst = Math.max(worst, p95);
      console.log(`  ${scenario.padEnd(6)} ${mode}: median ${median.toFixed(1)} ms, p95 ${p95.toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    }
  }
  console.log(`target p95 < 20 ms (typing): ${worst < 20 ? 'met' : 'NOT met'}`);
}

main().catch((error: unknown) => {
  console.error((error as Error).stack ?? String(error));
  process.exit(1);
});
