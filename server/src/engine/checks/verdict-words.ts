/**
 * Words that make a branch a security decision (model-verdict-only-gate). Shared with the
 * check's trigger (checks/triggers.ts): the check only reports a branch whose text matches, so a
 * file where nothing matches is not parsed for it. Predictions are everywhere in ML code; security
 * decisions taken from them are not.
 */
import type { Node } from 'web-tree-sitter';
import { importedRoots } from '../python/imported-modules';
import { pythonLayout } from './python-layout';
export const SECURITY_DECISION = /\b(allow|allowed|deny|denied|block|blocked|reject|approve|approved|grant|permit|fraud|spam|malware|malicious|attack|intrusion|phish|toxic|unsafe|harmful|benign|safe|legit|authori[sz]e|authenticate|login|access|quarantine|flag_user|ban|suspicious|anomal\w*|abort\s*\(\s*40[13]|40[13])\b/i;

/** Signs of a confidence threshold or a second opinion in the function: a verdict call in such a function is not reported. */
export const CONFIDENCE = /predict_proba|decision_function|confidence|threshold|\bscore|probab|softmax|sigmoid|margin|human_review|manual_review|fallback|ensemble|second_opinion/i;

/** Where a comment or a string may start: the scanner jumps from one to the next. */
const TOKEN_START = /["'#]/g;

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
    TOKEN_START.lastIndex = i;
    const next = TOKEN_START.exec(text);
    if (!next) break;
    i = next.index;
    const char = next[0];
    if (char === '#') {
      const end = text.indexOf('\n', i);
      i = end < 0 ? text.length : end;
    } else {
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
    }
  }
  return SECURITY_DECISION.test(text.slice(segment));
}

/** Methods whose result is a model's verdict (model-serving.ts's verdictCall). */
export const VERDICT_METHODS: ReadonlySet<string> = new Set(['predict', 'classify', 'fit_predict']);

/**
 * What a verdict call is written with (model-serving.ts's verdictCall): a method of
 * VERDICT_METHODS, so a dot before its name (whitespace, line continuations and comments may
 * come between inside brackets), or argmax() on a network's output. A word in a comment or a
 * sentence ("fit and predict calls") is no call. A call of a transformers pipeline shows no word
 * of its own (`clf(text)`), but its file names pipeline and transformers.
 */
const VERDICT_METHOD_CALL = new RegExp(`\\.(?:[\\s\\\\]|#[^\\n]*\\n)*(?:${[...VERDICT_METHODS].join('|')})\\b|argmax`);

/**
 * The verdict gate's text filter. A verdict call inside a function is only reported on a branch
 * of that same function (or of one nested in it) whose text, or the function's name, holds a
 * security word, and only when the function shows no sign of a confidence threshold: so some
 * function must hold the call and the word outside its long strings, and no such sign from its
 * `def` to its last code (a part of the function's text, whatever the parser adds after). A call
 * at module level (class bodies included) can meet a branch anywhere after it: then the whole
 * file is the unit, as before. Functions are found without parsing (python-layout.ts); without
 * a layout, the whole file is the unit.
 */
export function mayHoldVerdictGate(text: string): boolean {
  // Any call may be a pipeline's: the whole file is the unit. A pipeline is named through an
  // import of transformers; the word alone is common prose ("a list of transformers").
  const pipeline = text.includes('pipeline') && importedRoots(text).has('transformers');
  // Otherwise every verdict call is a method call or an argmax somewhere in the text (the
  // cheapest test first: "predict" is in most docstrings of a machine-learning library).
  if (!pipeline && !VERDICT_METHOD_CALL.test(text)) return false;
  if (!securityWordOutsideLongStrings(text)) return false;
  if (pipeline) return true;
  const layout = pythonLayout(text);
  if (!layout || VERDICT_METHOD_CALL.test(layout.moduleCode)) return true;
  return layout.functions.some(({ start, end, codeEnd }) => {
    const body = text.slice(start, end);
    return VERDICT_METHOD_CALL.test(body) && !CONFIDENCE.test(text.slice(start, codeEnd)) && securityWordOutsideLongStrings(body);
  });
}

/** What ends a string's scan: an escape (skipped), the closing quote, and for a one-line string a line break. */
const STRING_STOPS: Record<string, RegExp> = {
  '"': /\\[\s\S]|"|\n/g,
  "'": /\\[\s\S]|'|\n/g,
  '"""': /\\[\s\S]|"""/g,
  "'''": /\\[\s\S]|'''/g,
};

/** Where `quote` closes a string whose text starts at `from` (backslashes escape); -1 if it does not, or (`singleLine`) at the line's end. */
function closingOf(text: string, from: number, quote: string, singleLine = false): number {
  const stops = STRING_STOPS[quote]!;
  stops.lastIndex = from;
  for (let stop = stops.exec(text); stop; stop = stops.exec(text)) {
    if (stop[0] === '\n') return singleLine ? stop.index - 1 : -1;
    if (stop[0] === quote) return stop.index;
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
