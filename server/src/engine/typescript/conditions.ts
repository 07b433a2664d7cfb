/**
 * Evaluates a rule's declarative conditions on one TS/JS call (the same conditions as the Python
 * rules; arguments are read as in ./arguments.ts).
 */
import * as path from 'node:path';
import { requiresAtLeast } from '../project/requirements';
import { evaluateArgumentTest as evaluateSharedArgumentTest } from '../rules/argument-test';
import { compileNamePattern } from '../rules/name-pattern';
import type { ArgumentTest, Condition } from '../rules/schema';
import { readArgument } from './arguments';
import type { TsCallFact, TsFacts, TsValue } from './facts';

export interface TsConditionContext {
  facts: TsFacts;
  file?: string;
  pathExists?: (absolutePath: string) => boolean;
  projectRoot?: string;
}

export function matchesAny(patterns: readonly string[], name: string | undefined): boolean {
  return name !== undefined && patterns.some((pattern) => compileNamePattern(pattern)(name));
}

export function evaluateTsCondition(condition: Condition, call: TsCallFact, context: TsConditionContext): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateTsCondition(c, call, context));
  if ('any' in condition) return condition.any.some((c) => evaluateTsCondition(c, call, context));
  if ('not' in condition) return !evaluateTsCondition(condition.not, call, context);
  if ('project-requires' in condition) {
    const { package: name, 'at-least': version } = condition['project-requires'];
    return requiresAtLeast(context.projectRoot, name, version);
  }
  if ('callee' in condition) return matchesAny(condition.callee, call.qualifiedName);
  if (!('arg' in condition)) return false; // a condition this analyzer does not know
  return evaluateArgumentTest(condition, call, context);
}

function evaluateArgumentTest(test: ArgumentTest, call: TsCallFact, context: TsConditionContext): boolean {
  return evaluateSharedArgumentTest(test, readArgument(context.facts, call, test.arg), {
    isLocalPath: (_node, value) => isLocalPath(value, context),
    // JS has no path constants worth following: a string written in the source is fixed.
    isFixedPath: (_node, value) => value.kind === 'string',
  });
}

const LOCAL_PREFIXES = ['./', '../', '/', '~', 'file:', '.\\', '..\\'];
const PATH_CALLS = ['path.join', 'path.resolve', 'path.dirname', 'path.normalize', 'path.posix.join', 'url.fileURLToPath', 'os.homedir', 'os.tmpdir', 'process.cwd', 'globalThis.process.cwd'];

/** A model or data argument that names something on the local disk rather than a hub repository or URL. */
export function isLocalPath(value: TsValue, context: TsConditionContext): boolean {
  if (value.kind === 'call') return matchesAny(PATH_CALLS, value.qualified);
  if (value.kind !== 'string') return false;
  const text = value.value;
  if (text === '.' || text === '..' || LOCAL_PREFIXES.some((prefix) => text.startsWith(prefix))) return true;
  if (/^[A-Za-z]:[\\/]/.test(text)) return true;
  if (!context.pathExists || /^[a-z][a-z0-9+.-]*:\/\//i.test(text)) return false;
  const candidates = [context.file ? path.resolve(path.dirname(context.file), text) : undefined, context.projectRoot ? path.resolve(context.projectRoot, text) : undefined];
  return candidates.some((candidate) => candidate !== undefined && context.pathExists!(candidate));
}
