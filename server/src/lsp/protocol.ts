/**
 * Everything the extension and the server agree on besides LSP itself, declared once and imported
 * by both sides (client/src imports this file; it pulls in nothing from the server).
 */
import { RequestType, RequestType0 } from 'vscode-languageserver-protocol';

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

/** What `Diagnostic.data` holds for a finding (only sent when the client declares `dataSupport`). */
export interface FindingDiagnosticData {
  ruleId: string;
  /** The document version the diagnostic (and its edits) were computed for. */
  version: number;
  statementLines: { first: number; last: number };
  techniques: string[];
  fix?: {
    title: string;
    safe: boolean;
    edits: Array<{ range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }>;
  };
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
