/**
 * Checks implemented in code, for rules whose match is more than a call with argument conditions.
 * The rule's YAML still owns its metadata; `match: { check: <name> }` picks the function here.
 */
import type { TextSource } from '../chunked-text';
import type { CallFact, PythonFacts } from '../python/facts';
import type { ConditionContext } from '../python/conditions';
import type { RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import type { CheckMatch } from '../rules/schema';
import type { z } from 'zod';
import { hardcodedAiKey } from './ai-keys';
import { downloadCheckOptionsSchema, downloadWithoutChecksum } from './download-checksum';
import { keyCheckOptionsSchema } from './key-literals';
import { llmCallInUnboundedLoop, loopCheckOptionsSchema } from './llm-loops';
import { modelRouteReturnsScores, modelRouteWithoutAuth } from './model-routes';
import { artifactCheckOptionsSchema, loadedArtifact } from './loaded-artifact';
import { apiDocsExposed, hubRepoPublic, modelIdentityDisclosed, modelInputUnvalidated, modelRouteVerboseErrors, modelRouteWithoutRateLimit, modelVerdictOnlyGate, verdictCallInClassBody } from './model-serving';

export type PythonCheck = (rule: LoadedRule, options: Readonly<Record<string, unknown>>, facts: PythonFacts, context: ConditionContext, source: TextSource) => RawFinding[];

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

/**
 * Checks whose findings inside a top-level function or class depend only on that definition's
 * text and on the module level around it (imports, constants, the names defined), as call rules'
 * do: the language server re-analyses only the definitions an edit touched (analyzers/python.ts).
 * Route checks look at the whole app and the key fix edits the top of the file: not listed.
 *
 * `reachesBeyond`: calls from which a check looks into other definitions than their own in a way
 * the module's bindings do not tell (those the incremental analysis compares already). Wherever
 * such a call is, the file is analysed whole.
 */
export const DEFINITION_LOCAL_CHECKS: ReadonlyMap<string, { reachesBeyond?: (facts: PythonFacts, call: CallFact) => boolean }> = new Map([
  ['download-without-checksum', {}],
  ['hub-repo-public', {}],
  ['llm-call-in-unbounded-loop', {}],
  ['load-inspected-artifact', {}],
  ['model-verdict-only-gate', { reachesBeyond: verdictCallInClassBody }],
]);

/** The options of the checks that take any (their schemas, built on first use); a check not listed takes none. */
const OPTIONS = new Map<string, () => z.ZodType>([
  ['download-without-checksum', downloadCheckOptionsSchema],
  ['hardcoded-ai-key', keyCheckOptionsSchema],
  ['llm-call-in-unbounded-loop', loopCheckOptionsSchema],
  ['load-inspected-artifact', artifactCheckOptionsSchema],
]);

/** Every Python check, with the schema of its options when it takes any: the rule loader validates a rule's check and options with it. */
export const PYTHON_CHECK_OPTIONS: ReadonlyMap<string, (() => z.ZodType) | undefined> = new Map([...PYTHON_CHECKS.keys()].map((name) => [name, OPTIONS.get(name)]));

export function registeredChecks(): string[] {
  return [...PYTHON_CHECKS.keys()];
}

export function runCheck(rule: LoadedRule, match: CheckMatch, facts: PythonFacts, context: ConditionContext, source: TextSource): RawFinding[] {
  const check = PYTHON_CHECKS.get(match.check);
  return check ? check(rule, match.options ?? {}, facts, context, source) : [];
}
