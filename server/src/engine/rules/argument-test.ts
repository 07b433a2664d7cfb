/**
 * The meaning of a rule's argument tests (`absent`, `equals`, `matches`, …), shared by every
 * language: each analyzer reads the argument its own way and supplies what only it can judge,
 * whether a value names a local path or a path fixed in the source.
 */
import { isLiteral, literalEquals, type ValueLike } from './literals';
import { MAX_REGEX_INPUT, regexInput } from '../guard';
import { compileNamePattern } from './name-pattern';
import type { ArgumentTest } from './schema';

/** An argument as read from a call: not passed, possibly passed (`*args`, `**kwargs`, spread), or passed. */
export type ArgumentReading<Node, Value> = { state: 'absent' } | { state: 'unknown' } | { state: 'present'; node: Node; value: Value };

export interface PathJudgements<Node, Value> {
  isLocalPath(node: Node, value: Value): boolean;
  isFixedPath(node: Node, value: Value): boolean;
}

const regexCache = new Map<string, RegExp>();

/** Rule regexes are validated when rules load; compiled ones are kept for reuse. */
export function cachedRegex(pattern: string): RegExp {
  let regex = regexCache.get(pattern);
  if (!regex) regexCache.set(pattern, (regex = new RegExp(pattern, 'u')));
  return regex;
}

type ComparableValue = ValueLike & { readonly qualified?: string };

export function evaluateArgumentTest<Node, Value extends ComparableValue>(
  test: ArgumentTest,
  argument: ArgumentReading<Node, Value>,
  paths: PathJudgements<Node, Value>,
): boolean {
  if (test.absent) return argument.state === 'absent';
  if (test.present) return argument.state !== 'absent';
  if (test.written) return argument.state === 'present';
  if (test['non-literal']) return argument.state === 'unknown' || (argument.state === 'present' && !isLiteral(argument.value));
  if (argument.state !== 'present') return false;
  const value = argument.value;
  if (test.equals !== undefined) return literalEquals(value, test.equals);
  if (test.in) return test.in.some((expected) => literalEquals(value, expected));
  if (test['not-in']) return isLiteral(value) && value.kind !== 'name' && !test['not-in'].some((expected) => literalEquals(value, expected));
  if (test.matches !== undefined) return value.kind === 'string' && typeof value.value === 'string' && cachedRegex(test.matches).test(regexInput(value.value));
  if (test['resolves-to']) {
    // A call's result is written with `()`, as in call patterns: `**.from_pretrained()`.
    const qualified = value.kind === 'name' ? value.qualified : value.kind === 'call' && value.qualified !== undefined ? `${value.qualified}()` : undefined;
    return qualified !== undefined && test['resolves-to'].some((pattern) => compileNamePattern(pattern)(qualified));
  }
  if (test['local-path']) return paths.isLocalPath(argument.node, value);
  if (test['fixed-path']) return paths.isFixedPath(argument.node, value);
  return false;
}

/**
 * The `replace-string` fix on a string literal's content as written: the whole content, or only
 * what `find` matches (`http://` → `https://`). Undefined when `find` does not match.
 */
export function replaceStringContent<R>(written: string, range: R, value: string, find: string | undefined): Array<{ range: R; newText: string }> | undefined {
  if (find === undefined) return [{ range, newText: value }];
  // Rule regexes cannot be interrupted: no fix on strings too long to run them on safely.
  if (written.length > MAX_REGEX_INPUT) return undefined;
  let pattern: RegExp;
  try {
    pattern = cachedRegex(find);
  } catch {
    return undefined;
  }
  return pattern.test(written) ? [{ range, newText: written.replace(pattern, value) }] : undefined;
}
