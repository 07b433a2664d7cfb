/**
 * Reading a TS/JS call's arguments the way rules talk about them. JavaScript has no keyword
 * arguments; options travel in object literals, so the selectors mean:
 *   { position: 1 }                    the second argument
 *   { position: 2, key: revision }     the `revision` property of the object literal at position 2
 *   { position: 0, item: 1 }           the second item of an array literal at position 0
 *   revision  (or { name: revision })  the `revision` property of whichever object-literal argument has it
 * A spread argument, a spread in the object, or an options object held in a variable the engine
 * cannot follow makes the argument "unknown" rather than "absent".
 */
import { ts } from './compiler';
import { normaliseSelector, type ArgumentSelector } from '../python/arguments';
import { skipOuter, type TsCallFact, type TsFacts, type TsValue } from './facts';

export type TsArgumentState =
  | { state: 'absent' }
  | { state: 'unknown' }
  /** `node` is the argument (or the property's value) as written at the call when it is there, else the argument. */
  | { state: 'present'; node: ts.Expression; value: TsValue; property?: ts.ObjectLiteralElementLike };

export function readArgument(facts: TsFacts, call: TsCallFact, raw: string | ArgumentSelector): TsArgumentState {
  const selector = normaliseSelector(raw);
  if (selector.position === undefined) return selector.name === undefined ? { state: 'absent' } : readNamed(facts, call, selector.name);
  const node = call.args[selector.position];
  if (!node || ts.isSpreadElement(node)) {
    return call.spreadAt !== undefined && call.spreadAt <= selector.position ? { state: 'unknown' } : { state: 'absent' };
  }
  let value = facts.evaluate(node, call.scope);
  if (selector.item !== undefined) {
    if (value.kind !== 'sequence') return value.kind === 'unknown' ? { state: 'unknown' } : { state: 'absent' };
    value = value.items[selector.item] ?? { kind: 'none' };
    if (value.kind === 'none') return { state: 'absent' };
    const written = skipOuter(node);
    const itemNode = ts.isArrayLiteralExpression(written) ? written.elements[selector.item] : undefined;
    return { state: 'present', node: itemNode ?? node, value };
  }
  if (selector.key !== undefined) return readProperty(node, value, selector.key);
  return { state: 'present', node, value };
}

function readProperty(node: ts.Expression, value: TsValue, key: string): TsArgumentState {
  if (value.kind === 'mapping') {
    const entry = value.entries.get(key);
    if (!entry) return value.open ? { state: 'unknown' } : { state: 'absent' };
    const property = value.nodes.get(key);
    const written = skipOuter(node);
    // The property as written at the call, when the object literal is written there.
    const inPlace = property && ts.isObjectLiteralExpression(written) && property.parent === written;
    const valueNode = inPlace && property && ts.isPropertyAssignment(property) ? property.initializer : inPlace && property && ts.isShorthandPropertyAssignment(property) ? property.name : node;
    return { state: 'present', node: valueNode, value: entry, ...(inPlace && property ? { property } : {}) };
  }
  // `undefined` / `null` options are no options; anything else we cannot read may hold the key.
  return value.kind === 'none' ? { state: 'absent' } : value.kind === 'unknown' || value.kind === 'name' || value.kind === 'call' ? { state: 'unknown' } : { state: 'absent' };
}

function readNamed(facts: TsFacts, call: TsCallFact, name: string): TsArgumentState {
  let unknown = call.spreadAt !== undefined;
  for (const arg of call.args) {
    if (ts.isSpreadElement(arg)) continue;
    const value = facts.evaluate(arg, call.scope);
    if (value.kind === 'mapping') {
      const state = readProperty(arg, value, name);
      if (state.state === 'present') return state;
      if (state.state === 'unknown') unknown = true;
    } else if (value.kind === 'unknown') unknown = true;
  }
  return unknown ? { state: 'unknown' } : { state: 'absent' };
}
