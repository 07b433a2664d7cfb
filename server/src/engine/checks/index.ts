/**
 * Checks implemented in code, for rules whose match is more than a call with argument conditions.
 * The rule's YAML still owns its metadata; `match: { check: <name> }` picks the function here.
 */
import type { PythonFacts } from '../python/facts';
import type { ConditionContext } from '../python/conditions';
import type { RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import type { CheckMatch } from '../rules/schema';
import { hardcodedAiKey } from './ai-keys';
import { downloadWithoutChecksum } from './download-checksum';
import { llmCallInUnboundedLoop } from './llm-loops';
import { modelRouteReturnsScores, modelRouteWithoutAuth } from './model-routes';
import { loadedArtifact } from './loaded-artifact';
import { apiDocsExposed, hubRepoPublic, modelIdentityDisclosed, modelInputUnvalidated, modelRouteVerboseErrors, modelRouteWithoutRateLimit, modelVerdictOnlyGate } from './model-serving';

export type PythonCheck = (rule: LoadedRule, options: Readonly<Record<string, unknown>>, facts: PythonFacts, context: ConditionContext, source: string) => RawFinding[];

const PYTHON_CHECKS = new Map<string, PythonCheck>([
  ['download-without-checksum', downloadWithoutChecksum],
  ['hardcoded-ai-key', hardcodedAiKey],
  ['llm-call-in-unbounded-loop', llmCallInUnboundedLoop],
  ['model-route-without-auth', modelRouteWithoutAuth],
  ['model-route-returns-scores', modelRouteReturnsScores],
  ['load-inspected-artifact', loadedArtifact],
  ['model-identity-disclosed', modelIdentityDisclosed],
  ['api-docs-exposed', apiDocsExposed],
  ['model-route-verbose-errors', modelRouteVerboseErrors],
  ['hub-repo-public', hubRepoPublic],
  ['model-route-without-rate-limit', modelRouteWithoutRateLimit],
  ['model-input-unvalidated', modelInputUnvalidated],
  ['model-verdict-only-gate', modelVerdictOnlyGate],
]);

export function registeredChecks(): string[] {
  return [...PYTHON_CHECKS.keys()];
}

export function runCheck(rule: LoadedRule, match: CheckMatch, facts: PythonFacts, context: ConditionContext, source: string): RawFinding[] {
  const check = PYTHON_CHECKS.get(match.check);
  return check ? check(rule, match.options ?? {}, facts, context, source) : [];
}
