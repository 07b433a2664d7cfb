/**
 * Rules of the source tree that the compiler does not enforce, checked on the import declarations
 * of every engine module (parsed with the TypeScript compiler):
 * - the engine never imports the language server's or the editor's packages, so that the CLI
 *   and the tests run it bare;
 * - only typescript/compiler.ts imports the compiler namespace from 'ts-morph' at run time: a
 *   module importing it directly reads `ts` through the bundler's live-import getters at every
 *   use, which made TS/JS analysis twice as slow (see compiler.ts).
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ts } from 'ts-morph';

const ENGINE = path.resolve(__dirname, '../../server/src/engine');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** Each import of a file: the module named, and whether it is erased at run time (`import type`). */
function importsOf(file: string): Array<{ module: string; typeOnly: boolean }> {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.ESNext, false, ts.ScriptKind.TS);
  const imports: Array<{ module: string; typeOnly: boolean }> = [];
  for (const statement of source.statements) {
    if (!ts.isImportDeclaration(statement) || !ts.isStringLiteral(statement.moduleSpecifier)) continue;
    const clause = statement.importClause;
    const bindings = clause?.namedBindings;
    const everyNameTypeOnly = !!bindings && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((element) => element.isTypeOnly) && !clause?.name;
    imports.push({ module: statement.moduleSpecifier.text, typeOnly: !!clause?.isTypeOnly || everyNameTypeOnly });
  }
  return imports;
}

const files = sourceFiles(ENGINE);

test('the engine imports no language-server or editor package', () => {
  assert.ok(files.length > 50, `found ${files.length} engine modules`);
  const offending = files.flatMap((file) =>
    importsOf(file)
      .filter(({ module }) => module.startsWith('vscode-languageserver') || module.startsWith('vscode-languageclient') || module === 'vscode' || module.includes('/lsp/'))
      .map(({ module }) => `${path.relative(ENGINE, file)} imports ${module}`),
  );
  assert.deepEqual(offending, []);
});

test("only typescript/compiler.ts imports ts-morph's compiler namespace at run time", () => {
  const importers = files.filter((file) => importsOf(file).some(({ module, typeOnly }) => module === 'ts-morph' && !typeOnly)).map((file) => path.relative(ENGINE, file));
  assert.deepEqual(importers, [path.join('typescript', 'compiler.ts')]);
});
