/**
 * TS/JS analysis benchmark (run on demand: `node --import tsx test/bench/typescript-bench.ts [--files N] [--runs R]`).
 * Generates a corpus of realistic TypeScript / JavaScript files in memory (LLM API routes, React chat
 * components, TensorFlow.js and transformers.js loaders, agents, and plain app code that no rule
 * triggers on), analyses each with the engine and prints: the one-time cost of loading ts-morph,
 * per-file milliseconds (mean, median, p95, max), MB/s, how many files were parsed, and memory.
 */
import { parseArgs } from 'node:util';
import { Engine } from '../../server/src/engine/engine';

const HELPERS = (i: number) => `
export interface Item${i} { id: string; score: number; tags: string[] }
export function rank${i}(items: Item${i}[], limit = 10): Item${i}[] {
  return [...items].sort((a, b) => b.score - a.score).slice(0, limit).map((item) => ({ ...item, tags: item.tags.filter(Boolean) }));
}
export async function retry${i}<T>(fn: () => Promise<T>, attempts = 3): Promise<T> {
  let last: unknown;
  for (let attempt = 0; attempt < attempts; attempt++) {
    try { return await fn(); } catch (error) { last = error; await new Promise((r) => setTimeout(r, 2 ** attempt * 100)); }
  }
  throw last;
}
`;

const TEMPLATES: Array<(i: number) => [string, string]> = [
  (i) => [`api/chat${i}.ts`, `import express from 'express';
import OpenAI from 'openai';
const client = new OpenAI({ apiKey: process.env.OPENAI_API_KEY });
const app = express();
app.use(express.json());
app.post('/chat', async (req, res) => {
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: req.body.messages, max_tokens: 512 });
  const reply = completion.choices[0].message.content ?? '';
  res.json({ reply });
});
app.listen(Number(process.env.PORT ?? 3000), ${i % 4 === 0 ? "'0.0.0.0'" : "'127.0.0.1'"});
${HELPERS(i)}`],
  (i) => [`components/Chat${i}.tsx`, `import { useChat } from '@ai-sdk/react';
import DOMPurify from 'dompurify';
import { marked } from 'marked';
export function Chat${i}({ title }: { title: string }) {
  const { messages, input, handleInputChange, handleSubmit } = useChat();
  return (
    <section>
      <h2>{title}</h2>
      {messages.map((m) => (
        <article key={m.id} dangerouslySetInnerHTML={{ __html: ${i % 3 === 0 ? 'marked.parse(m.content)' : 'DOMPurify.sanitize(marked.parse(m.content) as string)'} }} />
      ))}
      <form onSubmit={handleSubmit}><input value={input} onChange={handleInputChange} /></form>
    </section>
  );
}
${HELPERS(i)}`],
  (i) => [`ml/classifier${i}.js`, `const tf = require('@tensorflow/tfjs-node');
const MODEL_URL = ${i % 2 === 0 ? "'http://models.internal/classifier/model.json'" : "'https://models.example.com/classifier/v3/model.json'"};
let model;
async function load() {
  model = model || (await tf.loadLayersModel(MODEL_URL));
  return model;
}
async function predict(values) {
  const m = await load();
  return tf.tidy(() => m.predict(tf.tensor2d([values])).dataSync());
}
module.exports = { load, predict };
${HELPERS(i).replace(/: Item\d+\[\]|: Promise<T>|<T>|: \(\) => Promise<T>|: unknown|export interface[^}]*}/g, '').replace(/export /g, '')}`],
  (i) => [`workers/embed${i}.ts`, `import { pipeline, env } from '@huggingface/transformers';
env.allowLocalModels = false;
const REV = '4f2a9c1d0e3b5a7c9e1f3a5c7e9b1d3f5a7c9e1b';
let extractor: Awaited<ReturnType<typeof pipeline>> | undefined;
export async function embed(texts: string[]) {
  extractor ??= await pipeline('feature-extraction', 'Xenova/all-MiniLM-L6-v2'${i % 2 === 0 ? '' : ', { revision: REV }'});
  return extractor(texts, { pooling: 'mean', normalize: true });
}
${HELPERS(i)}`],
  (i) => [`agents/agent${i}.ts`, `import Anthropic from '@anthropic-ai/sdk';
import { execFile } from 'node:child_process';
const anthropic = new Anthropic();
export async function plan(goal: string) {
  const msg = await anthropic.messages.create({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: goal }] });
  const block = msg.content[0];
  const text = block.type === 'text' ? block.text : '';
  const steps = text.split('\\n').filter((line) => line.startsWith('- '));
  ${i % 5 === 0 ? 'eval(steps.join(";"));' : "execFile('echo', [steps.length.toString()]);"}
  return steps;
}
${HELPERS(i)}`],
  (i) => [`lib/util${i}.ts`, `import * as path from 'node:path';
import { readFile } from 'node:fs/promises';
export async function readJson${i}<T>(file: string): Promise<T> {
  return JSON.parse(await readFile(path.resolve(file), 'utf8')) as T;
}
${HELPERS(i)}${HELPERS(i + 1000)}${HELPERS(i + 2000)}`],
  (i) => [`lib/store${i}.js`, `export class Store${i} {
  #items = new Map();
  get(key) { return this.#items.get(key); }
  set(key, value) { this.#items.set(key, value); return this; }
  *entries() { yield* this.#items.entries(); }
}
export const debounce = (fn, ms = 200) => { let t; return (...args) => { clearTimeout(t); t = setTimeout(() => fn(...args), ms); }; };
${HELPERS(i).replace(/: Item\d+\[\]|: Promise<T>|<T>|: \(\) => Promise<T>|: unknown|export interface[^}]*}/g, '')}`],
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { files: { type: 'string', default: '350' }, runs: { type: 'string', default: '3' } } });
  const count = Number(values.files);
  const corpus: Array<[string, string]> = [];
  for (let i = 0; i < count; i++) corpus.push(TEMPLATES[i % TEMPLATES.length]!(i));
  const bytes = corpus.reduce((sum, [, text]) => sum + Buffer.byteLength(text), 0);

  const created = performance.now();
  const engine = await Engine.create();
  console.log(`engine: ${(performance.now() - created).toFixed(0)} ms, ${engine.rules.filter((r) => r.languages.includes('typescript')).length} TS/JS rules`);
  const first = performance.now();
  engine.analyze('/bench/warmup.ts', "import OpenAI from 'openai'; new OpenAI({ dangerouslyAllowBrowser: true });");
  console.log(`first TS file (loads ts-morph, creates the project): ${(performance.now() - first).toFixed(0)} ms`);
  const heapBefore = process.memoryUsage().heapUsed;

  let best: { total: number; times: number[]; parsed: number; findings: number; cpu: number } | undefined;
  for (let run = 0; run < Number(values.runs); run++) {
    const times: number[] = [];
    let parsed = 0;
    let findings = 0;
    const cpuBefore = process.cpuUsage();
    const started = performance.now();
    for (const [name, text] of corpus) {
      const t0 = performance.now();
      const result = engine.analyze(`/bench/${name}`, text);
      times.push(performance.now() - t0);
      if (result.parsed) parsed++;
      findings += result.findings.length;
    }
    const total = performance.now() - started;
    const cpu = process.cpuUsage(cpuBefore);
    console.log(`run ${run + 1}: ${corpus.length} files in ${total.toFixed(0)} ms`);
    if (!best || total < best.total) best = { total, times, parsed, findings, cpu: (cpu.user + cpu.system) / 1000 };
  }
  if (!best) return;
  const sorted = [...best.times].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mb = bytes / 1e6;
  console.log('');
  console.log(`files:       ${corpus.length} (${(bytes / 1024).toFixed(0)} KB, mean ${(bytes / corpus.length / 1024).toFixed(1)} KB), ${best.parsed} parsed, ${best.findings} findings`);
  console.log(`per file:    mean ${(best.total / corpus.length).toFixed(2)} ms, median ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${sorted.at(-1)!.toFixed(2)} ms`);
  console.log(`throughput:  ${(mb / (best.total / 1000)).toFixed(2)} MB/s wall, ${(mb / (best.cpu / 1000)).toFixed(2)} MB/s per CPU-second, ${(corpus.length / (best.total / 1000)).toFixed(0)} files/s`);
  const memory = process.memoryUsage();
  console.log(`memory:      heap ${(memory.heapUsed / 1e6).toFixed(0)} MB (${((memory.heapUsed - heapBefore) / 1e6).toFixed(1)} MB more than after warm-up), RSS ${(memory.rss / 1e6).toFixed(0)} MB, peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

void main();
