/**
 * Code actions, rebuilt from the diagnostics the client hands back (ruff's way): the rule's fix
 * (preferred when safe), "Suppress <rule> on this line / in this file", and
 * `source.fixAll.atlasLens` applying every safe fix. Each diagnostic is matched against the
 * current analysis by rule and range, and the fix and statement come from there: diagnostics
 * carry no `data`, which keeps the publish of every keystroke small.
 */
import { CodeActionKind, type CodeAction, type CodeActionParams, type Diagnostic, type TextEdit, type WorkspaceEdit } from 'vscode-languageserver';
import type { Finding } from '../engine/types';
import type { DocumentAnalysis } from './analysis';
import type { ClientFeatures } from './capabilities';
import type { LspDocument } from './documents';
import { DIAGNOSTIC_SOURCE, FIX_ALL_KIND } from './protocol';
import { suppressInFileEdit, suppressOnLineEdit } from './suppress';

type Features = Pick<ClientFeatures, 'documentChanges'>;

export function workspaceEdit(document: LspDocument, edits: TextEdit[], features: Features): WorkspaceEdit {
  return features.documentChanges
    ? { documentChanges: [{ textDocument: { uri: document.uri, version: document.version }, edits }] }
    : { changes: { [document.uri]: edits } };
}

const sameRange = (a: Diagnostic['range'], b: Finding['range']): boolean =>
  a.start.line === b.start.line && a.start.character === b.start.character && a.end.line === b.end.line && a.end.character === b.end.character;

/**
 * The current analysis' finding a diagnostic the client hands back stands for: ours, of the same
 * rule at the same range. A diagnostic from an older version (a pull answered "unchanged" leaves
 * it with the client) still gets its actions while its finding is there; one whose finding moved
 * or is gone gets none.
 */
function findingOf(diagnostic: Diagnostic, analysis: DocumentAnalysis): Finding | undefined {
  if (diagnostic.source !== DIAGNOSTIC_SOURCE || typeof diagnostic.code !== 'string') return undefined;
  return analysis.findings.find((candidate) => candidate.ruleId === diagnostic.code && sameRange(diagnostic.range, candidate.range));
}

/** Safe fixes of the analysis that do not overlap (the rest stay for a second run). */
export function safeFixEdits(document: LspDocument, findings: readonly Finding[]): TextEdit[] {
  const taken: Array<[number, number]> = [];
  const edits: TextEdit[] = [];
  for (const finding of findings) {
    if (!finding.fix?.safe) continue;
    const spans = finding.fix.edits.map((edit): [number, number] => [document.offsetAt(edit.range.start), document.offsetAt(edit.range.end)]);
    const overlaps = spans.some(([start, end]) => taken.some(([s, e]) => (start < e && s < end) || start === s));
    if (overlaps) continue;
    taken.push(...spans);
    edits.push(...finding.fix.edits);
  }
  return edits;
}

export function fixAllAction(document: LspDocument, analysis: DocumentAnalysis, features: Features): CodeAction | undefined {
  const edits = safeFixEdits(document, analysis.findings);
  if (edits.length === 0) return undefined;
  return { title: 'Fix all safe ATLAS Lens problems', kind: FIX_ALL_KIND, edit: workspaceEdit(document, edits, features) };
}

/**
 * `fileScope`: where "Suppress … in this file" writes its comment and what it calls the file
 * (a notebook cell: the notebook's first code cell, "notebook"); default the document itself.
 */
export function codeActions(params: CodeActionParams, document: LspDocument, analysis: DocumentAnalysis, features: Features, fileScope?: { document: LspDocument; noun: string }): CodeAction[] {
  const only = params.context.only;
  const wants = (kind: string): boolean => !only || only.some((requested) => kind === requested || kind.startsWith(`${requested}.`));
  const actions: CodeAction[] = [];
  if (wants(CodeActionKind.QuickFix)) {
    const suppressions = new Set<string>();
    for (const diagnostic of params.context.diagnostics) {
      const finding = findingOf(diagnostic, analysis);
      if (!finding) continue;
      if (finding.fix) {
        actions.push({
          title: finding.fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: finding.fix.safe,
          edit: workspaceEdit(document, finding.fix.edits, features),
        });
      }
      const lineKey = `${finding.ruleId}:${finding.statementLines.first}`;
      if (!suppressions.has(lineKey)) {
        suppressions.add(lineKey);
        const edit = suppressOnLineEdit(document, finding.statementLines, finding.ruleId);
        if (edit) actions.push({ title: `Suppress ${finding.ruleId} on this line`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: workspaceEdit(document, [edit], features) });
      }
      if (!suppressions.has(finding.ruleId)) {
        suppressions.add(finding.ruleId);
        const scope = fileScope?.document ?? document;
        const edit = suppressInFileEdit(scope, finding.ruleId);
        if (edit) actions.push({ title: `Suppress ${finding.ruleId} in this ${fileScope?.noun ?? 'file'}`, kind: CodeActionKind.QuickFix, diagnostics: [diagnostic], edit: workspaceEdit(scope, [edit], features) });
      }
    }
  }
  // Offered unasked only when there is something to fix; always looked for when asked by kind.
  if (wants(FIX_ALL_KIND)) {
    const fixAll = fixAllAction(document, analysis, features);
    if (fixAll) actions.push(fixAll);
  }
  return actions;
}
