/**
 * TypeScript and JavaScript in the language server (Engine.analyzeVersion): the next version of a
 * file is parsed incrementally from the last one (typescript/analyze.ts), and the rules' trigger
 * words are tracked from the last one (rules/word-scanner.ts). After any sequence of edits, the
 * findings and problems must equal a fresh parse's, brackets, strings, comments and JSX broken
 * and mended included.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine, type AnalysisResult } from '../../server/src/engine/engine';

const FIXTURES = path.join(__dirname, '../fixtures');
const SOURCES = ['typescript', 'javascript'].flatMap((language) =>
  fs.readdirSync(path.join(FIXTURES, language)).flatMap((rule) => fs.readdirSync(path.join(FIXTURES, language, rule)).map((name) => path.join(FIXTURES, language, rule, name))),
).filter((file) => /\.(ts|tsx|js|jsx|mjs)$/.test(file));

/** Pieces typed at random places: the tokens that change how the rest of a file parses, and code the rules look at. */
const PIECES = ['(', ')', '{', '}', '[', ']', '"', "'", '`', '${', '/*', '*/', '//', '\n', ' ', ';', ',', '=>', '<div>', '</div>', 'eval(', 'eval(code)', "'0.0.0.0'", 'await ', "import x from 'y';\n", 'sk-proj-abcdefghijklmnopqrstuvwxyz0123456789ABCD', 'x'];

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

/** What a result says, but for the file it names. */
function outcome(result: AnalysisResult): unknown {
  return { findings: result.findings.map(({ file: _file, ...rest }) => rest), problems: result.problems.map(({ file: _file, ...rest }) => rest) };
}

let incremental: Engine;
let fresh: Engine;
before(async () => {
  incremental = await Engine.create();
  fresh = await Engine.create();
});

test('random edits of every TS/JS fixture: the incremental parse gives what a fresh parse gives after every edit', () => {
  assert.ok(SOURCES.length >= 20, `${SOURCES.length} fixtures`);
  let steps = 0;
  let withFindings = 0;
  for (const [index, source] of SOURCES.entries()) {
    const next = random(index * 7919 + Number(process.env.ATLAS_LENS_TS_SEED ?? 1));
    const file = `/project/open/${path.basename(path.dirname(source))}-${path.basename(source)}`;
    let text = fs.readFileSync(source, 'utf8');
    incremental.analyzeVersion(file, text);
    // More on demand: ATLAS_LENS_TS_EDITS=1000 (edits per fixture).
    for (let step = 0; step < Number(process.env.ATLAS_LENS_TS_EDITS ?? 40); step++) {
      const at = Math.floor(next() * (text.length + 1));
      // Every 40 edits the file is pasted back whole (a change spanning it all): edits pile up otherwise.
      if (step > 0 && step % 40 === 0) text = fs.readFileSync(source, 'utf8');
      else if (next() < 0.3 && text.length > 0) {
        const length = Math.min(text.length - at, 1 + Math.floor(next() * 12));
        text = text.slice(0, at) + text.slice(at + length);
      } else {
        text = text.slice(0, at) + PIECES[Math.floor(next() * PIECES.length)]! + text.slice(at);
      }
      // The fresh engine sees each version under a name of its own: nothing to reuse.
      const expected = outcome(fresh.analyze(`/project/fresh/${steps}/${path.basename(file)}`, text));
      assert.deepEqual(outcome(incremental.analyzeVersion(file, text)), expected, `${source}, step ${step}:\n${text}`);
      if ((expected as { findings: unknown[] }).findings.length > 0) withFindings++;
      steps++;
    }
  }
  // The edits must leave findings to compare often enough for this to test anything.
  assert.ok(withFindings > steps / 8, `${withFindings} of ${steps} versions had findings`);
});

test('typing a statement into a function of a TS file a character at a time: findings equal a fresh parse at every keystroke', () => {
  const file = '/project/open/routes.ts';
  const lines = [
    "import OpenAI from 'openai';",
    'const client = new OpenAI();',
    'export async function answer(q: string) {',
    "  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: q }] });",
    "  const code = completion.choices[0]?.message.content ?? '';",
    '  return code;',
    '}',
    '',
  ];
  let text = lines.join('\n');
  incremental.analyzeVersion(file, text);
  const typed = '  const result = eval(code);\n';
  const at = text.indexOf('  return code;');
  for (let i = 1; i <= typed.length; i++) {
    const version = text.slice(0, at) + typed.slice(0, i) + text.slice(at);
    assert.deepEqual(outcome(incremental.analyzeVersion(file, version)), outcome(fresh.analyze(`/project/fresh/typing-${i}/routes.ts`, version)), `keystroke ${i}`);
  }
  text = text.slice(0, at) + typed + text.slice(at);
  assert.deepEqual(incremental.analyzeVersion(file, text).findings.map((finding) => [finding.ruleId, finding.range.start.line]), [['js-llm-output-code-execution', 5]]);
});

test('the change range handed to the compiler is the one stretch that differs, exactly', async () => {
  const { changeRange } = await import('../../server/src/engine/typescript/analyze');
  const cases: Array<[string, string, [number, number, number]]> = [
    ['const a = 1;', 'const ab = 1;', [7, 0, 1]],
    ['const ab = 1;', 'const a = 1;', [7, 1, 0]],
    ['eval(x)', 'eval(y)', [5, 1, 1]],
    ['', 'x', [0, 0, 1]],
    ['x', '', [0, 1, 0]],
    ['same', 'same', [4, 0, 0]],
    ['aaa', 'aaaa', [3, 0, 1]], // a repeated character: taken at the end
    ['f(a, b)', 'f(b)', [2, 3, 0]],
  ];
  for (const [before, after, [start, length, newLength]] of cases) {
    assert.deepEqual(changeRange(before, after), { span: { start, length }, newLength }, `${JSON.stringify(before)} → ${JSON.stringify(after)}`);
  }
  // Generated pairs: the range, applied to the old text, gives the new one, and nothing around it is the same.
  const next = random(2026);
  for (let i = 0; i < 300; i++) {
    const before = Array.from({ length: Math.floor(next() * 40) }, () => 'ab(){} \n'[Math.floor(next() * 8)]).join('');
    const at = Math.floor(next() * (before.length + 1));
    const removed = Math.floor(next() * Math.min(5, before.length - at + 1));
    const after = before.slice(0, at) + Array.from({ length: Math.floor(next() * 4) }, () => 'ab()'[Math.floor(next() * 4)]).join('') + before.slice(at + removed);
    const { span, newLength } = changeRange(before, after);
    const context = `${JSON.stringify(before)} → ${JSON.stringify(after)}`;
    assert.equal(before.slice(0, span.start) + after.slice(span.start, span.start + newLength) + before.slice(span.start + span.length), after, context);
    assert.equal(after.length - newLength, before.length - span.length, context);
    if (span.length > 0 && newLength > 0) {
      assert.notEqual(before[span.start], after[span.start], context);
      assert.notEqual(before[span.start + span.length - 1], after[span.start + newLength - 1], context);
    }
  }
});

test('should the compiler\'s incremental parser throw, the version is parsed from scratch: same findings', async () => {
  const { incrementalParser } = await import('../../server/src/engine/typescript/analyze');
  const original = incrementalParser.update;
  const file = '/project/open/throwing.ts';
  const text = "import OpenAI from 'openai';\nconst client = new OpenAI();\nexport async function answer(q: string) {\n  const r = await client.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: q }] });\n  return r;\n}\n";
  incremental.analyzeVersion(file, text);
  let calls = 0;
  incrementalParser.update = () => {
    calls++;
    throw new Error('Debug Failure. False expression.');
  };
  try {
    const edited = text.replace('  return r;', '  return eval(r.choices[0]?.message.content ?? "");');
    assert.deepEqual(outcome(incremental.analyzeVersion(file, edited)), outcome(fresh.analyze('/project/fresh/throwing/throwing.ts', edited)));
    assert.equal(calls, 1);
    assert.deepEqual(incremental.analyzeVersion(file, edited).findings.map((finding) => finding.ruleId), ['js-llm-output-code-execution']);
  } finally {
    incrementalParser.update = original;
  }
});
