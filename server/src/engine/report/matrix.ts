/**
 * The ATLAS matrix as the extension's matrix view draws it: every tactic of the catalog as a
 * column, in matrix order; every top-level technique of that tactic as a cell, in catalog order,
 * whether or not anything cites it (counts zero, `worst` undefined: a dimmed cell); each
 * sub-technique folded under its parent. A parent cell counts the findings citing the parent or
 * any of its sub-techniques, each finding once; its score and worst severity are over those.
 * Scoring is exposure.ts's (10 × errors + 3 × warnings + 1 × info).
 *
 * Cited ids the catalog does not know (a custom rule's typo, a newer ATLAS release) have no cell;
 * they are listed in `unknownTechniques` with their counts. The shape is structurally the
 * protocol's AtlasMatrix (lsp/protocol.ts); this module imports nothing from LSP.
 */
import type { Finding, Severity } from '../types';
import { compareStrings } from './common';
import { computeExposure, severityScore, worstSeverity, type AtlasMatrixLike } from './exposure';

export interface MatrixCellModel {
  techniqueId: string;
  /** The technique's own name (a sub-technique's without its parent's). */
  name: string;
  url?: string;
  counts: Record<Severity, number>;
  worst?: Severity;
  score: number;
  subtechniques: MatrixCellModel[];
}

export interface MatrixColumnModel {
  tacticId: string;
  tacticName: string;
  cells: MatrixCellModel[];
}

export interface MatrixModel {
  atlasVersion: string;
  columns: MatrixColumnModel[];
  /** Cited ids that are not techniques of this ATLAS release, sorted. */
  unknownTechniques: Array<{ techniqueId: string; counts: Record<Severity, number>; score: number }>;
}

function countOf(findings: Iterable<Finding>): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const finding of findings) counts[finding.severity]++;
  return counts;
}

export function buildMatrix(findings: readonly Finding[], catalog: AtlasMatrixLike): MatrixModel {
  const exposure = computeExposure(findings, catalog, (file) => file);
  const byTechnique = new Map<string, readonly Finding[]>(exposure.techniques.map((technique) => [technique.techniqueId, technique.findings]));

  const subsOf = new Map<string, Array<{ id: string; name: string }>>();
  for (const technique of catalog.allTechniques()) {
    if (!technique.parent) continue;
    const list = subsOf.get(technique.parent) ?? [];
    list.push({ id: technique.id, name: technique.name });
    subsOf.set(technique.parent, list);
  }

  const cell = (id: string, name: string, findingsOf: Iterable<Finding>, subtechniques: MatrixCellModel[]): MatrixCellModel => {
    const counts = countOf(findingsOf);
    const total = counts.error + counts.warning + counts.info;
    const url = catalog.techniqueUrl(id);
    return { techniqueId: id, name, ...(url ? { url } : {}), counts, ...(total > 0 ? { worst: worstSeverity(counts) } : {}), score: severityScore(counts), subtechniques };
  };
  const cellFor = (technique: { id: string; name: string }): MatrixCellModel => {
    const subs = subsOf.get(technique.id) ?? [];
    const folded = new Set<Finding>(byTechnique.get(technique.id) ?? []);
    const subCells = subs.map((sub) => {
      const own = byTechnique.get(sub.id) ?? [];
      for (const finding of own) folded.add(finding);
      return cell(sub.id, sub.name, own, []);
    });
    return cell(technique.id, technique.name, folded, subCells);
  };

  const columns: MatrixColumnModel[] = catalog.tactics.map((tactic) => ({
    tacticId: tactic.id,
    tacticName: tactic.name,
    cells: catalog
      .allTechniques()
      .filter((technique) => !technique.parent && technique.tactics.includes(tactic.id))
      .map(cellFor),
  }));

  const unknownTechniques = exposure.unknown
    .map((technique) => ({ techniqueId: technique.techniqueId, counts: technique.counts, score: technique.score }))
    .sort((a, b) => compareStrings(a.techniqueId, b.techniqueId));
  return { atlasVersion: catalog.version, columns, unknownTechniques };
}
