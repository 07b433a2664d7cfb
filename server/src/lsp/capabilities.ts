/**
 * What the client can do, decided once from `initialize`, and what the server offers in return.
 * Rich diagnostic fields and pull diagnostics are used only where the client declares them.
 */
import { CodeActionKind, TextDocumentSyncKind, type ClientCapabilities, type InitializeParams, type ServerCapabilities } from 'vscode-languageserver';
import { NOTEBOOK_FIX_ALL_KIND, NOTEBOOK_SYNC } from './notebooks';
import { FIX_ALL_KIND, ServerCommands } from './protocol';

export interface ClientFeatures {
  /** `textDocument/diagnostic` (pull) instead of `textDocument/publishDiagnostics` (push). */
  pullDiagnostics: boolean;
  /** `workspace/diagnostic/refresh`. */
  diagnosticRefresh: boolean;
  codeDescription: boolean;
  /** `Diagnostic.data` is kept and handed back in code action requests. */
  /** `Diagnostic.relatedInformation` is shown (the model file a load call reads). */
  relatedInformation: boolean;
  publishVersion: boolean;
  configuration: boolean;
  watchedFilesRegistration: boolean;
  configurationChangeRegistration: boolean;
  hoverMarkdown: boolean;
  /** Code action literals with kinds (else actions are not offered as literals). */
  codeActionLiterals: boolean;
  documentChanges: boolean;
  applyEdit: boolean;
}

export function clientFeatures(capabilities: ClientCapabilities): ClientFeatures {
  const text = capabilities.textDocument;
  const workspace = capabilities.workspace;
  const pull = text?.diagnostic !== undefined;
  // In pull mode LSP 3.18 clients declare the rich fields under textDocument.diagnostic; 3.17 ones only under publishDiagnostics.
  const rich = (key: 'codeDescriptionSupport' | 'relatedInformation'): boolean =>
    (pull && (text?.diagnostic as Record<string, unknown> | undefined)?.[key] === true) || text?.publishDiagnostics?.[key] === true;
  return {
    pullDiagnostics: pull,
    diagnosticRefresh: workspace?.diagnostics?.refreshSupport === true,
    codeDescription: rich('codeDescriptionSupport'),
    relatedInformation: rich('relatedInformation'),
    publishVersion: text?.publishDiagnostics?.versionSupport === true,
    configuration: workspace?.configuration === true,
    watchedFilesRegistration: workspace?.didChangeWatchedFiles?.dynamicRegistration === true,
    configurationChangeRegistration: workspace?.didChangeConfiguration?.dynamicRegistration === true,
    hoverMarkdown: text?.hover?.contentFormat?.includes('markdown') ?? false,
    codeActionLiterals: text?.codeAction?.codeActionLiteralSupport !== undefined,
    documentChanges: workspace?.workspaceEdit?.documentChanges === true,
    applyEdit: workspace?.applyEdit === true,
  };
}

export function serverCapabilities(features: ClientFeatures): ServerCapabilities {
  return {
    textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
    notebookDocumentSync: NOTEBOOK_SYNC,
    hoverProvider: true,
    codeActionProvider: features.codeActionLiterals
      ? { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND, NOTEBOOK_FIX_ALL_KIND], resolveProvider: false }
      : true,
    executeCommandProvider: { commands: [ServerCommands.applyFixAll] },
    ...(features.pullDiagnostics ? { diagnosticProvider: { identifier: 'atlas-lens', interFileDependencies: false, workspaceDiagnostics: true } } : {}),
  };
}

export function workspaceFoldersOf(params: InitializeParams): string[] {
  const uris = params.workspaceFolders?.map((folder) => folder.uri) ?? (params.rootUri ? [params.rootUri] : []);
  return uris.filter((uri) => uri.startsWith('file:'));
}
