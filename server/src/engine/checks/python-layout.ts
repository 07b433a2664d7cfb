/**
 * Where a Python file's functions are, read from its text without parsing it: each `def` runs
 * from its keyword to the next statement indented no deeper, the way Python's own tokenizer
 * splits blocks (strings, comments, brackets and backslash continuations are followed, so a
 * line inside a string or a bracket never ends a block). A text filter uses it to look at one
 * function at a time. Where the parser would have to guess (tabs or other whitespace in
 * indentation, a string or a bracket left open) it gives no layout, and the filter falls back to
 * the whole file. test/engine/triggers.test.ts holds it to the parser on every fixture.
 */

export interface FunctionStretch {
  /** Offset of `def` (or of `async`). */
  start: number;
  /** Offset of the first statement after the body (or the end of the text): trailing blank and comment lines are inside. */
  end: number;
  /**
   * The end of the body's last code (its last statement, a comment after it left out): the
   * parser's function node spans at least `start`..`codeEnd`, where `end` may reach further.
   */
  codeEnd: number;
}

export interface PythonLayout {
  /** Every function, nested ones too, in the order they start. */
  functions: FunctionStretch[];
  /**
   * The text outside every function: class bodies, decorators and module statements, without
   * comments and strings. f-strings are kept, since their interpolations are code.
   */
  moduleCode: string;
}

const OPENING = new Set(['(', '[', '{']);
/** What changes the scanner's state; it jumps from one to the next. */
const INTERESTING = /["'#\\\n\r()[\]{}]/g;
const PREFIX = /[rRbBuUfF]{1,2}$/;

/** The functions and module code of `text`; undefined where its blocks cannot be told without parsing. */
export function pythonLayout(text: string): PythonLayout | undefined {
  const functions: FunctionStretch[] = [];
  const open: Array<{ indent: number; stretch: FunctionStretch }> = [];
  let moduleCode = '';
  let depth = 0;
  let logicalLineStart = true;
  let i = 0;
  /** Module code is copied in runs: from `copyFrom` up to where a function or a string starts. */
  let copyFrom = 0;
  const copyTo = (end: number): void => {
    if (open.length === 0 && end > copyFrom) moduleCode += text.slice(copyFrom, end);
  };
  /** Where the last code seen ends; `codeFrom` is where text not yet looked at for it (after a comment or a line break) starts. */
  let lastCodeEnd = 0;
  let codeFrom = 0;
  const codeEndsBefore = (at: number): void => {
    let last = at - 1;
    while (last >= codeFrom && /\s/.test(text[last]!)) last--;
    if (last >= codeFrom) lastCodeEnd = last + 1;
  };
  while (i < text.length) {
    if (logicalLineStart) {
      logicalLineStart = false;
      const lineStart = i;
      while (text[i] === ' ') i++;
      let contentAt = i;
      while (contentAt < text.length && text[contentAt] !== '\n' && text[contentAt] !== '\r' && /\s/.test(text[contentAt]!)) contentAt++;
      const first = text[contentAt];
      if (first === undefined || first === '\n' || first === '\r' || first === '#') {
        // A blank or comment line: part of whatever block it is in.
      } else if (contentAt > i) {
        return undefined; // tabs, form feeds, other spaces before a statement: indentation Python may read otherwise
      } else {
        const indent = i - lineStart;
        while (open.length > 0 && open[open.length - 1]!.indent >= indent) {
          const { stretch } = open.pop()!;
          stretch.end = lineStart;
          stretch.codeEnd = lastCodeEnd;
          if (open.length === 0) copyFrom = lineStart;
        }
        if (/^(?:async[ \t]+)?def[ \t]/.test(text.slice(i, i + 16))) {
          copyTo(i);
          const stretch = { start: i, end: text.length, codeEnd: text.length };
          functions.push(stretch);
          open.push({ indent, stretch });
        }
      }
      continue;
    }
    INTERESTING.lastIndex = i;
    const next = INTERESTING.exec(text);
    if (!next) break;
    i = next.index;
    const char = next[0];
    if (char === '#') {
      copyTo(i);
      codeEndsBefore(i);
      while (i < text.length && text[i] !== '\n' && text[i] !== '\r') i++;
      copyFrom = codeFrom = i;
    } else if (char === '"' || char === "'") {
      const prefix = PREFIX.exec(text.slice(Math.max(0, i - 3), i))?.[0] ?? '';
      const beforePrefix = text[i - prefix.length - 1];
      const isPrefix = prefix.length > 0 && (beforePrefix === undefined || !/[\p{L}\p{N}_]/u.test(beforePrefix));
      const formatted = isPrefix && /[fF]/.test(prefix);
      const end = stringEnd(text, i);
      if (end < 0) return undefined; // a string left open: the file does not parse as written
      if (!formatted) {
        copyTo(i);
        copyFrom = end;
      }
      i = end;
    } else if (char === '\\') {
      i += text[i + 1] === '\r' && text[i + 2] === '\n' ? 3 : 2; // a continued line starts no statement
    } else if (char === '\n' || char === '\r') {
      codeEndsBefore(i);
      i += char === '\r' && text[i + 1] === '\n' ? 2 : 1;
      codeFrom = i;
      if (depth === 0) logicalLineStart = true;
    } else {
      if (OPENING.has(char)) depth++;
      else if (depth > 0) depth--;
      i++;
    }
  }
  if (depth > 0) return undefined; // a bracket left open: where statements end is the parser's guess
  codeEndsBefore(text.length);
  for (const { stretch } of open) stretch.codeEnd = lastCodeEnd;
  copyTo(text.length);
  return { functions, moduleCode };
}

/**
 * Where the string literal whose quote is at `at` ends (the offset after its closing quote), or
 * -1 when it is left open. A backslash always keeps the next character in the string (raw
 * strings too); a one-line string cannot cross a line break.
 */
function stringEnd(text: string, at: number): number {
  const quote = text[at]!;
  const triple = text.startsWith(quote.repeat(3), at);
  const closing = triple ? quote.repeat(3) : quote;
  for (let i = at + closing.length; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\') i++;
    else if (!triple && (char === '\n' || char === '\r')) return -1;
    else if (text.startsWith(closing, i)) return i + closing.length;
  }
  return -1;
}
