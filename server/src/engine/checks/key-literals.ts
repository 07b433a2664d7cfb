/**
 * What a string literal must look like for the hard-coded key check (ai-keys.ts) to report it,
 * and the text filter that follows from it (checks/triggers.ts): most files that say `token` or
 * `key` hold no literal that could be a key, and are then never parsed for the check.
 *
 * A key's value, after an optional `Bearer ` prefix, is at least MIN_KEY_LENGTH characters of
 * KEY_CHARACTERS (letters, digits, `-`, `_` and base64's `+ / = .`) with a digit and a letter.
 * In the source that value is a stretch right after a quote (or after `Bearer` and its
 * whitespace) of at least as many characters that are KEY_CHARACTERS or escape sequences (a
 * backslash and the character after it): decoding an escape never makes a literal longer, and a
 * backslash may stand for the digit or the letter. So a file without such a stretch holds no key.
 */

/** The shortest key body the check reports (after its provider prefix). */
export const MIN_KEY_LENGTH = 20;

/** A key's characters: a literal with any other (a space, a quote, a colon, a brace) is a URL, a path, prose or a template. */
export const KEY_CHARACTERS = /^[A-Za-z0-9_\-+/=.]+$/;

/**
 * A quote or `Bearer` and whitespace (escaped whitespace too), then at least MIN_KEY_LENGTH key
 * characters or escape sequences. The stretch ends at the first other character, so it covers a
 * key's whole value; a stretch from any later quote inside it would be a part of it.
 */
const KEY_STRETCH = /(?:["']|Bearer(?:\s|\\[\s\S])+)((?:[A-Za-z0-9_\-+/=.]|\\[\s\S]){20,})/g;

/** Whether `text` may hold a string literal the hard-coded key check could report. */
export function mayHoldKeyLiteral(text: string): boolean {
  KEY_STRETCH.lastIndex = 0;
  for (let match = KEY_STRETCH.exec(text); match; match = KEY_STRETCH.exec(text)) {
    const stretch = match[1]!;
    if (/[0-9\\]/.test(stretch) && /[A-Za-z\\]/.test(stretch)) return true;
  }
  return false;
}
