/**
 * Checks implemented in code, for rules whose match is more than a call with argument conditions.
 * The rule's YAML still owns its metadata; `match: { check: <name> }` picks the function here.
 */
import type { PythonFacts } from '../python/facts';
import type { ConditionContext } from '../python/conditions';
import type { RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import type { CheckMatch } from '../rules/schema';
import type { z } from 'zod';
import { hardcodedAiKey } from './ai-keys';
import { DownloadCheckOptionsSchema, downloadWithoutChecksum } from './download-checksum';
import { KeyCheckOptionsSchema } from './key-literals';
import { llmCallInUnboundedLoop, LoopCheckOptionsSchema } from './llm-loops';
import { modelRouteReturnsScores, modelRouteWithoutAuth } from './model-routes';
import { ArtifactCheckOptionsSchema, loadedArtifact } from './loaded-artifact';
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

/** The options of the checks that take any; a check not listed takes none. */
const CHECK_OPTIONS = new Map<string, z.ZodType>([
  ['download-without-checksum', DownloadCheckOptionsSchema],
  ['hardcoded-ai-key', KeyCheckOptionsSchema],
  ['llm-call-in-unbounded-loop', LoopCheckOptionsSchema],
  ['load-inspected-artifact', ArtifactCheckOptionsSchema],
]);

export function registeredChecks(): string[] {
  return [...PYTHON_CHECKS.keys()];
}

/**
 * What is wrong with a Python rule's `match: { check, options }`, for the rule loader to report
 * at load time (a check given options it cannot read would otherwise find nothing, silently):
 * `unknown` for a check the engine does not have, else the options' validation error, if any.
 */
export function checkMatchError(match: CheckMatch): 'unknown' | z.ZodError | undefined {
  if (!PYTHON_CHECKS.has(match.check)) return 'unknown';
  const schema = CHECK_OPTIONS.get(match.check);
  if (!schema) return undefined;
  const parsed = schema.safeParse(match.options ?? {});
  return parsed.success ? undefined : parsed.error;
}

export function runCheck(rule: LoadedRule, match: CheckMatch, facts: PythonFacts, context: ConditionContext, source: string): RawFinding[] {
  const check = PYTHON_CHECKS.get(match.check);
  return check ? check(rule, match.options ?? {}, facts, context, source) : [];
}
