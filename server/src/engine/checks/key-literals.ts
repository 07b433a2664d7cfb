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
      let stretch = match[1]!;
      if (!/[0-9\\]/.test(stretch) || !/[A-Za-z\\]/.test(stretch)) continue;
      if (match[0].includes('\\')) {
        // Escapes: judge the value they decode to, as the check does (python/string-escapes.ts).
        // Left to the check: an escaped Bearer prefix, a line continuation the stretch stops in
        // (its "\r\n"), an escape kept as written.
        const decoded = match[0].startsWith('Bearer') || stretch.endsWith('\\\r') ? undefined : decodedStretch(stretch);
        if (decoded === undefined) return true;
        // A character no key has (é, a quote, a space) after any Bearer prefix (`"Bearer\\t…"`
        // decodes to one): the value is no key, whatever follows.
        if (!KEY_CHARACTERS.test(decoded.replace(/^Bearer\s+/, ''))) continue;
        stretch = decoded;
      }
      const value = match[0].startsWith('Bearer') ? match[0] : stretch;
      if (!plausibleKey(value)) continue;
      if (providers.some((provider) => provider.pattern?.test(value))) return true;
      namesProvider ??= mayNameProvider(text, providers);
      if (namesProvider) return true;
    }
    return false;
  };
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
    names ??= namesIn(text);
    return names.some((name) => provider.variables!.test(name));
  });
}

/** Every identifier of `text` and the content of each one-line string without escapes. */
function namesIn(text: string): string[] {
  const names = [...new Set(text.match(IDENTIFIER) ?? [])];
  SHORT_STRING.lastIndex = 0;
  for (let string = SHORT_STRING.exec(text); string; string = SHORT_STRING.exec(text)) names.push(string[1] ?? string[2]!);
  return names;
}
