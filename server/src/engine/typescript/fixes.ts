/**
 * Builds a rule's fix as text edits on one TS/JS call. Every operation either produces its edits
 * or gives up (the finding is then reported without a fix). In JavaScript a "keyword argument" is
 * a property of an options object literal written at the call.
 */
import { ts } from './compiler';
import { replaceStringContent } from '../rules/argument-test';
import { normaliseSelector } from '../python/arguments';
import type { FixOperation, FixSpec } from '../rules/schema';
import type { Fix, Range, TextEdit } from '../types';
import { readArgument } from './arguments';
import { skipOuter, type TsCallFact, type TsFacts } from './facts';

export function buildTsFix(spec: FixSpec, call: TsCallFact, facts: TsFacts): Fix | undefined {
  const edits: TextEdit[] = [];
  for (const operation of spec.edits) {
    const produced = buildOperation(operation, call, facts);
    if (!produced) return undefined;
    edits.push(...produced);
  }
  return { title: spec.title, safe: spec.safe, edits };
}

export function offsetRange(facts: TsFacts, start: number, end: number): Range {
  return { start: facts.sourceFile.getLineAndCharacterOfPosition(start), end: facts.sourceFile.getLineAndCharacterOfPosition(end) };
}

function buildOperation(operation: FixOperation, call: TsCallFact, facts: TsFacts): TextEdit[] | undefined {
  if ('remove-arg' in operation) return removeProperty(call, operation['remove-arg'], facts);
  if ('rename-method' in operation) {
    const callee = skipOuter(call.callee);
    if (!ts.isPropertyAccessExpression(callee)) return undefined;
    return [{ range: facts.range(callee.name), newText: operation['rename-method'] }];
  }
  if ('replace-string' in operation) {
    const { find, value } = operation['replace-string'];
    const argument = readArgument(facts, call, normaliseSelector(operation['replace-string'].arg));
    // Only a string written in place: editing a constant defined elsewhere would surprise the user.
    if (argument.state !== 'present') return undefined;
    const node = argument.node;
    if (!ts.isStringLiteral(node) && !ts.isNoSubstitutionTemplateLiteral(node)) return undefined;
    if (!isWrittenAt(node, call)) return undefined;
    const start = node.getStart(facts.sourceFile) + 1;
    const end = node.end - 1;
    const range = offsetRange(facts, start, end);
    return replaceStringContent(facts.text.slice(start, end), range, value, find);
  }
  // set-arg and pin-hf-revision have no JavaScript form yet: no fix rather than a wrong one.
  return undefined;
}

function isWrittenAt(node: ts.Node, call: TsCallFact): boolean {
  for (let current: ts.Node | undefined = node; current; current = current.parent) if (current === call.node) return true;
  return false;
}

/** Deletes `name: value` from the object literal written at the call, with its separating comma. */
export function removeProperty(call: TsCallFact, name: string, facts: TsFacts): TextEdit[] | undefined {
  const argument = readArgument(facts, call, name);
  if (argument.state !== 'present' || !argument.property) return undefined;
  return removeObjectElement(argument.property, facts);
}

export function removeObjectElement(property: ts.ObjectLiteralElementLike, facts: TsFacts): TextEdit[] | undefined {
  const object = property.parent;
  if (!ts.isObjectLiteralExpression(object)) return undefined;
  const properties = object.properties;
  const index = properties.indexOf(property);
  const previous = properties[index - 1];
  const next = properties[index + 1];
  const sourceFile = facts.sourceFile;
  if (previous) return [{ range: offsetRange(facts, previous.end, property.end), newText: '' }];
  if (next) return [{ range: offsetRange(facts, property.getStart(sourceFile), next.getStart(sourceFile)), newText: '' }];
  // The only property: `{ x: 1, }` → `{}`.
  return [{ range: offsetRange(facts, object.getStart(sourceFile) + 1, object.end - 1), newText: '' }];
}
