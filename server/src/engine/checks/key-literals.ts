/**
 * What the hard-coded key check (ai-keys.ts) reports, read off the text alone: its providers
 * (the rule's options), what a key literal looks like, and the text filter that follows from
 * both (checks/triggers.ts). Most files that say `token` or `key` hold no literal that could be a
 * key, and are then never parsed for the check.
 *
 * A key's value, after an optional `Bearer ` prefix, is at least MIN_KEY_LENGTH characters of
 * KEY_CHARACTERS (letters, digits, `-`, `_` and base64's `+ / = .`) with a digit and a letter.
 * In the source that value is a stretch right after a quote (or after `Bearer` and its
 * whitespace) of at least as many characters that are KEY_CHARACTERS or escape sequences (a
 * backslash and the character after it): decoding an escape never makes a literal longer, and a
 * backslash may stand for the digit or the letter.
 */
import type { z } from 'zod';
import { compileNamePattern, type NamePattern } from '../rules/name-pattern';
import { lazily, zodLibrary } from '../lazily';
import { sharedSchemas } from '../rules/schema-parts';
import { readOptions } from '../rules/validated-options';
import { patternWords } from '../rules/triggers';
import { decodeEscape, ESCAPE_SEQUENCE } from '../python/string-escapes';
import { wholeText, type TextSource } from '../chunked-text';
import { editedLines, lineStartOf } from '../edited-lines';

export const keyCheckOptionsSchema = lazily(() => {
  const { z } = zodLibrary();
  const ProviderSchema = z.strictObject({
    name: z.string().min(1),
    /** The environment variable the fix reads the key from. */
    env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/),
    /** A regular expression for the key itself (anchored by the check); providers without a prefix leave it out. */
    pattern: sharedSchemas().RegexSchema.optional(),
    /** Clients whose `api_key=` / `token=` literal is this provider's key (call patterns). */
    clients: z.array(z.string().min(1)).default([]),
    /** Variable or environment names whose literal value is this provider's key (a regular expression). */
    variables: sharedSchemas().RegexSchema.optional(),
  });

  /** The check's options (rules/python/hardcoded-ai-key.yaml), validated when the rule is loaded. */
  return z.strictObject({ providers: z.array(ProviderSchema).min(1) });
});

export interface KeyProvider {
  name: string;
  env: string;
  pattern?: RegExp;
  clients: NamePattern[];
  /** Per client pattern, the words it is written with (rules/triggers.ts's patternWords), each as a whole identifier. */
  clientWords: RegExp[][];
  variables?: RegExp;
  /**
   * When `variables` is a plain list of names (`^(openai_api_key|openai_key)$`): any of them,
   * anywhere, ignoring case. A file that holds none has no name the provider's variables match.
   */
  variableNames?: RegExp;
}

/** Keyword arguments that pass a key to a provider's client. */
export const KEY_ARGUMENTS = new Set(['api_key', 'token', 'hf_token', 'cohere_api_key', 'mistral_api_key', 'openai_api_key', 'anthropic_api_key', 'google_api_key']);
const PLACEHOLDER = /x{4,}|\.{3}|\*{3}|<|>|\{|your|example|placeholder|dummy|changeme|replace|(^|[-_])(test|fake)([-_]|$)/i;

/** The shortest key body the check reports (after its provider prefix). */
export const MIN_KEY_LENGTH = 20;

/** A key's characters (a regular expression class's content): a literal with any other (a space, a quote, a colon, a brace) is a URL, a path, prose or a template. */
const KEY_CHARACTER = 'A-Za-z0-9_\\-+/=.';
const KEY_CHARACTERS = new RegExp(`^[${KEY_CHARACTER}]+$`);

const compiled = new WeakMap<object, KeyProvider[]>();

/** The rule's providers, compiled once per options object; a provider with an invalid regular expression is left out. */
export function providersOf(options: Readonly<Record<string, unknown>>): KeyProvider[] {
  let providers = compiled.get(options);
  if (!providers) {
    providers = [];
    for (const p of readOptions(options, keyCheckOptionsSchema)?.providers ?? []) {
      try {
        providers.push({
          name: p.name,
          env: p.env,
          ...(p.pattern ? { pattern: new RegExp(`^(?:Bearer\\s+)?(?:${p.pattern})$`, 'u') } : {}),
          clients: p.clients.map(compileNamePattern),
          clientWords: p.clients.map((client) => patternWords(client).map(wholeIdentifier)),
          // Variable names are compared case-insensitively.
          ...(p.variables ? { variables: new RegExp(p.variables, 'iu') } : {}),
          ...(p.variables && PLAIN_NAMES.test(p.variables) ? { variableNames: new RegExp(PLAIN_NAMES.exec(p.variables)![1]!, 'i') } : {}),
        });
      } catch {
        // An invalid regular expression in a user's rule: that provider is skipped.
      }
    }
    compiled.set(options, providers);
  }
  return providers;
}

/** A literal that could be a real key: long enough, letters and digits and nothing else a key is made of, not a placeholder. */
export function plausibleKey(text: string): boolean {
  const body = text.replace(/^(Bearer\s+)?(sk-ant-|sk-proj-|sk-|hf_|AIza)/, '');
  return body.length >= MIN_KEY_LENGTH && /[0-9]/.test(body) && /[A-Za-z]/.test(body) && KEY_CHARACTERS.test(body) && !PLACEHOLDER.test(text);
}

/**
 * A quote or `Bearer` and whitespace (escaped whitespace too), then at least MIN_KEY_LENGTH key
 * characters or escape sequences. The stretch ends at the first other character, so it covers a
 * key's whole value; a quote inside it can only be an escaped one, which starts no literal.
 */
const KEY_STRETCH = new RegExp(`(?:["']|Bearer(?:\\s|\\\\[\\s\\S])+)((?:[${KEY_CHARACTER}]|\\\\[\\s\\S]){${MIN_KEY_LENGTH},})`, 'g');
const IDENTIFIER = /[A-Za-z_][A-Za-z0-9_]*/g;
const SHORT_STRING = /"([^"\\\n]*)"|'([^'\\\n]*)'/g;
/** `^(name|name)$` with plain names: the alternatives. */
const PLAIN_NAMES = /^\^\(((?:[A-Za-z0-9_]+\|)*[A-Za-z0-9_]+)\)\$$/;
const KEY_ARGUMENT = new RegExp(`(?<![A-Za-z0-9_$])(?:${[...KEY_ARGUMENTS].join('|')})(?![A-Za-z0-9_$])`);

function wholeIdentifier(word: string): RegExp {
  return new RegExp(`(?<![A-Za-z0-9_$])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_$])`);
}

/**
 * The check's text filter for these options: whether `text` may hold a literal the check reports.
 * A stretch without escapes is the literal's value itself when that value is plausible (any
 * other character would end the stretch inside the value and make it implausible), so it is
 * judged as the check judges it: by a provider's pattern, or else by whether the file could name
 * a provider around it at all: a key argument and a client's words, or a name a provider's
 * variables match (an identifier or a string's content).
 */
export function keyLiteralFilter(options: Readonly<Record<string, unknown>>): (text: string) => boolean {
  const providers = providersOf(options);
  return (text) => {
    if (providers.length === 0) return false;
    let namesProvider: boolean | undefined;
    KEY_STRETCH.lastIndex = 0;
    for (let match = KEY_STRETCH.exec(text); match; match = KEY_STRETCH.exec(text)) {
      const kind = stretchKind(match, providers);
      if (kind === 'key') return true;
      if (kind !== 'plausible') continue;
      namesProvider ??= mayNameProvider(text, providers);
      if (namesProvider) return true;
    }
    return false;
  };
}

/**
 * What one KEY_STRETCH match tells the filter: a key for certain (a provider's pattern, or escapes
 * left to the check), a plausible key (reported if the file could name a provider), or nothing.
 */
export function stretchKind(match: RegExpExecArray, providers: readonly KeyProvider[]): 'key' | 'plausible' | undefined {
  let stretch = match[1]!;
  if (!/[0-9\\]/.test(stretch) || !/[A-Za-z\\]/.test(stretch)) return undefined;
  if (match[0].includes('\\')) {
    // Escapes: judge the value they decode to, as the check does (python/string-escapes.ts).
    // Left to the check: an escaped Bearer prefix, a line continuation the stretch stops in
    // (its "\r\n"), an escape kept as written.
    const decoded = match[0].startsWith('Bearer') || stretch.endsWith('\\\r') ? undefined : decodedStretch(stretch);
    if (decoded === undefined) return 'key';
    // A character no key has (é, a quote, a space) after any Bearer prefix (`"Bearer\\t…"`
    // decodes to one): the value is no key, whatever follows.
    if (!KEY_CHARACTERS.test(decoded.replace(/^Bearer\s+/, ''))) return undefined;
    stretch = decoded;
  }
  const value = match[0].startsWith('Bearer') ? match[0] : stretch;
  if (!plausibleKey(value)) return undefined;
  return providers.some((provider) => provider.pattern?.test(value)) ? 'key' : 'plausible';
}

/** A stretch's escapes decoded; undefined when one would stay as written (the check then sees a backslash). */
function decodedStretch(stretch: string): string | undefined {
  let kept = false;
  const decoded = stretch.replace(ESCAPE_SEQUENCE, (sequence) => {
    const character = decodeEscape(sequence);
    if (character === sequence) kept = true;
    return character;
  });
  return kept ? undefined : decoded;
}

/** Whether some literal in `text` could be passed to a provider's client or stored under a provider's variable name. */
function mayNameProvider(text: string, providers: readonly KeyProvider[]): boolean {
  if (KEY_ARGUMENT.test(text) && providers.some((provider) => provider.clientWords.some((words) => words.every((word) => word.test(text))))) return true;
  // Plain lists of names are looked for as they are; any other expression is tried on every identifier and string.
  let names: string[] | undefined;
  return providers.some((provider) => {
    if (!provider.variables) return false;
    if (provider.variableNames) return provider.variableNames.test(text);
    names ??= [...new Set(nameOccurrences(text))];
    return names.some((name) => provider.variables!.test(name));
  });
}

/**
 * The text filter kept up across the versions of a document being edited (the language server):
 * the same verdict as keyLiteralFilter, from counts of what it looks for (key stretches by kind,
 * key arguments, client words, provider variable names) taken once over the whole text and then,
 * at each version, taken back over the lines around the change in the old text and added over
 * them in the new (edited-lines.ts). A keystroke reads a few lines instead of the whole text,
 * which the filter otherwise scanned (1.9 ms on 5,000 lines, and the document's chunks joined
 * first) in every file that says `token` or `key`: most Hugging Face code.
 *
 * Only key stretches can cross a line break (an escaped one, or the whitespace after `Bearer`);
 * names, words and one-line strings cannot. So a line start is a safe boundary unless the last
 * line before it that is not blank holds `Bearer` or a backslash.
 */
export function keyLiteralTracker(options: Readonly<Record<string, unknown>>): () => (text: TextSource) => boolean {
  const providers = providersOf(options);
  const globalCopy = (regex: RegExp) => new RegExp(regex.source, regex.flags.includes('g') ? regex.flags : `${regex.flags}g`);
  const stretches = globalCopy(KEY_STRETCH);
  const keyArguments = globalCopy(KEY_ARGUMENT);
  // Counts: [0] certain keys, [1] plausible keys, [2] key arguments, then each client word, then one per provider (its variable names).
  const clientWords = providers.flatMap((provider) => provider.clientWords.flat().map(globalCopy));
  const wordIndex: number[][][] = [];
  let next = 3;
  for (const provider of providers) wordIndex.push(provider.clientWords.map((words) => words.map(() => next++)));
  const variableIndex = providers.map(() => next++);
  const variableNames = providers.map((provider) => (provider.variableNames ? globalCopy(provider.variableNames) : undefined));
  const size = next;

  const countIn = (text: string, counts: Int32Array, sign: number): void => {
    stretches.lastIndex = 0;
    for (let match = stretches.exec(text); match; match = stretches.exec(text)) {
      const kind = stretchKind(match, providers);
      if (kind) counts[kind === 'key' ? 0 : 1]! += sign;
    }
    counts[2]! += sign * occurrences(keyArguments, text);
    clientWords.forEach((word, index) => (counts[3 + index]! += sign * occurrences(word, text)));
    let names: string[] | undefined;
    providers.forEach((provider, index) => {
      if (!provider.variables) return;
      if (variableNames[index]) counts[variableIndex[index]!]! += sign * occurrences(variableNames[index], text);
      else {
        names ??= nameOccurrences(text);
        for (const name of names) if (provider.variables.test(name)) counts[variableIndex[index]!]! += sign;
      }
    });
  };

  const verdict = (counts: Int32Array): boolean => {
    if (counts[0]! > 0) return true;
    if (counts[1]! <= 0) return false;
    if (counts[2]! > 0 && providers.some((_, index) => wordIndex[index]!.some((words) => words.every((word) => counts[word]! > 0)))) return true;
    return providers.some((provider, index) => provider.variables !== undefined && counts[variableIndex[index]!]! > 0);
  };

  return () => {
    let previous: TextSource | undefined;
    let counts: Int32Array | undefined;
    return (text) => {
      if (providers.length === 0) return false;
      if (previous === undefined || counts === undefined) {
        counts = new Int32Array(size);
        countIn(wholeText(text), counts, 1);
      } else if (previous !== text) {
        const lines = editedLines(previous, text, safeForKeyStretches);
        if (lines) {
          countIn(previous.slice(...lines.before), counts, -1);
          countIn(text.slice(...lines.after), counts, 1);
        }
      }
      previous = text;
      return verdict(counts);
    };
  };
}

/** A line start no key stretch crosses: the last line before it that is not blank holds neither `Bearer` nor a backslash. */
function safeForKeyStretches(text: TextSource, at: number): boolean {
  for (let lineEnd = at; lineEnd > 0; ) {
    const lineStart = lineStartOf(text, lineEnd - 1);
    const line = text.slice(lineStart, lineEnd);
    if (/\S/.test(line)) return !line.includes('Bearer') && !line.includes('\\');
    lineEnd = lineStart;
  }
  return true;
}

/** How many times a global regular expression matches in `text`. */
function occurrences(regex: RegExp, text: string): number {
  let count = 0;
  regex.lastIndex = 0;
  for (let match = regex.exec(text); match; match = regex.exec(text)) {
    count++;
    if (match[0].length === 0) regex.lastIndex++;
  }
  return count;
}

/** Every identifier of `text` and the content of each one-line string without escapes, each time it occurs. */
function nameOccurrences(text: string): string[] {
  const names: string[] = [...(text.match(IDENTIFIER) ?? [])];
  SHORT_STRING.lastIndex = 0;
  for (let string = SHORT_STRING.exec(text); string; string = SHORT_STRING.exec(text)) names.push(string[1] ?? string[2]!);
  return names;
}
