/**
 * A small JSON parser that keeps where every value is in the text (notebooks need the raw offset
 * of each character of a cell's source to point findings and fixes at the .ipynb itself).
 * Strict JSON (RFC 8259); errors carry the offset where parsing failed.
 */

export type JsonNode =
  | { kind: 'object'; start: number; end: number; entries: Array<{ key: string; keyStart: number; value: JsonNode }> }
  | { kind: 'array'; start: number; end: number; items: JsonNode[] }
  | { kind: 'string'; start: number; end: number; value: string }
  | { kind: 'number'; start: number; end: number; value: number }
  | { kind: 'literal'; start: number; end: number; value: boolean | null };

export class JsonSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

export function parseLocatedJson(text: string): JsonNode {
  let i = 0;
  const fail = (reason: string): never => {
    throw new JsonSyntaxError(reason, Math.min(i, text.length));
  };
  const skip = (): void => {
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === 32 || c === 9 || c === 10 || c === 13) i++;
      else return;
    }
  };
  const value = (depth: number): JsonNode => {
    if (depth > 512) fail('nesting too deep');
    skip();
    const start = i;
    const c = text[i];
    if (c === '{') {
      i++;
      const entries: Array<{ key: string; keyStart: number; value: JsonNode }> = [];
      skip();
      if (text[i] === '}') return { kind: 'object', start, end: ++i, entries };
      for (;;) {
        skip();
        if (text[i] !== '"') fail('expected a property name in double quotes');
        const keyStart = i;
        const key = string().value;
        skip();
        if (text[i] !== ':') fail("expected ':' after a property name");
        i++;
        entries.push({ key, keyStart, value: value(depth + 1) });
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') return { kind: 'object', start, end: ++i, entries };
        fail("expected ',' or '}'");
      }
    }
    if (c === '[') {
      i++;
      const items: JsonNode[] = [];
      skip();
      if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
      for (;;) {
        items.push(value(depth + 1));
        skip();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === ']') return { kind: 'array', start, end: ++i, items };
        fail("expected ',' or ']'");
      }
    }
    if (c === '"') return string();
    const literal = /^(?:true|false|null)/.exec(text.slice(i, i + 5));
    if (literal) {
      i += literal[0].length;
      return { kind: 'literal', start, end: i, value: literal[0] === 'null' ? null : literal[0] === 'true' };
    }
    const number = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 64));
    if (number) {
      i += number[0].length;
      return { kind: 'number', start, end: i, value: Number(number[0]) };
    }
    return fail(i >= text.length ? 'unexpected end of the file' : `unexpected character ${JSON.stringify(c)}`);
  };
  const string = (): { kind: 'string'; start: number; end: number; value: string } => {
    const start = i;
    i++;
    let out = '';
    for (;;) {
      const c = text.charCodeAt(i);
      if (Number.isNaN(c)) fail('unterminated string');
      if (c === 34) return { kind: 'string', start, end: ++i, value: out };
      if (c < 32) fail('control character in a string');
      if (c === 92) {
        const decoded = decodeEscape(text, i);
        if (!decoded) fail('invalid escape in a string');
        out += decoded!.char;
        i += decoded!.length;
      } else {
        out += text[i];
        i++;
      }
    }
  };
  const root = value(0);
  skip();
  if (i < text.length) fail('unexpected text after the JSON value');
  return root;
}

const SIMPLE_ESCAPES: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

/** The escape at `at` (a backslash): the UTF-16 unit it stands for and its length in the text. */
function decodeEscape(text: string, at: number): { char: string; length: number } | undefined {
  const next = text[at + 1];
  if (next === undefined) return undefined;
  if (next in SIMPLE_ESCAPES) return { char: SIMPLE_ESCAPES[next]!, length: 2 };
  if (next === 'u' && /^[0-9a-fA-F]{4}$/.test(text.slice(at + 2, at + 6))) return { char: String.fromCharCode(parseInt(text.slice(at + 2, at + 6), 16)), length: 6 };
  return undefined;
}

/**
 * For a string node: the raw text offset of each UTF-16 unit of its decoded value, plus one more
 * entry for the position just after the last unit (before the closing quote).
 */
export function stringOffsets(text: string, node: { start: number; end: number }): number[] {
  const offsets: number[] = [];
  let i = node.start + 1;
  const end = node.end - 1;
  while (i < end) {
    offsets.push(i);
    i += text.charCodeAt(i) === 92 ? (decodeEscape(text, i)?.length ?? 1) : 1;
  }
  offsets.push(end);
  return offsets;
}

/** Escapes text for insertion inside a JSON string literal. */
export function escapeJsonStringContent(value: string): string {
  return JSON.stringify(value).slice(1, -1);
}

export function member(node: JsonNode | undefined, key: string): JsonNode | undefined {
  return node?.kind === 'object' ? node.entries.find((entry) => entry.key === key)?.value : undefined;
}
