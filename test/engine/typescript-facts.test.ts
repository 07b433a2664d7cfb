/**
 * TS/JS facts on strings: imports and require() resolved to qualified names, constants followed,
 * options objects read, and the value tracking of model output within a function.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Project, ts } from 'ts-morph';
import { readArgument } from '../../server/src/engine/typescript/arguments';
import { TsFacts } from '../../server/src/engine/typescript/facts';
import { Taint } from '../../server/src/engine/typescript/taint';

const project = new Project({ useInMemoryFileSystem: true, skipFileDependencyResolution: true, skipLoadingLibFiles: true, compilerOptions: { allowJs: true, jsx: ts.JsxEmit.Preserve } });
let counter = 0;

function facts(text: string, extension = 'ts'): TsFacts {
  const file = project.createSourceFile(`/t/${counter++}.${extension}`, text, { overwrite: true });
  return new TsFacts(file.compilerNode);
}

/** Qualified names of the calls, in document order (unresolved ones as `?name`). */
function names(text: string, extension = 'ts'): string[] {
  return facts(text, extension).calls.map((call) => call.qualifiedName ?? `?${call.writtenName ?? ''}`);
}

describe('TS/JS qualified names', () => {
  test('namespace, default, named and aliased imports', () => {
    assert.deepEqual(
      names(`import * as tf from '@tensorflow/tfjs';
import OpenAI from 'openai';
import { pipeline as p, env } from '@huggingface/transformers';
import { default as Anthropic } from '@anthropic-ai/sdk';
tf.loadLayersModel(u); new OpenAI(); p('x'); env.backends.onnx.init(); new Anthropic();`),
      ['@tensorflow/tfjs.loadLayersModel', 'openai', '@huggingface/transformers.pipeline', '@huggingface/transformers.env.backends.onnx.init', '@anthropic-ai/sdk'],
    );
  });

  test('require(): whole module, destructured with alias and nested, member of the call, node: prefix', () => {
    assert.deepEqual(
      names(`const tf = require('@tensorflow/tfjs-node');
const { pipeline, AutoModel: M } = require('@huggingface/transformers');
const { promises: { readFile } } = require('node:fs');
const exec = require('child_process').exec;
tf.loadGraphModel(u); pipeline('t'); M.from_pretrained('m'); readFile('f'); exec('ls');`, 'js'),
      [
        // require() itself is a call to an unbound name; what it returns is the module.
        '?require',
        '?require',
        '?require',
        '?require',
        '@tensorflow/tfjs-node.loadGraphModel',
        '@huggingface/transformers.pipeline',
        '@huggingface/transformers.AutoModel.from_pretrained',
        'fs.promises.readFile',
        'child_process.exec',
      ],
    );
  });

  test('dynamic import with await, instances, promisify, globals', () => {
    assert.deepEqual(
      names(`async function f() {
  const { pipeline } = await import('@xenova/transformers');
  const hf = await import('@huggingface/hub');
  pipeline('t'); hf.downloadFile({});
}
import OpenAI from 'openai';
import { promisify } from 'node:util';
import { exec } from 'node:child_process';
const client = new OpenAI();
const run = promisify(exec);
client.chat.completions.create({}); run('ls'); eval('1'); window.eval('2'); new Function('x');`),
      ['@xenova/transformers.pipeline', '@huggingface/hub.downloadFile', 'openai', 'util.promisify', 'openai().chat.completions.create', 'child_process.exec', 'globalThis.eval', 'globalThis.eval', 'globalThis.Function'],
    );
  });

  test('a local function, a parameter or a rebound name is not the import', () => {
    assert.deepEqual(
      names(`import { pipeline } from '@huggingface/transformers';
import * as tf from '@tensorflow/tfjs';
function a() { function pipeline(x: string) { return x; } return pipeline('t'); }
function b(tf: { loadLayersModel(u: string): void }) { tf.loadLayersModel('u'); }
let eval2 = tf.loadLayersModel; eval2 = () => 1; eval2('u');
obj.loadLayersModel('u');`),
      ['?pipeline', '?tf.loadLayersModel', '?eval2', '?obj.loadLayersModel'],
    );
  });

  test('type-only imports bind nothing', () => {
    assert.deepEqual(names(`import type OpenAI from 'openai'; new OpenAI();`), ['?OpenAI']);
  });
});

describe('TS/JS values and options objects', () => {
  test('constants, templates, object literals and their members', () => {
    const f = facts(`const REV = '4f2a';
const OPTS = { revision: REV, dtype: 'q8' };
const BASE = \`https://\${'example.com'}\`;
let moving = 'a'; moving = 'b';
f(OPTS.revision, BASE + '/m.json', moving, { ...OPTS, device: 'wasm' }, OPTS);`);
    const call = f.calls.at(-1)!;
    const value = (position: number, key?: string) => {
      const state = readArgument(f, call, key ? { position, key } : { position });
      return state.state === 'present' ? state.value : state.state;
    };
    assert.deepEqual(value(0), { kind: 'string', value: '4f2a' });
    assert.deepEqual(value(1), { kind: 'string', value: 'https://example.com/m.json' });
    assert.deepEqual(value(2), { kind: 'unknown' });
    assert.deepEqual(value(3, 'device'), { kind: 'string', value: 'wasm' });
    assert.equal(value(3, 'revision'), 'unknown', 'a spread may hold it');
    assert.deepEqual(value(4, 'revision'), { kind: 'string', value: '4f2a' });
    assert.equal(value(4, 'missing'), 'absent');
    assert.equal(value(5, 'revision'), 'absent');
  });

  test('a named selector reads the property of whichever options object has it', () => {
    const f = facts(`f('a', { b: 1 }, { dangerouslyAllowBrowser: true }); g(opts);`);
    const [first, second] = f.calls;
    const a = readArgument(f, first!, 'dangerouslyAllowBrowser');
    assert.ok(a.state === 'present' && a.value.kind === 'bool' && a.value.value === true && a.property !== undefined);
    assert.equal(readArgument(f, second!, 'dangerouslyAllowBrowser').state, 'unknown');
  });
});

describe('TS/JS value tracking', () => {
  const sources = { calls: ['openai().chat.completions.create', 'ai.generateText'], writtenCalls: ['**.chat.completions.create'] };
  const passThrough = { calls: ['globalThis.JSON.parse'], methods: ['concat'] };

  /** The names tracked at each eval() call's first argument, with the path. */
  function trackedAtEval(text: string): Array<string | undefined> {
    const f = facts(text);
    const taint = new Taint(f, sources, passThrough);
    return f.calls.filter((call) => call.qualifiedName === 'globalThis.eval').map((call) => {
      const origin = taint.origin(call.args[0]!, call.scope);
      return origin ? [origin.label, ...origin.steps.map((step) => step.name)].join(' > ') : undefined;
    });
  }

  test('through three assignments, await, index and property reads, templates and methods', () => {
    assert.deepEqual(
      trackedAtEval(`import OpenAI from 'openai';
const client = new OpenAI();
async function f() {
  const resp = await client.chat.completions.create({});
  const content = resp.choices[0].message.content;
  const code = \`(\${content!.trim()})\`;
  eval(code);
  eval('1 + 1');
}`),
      ['client.chat.completions.create() > resp > content > code', undefined],
    );
  });

  test('destructuring, for await, +=, callbacks, JSON.parse, ?? and conditionals', () => {
    assert.deepEqual(
      trackedAtEval(`import { generateText } from 'ai';
async function f(stream: AsyncIterable<any>, llm: any) {
  const { text } = await generateText({});
  eval(JSON.parse(text).code);
  const s = await llm.chat.completions.create({ stream: true });
  let out = '';
  for await (const chunk of s) out += chunk.choices[0]?.delta?.content ?? '';
  eval(ok ? out : '');
  [text].forEach((t) => eval(t));
  eval(''.concat(text));
  eval(String(text));
}`),
      ['generateText() > text', 'llm.chat.completions.create() > s > chunk > out', 'generateText() > text > t', 'generateText() > text', undefined],
    );
  });

  test('another function, a sanitiser and an unrelated call stop the tracking', () => {
    assert.deepEqual(
      trackedAtEval(`import OpenAI from 'openai';
const client = new OpenAI();
async function a() { const reply = await client.chat.completions.create({}); return reply; }
function b(reply: string) { eval(reply); }
async function c() { const r = await client.chat.completions.create({}); eval(sanitize(r.choices[0].message.content)); eval(r.choices.length > 0 ? 'x' : 'y'); }`),
      [undefined, undefined, undefined],
    );
  });
});
