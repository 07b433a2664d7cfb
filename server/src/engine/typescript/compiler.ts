/**
 * The TypeScript compiler's namespace (the copy ts-morph ships), taken once. Every TS/JS module of
 * the engine imports `ts` from here, never from 'ts-morph' directly: the bundler keeps an import
 * from a CommonJS package live, so each `ts.isIdentifier(node)` went through two getters (the
 * bundler's import wrapper, whose one shared getter reads a different key for every property of
 * every wrapped module, and ts-morph's own export getter) — 28% of the server's CPU time while
 * typing in a 5,000-line TypeScript file. `import … =` makes a plain variable that is also the
 * namespace of the compiler's types (`ts.Node`).
 */
import { ts as tsMorphCompiler } from 'ts-morph';

export import ts = tsMorphCompiler;

/**
 * The syntax kinds, taken once as well: `ts.SyntaxKind` is itself a getter of the compiler's
 * namespace, and the facts walk compares node kinds with it at every node (3% of the CPU time).
 */
export import SyntaxKind = ts.SyntaxKind;
