/**
 * Findings aggregated per ATLAS technique and per tactic: what the Navigator layer, the Markdown /
 * HTML report (and later the extension's matrix view and findings tree) show.
 *
 * Scoring (one number per technique, used for the Navigator score and for ordering): a
 * severity-weighted count of the findings that cite the technique,
 *
 *   score = 10 × errors + 3 × warnings + 1 × info
 *
 * so one error outweighs three warnings, and a pile of info findings still shows. A finding that
 * cites a technique twice counts once for it; a finding citing two techniques counts for both.
 * Sub-technique findings are not added to the parent (the Navigator aggregates them itself).
 */
import type { Finding, Severity } from '../types';
import { compareStrings, countBySeverity, sortFindings } from './common';

export const SEVERITY_WEIGHT: Readonly<Record<Severity, number>> = { error: 10, warning: 3, info: 1 };

export function severityScore(counts: Readonly<Record<Severity, number>>): number {
  return counts.error * SEVERITY_WEIGHT.error + counts.warning * SEVERITY_WEIGHT.warning + counts.info * SEVERITY_WEIGHT.info;
}

/**
 * The slice of the ATLAS catalog these reports need (structural, so the AtlasCatalog class fits
 * and tests can pass it directly).
 */
export interface AtlasMatrixLike {
  version: string;
  /** In matrix order. */
  readonly tactics: readonly { id: string; name: string }[];
  technique(id: string): { id: string; name: string; parent?: string; tactics: readonly string[] } | undefined;
  allTechniques(): readonly { id: string; name: string; parent?: string; tactics: readonly string[] }[];
  /** "Parent: Child" for sub-techniques. */
  fullName(id: string): string | undefined;
  techniqueUrl(id: string): string | undefined;
}

export interface TechniqueExposure {
  techniqueId: string;
  /** Full name ("Parent: Child" for sub-techniques); undefined when the catalog does not know the id. */
  name: string | undefined;
  /** Sub-techniques: the parent id. */
  parent: string | undefined;
  /** Tactic ids in matrix order; empty when the id is unknown to the catalog. */
  tactics: string[];
  /** Sorted by path, line, column. */
  findings: Finding[];
  counts: Record<Severity, number>;
  score: number;
  worst: Severity;
}

export interface TacticExposure {
  tactic: { id: string; name: string };
  /** Techniques of this tactic with findings, by technique id (a sub-technique right after its parent). */
  techniques: TechniqueExposure[];
}

export interface Exposure {
  /** Every cited technique, known ones first by id, then the ids the catalog does not know. */
  techniques: TechniqueExposure[];
  /** Tactics with at least one exposed technique, in matrix order. */
  tactics: TacticExposure[];
  /** Cited ids that are not techniques of this ATLAS release (a custom rule's typo, a newer release). */
  unknown: TechniqueExposure[];
  /** Findings that cite no technique at all. */
  untagged: Finding[];
}

export function worstSeverity(counts: Readonly<Record<Severity, number>>): Severity {
  return counts.error > 0 ? 'error' : counts.warning > 0 ? 'warning' : 'info';
}

/** Groups findings by the techniques they cite; `displayPath` orders findings (as the reporters show paths). */
export function computeExposure(findings: readonly Finding[], catalog: AtlasMatrixLike, displayPath: (file: string) => string): Exposure {
  const byTechnique = new Map<string, Finding[]>();
  const untagged: Finding[] = [];
  for (const finding of findings) {
    const ids = new Set(finding.techniques);
    if (ids.size === 0) untagged.push(finding);
    for (const id of ids) {
      const list = byTechnique.get(id) ?? [];
      list.push(finding);
      byTechnique.set(id, list);
    }
  }
  const order = new Map(catalog.tactics.map((tactic, i) => [tactic.id, i]));
  const all: TechniqueExposure[] = [...byTechnique].map(([id, cited]) => {
    const technique = catalog.technique(id);
    const counts = countBySeverity(cited);
    return {
      techniqueId: id,
      name: technique ? (catalog.fullName(id) ?? technique.name) : undefined,
      parent: technique?.parent,
      tactics: technique ? [...technique.tactics].filter((t) => order.has(t)).sort((a, b) => order.get(a)! - order.get(b)!) : [],
      findings: sortFindings(cited, displayPath),
      counts,
      score: severityScore(counts),
      worst: worstSeverity(counts),
    };
  });
  all.sort((a, b) => compareStrings(a.techniqueId, b.techniqueId));
  const known = all.filter((t) => t.name !== undefined);
  const unknown = all.filter((t) => t.name === undefined);
  const tactics: TacticExposure[] = [];
  for (const tactic of catalog.tactics) {
    const techniques = known.filter((t) => t.tactics.includes(tactic.id));
    if (techniques.length > 0) tactics.push({ tactic: { id: tactic.id, name: tactic.name }, techniques });
  }
  return { techniques: [...known, ...unknown], tactics, unknown, untagged: sortFindings(untagged, displayPath) };
}
