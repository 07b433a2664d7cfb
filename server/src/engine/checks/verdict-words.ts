/**
 * Words that make a branch a security decision (model-verdict-only-gate). Shared with the
 * check's trigger (checks/triggers.ts): the check only reports a branch whose text matches, so a
 * file where nothing matches is not parsed for it. Predictions are everywhere in ML code; security
 * decisions taken from them are not.
 */
import type { Node } from 'web-tree-sitter';
export const SECURITY_DECISION = /\b(allow|allowed|deny|denied|block|blocked|reject|approve|approved|grant|permit|fraud|spam|malware|malicious|attack|intrusion|phish|toxic|unsafe|harmful|benign|safe|legit|authori[sz]e|authenticate|login|access|quarantine|flag_user|ban|suspicious|anomal\w*|abort\s*\(\s*40[13]|40[13])\b/i;

const QUOTE = new Set(['"', "'"]);

/**
 * Whether a security word occurs in `text` outside its triple-quoted strings (docstrings, long
 * texts: prose about the code, which the verdict gate does not count as evidence). Python's
 * strings and comments are skipped token by token so that quotes inside them are not taken for
 * string starts; a triple-quoted string left open runs to the end and is then kept, as the parser
 * would not read it as one string either.
 */
export function securityWordOutsideLongStrings(text: string): boolean {
  let segment = 0; // start of the stretch not yet tested
  let i = 0;
  while (i < text.length) {
    const char = text[i]!;
    if (char === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else if (QUOTE.has(char)) {
      const triple = char.repeat(3);
      if (text.startsWith(triple, i)) {
        const end = closingOf(text, i + 3, triple);
        if (end < 0) break;
        if (SECURITY_DECISION.test(text.slice(segment, i))) return true;
        i = segment = end + 3;
      } else {
        i = closingOf(text, i + 1, char, true);
        i = i < 0 ? text.length : i + 1;
      }
    } else {
      i++;
    }
  }
  return SECURITY_DECISION.test(text.slice(segment));
}

/** Where `quote` closes a string whose text starts at `from` (backslashes escape); -1 if it does not, or (`singleLine`) at the line's end. */
function closingOf(text: string, from: number, quote: string, singleLine = false): number {
  for (let i = from; i < text.length; i++) {
    const char = text[i]!;
    if (char === '\\') i++;
    else if (singleLine && char === '\n') return i - 1;
    else if (text.startsWith(quote, i)) return i;
  }
  return -1;
}

/** A node's text with its triple-quoted strings blanked out: what securityWordOutsideLongStrings reads of it. */
export function textOutsideLongStrings(node: Node): string {
  const text = node.text;
  const long = node.descendantsOfType('string').filter((string): string is Node => string !== null && isTripleQuoted(string.text));
  if (long.length === 0) return text;
  let result = '';
  let at = node.startIndex;
  for (const string of long) {
    if (string.startIndex < at) continue; // inside one blanked already
    result += `${text.slice(at - node.startIndex, string.startIndex - node.startIndex)} `;
    at = string.endIndex;
  }
  return result + text.slice(at - node.startIndex);
}

/** `"""…"""`, `'''…'''`, with any prefix (r, b, f, u…). */
function isTripleQuoted(literal: string): boolean {
  const quote = literal.search(/["']/);
  return quote >= 0 && (literal.startsWith('"""', quote) || literal.startsWith("'''", quote));
}
