/** Which kind of match a rule has: the runtime tests of rule files' shapes, without their schemas (schema.ts). */
import type { CallMatch, FlowMatch, RuleSpec } from './schema';

export function isCallMatch(match: RuleSpec['match']): match is CallMatch {
  return 'calls' in match;
}

export function isFlowMatch(match: RuleSpec['match']): match is FlowMatch {
  return 'flow' in match;
}
