/**
 * The status bar item: the number of ATLAS Lens findings in the active file; a click opens the
 * Problems view. Hidden when the active editor holds a document the extension does not handle.
 */
import * as vscode from 'vscode';
import { DIAGNOSTIC_SOURCE } from '../../server/src/lsp/protocol';
import { DOCUMENT_SELECTOR } from './languages';

export function findingsIn(uri: vscode.Uri): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((diagnostic) => diagnostic.source === DIAGNOSTIC_SOURCE);
}

export class FindingsStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('atlasLens.findings', vscode.StatusBarAlignment.Left, 50);
  private readonly subscriptions: vscode.Disposable[] = [];
  /** The count shown, or undefined when hidden (read by the extension tests through the API). */
  count: number | undefined;

  constructor() {
    this.item.name = 'ATLAS Lens findings';
    this.item.command = { title: 'Show Problems', command: 'workbench.actions.view.problems' };
    this.subscriptions.push(
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.languages.onDidChangeDiagnostics((event) => {
        const active = vscode.window.activeTextEditor?.document.uri.toString();
        if (active && event.uris.some((uri) => uri.toString() === active)) this.update();
      }),
    );
    this.update();
  }

  update(): void {
    const document = vscode.window.activeTextEditor?.document;
    if (!document || vscode.languages.match(DOCUMENT_SELECTOR, document) === 0) {
      this.count = undefined;
      this.item.hide();
      return;
    }
    const findings = findingsIn(document.uri);
    this.count = findings.length;
    this.item.text = `$(shield) ${findings.length}`;
    const worst = findings.reduce((min, d) => Math.min(min, d.severity), vscode.DiagnosticSeverity.Hint + 1);
    this.item.backgroundColor = worst === vscode.DiagnosticSeverity.Error ? new vscode.ThemeColor('statusBarItem.errorBackground')
      : worst === vscode.DiagnosticSeverity.Warning ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    this.item.tooltip = findings.length === 0
      ? 'ATLAS Lens: no findings in this file'
      : `ATLAS Lens: ${findings.length} finding${findings.length === 1 ? '' : 's'} in this file. Click to open the Problems view.`;
    this.item.show();
  }

  dispose(): void {
    for (const subscription of this.subscriptions) subscription.dispose();
    this.item.dispose();
  }
}
