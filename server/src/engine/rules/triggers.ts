/**
 * Trigger words: what a file's text must contain for a rule to be able to find anything in it.
 * A file in which no active rule is triggered is never parsed, and most files of a repository
 * are such files, so triggers decide how fast a whole scan is. They must never make a rule miss a
 * finding: when in doubt, a rule has no triggers and always runs.
 *
 * A rule's triggers are sets of words: the rule runs when every word of at least one set occurs
 * in the text. Words derived from call patterns must occur as whole identifiers (`ray` is not in
 * `array`: word-scanner.ts's `identifier`); words a rule file declares are looked for as written,
 * anywhere (`hf_` in `hf_abc…`).
 */

import { bareIdentifier, identifier } from './word-scanner';

/** Any set, all of its words. An empty list means "always". */
export type TriggerSets = ReadonlyArray<readonly string[]>;

/**
 * Roots of names reached without an import (`builtins.eval` is written `eval`, `globalThis.eval`
 * is written `eval` or `window.eval`): these segments need not occur in the text.
 */
export const IMPLICIT_ROOTS: ReadonlySet<string> = new Set(['builtins', 'globalThis']);

/**
 * The words any call matching `pattern` is written with. A qualified name is resolved from what
 * the file itself writes — each segment comes from an import (`import torch`, `from torch import
 * hub`, `require('child_process')`) or an attribute (`hub.load`) — so every literal segment of the
 * pattern occurs in the text, except an implicit root. `flask.Flask().run` needs flask, Flask
 * and run: a file that says `def run():` and never imports flask is not parsed for it.
 */
export function patternWords(pattern: string): string[] {
  return [...new Set(literalSegments(pattern).filter((segment) => !segment.includes('*') && !IMPLICIT_ROOTS.has(segment)))];
}

/** A pattern's segments as code writes them: `()` dropped, the wildcards `*` and `**` left out. */
export function literalSegments(pattern: string): string[] {
  return pattern
    .split('.')
    .map((segment) => segment.replace(/\(\)$/, ''))
    .filter((segment) => segment.length > 0 && segment !== '*' && segment !== '**');
}

/** The last literal segment of each pattern, each on its own and matched as written (rules that also match unresolved calls). */
export function lastWordsOf(patterns: readonly string[]): string[][] {
  return anyOf(patterns.flatMap((pattern) => literalSegments(pattern).slice(-1)));
}

/**
 * Trigger sets for calls matching any of `patterns`. When a pattern has no literal segment
 * (`**`), any text may hold a match: no triggers at all.
 */
export function callTriggerSets(patterns: readonly string[]): string[][] {
  const sets = patterns.flatMap((pattern) => {
    const segments = literalSegments(pattern);
    // A Python builtin is called by its bare name (`eval(code)`, never `model.eval()`) or through
    // the builtins module, which the file then names (`import builtins`, `from builtins import eval`).
    if (segments[0] === 'builtins' && segments.length === 2 && !pattern.includes('*')) return [[bareIdentifier(segments[1]!)], [identifier('builtins'), identifier(segments[1]!)]];
    return [patternWords(pattern).map(identifier)];
  });
  if (sets.some((words) => words.length === 0)) return [];
  return dedupe(sets);
}

/** Each word on its own: the rule runs when any of them occurs (anywhere, as written). */
export function anyOf(words: readonly string[]): string[][] {
  return dedupe(words.map((word) => [word]));
}

/** Each word on its own, as a whole identifier: the rule runs when any of them occurs. */
export function anyIdentifierOf(words: readonly string[]): string[][] {
  return anyOf(words.map(identifier));
}

export function triggered(sets: TriggerSets, occurs: (word: string) => boolean): boolean {
  return sets.length === 0 || sets.some((words) => words.every(occurs));
}

export function triggerWordsOf(sets: TriggerSets): string[] {
  return [...new Set(sets.flat())];
}

/** Without repeated sets, and without a set that holds another (it adds nothing). */
function dedupe(sets: readonly string[][]): string[][] {
  const keyed = new Map(sets.map((words) => [[...words].sort().join('\u0000'), words] as const));
  const unique = [...keyed.values()].sort((a, b) => a.length - b.length);
  return unique.filter((words, index) => !unique.slice(0, index).some((smaller) => smaller.every((word) => words.includes(word))));
}
