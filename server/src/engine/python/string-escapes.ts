/**
 * Python's escape sequences in string literals, decoded as the interpreter does: what
 * facts.ts's stringValue gives the checks, and what the key filter (checks/key-literals.ts)
 * reads off the text, so that both judge the same value.
 */

/** Escapes of one character; a backslash before a line break continues the string on the next line. */
const SIMPLE_ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v', '\n': '', '\r\n': '', '\r': '' };

/**
 * One escape sequence (the backslash included) as its character; a sequence Python does not
 * decode, or rejects (`\N{…}` is left alone, a code point above U+10FFFF is an error), is kept
 * as written.
 */
export function decodeEscape(sequence: string): string {
  const body = sequence.slice(1);
  const simple = SIMPLE_ESCAPES[body];
  if (simple !== undefined) return simple;
  if (/^x[0-9a-fA-F]{2}$/.test(body) || /^u[0-9a-fA-F]{4}$/.test(body) || /^U[0-9a-fA-F]{8}$/.test(body)) {
    const code = parseInt(body.slice(1), 16);
    return code <= 0x10ffff ? String.fromCodePoint(code) : sequence;
  }
  if (/^[0-7]{1,3}$/.test(body)) return String.fromCharCode(parseInt(body, 8));
  return sequence;
}

/** The escape sequences decodeEscape knows, as the parser cuts them out of a literal (one a match). */
export const ESCAPE_SEQUENCE = /\\(?:x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{1,3}|\r\n|[\s\S])/g;
