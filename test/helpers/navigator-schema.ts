/**
 * A zod schema of an ATLAS Navigator layer, written from the ATT&CK Navigator layer format 4.5
 * (../shared/atlas/attack-navigator-layerformat-v4.5.md): required fields, types, enumerations,
 * "versions.layer must be 4.5", "navigator at least 4.9.0", gradients of at least two colours with
 * maxValue > minValue, link URLs with a protocol. Objects are strict so a misspelt field fails.
 *
 * ATLAS-specific (the spec lists only ATT&CK domains): domain "atlas-atlas" and AML technique ids,
 * as MITRE's ATLAS Navigator layers use (mitre-atlas/atlas-navigator-data).
 */
import { z } from 'zod';

const Hex = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'expected a hexadecimal RGB colour');
const Url = z.string().regex(/^[a-zA-Z][a-zA-Z0-9+.-]*:\/\//, 'URLs must be prefixed with a protocol identifier');

const Divider = z.strictObject({ divider: z.boolean() });
const Metadata = z.union([z.strictObject({ name: z.string(), value: z.string() }), Divider]);
const Link = z.union([z.strictObject({ label: z.string(), url: Url }), Divider]);

function atLeast(version: string, minimum: readonly number[]): boolean {
  const parts = version.split('.').map(Number);
  for (let i = 0; i < minimum.length; i++) {
    const part = parts[i] ?? 0;
    if (part !== minimum[i]) return part > minimum[i]!;
  }
  return true;
}

export const NavigatorTechniqueSchema = z.strictObject({
  techniqueID: z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/, 'expected an ATLAS technique id'),
  tactic: z.string().regex(/^[a-z]+(-[a-z]+)*$/, 'expected a Navigator tactic name such as ai-model-access').optional(),
  comment: z.string().optional(),
  enabled: z.boolean().optional(),
  score: z.number().optional(),
  color: z.union([Hex, z.literal('')]).optional(),
  metadata: z.array(Metadata).optional(),
  links: z.array(Link).optional(),
  showSubtechniques: z.boolean().optional(),
});

export const NavigatorLayerSchema = z.strictObject({
  versions: z
    .strictObject({
      attack: z.string().optional(),
      navigator: z.string().regex(/^\d+\.\d+(\.\d+)?$/).refine((v) => atLeast(v, [4, 9, 0]), 'must be at least "4.9.0"'),
      layer: z.literal('4.5'),
    })
    .optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  domain: z.literal('atlas-atlas'),
  customDataURL: Url.optional(),
  filters: z.strictObject({ platforms: z.array(z.string()).optional() }).optional(),
  sorting: z.union([z.literal(0), z.literal(1), z.literal(2), z.literal(3)]).optional(),
  layout: z
    .strictObject({
      layout: z.enum(['side', 'flat', 'mini']).optional(),
      showID: z.boolean().optional(),
      showName: z.boolean().optional(),
      showAggregateScores: z.boolean().optional(),
      countUnscored: z.boolean().optional(),
      aggregateFunction: z.enum(['average', 'min', 'max', 'sum']).optional(),
      expandedSubtechniques: z.enum(['none', 'all', 'annotated']).optional(),
    })
    .optional(),
  hideDisabled: z.boolean().optional(),
  techniques: z.array(NavigatorTechniqueSchema).optional(),
  gradient: z
    .strictObject({ colors: z.array(Hex).min(2), minValue: z.number(), maxValue: z.number() })
    .refine((g) => g.maxValue > g.minValue, 'maxValue must be > minValue')
    .optional(),
  legendItems: z.array(z.strictObject({ label: z.string(), color: Hex })).optional(),
  showTacticRowBackground: z.boolean().optional(),
  tacticRowBackground: Hex.optional(),
  selectTechniquesAcrossTactics: z.boolean().optional(),
  selectSubtechniquesWithParent: z.boolean().optional(),
  selectVisibleTechniques: z.boolean().optional(),
  metadata: z.array(Metadata).optional(),
  links: z.array(Link).optional(),
});

export type ParsedNavigatorLayer = z.infer<typeof NavigatorLayerSchema>;

/** Parses a layer; throws with every zod issue when it is not one. */
export function parseNavigatorLayer(value: unknown): ParsedNavigatorLayer {
  const result = NavigatorLayerSchema.safeParse(value);
  if (!result.success) throw new Error(`not a valid ATLAS Navigator layer:\n${z.prettifyError(result.error)}`);
  return result.data;
}
