/**
 * The findings tree as plain data (no vscode import, unit-tested in test/client): the server's
 * workspace snapshot grouped for the "ATLAS Findings" view.
 *
 * - By tactic: tactic → technique → file → finding. Tactics and their techniques come in ATLAS
 *   matrix order (a sub-technique right after its parent); a finding appears under every tactic
 *   of every technique it cites. Techniques the matrix does not place (or findings citing none)
 *   go to a last group, "Other".
 * - By file: file → finding.
 * - Files are sorted by their display path, findings by line then column.
 * - Filters: only the findings new since the baseline (`newSinceBaseline === true`), and one
 *   technique (its sub-techniques included; in the tactic grouping only that technique's nodes).
 * - Each group's `count` is the number of distinct findings below it; `severity` is the worst.
 */
import type { AtlasMatrix, FindingSeverity, WorkspaceFinding } from '../../server/src/lsp/protocol';

export type TreeMode = 'tactic' | 'file';

export interface TreeFilter {
  /** Only findings with `newSinceBaseline === true`. */
  newOnly?: boolean;
  /** Only findings citing this technique or one of its sub-techniques. */
  technique?: string;
}

export type TreeNodeKind = 'tactic' | 'technique' | 'file' | 'finding';

export interface TreeNode {
  kind: TreeNodeKind;
  /** Unique in the tree, stable across refreshes of the same findings. */
  id: string;
  label: string;
  description: string;
  /** The worst severity below (a finding's own). */
  severity: FindingSeverity;
  /** Distinct findings below (1 for a finding). */
  count: number;
  /** Technique nodes: theirs; findings: the technique they are listed under (by file: the first cited). */
  techniqueId?: string;
  /** File and finding nodes. */
  uri?: string;
  finding?: WorkspaceFinding;
  children: TreeNode[];
}

export interface TreeOptions {
  mode: TreeMode;
  filter?: TreeFilter;
  /** How a file is named (e.g. relative to its workspace folder). */
  displayPath(uri: string): string;
}

export const OTHER_TACTIC = { id: 'other', name: 'Other' } as const;

const SEVERITY_RANK: Record<FindingSeverity, number> = { error: 0, warning: 1, info: 2 };

export function worseSeverity(a: FindingSeverity, b: FindingSeverity): FindingSeverity {
  return SEVERITY_RANK[a] <= SEVERITY_RANK[b] ? a : b;
}

export function countLabel(count: number): string {
  return `${count} finding${count === 1 ? '' : 's'}`;
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareFindings(a: WorkspaceFinding, b: WorkspaceFinding): number {
  return a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character || compareStrings(a.ruleId, b.ruleId);
}

/** Whether `id` is `technique` or one of its sub-techniques. */
export function isUnder(id: string, technique: string): boolean {
  return id === technique || id.startsWith(`${technique}.`);
}

/** Whether the snapshot carries baseline information (a baseline is configured). */
export function hasBaseline(findings: readonly WorkspaceFinding[]): boolean {
  return findings.some((finding) => finding.newSinceBaseline !== undefined);
}

export function filterFindings(findings: readonly WorkspaceFinding[], filter: TreeFilter = {}): WorkspaceFinding[] {
  return findings.filter((finding) =>
    (!filter.newOnly || finding.newSinceBaseline === true) &&
    (!filter.technique || finding.techniques.some((id) => isUnder(id, filter.technique!))));
}

interface TechniquePlace {
  name: string;
  /** Tactic ids, in matrix order. */
  tactics: string[];
}

/** Where each technique (and sub-technique) of the matrix sits, and the technique order of each tactic. */
function indexMatrix(matrix: AtlasMatrix): { places: Map<string, TechniquePlace>; order: Map<string, string[]> } {
  const places = new Map<string, TechniquePlace>();
  const order = new Map<string, string[]>();
  for (const column of matrix.columns) {
    const ids: string[] = [];
    for (const cell of column.cells) {
      for (const entry of [cell, ...cell.subtechniques]) {
        ids.push(entry.techniqueId);
        // A sub-technique cell carries its own name; the tree names it "Parent: Sub-technique".
        const name = entry === cell ? cell.name : `${cell.name}: ${entry.name}`;
        const place = places.get(entry.techniqueId) ?? { name, tactics: [] };
        if (!place.tactics.includes(column.tacticId)) place.tactics.push(column.tacticId);
        places.set(entry.techniqueId, place);
      }
    }
    order.set(column.tacticId, ids);
  }
  return { places, order };
}

function findingNode(parentId: string, finding: WorkspaceFinding, index: number, techniqueId: string | undefined): TreeNode {
  return {
    kind: 'finding',
    id: `${parentId}/finding:${index}`,
    label: finding.title,
    description: `${finding.ruleId} · Ln ${finding.range.start.line + 1}`,
    severity: finding.severity,
    count: 1,
    techniqueId,
    uri: finding.uri,
    finding,
    children: [],
  };
}

/** The worst severity and the count of distinct findings of `nodes` (findings or groups of them). */
function summarise(findings: readonly WorkspaceFinding[]): { severity: FindingSeverity; count: number } {
  return { severity: findings.reduce<FindingSeverity>((worst, finding) => worseSeverity(worst, finding.severity), 'info'), count: findings.length };
}

/** file → finding nodes for `findings`, below `parentId`. */
function fileNodes(parentId: string, findings: readonly WorkspaceFinding[], indexOf: Map<WorkspaceFinding, number>, options: TreeOptions, techniqueOf: (finding: WorkspaceFinding) => string | undefined): TreeNode[] {
  const byFile = new Map<string, WorkspaceFinding[]>();
  for (const finding of findings) {
    const list = byFile.get(finding.uri) ?? [];
    list.push(finding);
    byFile.set(finding.uri, list);
  }
  return [...byFile.entries()]
    .map(([uri, list]) => ({ uri, label: options.displayPath(uri), list: list.sort(compareFindings) }))
    .sort((a, b) => compareStrings(a.label, b.label) || compareStrings(a.uri, b.uri))
    .map(({ uri, label, list }) => {
      const id = `${parentId}/file:${uri}`;
      const { severity, count } = summarise(list);
      return {
        kind: 'file' as const,
        id,
        label,
        description: countLabel(count),
        severity,
        count,
        uri,
        children: list.map((finding) => findingNode(id, finding, indexOf.get(finding)!, techniqueOf(finding))),
      };
    });
}

export function buildFindingsTree(snapshot: { findings: readonly WorkspaceFinding[]; matrix: AtlasMatrix }, options: TreeOptions): TreeNode[] {
  const filter = options.filter ?? {};
  const findings = filterFindings(snapshot.findings, filter);
  const indexOf = new Map(snapshot.findings.map((finding, index) => [finding, index] as const));
  if (options.mode === 'file') return fileNodes('byFile', findings, indexOf, options, (finding) => finding.techniques[0]);

  const { places, order } = indexMatrix(snapshot.matrix);
  const wanted = (id: string): boolean => !filter.technique || isUnder(id, filter.technique);
  // tactic id → technique id → findings
  const groups = new Map<string, Map<string, WorkspaceFinding[]>>();
  const add = (tactic: string, technique: string, finding: WorkspaceFinding): void => {
    const techniques = groups.get(tactic) ?? new Map<string, WorkspaceFinding[]>();
    const list = techniques.get(technique) ?? [];
    if (!list.includes(finding)) list.push(finding);
    techniques.set(technique, list);
    groups.set(tactic, techniques);
  };
  for (const finding of findings) {
    const cited = [...new Set(finding.techniques)].filter(wanted);
    if (cited.length === 0) add(OTHER_TACTIC.id, '', finding);
    for (const technique of cited) {
      const place = places.get(technique);
      if (!place || place.tactics.length === 0) add(OTHER_TACTIC.id, technique, finding);
      else for (const tactic of place.tactics) add(tactic, technique, finding);
    }
  }

  const tactics = [...snapshot.matrix.columns.map((column) => ({ id: column.tacticId, name: column.tacticName })), OTHER_TACTIC];
  const nodes: TreeNode[] = [];
  for (const tactic of tactics) {
    const techniques = groups.get(tactic.id);
    if (!techniques) continue;
    const tacticId = `tactic:${tactic.id}`;
    const matrixOrder = order.get(tactic.id) ?? [];
    const rank = (id: string): number => (matrixOrder.includes(id) ? matrixOrder.indexOf(id) : Number.MAX_SAFE_INTEGER);
    const children = [...techniques.entries()]
      .sort(([a], [b]) => rank(a) - rank(b) || compareStrings(a, b))
      .map(([techniqueId, list]): TreeNode => {
        const id = `${tacticId}/technique:${techniqueId}`;
        const { severity, count } = summarise(list);
        const name = places.get(techniqueId)?.name;
        return {
          kind: 'technique',
          id,
          label: techniqueId === '' ? 'No ATLAS technique' : name ? `${techniqueId} ${name}` : techniqueId,
          description: countLabel(count),
          severity,
          count,
          techniqueId: techniqueId || undefined,
          children: fileNodes(id, list, indexOf, options, () => techniqueId || undefined),
        };
      });
    const distinct = [...new Set([...techniques.values()].flat())];
    const { severity, count } = summarise(distinct);
    nodes.push({ kind: 'tactic', id: tacticId, label: tactic.name, description: countLabel(count), severity, count, children });
  }
  return nodes;
}

/** A plain, comparable description of a tree: one line a node, indented two spaces a level. */
export function describeTree(nodes: readonly TreeNode[], depth = 0): string[] {
  return nodes.flatMap((node) => [`${'  '.repeat(depth)}${node.label} — ${node.description}`, ...describeTree(node.children, depth + 1)]);
}
