/**
 * The edits the didChange benchmarks replay (didchange-bench.ts over the real server,
 * didchange-phases.ts in process), so both measure the same thing:
 * - typing: someone typing code into functions, a character at a time, with brackets closed
 *   automatically as VS Code does by default (a new line of code, a call with a risky argument
 *   appearing and being completed) — the everyday case;
 * - block: typing the head of a block (`if …:`, `if (…) {`) in the same way: the function does
 *   not parse until the head is complete, as it goes for much of real typing (brackets close
 *   themselves, but a condition without its colon is a syntax error), while the statement typed
 *   by `typing` is valid at all but one keystroke;
 * - stress: a space inserted at seeded random places, which splits identifiers and keyword
 *   tokens and leaves the file full of syntax errors, so incremental reuse rarely applies.
 */

export type Scenario = 'typing' | 'block' | 'stress';
/** The language of the file edited (`--language`): Python (incremental in the server) or TypeScript (analysed whole at each edit). */
export type BenchLanguage = 'python' | 'typescript';

/** A command-line option of the didChange benchmarks: `--name value`, or the fallback. */
export function arg(name: string, fallback: string): string {
  const index = process.argv.indexOf(`--${name}`);
  return index >= 0 ? process.argv[index + 1]! : fallback;
}

/** The options both benchmarks take: `--edits`, `--lines`, `--scenario`. */
export const EDITS = Number(arg('edits', '100'));
export const LINES = arg('lines', '1000,5000,20000').split(',').map(Number);
export const SCENARIOS = arg('scenario', 'typing,stress').split(',') as Scenario[];

export interface BenchChange {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  text: string;
}

/** Deterministic pseudo-random numbers (mulberry32). */
export function random(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * `--tokenizer`: the Python file loads tokenizers (`AutoTokenizer`) where it loads models, as
 * most Hugging Face code does. "Token" is a trigger word of hardcoded-ai-key, whose text filter
 * then reads the whole text at each keystroke (1–2 ms at 5,000 lines, and the document's chunks
 * joined); without the flag no rule's filter runs while typing.
 */
const TOKENIZER = process.argv.includes('--tokenizer');

/**
 * `--verdict-gate`: one block in 20 serves a classifier's verdict (`clf.predict(...)`) and acts on
 * it (`return "blocked"`), as moderation and fraud code does. model-verdict-only-gate then has
 * something to look at in the file at every keystroke.
 */
const VERDICT_GATE = process.argv.includes('--verdict-gate');

/**
 * `--routes`: a FastAPI app serving the models, each block's loader called by a route handler of
 * its own (`@app.post(...)`), as in an inference server: the route rules then have handlers to
 * look at in the file.
 */
const ROUTES = process.argv.includes('--routes');

/**
 * `--llm`: one block in ten asks an LLM for a plan and evaluates it, as agent code does: the flow
 * rules (LLM output reaching eval, a shell, SQL) have sources and sinks to follow in the file.
 */
const LLM = process.argv.includes('--llm');

/** ML-flavoured Python: imports, then blocks of training/serving code with a few findings each. */
export function pythonFile(lines: number): string {
  const model = TOKENIZER ? 'AutoTokenizer' : 'AutoModel';
  const out = ['import os', 'import pickle', 'import torch', 'import yaml', 'import numpy as np', `from transformers import ${model}`, ''];
  if (ROUTES) out.push('from fastapi import FastAPI', '', 'app = FastAPI()', '');
  if (LLM) out.push('from openai import OpenAI', '', 'client = OpenAI()', '');
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
      `    model = ${model}.from_pretrained("org/model-${i}", revision="0123456789abcdef0123456789abcdef01234567")`,
      `    total = 0`,
      `    for step in range(batch_size):`,
      `        total += step * ${i}`,
      `    return model, state, arr, cfg, total`,
      '',
    );
    if (ROUTES && i % 4 === 0) {
      out.push(
        `@app.post("/predict/${i}")`,
        `def predict_${i}(payload: dict):`,
        `    model, state, arr, cfg, total = train_${i}("data", "ckpt-${i}.pt")`,
        `    return {"label": model(payload["text"]), "total": total}`,
        '',
      );
    }
    if (LLM && i % 10 === 0) {
      out.push(
        `def agent_${i}(task):`,
        `    plan = client.chat.completions.create(model="gpt-4o", max_tokens=512, messages=[{"role": "user", "content": task}]).choices[0].message.content`,
        `    return eval(plan)`,
        '',
      );
    }
    if (VERDICT_GATE && i % 20 === 0) {
      out.push(
        `def moderate_${i}(clf, text):`,
        `    label = clf.predict([text])[0]`,
        `    if label == 1:`,
        `        return "blocked"`,
        `    return "allowed"`,
        '',
      );
    }
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** LLM-app TypeScript: imports, then route handlers calling a model, with a few findings each. */
export function typescriptFile(lines: number): string {
  const out = ["import OpenAI from 'openai';", "import express from 'express';", "import { pipeline } from '@huggingface/transformers';", '', 'const client = new OpenAI();', 'const app = express();', ''];
  for (let i = 0; out.length < lines; i++) {
    out.push(
      `export async function handler${i}(req: express.Request, res: express.Response) {`,
      `  /** Answers block ${i}. */`,
      `  const prompt = String(req.body.q${i} ?? '');`,
      `  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: prompt }] });`,
      `  const code = completion.choices[0]?.message.content ?? '';`,
      i % 7 === 0 ? '  eval(code);' : '  res.json({ code });',
      `  const generator = await pipeline('text-generation', 'org/model-${i}', { revision: '0123456789abcdef0123456789abcdef01234567' });`,
      `  return generator;`,
      '}',
      '',
    );
  }
  return out.slice(0, lines).join('\n') + '\n';
}

/** The file of `lines` lines the benchmarks edit, in `language`. */
export function benchFile(language: BenchLanguage, lines: number): string {
  return language === 'typescript' ? typescriptFile(lines) : pythonFile(lines);
}

/** Per language: the statement typed (`typing`), the block head typed (`block`), and how the line after which they are typed starts (a docstring). */
const TYPING: Record<BenchLanguage, { statement: string; block: string; after: string }> = {
  python: { statement: '    extra = torch.load(path, weights_only=False)', block: '    if path.endswith(".pt") and batch_size > 0:', after: '"""' },
  typescript: { statement: '  const extra = eval(completion.choices[0]?.message.content);', block: '  if (prompt.length > 0 && completion.choices.length > 0) {', after: '/**' },
};

/**
 * `count` edits of a scenario on `text`, as LSP content changes; each applies to the text left by
 * the ones before. Deterministic (seeded).
 */
export function* edits(scenario: Scenario, text: string, count: number, seed = 42, language: BenchLanguage = 'python'): Generator<BenchChange> {
  const next = random(seed);
  const lines = text.split('\n');
  // Typing: a statement typed a character at a time on a new line inside a function.
  const TYPED = scenario === 'block' ? TYPING[language].block : TYPING[language].statement;
  const after = TYPING[language].after;
  let typingLine = -1;
  let typed = 0;
  for (let i = 0; i < count; i++) {
    if (scenario === 'typing' || scenario === 'block') {
      if (typingLine < 0 || typed >= TYPED.length) {
        // Start a new line after a random function's docstring.
        const from = Math.floor(next() * (lines.length - 1));
        const docstring = lines.findIndex((l, index) => index >= from && l.trimStart().startsWith(after));
        typingLine = (docstring < 0 ? lines.findIndex((l) => l.trimStart().startsWith(after)) : docstring) + 1;
        lines.splice(typingLine, 0, '');
        typed = 0;
        yield { range: { start: { line: typingLine, character: 0 }, end: { line: typingLine, character: 0 } }, text: '\n' };
      } else {
        // As in VS Code (editor.autoClosingBrackets, autoClosingQuotes): typing "(" inserts "()", and typing the ")"
        // in front of the auto-inserted one only moves the cursor past it.
        while ((TYPED[typed] === ')' || TYPED[typed] === ']' || TYPED[typed] === '"') && lines[typingLine]![typed] === TYPED[typed]) typed++;
        if (typed >= TYPED.length) {
          i--;
          continue;
        }
        const character = typed;
        const insert = TYPED[typed] === '(' ? '()' : TYPED[typed] === '[' ? '[]' : TYPED[typed] === '"' ? '""' : TYPED[typed]!;
        lines[typingLine] = lines[typingLine]!.slice(0, character) + insert + lines[typingLine]!.slice(character);
        typed++;
        yield { range: { start: { line: typingLine, character }, end: { line: typingLine, character } }, text: insert };
      }
    } else {
      // Type one character at a random place of a random line (every fifth edit on a finding's line).
      let line = Math.floor(next() * (lines.length - 1));
      if (i % 5 === 0) line = lines.findIndex((l, index) => index >= line && l.includes(language === 'typescript' ? 'eval(' : 'torch.load('));
      if (line < 0) line = 0;
      const character = Math.floor(next() * ((lines[line] ?? '').length + 1));
      const insert = lines[line]!.trimStart().startsWith('#') ? 'x' : ' ';
      lines[line] = lines[line]!.slice(0, character) + (character === 0 ? '' : insert) + lines[line]!.slice(character);
      yield { range: { start: { line, character }, end: { line, character } }, text: character === 0 ? '' : insert };
    }
  }
}

export function stats(samples: number[]): { median: number; p95: number; max: number } {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number): number => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
  return { median: at(0.5), p95: at(0.95), max: sorted[sorted.length - 1] ?? NaN };
}
