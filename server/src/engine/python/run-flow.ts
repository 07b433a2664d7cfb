/**
 * Runs flow rules (`match: { flow: … }`): each sink expression whose value may come from one of
 * the rule's sources (python/dataflow.ts) is a finding, with the path the value took.
 */
import type { Node } from 'web-tree-sitter';
import type { LoadedRule } from '../rules/loader';
import { compileNamePattern } from '../rules/name-pattern';
import { anyIdentifierOf, anyOf, callTriggerSets, literalSegments } from '../rules/triggers';
import { WEB_APP_WORDS } from './web-routes';
import { isFlowMatch } from '../rules/match-kinds';
import type { FlowMatch } from '../rules/schema';
import type { FlowStepReport } from '../types';
import { argumentNode, normaliseSelector } from './arguments';
import { evaluateCondition, type ConditionContext } from './conditions';
import { compileFlow, shortCallee, sinkCandidates, valueTracker, type Tracked } from './dataflow';
import type { PythonFacts } from './facts';
import { nodeRange } from './fixes';
import type { RawFinding } from './run-rules';

/**
 * Words one of which a file must contain for a value to come from a source: the module a source
 * call belongs to (`openai`, `langchain_core`…), or, for patterns that start with a wildcard,
 * their most distinctive literal segment (`completions`); `flask`/`quart` for request data and
 * a web app's class or UI module (WEB_APP_WORDS) for route parameters. A flow needs a source as
 * well as a sink.
 */
export function flowSourceTriggers(match: FlowMatch): string[][] {
  const words = new Set<string>();
  const fromPattern = (pattern: string): string | undefined => {
    const segments = literalSegments(pattern);
    if (!pattern.startsWith('*')) return segments[0];
    return segments.reduce<string | undefined>((longest, segment) => (!longest || segment.length > longest.length ? segment : longest), undefined);
  };
  for (const source of match.flow.sources) {
    for (const pattern of [...(source.calls ?? []), ...(source['written-calls'] ?? []), ...(source.names ?? [])]) {
      const word = fromPattern(pattern);
      if (word) words.add(word);
    }
  }
  // Route parameters are those of handlers webRouteFacts finds, which hang off an app class or gradio/streamlit.
  if (match.flow.sources.some((source) => source['route-parameters'])) for (const word of WEB_APP_WORDS) words.add(word);
  return anyIdentifierOf([...words]);
}

/** What a file must contain for a value to reach one of the sinks: every word of some sink call (rules/triggers.ts), or a dict or tuple literal's words. */
export function flowTriggers(match: FlowMatch): string[][] {
  const sets: string[][] = [];
  for (const sink of match.flow.sinks) {
    const sinkSets =
      'dict-entry' in sink ? anyOf(Object.values(sink['dict-entry'].where).flat())
      : 'tuple-item' in sink ? anyOf(Object.values(sink['tuple-item'].where).flat())
      : callTriggerSets([...(sink.calls ?? []), ...(sink['written-calls'] ?? [])]);
    // A sink that any text may hold leaves the flow without triggers.
    if (sinkSets.length === 0) return [];
    sets.push(...sinkSets);
  }
  return sets;
}

/**
 * A cheap pre-check before the value tracking is built, erring on the side of running it: when
 * every source is a call, some call of the file must resolve to a source pattern, or — when its
 * receiver does not resolve (a LangChain pipe, a client kept in an attribute, a callee written
 * through local assignments) — call a method of the same name as a source.
 */
function mayHaveSource(flow: FlowMatch['flow'], facts: PythonFacts): boolean {
  if (flow.sources.some((source) => source.names || source['route-parameters'])) return true;
  const patterns = flow.sources.flatMap((source) => [...(source.calls ?? []), ...(source['written-calls'] ?? [])]);
  const resolved = patterns.map(compileNamePattern);
  const methods = new Set(patterns.map((pattern) => pattern.split('.').pop()!.replace(/\(\)$/, '')));
  return facts.calls.some((call) => {
    const name = call.qualifiedName;
    if (name && resolved.some((matches) => matches(name))) return true;
    const callee = call.callee;
    const method = callee.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee.type === 'identifier' ? callee.text : undefined;
    return method !== undefined && methods.has(method) && (!name || !name.includes('.'));
  });
}

export function runFlowRule(rule: LoadedRule, facts: PythonFacts, context: ConditionContext): RawFinding[] {
  if (!isFlowMatch(rule.match)) return [];
  const flow = rule.match.flow;
  if (!mayHaveSource(flow, facts)) return [];
  const tracker = valueTracker(facts, compileFlow(flow));
  const findings: RawFinding[] = [];
  const reported = new Set<number>();
  const candidates = sinkCandidates(facts, flow.sinks, (call, selector) => argumentNode(call, normaliseSelector(selector)));
  for (const hit of candidates) {
    if (hit.call && 'when' in hit.sink && hit.sink.when && !evaluateCondition(hit.sink.when, hit.call, context)) continue;
    const tracked = tracker.track(hit.node);
    if (!tracked) continue;
    let at: Node = hit.node;
    if (flow['unless-delimited']) {
      if (tracked.embeddings.some((embedding) => embedding.delimited)) continue;
      at = tracked.embeddings[0]?.node ?? hit.node;
    }
    if (reported.has(at.id)) continue;
    reported.add(at.id);
    const callee = hit.call ? shortCallee(hit.call.callee) : 'the prompt';
    const template = hit.sink.message ?? rule.message;
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: fillMessage(template, callee, tracked, at),
      range: nodeRange(at),
      statementLines: statementLinesOf(at),
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
      flow: flowReport(tracked, at, callee),
    });
  }
  return findings;
}

function fillMessage(template: string, callee: string, tracked: Tracked, at: Node): string {
  const source = tracked.steps[0]?.node;
  const line = source ? String(source.startPosition.row + 1) : '?';
  const lines = [...tracked.steps.map((s) => s.node.startPosition.row + 1), at.startPosition.row + 1].filter((row, index, all) => index === 0 || all[index - 1] !== row);
  return template
    .replaceAll('{callee}', callee)
    .replaceAll('{source}', tracked.label)
    .replaceAll('{line}', line)
    .replaceAll('{path}', lines.map((row) => `line ${row}`).join(' → '));
}

/** The path as locations with what happens there, source first, the sink last. */
function flowReport(tracked: Tracked, at: Node, callee: string): FlowStepReport[] {
  const steps: FlowStepReport[] = tracked.steps.map((s) => ({ range: nodeRange(s.node), message: s.note }));
  steps.push({ range: nodeRange(at), message: `reaches ${callee}` });
  return steps;
}

const SIMPLE = new Set(['expression_statement', 'return_statement', 'assert_statement', 'delete_statement', 'raise_statement']);
const COMPOUND = new Set(['if_statement', 'elif_clause', 'for_statement', 'while_statement', 'with_statement', 'try_statement', 'function_definition', 'class_definition', 'decorated_definition', 'match_statement', 'case_clause']);

/** The lines of the statement holding a node (the header only for compound statements), for suppressions. */
function statementLinesOf(node: Node): { first: number; last: number } {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (SIMPLE.has(current.type)) return { first: current.startPosition.row, last: current.endPosition.row };
    if (COMPOUND.has(current.type) || current.type === 'block' || current.type === 'module') {
      const first = current.type === 'block' || current.type === 'module' ? node.startPosition.row : current.startPosition.row;
      return { first, last: node.endPosition.row };
    }
  }
  return { first: node.startPosition.row, last: node.endPosition.row };
}
