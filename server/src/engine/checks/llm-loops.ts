/**
 * LLM calls in `while True` loops with no bound on the number of iterations (AML.T0034, info):
 * agent loops that stop only when the model says so run — and bill — for as long as injected text
 * keeps the model going. A loop counts as bounded when one of its exits (break, return, raise) sits
 * under a condition that compares something (`if step >= MAX_STEPS`) or names a limit, a budget,
 * a retry count or a deadline.
 */
import type { Node } from 'web-tree-sitter';
import type { z } from 'zod';
import { lazily, zodLibrary } from '../lazily';
import { readOptions } from '../rules/validated-options';
import { fileFlowFacts, shortCallee, writtenName } from '../python/dataflow';
import { nodeRange } from '../python/fixes';
import type { RawFinding } from '../python/run-rules';
import { compileNamePattern, type NamePattern } from '../rules/name-pattern';
import type { PythonCheck } from './index';

/** The check's options, validated when the rule is loaded. */
export const loopCheckOptionsSchema = lazily(() => {
  const { z } = zodLibrary();
  return z.strictObject({
    /** LLM calls, as resolved call patterns. */
    calls: z.array(z.string().min(1)).default([]),
    /** LLM calls matched against the callee as written (`self.client.chat.completions.create`). */
    'written-calls': z.array(z.string().min(1)).default([]),
  });
});

const LIMIT_WORDS = /max|limit|budget|attempt|retr|step|iter|count|tries|deadline|timeout|turn|round|elapsed|monotonic|time\(\)/i;
const COMPARISON = new Set(['<', '>', '<=', '>=']);

const compiled = new WeakMap<object, { calls: NamePattern[]; written: NamePattern[] }>();

function patternsOf(options: Readonly<Record<string, unknown>>): { calls: NamePattern[]; written: NamePattern[] } {
  let patterns = compiled.get(options);
  if (!patterns) {
    const parsed = readOptions(options, loopCheckOptionsSchema);
    patterns = parsed ? { calls: parsed.calls.map(compileNamePattern), written: parsed['written-calls'].map(compileNamePattern) } : { calls: [], written: [] };
    compiled.set(options, patterns);
  }
  return patterns;
}

export const llmCallInUnboundedLoop: PythonCheck = (rule, options, facts) => {
  const { calls, written } = patternsOf(options);
  const loops = facts.analysedDescendantsOfType('while_statement').filter(isForever);
  if (loops.length === 0) return [];
  const file = fileFlowFacts(facts);
  const findings: RawFinding[] = [];
  const bounded = new Map<number, boolean>();
  for (const call of facts.calls) {
    const loop = innermostForever(call.node, loops);
    if (!loop) continue;
    const qualified = call.qualifiedName;
    const name = writtenName(file, call.callee, call.scope);
    const isLlm = (qualified !== undefined && calls.some((matches) => matches(qualified))) || (name !== undefined && written.some((matches) => matches(name)));
    if (!isLlm) continue;
    let isBounded = bounded.get(loop.id);
    if (isBounded === undefined) bounded.set(loop.id, (isBounded = hasBoundedExit(loop)));
    if (isBounded) continue;
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: rule.message.replaceAll('{callee}', shortCallee(call.callee)).replaceAll('{line}', String(loop.startPosition.row + 1)),
      range: nodeRange(call.callee),
      statementLines: call.statementLines,
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
    });
  }
  return findings;
};

/** `while True:` / `while 1:` */
function isForever(loop: Node): boolean {
  const condition = loop.childForFieldName('condition');
  return condition?.type === 'true' || (condition?.type === 'integer' && condition.text !== '0');
}

/** The `while True` loop holding a call, within the same function. */
function innermostForever(node: Node, loops: readonly Node[]): Node | undefined {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (current.type === 'function_definition' || current.type === 'lambda') return undefined;
    if (current.type === 'while_statement' && loops.some((loop) => loop.id === current!.id)) return current;
  }
  return undefined;
}

/** Some exit of the loop sits under a condition that bounds it (a comparison, a limit, a deadline). */
function hasBoundedExit(loop: Node): boolean {
  const body = loop.childForFieldName('body');
  if (!body) return false;
  for (const exit of body.descendantsOfType(['break_statement', 'return_statement', 'raise_statement'])) {
    if (!exit) continue;
    for (let current: Node | null = exit.parent; current && current.id !== loop.id; current = current.parent) {
      if (current.type === 'function_definition') break;
      if (current.type === 'if_statement' || current.type === 'elif_clause') {
        const condition = current.childForFieldName('condition');
        if (condition && boundsLoop(condition)) return true;
      }
    }
  }
  return false;
}

function boundsLoop(condition: Node): boolean {
  if (LIMIT_WORDS.test(condition.text)) return true;
  return condition.descendantsOfType('comparison_operator').some((comparison) =>
    (comparison?.children ?? []).some((child) => child !== null && COMPARISON.has(child.type)),
  );
}
