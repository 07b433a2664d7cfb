/**
 * Everything the extension and the server agree on besides LSP itself, declared once and imported
 * by both sides (client/src imports this file; it pulls in nothing from the server).
 */
import { NotificationType0, RequestType, RequestType0 } from 'vscode-languageserver-protocol';

/** `Diagnostic.source` of every finding and configuration problem. */
export const DIAGNOSTIC_SOURCE = 'atlas-lens';

/** The `workspace/configuration` section holding the settings (see ./settings.ts). */
export const CONFIGURATION_SECTION = 'atlasLens';

/** Code action kind of "apply every safe fix in the file" (also served for a request of `source.fixAll`). */
export const FIX_ALL_KIND = 'source.fixAll.atlasLens';

/**
 * `workspace/executeCommand` commands the server implements. The client library registers them
 * as VS Code commands under these names, so they are namespaced apart from the extension's own.
 */
export const ServerCommands = {
  /** Arguments: [{ uri: string, version?: number }]. Applies the file's safe fixes through `workspace/applyEdit`. */
  applyFixAll: 'atlasLens.server.applyFixAll',
} as const;

export interface ApplyFixAllArguments {
  uri: string;
  /** When given and the document has moved on, nothing is applied. */
  version?: number;
}

export interface AtlasEntryParams {
  /** An ATLAS technique, sub-technique, mitigation or tactic id, e.g. AML.T0011.000. */
  id: string;
}

export interface AtlasEntry {
  id: string;
  kind: 'technique' | 'mitigation' | 'tactic';
  /** "Parent: Sub-technique" for sub-techniques. */
  name: string;
  url?: string;
  /** Tactic names (techniques only). */
  tactics: string[];
  /** The same card the hover shows, as Markdown. */
  markdown: string;
  /** ATLAS release of the catalog in use. */
  atlasVersion: string;
}

/** One entry of the ATLAS catalog in use, or null for an unknown id ("Show ATLAS Technique…"). */
export const AtlasEntryRequest = new RequestType<AtlasEntryParams, AtlasEntry | null, void>('atlasLens/atlasEntry');

export interface AtlasTechniqueListItem {
  id: string;
  name: string;
  tactics: string[];
  /** Whether a loaded rule cites the technique. */
  citedByRules: boolean;
}

/** Every technique of the catalog in use, in catalog order (for a quick pick). */
export const AtlasTechniquesRequest = new RequestType0<AtlasTechniqueListItem[], void>('atlasLens/atlasTechniques');

// ---------------------------------------------------------------------------------------------
// Workspace review (Scan Workspace, findings tree, ATLAS matrix view, exports).
// ---------------------------------------------------------------------------------------------

export type FindingSeverity = 'error' | 'warning' | 'info';

export interface ScanWorkspaceParams {
  /** Progress token created by the client (`window/workDoneProgress/create`), or absent: the server then creates one if the client supports it. */
  workDoneToken?: string | number;
}

export interface ScanWorkspaceResult {
  /** Files analysed (after .gitignore, .atlas-lens.yaml excludes and atlasLens.exclude). */
  files: number;
  findings: number;
  /** Files that could not be analysed (too large, unreadable, over the time budget); each also has an input problem. */
  skipped: number;
  cancelled: boolean;
  durationMs: number;
}

/** Scans every supported file of every workspace folder; findings of files that are not open are published too. */
export const ScanWorkspaceRequest = new RequestType<ScanWorkspaceParams, ScanWorkspaceResult, void>('atlasLens/scanWorkspace');

/** One finding as the tree view and the matrix view show it. */
export interface WorkspaceFinding {
  uri: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  ruleId: string;
  /** The rule's title (one line). */
  title: string;
  message: string;
  severity: FindingSeverity;
  /** ATLAS ids the finding cites, in the rule's order. */
  techniques: string[];
  /** The quick fix, when the rule has one for this finding. */
  fix?: { title: string; safe: boolean };
  /** Set when a baseline is configured: true for findings that are not in it. */
  newSinceBaseline?: boolean;
}

/** One technique cell of the ATLAS matrix. */
export interface MatrixCell {
  techniqueId: string;
  name: string;
  url?: string;
  counts: Record<FindingSeverity, number>;
  /** Worst severity among the cell's findings (sub-techniques included); undefined when it has none. */
  worst?: FindingSeverity;
  /** Severity-weighted count (see engine/report/exposure.ts). */
  score: number;
  /** Sub-techniques, folded under their parent (empty for a sub-technique itself). */
  subtechniques: MatrixCell[];
}

/** One column of the matrix: a tactic and its techniques, in ATLAS matrix order. */
export interface MatrixColumn {
  tacticId: string;
  tacticName: string;
  cells: MatrixCell[];
}

export interface AtlasMatrix {
  atlasVersion: string;
  columns: MatrixColumn[];
  /** Cited ids that are not techniques of this ATLAS release (no cell), sorted by id. */
  unknownTechniques?: Array<{ techniqueId: string; counts: Record<FindingSeverity, number>; score: number }>;
}

export interface WorkspaceFindingsResult {
  findings: WorkspaceFinding[];
  matrix: AtlasMatrix;
  /** The last workspace scan, if any. */
  lastScan?: { files: number; finishedAt: string };
}

/** A snapshot of every finding the server knows (the last workspace scan, updated by open documents and watched files). */
export const WorkspaceFindingsRequest = new RequestType0<WorkspaceFindingsResult, void>('atlasLens/workspaceFindings');

/** Sent by the server when the snapshot changed (debounced); the client asks for it again. */
export const FindingsChangedNotification = new NotificationType0('atlasLens/findingsChanged');

export type ExportFormat = 'sarif' | 'navigator' | 'markdown';

export interface ExportReportParams {
  format: ExportFormat;
}

export interface ExportReportResult {
  /** The report: SARIF 2.1.0 JSON, an ATLAS Navigator layer (JSON) or Markdown. */
  content: string;
  /** Findings in the report. */
  findings: number;
}

/** The current workspace snapshot rendered by the engine's reporters (the extension writes it where the user picks). */
export const ExportReportRequest = new RequestType<ExportReportParams, ExportReportResult, void>('atlasLens/exportReport');
