/**
 * What a file must contain for a check (a rule implemented in code) to find anything, derived
 * from the check's options where they name calls. This is on top of the words in the rule's own
 * `triggers:` (`while` for an endless loop around an LLM call: the file must also call an LLM).
 * Kept apart from the checks themselves so that compiling a rule loads none of them.
 */
import { WEB_APP_WORDS } from '../python/web-routes';
import type { TextSource } from '../chunked-text';
import { keyLiteralFilter, keyLiteralTracker } from './key-literals';
import { mayHoldVerdictGate } from './verdict-words';
import { anyIdentifierOf, callTriggerSets } from '../rules/triggers';

/** Checks that only report on web routes and UI handlers (python/web-routes.ts). */
const ROUTE_CHECKS = new Set([
  'api-docs-exposed',
  'model-identity-disclosed',
  'model-input-unvalidated',
  'model-route-returns-scores',
  'model-route-verbose-errors',
  'model-route-without-auth',
  'model-route-without-rate-limit',
]);

/** Trigger sets the file must also satisfy, or undefined when the check has none. */
export function checkTriggerSets(check: string, options: Readonly<Record<string, unknown>>): string[][] | undefined {
  if (ROUTE_CHECKS.has(check)) return anyIdentifierOf(WEB_APP_WORDS);
  if (check === 'llm-call-in-unbounded-loop') return nonEmpty(callTriggerSets([...strings(options['calls']), ...strings(options['written-calls'])]));
  if (check === 'load-inspected-artifact') {
    const loaders = Array.isArray(options['loaders']) ? options['loaders'] : [];
    return nonEmpty(callTriggerSets(loaders.flatMap((loader: unknown) => strings((loader as Record<string, unknown> | null)?.['calls']))));
  }
  return undefined;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** No sets means "always": as good as no requirement. */
function nonEmpty(sets: string[][]): string[][] | undefined {
  return sets.length > 0 ? sets : undefined;
}

/**
 * The text filter of a check kept up across the versions of a document being edited (the language
 * server), where there is one: a factory of one filter per document, each giving checkTextFilter's
 * verdict while reading only the lines around each change. None for the verdict gate: its filter
 * follows strings and functions through the whole text, and on a document's tree, where the
 * analysis is incremental, the engine runs the definition-local gate without it.
 */
export function checkTrackedTextFilter(check: string, options: Readonly<Record<string, unknown>>): (() => (text: TextSource) => boolean) | undefined {
  if (check === 'hardcoded-ai-key') return keyLiteralTracker(options);
  return undefined;
}

/**
 * A last test on the text, for a check whose words are not plain trigger words: the verdict gate
 * reports only a branch whose text names a security decision (case-insensitive, whole words,
 * triple-quoted strings left out) in the function that makes the verdict call, so a file where no
 * such function holds the words has nothing for it (verdict-words.ts).
 */
export function checkTextFilter(check: string, options: Readonly<Record<string, unknown>>): ((text: string) => boolean) | undefined {
  if (check === 'model-verdict-only-gate') return mayHoldVerdictGate;
  // Only a literal shaped like a key, of a provider the file could name, can be reported (key-literals.ts); `token` and `key` are everywhere.
  if (check === 'hardcoded-ai-key') return keyLiteralFilter(options);
  return undefined;
}
