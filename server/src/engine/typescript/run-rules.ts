/**
 * Runs declarative call rules over a TS/JS file's facts: the same `calls` + `cases` as the Python
 * rules, with the TypeScript readings of arguments, conditions and fixes.
 */
import { SyntaxKind, ts } from './compiler';
import { normaliseSelector } from '../python/arguments';
import type { CompiledRule, RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import type { CallMatch, CaseSpec } from '../rules/schema';
import type { Range } from '../types';
import { readArgument } from './arguments';
import { evaluateTsCondition, type TsConditionContext } from './conditions';
import { skipOuter, type TsCallFact, type TsFacts } from './facts';
import { buildTsFix } from './fixes';

export function runTsCallRule(compiled: CompiledRule, match: CallMatch, context: TsConditionContext): RawFinding[] {
  const { rule } = compiled;
  const findings: RawFinding[] = [];
  for (const call of context.facts.calls) {
    const name = call.qualifiedName;
    if (name) {
      if (compiled.lastSegments && !compiled.lastSegments.has(name.slice(name.lastIndexOf('.') + 1))) continue;
      if (!compiled.patterns.some((matches) => matches(name))) continue;
    } else if (!match['unresolved-calls']) continue;
    const chosen = match.cases.find((candidate) => !candidate.when || evaluateTsCondition(candidate.when, call, context));
    if (!chosen || !chosen.report) continue;
    findings.push(makeTsFinding(rule, chosen, call, context));
  }
  return findings;
}

export function makeTsFinding(rule: LoadedRule, chosen: CaseSpec, call: TsCallFact, context: TsConditionContext): RawFinding {
  const message = (chosen.message ?? rule.message).replaceAll('{callee}', displayTsCallee(call));
  const fix = chosen.fix ? buildTsFix(chosen.fix, call, context.facts) : undefined;
  return {
    ruleId: rule.id,
    severity: chosen.severity ?? rule.severity,
    message,
    range: highlightRange(chosen, call, context),
    statementLines: call.statementLines,
    techniques: rule.atlas.techniques,
    mitigations: rule.atlas.mitigations,
    ...(fix ? { fix } : {}),
  };
}

function highlightRange(chosen: CaseSpec, call: TsCallFact, context: TsConditionContext): Range {
  const facts = context.facts;
  const highlight = chosen.highlight ?? 'callee';
  if (highlight === 'call') return facts.range(call.node);
  if (highlight === 'callee') return calleeRange(call, facts);
  const selector = normaliseSelector(highlight.arg);
  const argument = readArgument(facts, call, selector);
  if (argument.state === 'present') return facts.range(argument.property ?? argument.node);
  const position = selector.position !== undefined ? call.args[selector.position] : undefined;
  return facts.range(position ?? call.callee);
}

/** The callee, with `new` in front for a construction: `new OpenAI`. */
export function calleeRange(call: TsCallFact, facts: TsFacts): Range {
  const start = (call.isNew ? call.node : call.callee).getStart(facts.sourceFile);
  return { start: facts.sourceFile.getLineAndCharacterOfPosition(start), end: facts.sourceFile.getLineAndCharacterOfPosition(call.callee.end) };
}

/** The callee as a reader recognises it: `tf.loadLayersModel`, `new OpenAI`, `client.chat.completions.create`. */
export function displayTsCallee(call: TsCallFact): string {
  const shown = display(call.callee);
  return call.isNew ? `new ${shown}` : shown;
}

function display(expression: ts.Expression): string {
  const node = skipOuter(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(node)) return `${display(node.expression)}.${node.name.text}`;
  if (ts.isElementAccessExpression(node)) return `${display(node.expression)}[…]`;
  if (ts.isCallExpression(node)) return `${display(node.expression)}(…)`;
  if (ts.isNewExpression(node)) return `new ${display(node.expression)}(…)`;
  return '…';
}
