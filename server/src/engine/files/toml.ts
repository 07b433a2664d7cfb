/**
 * A minimal TOML reader with positions, for what the dependency rules read from pyproject.toml:
 * tables and arrays of tables, bare/quoted/dotted keys, strings of all four kinds (with the text
 * offset of every decoded character), arrays (multi-line, nested, trailing commas, comments),
 * inline tables, and scalars (numbers, booleans, dates) kept as text. It validates enough to give
 * one located error on malformed input; it is not a full TOML 1.0 validator (duplicate keys and
 * table redefinitions are accepted, last one wins).
 */

export type TomlValue = TomlString | TomlArray | TomlTable | TomlScalar;

export interface TomlString {
  kind: 'string';
  value: string;
  /** Text offset of each decoded character, plus one past the last (before the closing quote). */
  offsets: number[];
  /** Offsets of the whole literal, quotes included. */
  start: number;
  end: number;
}
export interface TomlArray {
  kind: 'array';
  items: TomlValue[];
  start: number;
  end: number;
}
export interface TomlTable {
  kind: 'table';
  entries: Map<string, { key: string; keyStart: number; keyEnd: number; value: TomlValue }>;
  start: number;
  end: number;
}
export interface TomlScalar {
  kind: 'scalar';
  text: string;
  start: number;
  end: number;
}

export class TomlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(reason);
  }
}

const ESCAPES: Record<string, string> = { b: '\b', t: '\t', n: '\n', f: '\f', r: '\r', '"': '"', '\\': '\\', e: '\u001b' };

export function parseToml(text: string): TomlTable {
  let i = 0;
  const root: TomlTable = { kind: 'table', entries: new Map(), start: 0, end: text.length };
  const fail = (reason: string): never => {
    throw new TomlSyntaxError(reason, Math.min(i, text.length));
  };
  const skipSpaces = (): void => {
    while (text[i] === ' ' || text[i] === '\t') i++;
  };
  const skipComment = (): void => {
    if (text[i] === '#') while (i < text.length && text[i] !== '\n') i++;
  };
  /** Whitespace, newlines and comments (inside arrays). */
  const skipAll = (): void => {
    for (;;) {
      skipSpaces();
      skipComment();
      if (text[i] === '\n' || text[i] === '\r') i++;
      else return;
    }
  };
  const endOfLine = (): void => {
    skipSpaces();
    skipComment();
    if (text[i] === '\r') i++;
    if (i < text.length && text[i] !== '\n') fail('expected the end of the line');
    i++;
  };

  const string = (): TomlString => {
    const start = i;
    const quote = text[i]!;
    const multi = text.startsWith(quote.repeat(3), i);
    i += multi ? 3 : 1;
    // A newline right after the opening delimiter of a multi-line string is trimmed.
    if (multi && text[i] === '\n') i++;
    else if (multi && text.startsWith('\r\n', i)) i += 2;
    let value = '';
    const offsets: number[] = [];
    for (;;) {
      if (i >= text.length) fail('unterminated string');
      if (!multi && text[i] === quote) break;
      if (multi && text.startsWith(quote.repeat(3), i)) {
        // Up to two quotes just before the closing delimiter belong to the content.
        let run = 3;
        while (run < 5 && text[i + run] === quote) run++;
        for (let k = 0; k < run - 3; k++) {
          offsets.push(i);
          value += quote;
          i++;
        }
        break;
      }
      const c = text[i]!;
      if (!multi && c === '\n') fail('newline in a single-line string');
      if (quote === '"' && c === '\\') {
        const next = text[i + 1] ?? '';
        if (multi && /[ \t\r\n]/.test(next)) {
          // Line-ending backslash: trims the newline and following whitespace.
          let j = i + 1;
          while (/[ \t]/.test(text[j] ?? '')) j++;
          if (text[j] === '\r' || text[j] === '\n') {
            while (/[ \t\r\n]/.test(text[j] ?? '')) j++;
            i = j;
            continue;
          }
          fail('invalid escape');
        }
        if (next in ESCAPES) {
          offsets.push(i);
          value += ESCAPES[next];
          i += 2;
          continue;
        }
        const hex = next === 'u' ? 4 : next === 'U' ? 8 : next === 'x' ? 2 : 0;
        if (hex && /^[0-9a-fA-F]+$/.test(text.slice(i + 2, i + 2 + hex)) && text.slice(i + 2, i + 2 + hex).length === hex) {
          const char = String.fromCodePoint(parseInt(text.slice(i + 2, i + 2 + hex), 16));
          for (let k = 0; k < char.length; k++) offsets.push(i);
          value += char;
          i += 2 + hex;
          continue;
        }
        fail('invalid escape');
      }
      offsets.push(i);
      value += c;
      i++;
    }
    offsets.push(i);
    i += multi ? 3 : 1;
    return { kind: 'string', value, offsets, start, end: i };
  };

  const key = (): { parts: string[]; start: number; end: number } => {
    const parts: string[] = [];
    const start = i;
    for (;;) {
      skipSpaces();
      if (text[i] === '"' || text[i] === "'") {
        if (text.startsWith(text[i]!.repeat(3), i)) fail('a key cannot be a multi-line string');
        parts.push(string().value);
      } else {
        const bare = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256));
        if (!bare) fail('expected a key');
        parts.push(bare![0]);
        i += bare![0].length;
      }
      skipSpaces();
      if (text[i] !== '.') return { parts, start, end: i };
      i++;
    }
  };

  const value = (depth: number): TomlValue => {
    if (depth > 100) fail('nesting too deep');
    const start = i;
    const c = text[i];
    if (c === '"' || c === "'") return string();
    if (c === '[') {
      i++;
      const items: TomlValue[] = [];
      for (;;) {
        skipAll();
        if (text[i] === ']') {
          i++;
          return { kind: 'array', items, start, end: i };
        }
        items.push(value(depth + 1));
        skipAll();
        if (text[i] === ',') i++;
        else if (text[i] !== ']') fail("expected ',' or ']' in an array");
      }
    }
    if (c === '{') {
      i++;
      const table: TomlTable = { kind: 'table', entries: new Map(), start, end: start };
      skipSpaces();
      if (text[i] === '}') {
        i++;
        table.end = i;
        return table;
      }
      for (;;) {
        keyValue(table, depth + 1);
        skipSpaces();
        if (text[i] === ',') {
          i++;
          continue;
        }
        if (text[i] === '}') {
          i++;
          table.end = i;
          return table;
        }
        fail("expected ',' or '}' in an inline table");
      }
    }
    const scalar = /^[A-Za-z0-9_+\-.:]+(?:[ T][0-9:.+\-Z]+)?/.exec(text.slice(i, i + 128));
    if (!scalar || !/^(true|false|[+-]?(inf|nan)|[+-]?[0-9][0-9A-Za-z_+\-.:]*(?:[ T][0-9:.+\-Z]+)?)$/.test(scalar[0])) fail('expected a value');
    i += scalar![0].length;
    return { kind: 'scalar', text: scalar![0], start, end: i };
  };

  const tableAt = (table: TomlTable, parts: string[], start: number, end: number, arrayOfTables = false): TomlTable => {
    let current = table;
    parts.forEach((part, index) => {
      const last = index === parts.length - 1;
      let entry = current.entries.get(part);
      if (last && arrayOfTables) {
        const fresh: TomlTable = { kind: 'table', entries: new Map(), start, end };
        if (!entry || entry.value.kind !== 'array') {
          entry = { key: part, keyStart: start, keyEnd: end, value: { kind: 'array', items: [], start, end } };
          current.entries.set(part, entry);
        }
        (entry.value as TomlArray).items.push(fresh);
        current = fresh;
        return;
      }
      if (!entry) {
        entry = { key: part, keyStart: start, keyEnd: end, value: { kind: 'table', entries: new Map(), start, end } };
        current.entries.set(part, entry);
      }
      const next = entry.value.kind === 'array' ? entry.value.items[entry.value.items.length - 1] : entry.value;
      if (!next || next.kind !== 'table') fail(`${parts.slice(0, index + 1).join('.')} is not a table`);
      current = next as TomlTable;
    });
    return current;
  };

  const keyValue = (table: TomlTable, depth: number): void => {
    const k = key();
    if (text[i] !== '=') fail("expected '=' after a key");
    i++;
    skipSpaces();
    const v = value(depth);
    const parent = tableAt(table, k.parts.slice(0, -1), k.start, k.end);
    const name = k.parts[k.parts.length - 1]!;
    parent.entries.set(name, { key: name, keyStart: k.start, keyEnd: k.end, value: v });
  };

  let current = root;
  while (i < text.length) {
    skipAll();
    if (i >= text.length) break;
    if (text[i] === '[') {
      const array = text[i + 1] === '[';
      i += array ? 2 : 1;
      const k = key();
      if (!text.startsWith(array ? ']]' : ']', i)) fail(`expected '${array ? ']]' : ']'}' after a table name`);
      i += array ? 2 : 1;
      current = tableAt(root, k.parts, k.start, k.end, array);
      endOfLine();
      continue;
    }
    keyValue(current, 0);
    endOfLine();
  }
  return root;
}

export function tomlGet(table: TomlValue | undefined, ...path: string[]): TomlValue | undefined {
  let current = table;
  for (const part of path) current = current?.kind === 'table' ? current.entries.get(part)?.value : undefined;
  return current;
}
