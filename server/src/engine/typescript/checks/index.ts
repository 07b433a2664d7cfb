/**
 * Checks implemented in code for TS/JS rules (`match: { check: <name>, options }`); the rule's
 * YAML still owns its metadata, message and the check's options.
 */
import type { RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import type { TsConditionContext } from '../conditions';
import { hardcodedAiKey } from './hardcoded-key';
import { inModelFile } from './in-model-file';
import { llmOutputFlow } from './llm-output-flow';
import { propertyAssignment } from './property-assignment';

export type TsCheck = (rule: LoadedRule, options: Readonly<Record<string, unknown>>, context: TsConditionContext) => RawFinding[];

const TS_CHECKS = new Map<string, TsCheck>([
  ['llm-output-flow', llmOutputFlow],
  ['hardcoded-ai-key', hardcodedAiKey],
  ['property-assignment', propertyAssignment],
  ['in-model-file', inModelFile],
]);

export function registeredTsChecks(): string[] {
  return [...TS_CHECKS.keys()];
}

export function runTsCheck(rule: LoadedRule, name: string, options: Readonly<Record<string, unknown>>, context: TsConditionContext): RawFinding[] {
  const check = TS_CHECKS.get(name);
  return check ? check(rule, options, context) : [];
}
