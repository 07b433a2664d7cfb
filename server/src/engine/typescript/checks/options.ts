/**
 * The options of the TS/JS checks, apart from the checks themselves (which need ts-morph, loaded
 * only on the first TS/JS file): the rule loader validates a TS/JS rule's `check` and `options`
 * with these when the rule loads, as checks/index.ts does for Python.
 */
import { z } from 'zod';
import { ArgumentSelectorSchema, CallMatchSchema, ConditionSchema } from '../../rules/schema';

const Patterns = z.array(z.string().min(1)).default([]);

const CallSink = z.strictObject({
  calls: Patterns,
  'written-calls': Patterns,
  /** Which arguments to look at; all of them when absent. */
  args: z.array(ArgumentSelectorSchema).min(1).optional(),
  when: ConditionSchema.optional(),
  message: z.string().min(1).optional(),
});
const JsxSink = z.strictObject({ 'jsx-attribute': z.string().min(1), key: z.string().min(1).optional(), message: z.string().min(1).optional() });
const PropertySink = z.strictObject({ properties: z.array(z.string().min(1)).min(1), message: z.string().min(1).optional() });

export const FlowOptionsSchema = z.strictObject({
  sources: z.array(z.strictObject({ calls: Patterns, 'written-calls': Patterns })).min(1),
  sinks: z.array(z.union([JsxSink, PropertySink, CallSink])).min(1),
  'pass-through': z.strictObject({ calls: Patterns, methods: Patterns }).default({ calls: [], methods: [] }),
});

export type FlowOptions = z.infer<typeof FlowOptionsSchema>;

export const PropertyAssignmentOptionsSchema = z.strictObject({
  targets: z.array(z.string().min(1)).min(1),
  equals: z.union([z.string(), z.number(), z.boolean(), z.null()]),
  'fix-value': z.string().min(1).optional(),
  'fix-title': z.string().min(1).optional(),
});

export const InModelFileOptionsSchema = z.strictObject({
  'model-calls': z.array(z.string().min(1)).default([]),
  'model-written-calls': z.array(z.string().min(1)).default([]),
  match: CallMatchSchema,
});

/** Every TS/JS check (typescript/checks/index.ts), with the schema of its options when it takes any. */
export const TS_CHECK_OPTIONS: ReadonlyMap<string, z.ZodType | undefined> = new Map<string, z.ZodType | undefined>([
  ['llm-output-flow', FlowOptionsSchema],
  ['hardcoded-ai-key', undefined],
  ['property-assignment', PropertyAssignmentOptionsSchema],
  ['in-model-file', InModelFileOptionsSchema],
]);
