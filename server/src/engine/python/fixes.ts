/**
 * Builds a rule's fix as text edits on one call. Every operation either produces its edits or
 * gives up (returns undefined), in which case the finding is reported without a fix: a wrong
 * edit is worse than none.
 */
import type { TextSource } from '../chunked-text';
import { lineStartOf } from '../edited-lines';
import type { Node } from 'web-tree-sitter';
import { replaceStringContent } from '../rules/argument-test';
import type { FixOperation, FixSpec } from '../rules/schema';
import type { Fix, Position, Range, TextEdit } from '../types';
import { argumentNode, normaliseSelector, readArgument } from './arguments';
import type { CallFact, PythonFacts } from './facts';
import { cachedHfCommit, type HfRepoType } from './hf-cache';

export function pointToPosition(point: { row: number; column: number }): Position {
  return { line: point.row, character: point.column };
}

export function nodeRange(node: Node): Range {
  return { start: pointToPosition(node.startPosition), end: pointToPosition(node.endPosition) };
}

/** `facts` lets operations read argument values through constants (pin-hf-revision needs them). */
export function buildFix(spec: FixSpec, call: CallFact, source: TextSource, facts?: PythonFacts): Fix | undefined {
  const edits: TextEdit[] = [];
  let title = spec.title;
  let placeholder = false;
  for (const operation of spec.edits) {
    if ('pin-hf-revision' in operation) {
      const pin = pinHfRevision(operation['pin-hf-revision'], call, source, facts);
      if (!pin) return undefined;
      edits.push(...pin.edits);
      if (pin.placeholderTitle) {
        title = pin.placeholderTitle;
        placeholder = true;
      }
      continue;
    }
    const produced = buildOperation(operation, call, source, facts);
    if (!produced) return undefined;
    edits.push(...produced);
  }
  // A placeholder is never safe: "fix all" must not write a value the user has to replace.
  return { title, safe: spec.safe && !placeholder, edits, ...(placeholder ? { placeholder: true as const } : {}) };
}

function buildOperation(operation: FixOperation, call: CallFact, source: TextSource, facts?: PythonFacts): TextEdit[] | undefined {
  if ('set-arg' in operation) return setArgument(call, operation['set-arg'].name, operation['set-arg'].value, source);
  if ('remove-arg' in operation) return removeArgument(call, operation['remove-arg']);
  if ('rename-method' in operation) {
    if (call.callee.type !== 'attribute') return undefined;
    const attribute = call.callee.childForFieldName('attribute');
    return attribute ? [{ range: nodeRange(attribute), newText: operation['rename-method'] }] : undefined;
  }
  if ('pin-hf-revision' in operation) return pinHfRevision(operation['pin-hf-revision'], call, source, facts)?.edits;
  const { find, value } = operation['replace-string'];
  const selector = normaliseSelector(operation['replace-string'].arg);
  const node = argumentNode(call, selector);
  // Only a string written in place: editing a constant defined elsewhere would surprise the user.
  if (!node || node.type !== 'string') return undefined;
  const start = node.namedChildren.find((child) => child?.type === 'string_start');
  const end = node.namedChildren.find((child) => child?.type === 'string_end');
  if (!start || !end || node.namedChildren.some((child) => child?.type === 'interpolation')) return undefined;
  const range = { start: pointToPosition(start.endPosition), end: pointToPosition(end.startPosition) };
  return replaceStringContent(source.slice(start.endIndex, end.startIndex), range, value, find);
}

type PinHfRevision = Extract<FixOperation, { 'pin-hf-revision': unknown }>['pin-hf-revision'];

/** Written in place of the commit when the repository is not in the local cache (reads as "not pinned" to the rules). */
export const HF_COMMIT_PLACEHOLDER = '<40-hex commit>';

const HUB_PATH_PREFIX: Readonly<Record<HfRepoType, string>> = { model: '', dataset: 'datasets/', space: 'spaces/' };

/**
 * The cached commit of the repository's ref; when the repository is not cached (read offline, never
 * fetched), a placeholder and a title that says where to find the commit.
 */
function pinHfRevision(spec: PinHfRevision, call: CallFact, source: TextSource, facts: PythonFacts | undefined): { edits: TextEdit[]; placeholderTitle?: string } | undefined {
  if (!facts) return undefined;
  const repo = readArgument(facts, call, spec.repo);
  if (repo.state !== 'present' || repo.value.kind !== 'string') return undefined;
  let repoType: HfRepoType = spec['repo-type'];
  if (spec['repo-type-arg'] !== undefined) {
    const override = readArgument(facts, call, spec['repo-type-arg']);
    if (override.state === 'unknown') return undefined;
    if (override.state === 'present') {
      const text = override.value.kind === 'string' ? override.value.value : override.value.kind === 'none' ? spec['repo-type'] : undefined;
      if (text !== 'model' && text !== 'dataset' && text !== 'space') return undefined;
      repoType = text;
    }
  }
  const current = readArgument(facts, call, spec.arg);
  if (current.state === 'unknown' || (current.state === 'present' && current.value.kind !== 'string')) return undefined;
  const ref = current.state === 'present' && current.value.kind === 'string' ? current.value.value : 'main';
  const commit = cachedHfCommit(repoType, repo.value.value, ref);
  if (commit) {
    const edits = setArgument(call, spec.arg, `"${commit}"`, source);
    return edits ? { edits } : undefined;
  }
  const edits = setArgument(call, spec.arg, `"${HF_COMMIT_PLACEHOLDER}"`, source);
  if (!edits) return undefined;
  const commits = `https://huggingface.co/${HUB_PATH_PREFIX[repoType]}${repo.value.value}/commits/${ref}`;
  return { edits, placeholderTitle: `Pin revision (not in the local cache: replace the placeholder with the commit listed at ${commits})` };
}

function argumentList(call: CallFact): Node | undefined {
  const list = call.node.childForFieldName('arguments');
  return list?.type === 'argument_list' ? list : undefined;
}

function realArguments(list: Node): Node[] {
  return list.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
}

function setArgument(call: CallFact, name: string, value: string, source: TextSource): TextEdit[] | undefined {
  const existing = call.keywords.get(name);
  if (existing) return [{ range: nodeRange(existing.value), newText: value }];
  const list = argumentList(call);
  if (!list) return undefined;
  const closing = list.lastChild;
  if (!closing || closing.type !== ')') return undefined;
  const args = realArguments(list);
  const last = args[args.length - 1];
  if (!last) return [{ range: { start: pointToPosition(closing.startPosition), end: pointToPosition(closing.startPosition) }, newText: `${name}=${value}` }];
  const comma = last.nextSibling?.type === ',' ? last.nextSibling : undefined;
  const multiLine = closing.startPosition.row > last.endPosition.row;
  if (multiLine) {
    // One argument a line: add ours on its own line with the same indentation.
    const indent = source.slice(lineStartOf(source, last.startIndex), last.startIndex);
    const indentation = /^\s*$/.test(indent) ? indent : '    ';
    const after = comma ?? last;
    return [{ range: { start: pointToPosition(after.endPosition), end: pointToPosition(after.endPosition) }, newText: `${comma ? '' : ','}\n${indentation}${name}=${value}${comma ? ',' : ''}` }];
  }
  if (comma) return [{ range: { start: pointToPosition(comma.endPosition), end: pointToPosition(comma.endPosition) }, newText: ` ${name}=${value}` }];
  return [{ range: { start: pointToPosition(last.endPosition), end: pointToPosition(last.endPosition) }, newText: `, ${name}=${value}` }];
}

function removeArgument(call: CallFact, name: string): TextEdit[] | undefined {
  const keyword = call.keywords.get(name);
  const list = argumentList(call);
  if (!keyword || !list) return undefined;
  const args = realArguments(list);
  const index = args.findIndex((arg) => arg.id === keyword.node.id);
  if (index < 0) return undefined;
  const previous = args[index - 1];
  const next = args[index + 1];
  if (previous) {
    // `f(a, x=1)` → `f(a)`: from the end of the previous argument to the end of this one.
    return [{ range: { start: pointToPosition(previous.endPosition), end: pointToPosition(keyword.node.endPosition) }, newText: '' }];
  }
  if (next) return [{ range: { start: pointToPosition(keyword.node.startPosition), end: pointToPosition(next.startPosition) }, newText: '' }];
  // The only argument: drop it and a trailing comma.
  const comma = keyword.node.nextSibling?.type === ',' ? keyword.node.nextSibling : undefined;
  return [{ range: { start: pointToPosition(keyword.node.startPosition), end: pointToPosition((comma ?? keyword.node).endPosition) }, newText: '' }];
}

