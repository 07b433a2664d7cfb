/**
 * The TS/JS analysis is syntactic: no rule needs types, so no TypeScript program (and so no type
 * checker, the expensive part) is ever built. Guarded here because one stray `getType()` would
 * make every TS/JS file several times slower.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { Project } from 'ts-morph';
import { Engine } from '../../server/src/engine/engine';

const root = path.resolve(__dirname, '../..');

function filesUnder(dir: string, pattern: RegExp): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .map((name) => path.join(dir, name))
    .filter((file) => pattern.test(file) && fs.statSync(file).isFile());
}

test('analysing every TS/JS fixture asks ts-morph for no program, type checker or language service', async () => {
  const methods = ['getProgram', 'getTypeChecker', 'getLanguageService', 'getPreEmitDiagnostics'] as const;
  const calls: string[] = [];
  const prototype = Project.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const originals = methods.map((name) => prototype[name]!);
  methods.forEach((name, index) => {
    prototype[name] = function (this: unknown, ...args: unknown[]) {
      calls.push(name);
      return originals[index]!.apply(this, args);
    };
  });
  let findings = 0;
  let files: string[] = [];
  try {
    const engine = await Engine.create();
    files = filesUnder(path.join(root, 'test/fixtures'), /\.(ts|tsx|js|jsx|mjs|cjs)$/);
    for (const file of files) findings += engine.analyze(file, fs.readFileSync(file, 'utf8')).findings.length;
  } finally {
    methods.forEach((name, index) => (prototype[name] = originals[index]!));
  }
  assert.ok(files.length >= 10 && findings > 0, `${files.length} TS/JS fixtures analysed, ${findings} findings`);
  assert.deepStrictEqual(calls, []);
});

test('the TS/JS analysis uses no type or symbol API (they would build the type checker)', () => {
  const typeApis = /\.(getType|getTypeAtLocation|getTypeChecker|getProgram|getSymbol|getAliasedSymbol|getDefinitions|findReferences|getImplementations|getReturnType|getContextualType)\s*\(/;
  const offenders = filesUnder(path.join(root, 'server/src/engine/typescript'), /\.ts$/).filter((file) => typeApis.test(fs.readFileSync(file, 'utf8')));
  assert.deepStrictEqual(offenders, []);
});
