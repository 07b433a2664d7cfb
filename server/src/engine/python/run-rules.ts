/**
 * Runs declarative call rules over a Python file's facts.
 */
import type { TextSource } from '../chunked-text';
import type { LoadedRule } from '../rules/loader';
import { compileNamePattern, type NamePattern } from '../rules/name-pattern';
import { isCallMatch, isFlowMatch } from '../rules/match-kinds';
import type { CaseSpec } from '../rules/schema';
import { flowSourceTriggers, flowTriggers } from './run-flow';
import { checkTextFilter, checkTrackedTextFilter, checkTriggerSets } from '../checks/triggers';
import { anyOf, callTriggerSets, IMPLICIT_ROOTS, lastWordsOf, patternWords, type TriggerSets } from '../rules/triggers';
import { identifier } from '../rules/word-scanner';
import { importedRoots } from './imported-modules';
import type { Finding, Range } from '../types';
import { argumentNode, normaliseSelector } from './arguments';
import { evaluateCondition, type ConditionContext } from './conditions';
import type { Node } from 'web-tree-sitter';
import type { CallFact } from './facts';
import { buildFix, nodeRange } from './fixes';

export interface CompiledRule {
  rule: LoadedRule;
  /** Call patterns, for call rules; empty for checks. */
  patterns: NamePattern[];
  /** What a file's text must contain for the rule to have anything to find (rules/triggers.ts); empty: always runs. */
  triggers: TriggerSets;
  /** A second condition the text must meet too (a flow needs a source as well as a sink; a route check, a web app). */
  requiredTriggers?: TriggerSets;
  /** A last test on the whole text, after the triggers (checks/triggers.ts). */
  textFilter?: (text: string) => boolean;
  /** Where there is one, textFilter kept up across a document's versions: a new filter per document (checks/triggers.ts). */
  trackedTextFilter?: () => (text: TextSource) => boolean;
  /**
   * A test that only spares parsing a file (the modules a call pattern needs imported): applied
   * when the text is not parsed yet. On a document's tree (the language server) the rule runs,
   * and finds the same. `occurs` answers for the trigger words (all, when not given).
   */
  parseFilter?: (text: string, occurs?: (word: string) => boolean) => boolean;
  /** Last segment of every call pattern, or undefined when a pattern ends in a wildcard. */
  lastSegments?: Set<string>;
}

export function compileRule(rule: LoadedRule): CompiledRule {
  const declared = rule.triggers ? anyOf(rule.triggers) : undefined;
  if (isFlowMatch(rule.match)) return { rule, patterns: [], triggers: declared ?? flowTriggers(rule.match), requiredTriggers: flowSourceTriggers(rule.match) };
  if (!isCallMatch(rule.match)) {
    const python = rule.languages.every((language) => language === 'python');
    const required = python ? checkTriggerSets(rule.match.check, rule.match.options ?? {}) : undefined;
    const textFilter = python ? checkTextFilter(rule.match.check, rule.match.options ?? {}) : undefined;
    const trackedTextFilter = textFilter ? checkTrackedTextFilter(rule.match.check, rule.match.options ?? {}) : undefined;
    return { rule, patterns: [], triggers: declared ?? [], ...(required ? { requiredTriggers: required } : {}), ...(textFilter ? { textFilter } : {}), ...(trackedTextFilter ? { trackedTextFilter } : {}) };
  }
  const calls = rule.match.calls;
  const lastSegments = calls.map((pattern) => pattern.split('.').pop() ?? '');
  // A rule that also matches unresolved calls cannot count on the module's name being written.
  const derived = !declared && !rule.match['unresolved-calls'];
  const parseFilter = derived && rule.languages.every((language) => language === 'python') ? importedModulesFilter(calls) : undefined;
  return {
    rule,
    patterns: calls.map(compileNamePattern),
    triggers: declared ?? (derived ? callTriggerSets(calls) : lastWordsOf(calls)),
    ...(parseFilter ? { parseFilter } : {}),
    lastSegments: lastSegments.some((segment) => segment.includes('*')) ? undefined : new Set(lastSegments),
  };
}

/**
 * For Python call patterns that start with a module (`transformers.pipeline`): a call gets that
 * qualified name only through an import of the module (python/facts.ts), so such a pattern can
 * match only where its trigger words occur and the file imports its first segment
 * (imported-modules.ts). Other patterns (`**.from_pretrained`) need their trigger words only; a
 * builtin's (`builtins.eval`, written `eval`) has trigger sets of its own and is always let
 * through here. Undefined when no pattern starts with a module.
 */
function importedModulesFilter(patterns: readonly string[]): CompiledRule['parseFilter'] {
  const entries = patterns.map((pattern) => {
    const first = pattern.split('.')[0]!.replace(/\(\)$/, '');
    const implicit = IMPLICIT_ROOTS.has(first);
    const root = first.length > 0 && !first.includes('*') && !implicit ? first : undefined;
    return { root, implicit, words: patternWords(pattern).map(identifier) };
  });
  if (entries.every((entry) => entry.root === undefined)) return undefined;
  return (text, occurs = () => true) => entries.some(({ root, implicit, words }) => implicit || (words.every(occurs) && (root === undefined || importedRoots(text).has(root))));
}

/** A finding before settings and suppressions are applied. */
export type RawFinding = Omit<Finding, 'file'>;

export function runCallRule(compiled: CompiledRule, calls: readonly CallFact[], context: ConditionContext, source: TextSource): RawFinding[] {
  const { rule } = compiled;
  if (!isCallMatch(rule.match)) return [];
  const findings: RawFinding[] = [];
  for (const call of calls) {
    const name = call.qualifiedName;
    if (name) {
      if (compiled.lastSegments && !compiled.lastSegments.has(name.slice(name.lastIndexOf('.') + 1))) continue;
      if (!compiled.patterns.some((matches) => matches(name))) continue;
    } else if (!rule.match['unresolved-calls']) continue;
    const required = rule.match['call-contains'];
    if (required) {
      const text = source.slice(call.node.startIndex, call.node.endIndex);
      if (!required.some((word) => text.includes(word))) continue;
    }
    const chosen = rule.match.cases.find((candidate) => !candidate.when || evaluateCondition(candidate.when, call, context));
    if (!chosen || !chosen.report) continue;
    findings.push(makeFinding(rule, chosen, call, source, context));
  }
  return findings;
}

function makeFinding(rule: LoadedRule, chosen: CaseSpec, call: CallFact, source: TextSource, context: ConditionContext): RawFinding {
  const callee = displayCallee(call.callee);
  const message = (chosen.message ?? rule.message).replaceAll('{callee}', callee);
  const fix = chosen.fix ? buildFix(chosen.fix, call, source, context.facts) : undefined;
  return {
    ruleId: rule.id,
    severity: chosen.severity ?? rule.severity,
    message,
    range: highlightRange(chosen, call),
    statementLines: call.statementLines,
    techniques: rule.atlas.techniques,
    mitigations: rule.atlas.mitigations,
    ...(fix ? { fix } : {}),
  };
}

function highlightRange(chosen: CaseSpec, call: CallFact): Range {
  const highlight = chosen.highlight ?? 'callee';
  if (highlight === 'call') return nodeRange(call.node);
  if (highlight === 'callee') return nodeRange(call.callee);
  const selector = normaliseSelector(highlight.arg);
  const keyword = selector.name !== undefined ? call.keywords.get(selector.name) : undefined;
  if (keyword) return nodeRange(keyword.node);
  const node = argumentNode(call, selector);
  return nodeRange(node ?? call.callee);
}

/** The callee as a reader recognises it, short: `gr.Interface(…).launch`, `t.load`. */
export function displayCallee(node: Node): string {
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'attribute': {
      const object = node.childForFieldName('object');
      const attribute = node.childForFieldName('attribute')?.text ?? '';
      return `${object ? displayCallee(object) : '…'}.${attribute}`;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      return `${callee ? displayCallee(callee) : '…'}(…)`;
    }
    default:
      return '…';
  }
}
