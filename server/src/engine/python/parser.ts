/**
 * Loads web-tree-sitter and the Python grammar (both wasm, no native addon) once per process.
 * The wasm files are found next to the bundle (dist/) when built, or in node_modules in development.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser } from 'web-tree-sitter';
import { ChunkedText, type TextSource } from '../chunked-text';

let loading: Promise<Language> | undefined;

function findFile(candidates: string[]): string {
  for (const candidate of candidates) if (fs.existsSync(candidate)) return candidate;
  throw new Error(`cannot find ${path.basename(candidates[0] ?? '')}; looked in:\n  ${candidates.join('\n  ')}`);
}

/** Directories to look in, nearest first: the bundle's own folder, then node_modules up the tree. */
function searchDirs(subdir: string): string[] {
  const dirs = [__dirname];
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    dirs.push(path.join(dir, 'node_modules', subdir));
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return dirs;
}

export function pythonLanguage(): Promise<Language> {
  loading ??= (async () => {
    const runtimeWasm = findFile(searchDirs('web-tree-sitter').map((dir) => path.join(dir, 'tree-sitter.wasm')));
    await Parser.init({ locateFile: () => runtimeWasm });
    const grammarWasm = findFile(searchDirs('tree-sitter-python').map((dir) => path.join(dir, 'tree-sitter-python.wasm')));
    return Language.load(fs.readFileSync(grammarWasm));
  })();
  return loading;
}

/** A parser bound to the Python grammar. Parsers are cheap; each caller keeps its own. */
export async function createPythonParser(): Promise<Parser> {
  const language = await pythonLanguage();
  const parser = new Parser();
  parser.setLanguage(language);
  return parser;
}

/**
 * What `parser.parse()` is given to read `text`: a function of ours, never the string itself.
 * Given a string, web-tree-sitter keeps a closure of its own over it on its module object, and
 * with that every text parsed stayed reachable until the next young-generation collection,
 * however short-lived its tree: on a 5,000-line document each collection promoted to the old
 * generation all the texts parsed since the one before (~85 of 195 kB; a keystroke's text is a
 * new string), where they stayed until a full collection. Through a function of ours only the
 * current text survives (measured; we did not pin down why V8 keeps the others).
 */
export function textInput(text: TextSource, end?: number): (index: number) => string {
  if (end === undefined) return (index) => textAt(text, index);
  // A stretch parsed alone (includedRanges): the parser copies each read into its buffer, up to
  // 5,119 characters, and a definition is often a tenth of that (measured: 330 to 205 µs a parse).
  return (index) => {
    if (index >= end) return '';
    const rest = textAt(text, index);
    return rest.length > end - index ? rest.slice(0, end - index) : rest;
  };
}

/**
 * Text from `index` on, for the parser and for a node's text (web-tree-sitter reads on until it
 * has what it needs, and copies at most 5,119 characters a read into the parser): the rest of a
 * string (a slice of it, not a copy), the rest of a ChunkedText's chunk holding `index`.
 */
export function textAt(text: TextSource, index: number): string {
  return text instanceof ChunkedText ? text.rest(index) : text.slice(index);
}
