/**
 * Reading a call's arguments the way rules talk about them: by keyword, by position, or both,
 * with `**kwargs` / `*args` making an argument "unknown" rather than "absent".
 */
import type { Node } from 'web-tree-sitter';
import type { CallFact, PythonFacts, Value } from './facts';

export interface ArgumentSelector {
  name?: string;
  position?: number;
  item?: number;
  key?: string;
}

export type ArgumentState =
  | { state: 'absent' }
  /** Passed, or possibly passed through *args / **kwargs: the author's call. */
  | { state: 'unknown' }
  | { state: 'present'; node: Node; value: Value };

export function normaliseSelector(selector: string | ArgumentSelector): ArgumentSelector {
  return typeof selector === 'string' ? { name: selector } : selector;
}

/** The node of an argument as written (the value, not the `name=` part). */
export function argumentNode(call: CallFact, selector: ArgumentSelector): Node | undefined {
  if (selector.name !== undefined) {
    const keyword = call.keywords.get(selector.name);
    if (keyword) return keyword.value;
  }
  if (selector.position !== undefined) return call.positional[selector.position];
  return undefined;
}

export function readArgument(facts: PythonFacts, call: CallFact, raw: string | ArgumentSelector): ArgumentState {
  const selector = normaliseSelector(raw);
  const node = argumentNode(call, selector);
  if (!node) {
    const mayBeInKwargs = selector.name !== undefined && call.hasKeywordSplat;
    const mayBeInArgs = selector.position !== undefined && call.hasStarArgs && call.positional.length <= selector.position;
    return mayBeInKwargs || mayBeInArgs ? { state: 'unknown' } : { state: 'absent' };
  }
  let value = facts.evaluate(node, call.scope);
  if (selector.item !== undefined) {
    if (value.kind !== 'sequence') return { state: 'present', node, value: { kind: 'unknown' } };
    value = value.items[selector.item] ?? { kind: 'unknown' };
  }
  if (selector.key !== undefined) {
    if (value.kind !== 'mapping') return { state: 'present', node, value: { kind: 'unknown' } };
    const entry = value.entries.get(selector.key);
    return entry ? { state: 'present', node, value: entry } : { state: 'absent' };
  }
  return { state: 'present', node, value };
}

// Literal comparison is language-neutral (shared with the TypeScript analyzer).
export { isLiteral, literalEquals } from '../rules/literals';
