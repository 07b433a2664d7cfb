/**
 * The `--format navigator` report: an ATLAS Navigator layer (ATT&CK Navigator layer format 4.5,
 * https://github.com/mitre-attack/attack-navigator/blob/master/layers/spec/v4.5/layerformat.md),
 * so a security team can load the codebase's exposure into the ATLAS Navigator
 * (https://mitre-atlas.github.io/atlas-navigator/) next to their threat model.
 *
 * What we based the ATLAS specifics on (the layer spec itself only lists ATT&CK domains):
 * - domain "atlas-atlas", tactic names as the lowercase tactic name with hyphens for spaces
 *   ("AI Model Access" → "ai-model-access"), a parent technique listed per tactic with
 *   `showSubtechniques: true` so its annotated sub-techniques show, and the ATLAS release in a
 *   layer metadata entry named "atlas_data_version": MITRE's own generator of the ATLAS Navigator
 *   layers, mitre-atlas/atlas-navigator-data tools/generate_navigator_layer.py
 *   ("domain = 'atlas-atlas'", build_navigator_technique_objs), and the layers it publishes, e.g.
 *   dist/case-study-navigator-layers/AML.CS0056.json (domain "atlas-atlas", tactic
 *   "ai-model-access", atlas_data_version "5.5.0").
 * - versions: MITRE's published ATLAS layers still say layer "4.3" / navigator "4.6.4"; we write
 *   the 4.5 format, whose spec requires `versions.layer` "4.5" and `versions.navigator` at least
 *   "4.9.0", so we state exactly that minimum. `versions.attack` (an ATT&CK release) is left out,
 *   as MITRE's ATLAS layers do; the ATLAS release is in the metadata.
 *
 * Layout of the layer:
 * - one technique entry per (technique, tactic) pair with findings, with `tactic` set, so the score
 *   shows under every tactic the technique serves; scores are the severity-weighted counts of
 *   ./exposure.ts (10 × errors + 3 × warnings + 1 × info), coloured by a fixed gradient from 0 to 10
 *   (one error's worth: the Navigator clamps higher scores to the last colour) so layers of
 *   different scans compare;
 * - a sub-technique with findings brings its parent's entry (unscored, showSubtechniques: true);
 * - techniques without findings are omitted (unscored, uncoloured), or with `dimUnexposed` listed
 *   disabled, which the Navigator greys out (hideDisabled: false);
 * - each entry's comment names the counts, rules and files (bounded), its metadata the first
 *   locations, its links the ATLAS page;
 * - cited ids this ATLAS release does not know cannot be placed in the matrix: they are named in
 *   the layer metadata instead.
 * Entries are ordered by technique id then tactic (matrix order); the output is deterministic
 * given the same findings and `generatedAt`.
 */
import * as path from 'node:path';
import type { Finding, Severity } from '../types';
import { ATLAS_WEBSITE, defaultTechniqueUrl } from './atlas-lookup';
import { compareStrings, oneLine, relativePath } from './common';
import { SEVERITY_WEIGHT, computeExposure, type AtlasMatrixLike, type TechniqueExposure } from './exposure';
import { TOOL_NAME } from './json';

export const NAVIGATOR_DOMAIN = 'atlas-atlas';
export const NAVIGATOR_LAYER_VERSION = '4.5';
/** The lowest Navigator version the 4.5 layer format allows. */
export const NAVIGATOR_APP_VERSION = '4.9.0';

/** Gradient from score 0 to 10 (one error): light yellow, orange, red. */
export const NAVIGATOR_GRADIENT = { colors: ['#fff3b0', '#ffa94d', '#e03131'], minValue: 0, maxValue: SEVERITY_WEIGHT.error } as const;
/** The colour the legend gives techniques listed disabled (the Navigator greys them out itself). */
const DISABLED_COLOR = '#d9d9d9';

/** Bounds, so a scan of a large repository still gives a layer the Navigator shows comfortably. */
const MAX_COMMENT_RULES = 5;
const MAX_COMMENT_FILES = 5;
const MAX_COMMENT_LENGTH = 600;
const MAX_LOCATIONS = 10;
const MAX_NAME_LENGTH = 80;

export type NavigatorMetadata = { name: string; value: string } | { divider: true };
export interface NavigatorLink {
  label: string;
  url: string;
}

export interface NavigatorTechnique {
  techniqueID: string;
  tactic?: string;
  comment?: string;
  enabled?: boolean;
  score?: number;
  color?: string;
  metadata?: NavigatorMetadata[];
  links?: NavigatorLink[];
  showSubtechniques?: boolean;
}

export interface NavigatorLayer {
  name: string;
  versions: { layer: typeof NAVIGATOR_LAYER_VERSION; navigator: string };
  domain: typeof NAVIGATOR_DOMAIN;
  description: string;
  sorting: number;
  layout: {
    layout: 'side' | 'flat' | 'mini';
    showID: boolean;
    showName: boolean;
    showAggregateScores: boolean;
    countUnscored: boolean;
    aggregateFunction: 'average' | 'min' | 'max' | 'sum';
    expandedSubtechniques: 'none' | 'all' | 'annotated';
  };
  hideDisabled: boolean;
  techniques: NavigatorTechnique[];
  gradient: { colors: string[]; minValue: number; maxValue: number };
  legendItems: Array<{ label: string; color: string }>;
  showTacticRowBackground: boolean;
  tacticRowBackground: string;
  selectTechniquesAcrossTactics: boolean;
  selectSubtechniquesWithParent: boolean;
  selectVisibleTechniques: boolean;
  metadata: NavigatorMetadata[];
  links: NavigatorLink[];
}

export interface NavigatorOptions {
  /** Paths in comments and metadata are relative to this directory. */
  cwd: string;
  toolVersion: string;
  /** The layer's name; default "ATLAS Lens: <basename of cwd>". */
  name?: string;
  filesScanned?: number;
  /** Written as a generated_on date (YYYY-MM-DD, UTC) when given. */
  generatedAt?: Date;
  /** List every technique without findings disabled (greyed out) instead of leaving it out. */
  dimUnexposed?: boolean;
}

/** The Navigator's name of an ATLAS tactic: "AI Model Access" → "ai-model-access". */
export function navigatorTacticName(tacticName: string): string {
  return tacticName.toLowerCase().replace(/ /g, '-');
}

function hexToRgb(hex: string): [number, number, number] {
  const n = Number.parseInt(hex.slice(1, 7), 16);
  return [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
}

/** The gradient's colour at `score` (linear between evenly spaced stops, clamped), for the legend. */
export function gradientColor(score: number, gradient: { colors: readonly string[]; minValue: number; maxValue: number } = NAVIGATOR_GRADIENT): string {
  const stops = gradient.colors.map(hexToRgb);
  const t = Math.min(1, Math.max(0, (score - gradient.minValue) / (gradient.maxValue - gradient.minValue)));
  const position = t * (stops.length - 1);
  const index = Math.min(stops.length - 2, Math.floor(position));
  const local = position - index;
  const from = stops[index]!;
  const to = stops[index + 1]!;
  return `#${from.map((c, i) => Math.round(c + (to[i]! - c) * local).toString(16).padStart(2, '0')).join('')}`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

function countsText(counts: Readonly<Record<Severity, number>>): string {
  return `${plural(counts.error, 'error')}, ${plural(counts.warning, 'warning')}, ${counts.info} info`;
}

/** "a ×2, b, c ×3" of the most frequent values (ties by name), at most `max`, then "+N more". */
function tally(values: readonly string[], max: number): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || compareStrings(a[0], b[0]));
  const shown = sorted.slice(0, max).map(([value, n]) => (n > 1 ? `${value} ×${n}` : value));
  if (sorted.length > max) shown.push(`+${sorted.length - max} more`);
  return shown.join(', ');
}

function bound(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function location(finding: Finding, cwd: string): string {
  const where = `${relativePath(cwd, finding.file)}:${finding.range.start.line + 1}`;
  return finding.cell ? `${where} (cell ${finding.cell.index + 1}, line ${finding.cell.line + 1})` : where;
}

function techniqueComment(exposure: TechniqueExposure, cwd: string): string {
  const rules = tally(exposure.findings.map((f) => f.ruleId), MAX_COMMENT_RULES);
  const files = tally(exposure.findings.map((f) => relativePath(cwd, f.file)), MAX_COMMENT_FILES);
  const text = `${plural(exposure.findings.length, 'finding')} (${countsText(exposure.counts)}). Rules: ${rules}. Files: ${files}.`;
  return bound(text, MAX_COMMENT_LENGTH);
}

function techniqueMetadata(exposure: TechniqueExposure, cwd: string): NavigatorMetadata[] {
  const metadata: NavigatorMetadata[] = [
    { name: 'findings', value: String(exposure.findings.length) },
    { name: 'error', value: String(exposure.counts.error) },
    { name: 'warning', value: String(exposure.counts.warning) },
    { name: 'info', value: String(exposure.counts.info) },
    { divider: true },
  ];
  // Most severe first, then by path and line (exposure.findings is already in path order).
  const ranked = [...exposure.findings].sort((a, b) => SEVERITY_WEIGHT[b.severity] - SEVERITY_WEIGHT[a.severity]);
  for (const finding of ranked.slice(0, MAX_LOCATIONS)) {
    metadata.push({ name: location(finding, cwd), value: `${finding.severity} [${finding.ruleId}] ${bound(oneLine(finding.message), 200)}` });
  }
  if (ranked.length > MAX_LOCATIONS) metadata.push({ name: 'more', value: `+${plural(ranked.length - MAX_LOCATIONS, 'finding')}` });
  return metadata;
}

/** Builds the layer; the CLI prints it with `JSON.stringify(layer, null, 2)`. */
export function formatNavigator(findings: readonly Finding[], catalog: AtlasMatrixLike, options: NavigatorOptions): NavigatorLayer {
  const { cwd } = options;
  const exposure = computeExposure(findings, catalog, (file) => relativePath(cwd, file));
  const tacticName = new Map(catalog.tactics.map((t) => [t.id, navigatorTacticName(t.name)]));
  const tacticOrder = new Map(catalog.tactics.map((t, i) => [t.id, i]));
  const known = exposure.techniques.filter((t) => t.name !== undefined);
  const exposedIds = new Set(known.map((t) => t.techniqueId));
  const parentsOfExposed = new Set(known.flatMap((t) => (t.parent ? [t.parent] : [])));

  const entries: Array<{ entry: NavigatorTechnique; tactic: string }> = [];
  for (const technique of known) {
    const comment = techniqueComment(technique, cwd);
    const metadata = techniqueMetadata(technique, cwd);
    const url = catalog.techniqueUrl(technique.techniqueId) ?? defaultTechniqueUrl(technique.techniqueId);
    for (const tactic of technique.tactics) {
      const entry: NavigatorTechnique = {
        techniqueID: technique.techniqueId,
        tactic: tacticName.get(tactic)!,
        score: technique.score,
        comment,
        enabled: true,
        metadata,
        links: [{ label: `${technique.techniqueId} on MITRE ATLAS`, url }],
      };
      if (technique.parent === undefined) entry.showSubtechniques = parentsOfExposed.has(technique.techniqueId);
      entries.push({ entry, tactic });
    }
  }
  // A parent without findings of its own is still listed, so its annotated sub-techniques show.
  for (const parentId of parentsOfExposed) {
    if (exposedIds.has(parentId)) continue;
    const parent = catalog.technique(parentId);
    for (const tactic of parent?.tactics ?? []) {
      if (!tacticName.has(tactic)) continue;
      entries.push({ entry: { techniqueID: parentId, tactic: tacticName.get(tactic)!, showSubtechniques: true }, tactic });
    }
  }
  if (options.dimUnexposed) {
    for (const technique of catalog.allTechniques()) {
      if (exposedIds.has(technique.id) || parentsOfExposed.has(technique.id)) continue;
      for (const tactic of technique.tactics) {
        if (!tacticName.has(tactic)) continue;
        entries.push({ entry: { techniqueID: technique.id, tactic: tacticName.get(tactic)!, enabled: false }, tactic });
      }
    }
  }
  entries.sort((a, b) => compareStrings(a.entry.techniqueID, b.entry.techniqueID) || tacticOrder.get(a.tactic)! - tacticOrder.get(b.tactic)!);

  const legendItems = [
    { label: `score 1–${SEVERITY_WEIGHT.warning - 1}: info findings only`, color: gradientColor(SEVERITY_WEIGHT.info) },
    { label: `score ${SEVERITY_WEIGHT.warning}–${SEVERITY_WEIGHT.error - 1}: warnings`, color: gradientColor(SEVERITY_WEIGHT.warning) },
    { label: `score ${SEVERITY_WEIGHT.error}+: an error (or many lesser findings)`, color: gradientColor(SEVERITY_WEIGHT.error) },
  ];
  if (options.dimUnexposed) legendItems.push({ label: 'no findings (disabled)', color: DISABLED_COLOR });

  const counts = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  const metadata: NavigatorMetadata[] = [
    { name: 'atlas_data_version', value: catalog.version },
    { name: 'generator', value: `${TOOL_NAME} ${options.toolVersion}` },
  ];
  if (options.generatedAt) metadata.push({ name: 'generated_on', value: options.generatedAt.toISOString().slice(0, 10) });
  metadata.push(
    { name: 'scoring', value: `${SEVERITY_WEIGHT.error} per error + ${SEVERITY_WEIGHT.warning} per warning + ${SEVERITY_WEIGHT.info} per info finding citing the technique` },
    { divider: true },
    { name: 'findings', value: `${findings.length} (${countsText(counts)})` },
  );
  if (options.filesScanned !== undefined) metadata.push({ name: 'files_scanned', value: String(options.filesScanned) });
  metadata.push({ name: 'techniques', value: String(known.length) });
  if (exposure.unknown.length > 0) {
    const ids = exposure.unknown.map((t) => `${t.techniqueId} (${plural(t.findings.length, 'finding')})`);
    metadata.push({ name: `not_in_atlas_${catalog.version}`, value: bound(ids.join(', '), MAX_COMMENT_LENGTH) });
  }
  if (exposure.untagged.length > 0) metadata.push({ name: 'without_technique', value: String(exposure.untagged.length) });

  const project = path.basename(path.resolve(cwd)) || cwd;
  const description =
    findings.length === 0
      ? `${TOOL_NAME} found nothing to map to MITRE ATLAS ${catalog.version}.`
      : `Code exposure found by ${TOOL_NAME} ${options.toolVersion}: ${plural(findings.length, 'finding')} (${countsText(counts)}) ` +
        `on ${plural(known.length, 'ATLAS technique')}. Score = ${SEVERITY_WEIGHT.error} × errors + ${SEVERITY_WEIGHT.warning} × warnings + ` +
        `${SEVERITY_WEIGHT.info} × info findings citing the technique; colours saturate at ${NAVIGATOR_GRADIENT.maxValue}.`;

  return {
    name: bound(options.name ?? `${TOOL_NAME}: ${project}`, MAX_NAME_LENGTH),
    versions: { layer: NAVIGATOR_LAYER_VERSION, navigator: NAVIGATOR_APP_VERSION },
    domain: NAVIGATOR_DOMAIN,
    description,
    sorting: 3,
    layout: {
      layout: 'side',
      showID: true,
      showName: true,
      showAggregateScores: true,
      countUnscored: false,
      aggregateFunction: 'max',
      expandedSubtechniques: 'annotated',
    },
    hideDisabled: false,
    techniques: entries.map((e) => e.entry),
    gradient: { colors: [...NAVIGATOR_GRADIENT.colors], minValue: NAVIGATOR_GRADIENT.minValue, maxValue: NAVIGATOR_GRADIENT.maxValue },
    legendItems,
    showTacticRowBackground: false,
    tacticRowBackground: '#dddddd',
    selectTechniquesAcrossTactics: true,
    selectSubtechniquesWithParent: false,
    selectVisibleTechniques: false,
    metadata,
    links: [{ label: 'MITRE ATLAS', url: ATLAS_WEBSITE }],
  };
}
