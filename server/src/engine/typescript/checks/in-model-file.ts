/**
 * `in-model-file`: a call rule (`match`, the same shape as a rule's call match) that only applies
 * in files that also load or call a model (`model-calls` resolved, `model-written-calls` as written),
 * e.g. a server listening on 0.0.0.0 is reported where it serves a model, not in every web app.
 */
import { InModelFileOptionsSchema } from './options';
import { compileRule, type CompiledRule, type RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import type { CallMatch } from '../../rules/schema';
import { matchesAny, type TsConditionContext } from '../conditions';
import { writtenName } from '../facts';
import { runTsCallRule } from '../run-rules';

const compiledByRule = new WeakMap<LoadedRule, { compiled: CompiledRule; match: CallMatch; models: string[]; written: string[] } | null>();

export function inModelFile(rule: LoadedRule, rawOptions: Readonly<Record<string, unknown>>, context: TsConditionContext): RawFinding[] {
  let entry = compiledByRule.get(rule);
  if (entry === undefined) {
    const parsed = InModelFileOptionsSchema.safeParse(rawOptions);
    entry = parsed.success
      ? { compiled: compileRule({ ...rule, match: parsed.data.match }), match: parsed.data.match, models: parsed.data['model-calls'], written: parsed.data['model-written-calls'] }
      : null;
    compiledByRule.set(rule, entry);
  }
  if (!entry) return [];
  const { models, written } = entry;
  const servesModel = context.facts.calls.some((call) => matchesAny(models, call.qualifiedName) || (written.length > 0 && matchesAny(written, writtenName(call.callee))));
  return servesModel ? runTsCallRule(entry.compiled, entry.match, context) : [];
}
