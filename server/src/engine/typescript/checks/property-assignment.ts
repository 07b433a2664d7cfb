/**
 * `property-assignment`: a module setting assigned a literal, e.g. transformers.js
 * `env.allowRemoteModels = true`. Options: `targets` (qualified names of the property), `equals`
 * (the literal), and an optional `fix-value` (source text offered as a replacement, never safe).
 */
import { PropertyAssignmentOptionsSchema } from './options';
import type { RawFinding } from '../../python/run-rules';
import { literalEquals } from '../../rules/literals';
import type { LoadedRule } from '../../rules/loader';
import { matchesAny, type TsConditionContext } from '../conditions';
import { statementLines } from '../facts';

export function propertyAssignment(rule: LoadedRule, rawOptions: Readonly<Record<string, unknown>>, context: TsConditionContext): RawFinding[] {
  const parsed = PropertyAssignmentOptionsSchema.safeParse(rawOptions);
  if (!parsed.success) return [];
  const options = parsed.data;
  const facts = context.facts;
  const findings: RawFinding[] = [];
  for (const assignment of facts.propertyAssignments) {
    if (!matchesAny(options.targets, facts.qualifiedNameOf(assignment.target, assignment.scope))) continue;
    if (!literalEquals(facts.evaluate(assignment.value, assignment.scope), options.equals)) continue;
    const fixValue = options['fix-value'];
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: rule.message.replaceAll('{callee}', assignment.target.getText(facts.sourceFile)),
      range: facts.range(assignment.node),
      statementLines: statementLines(assignment.node),
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
      ...(fixValue ? { fix: { title: options['fix-title'] ?? `Set to ${fixValue}`, safe: false, edits: [{ range: facts.range(assignment.value), newText: fixValue }] } } : {}),
    });
  }
  return findings;
}
