/**
 * "ATLAS Lens: Show ATLAS Matrix": a webview panel with the HTML of ./matrix-html.ts, re-rendered
 * when the findings change. Activating a technique cell posts `{ type: 'select', techniqueId }`,
 * handed to `onSelect` (the extension filters the tree, reveals it and shows the technique card).
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { AtlasMatrix } from '../../server/src/lsp/protocol';
import { renderMatrixHtml, type MatrixMessage } from './matrix-html';

export const MATRIX_VIEW_TYPE = 'atlasLens.matrix';

export class MatrixPanel implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private matrix: AtlasMatrix | undefined;
  private selected: string | undefined;

  constructor(private readonly icon: vscode.Uri, private readonly onSelect: (techniqueId: string) => Promise<void>) {}

  get isOpen(): boolean {
    return this.panel !== undefined;
  }

  /** The HTML shown last (for the tests). */
  get html(): string | undefined {
    return this.panel?.webview.html;
  }

  show(matrix: AtlasMatrix, selected?: string): void {
    this.matrix = matrix;
    this.selected = selected;
    if (this.panel) {
      this.panel.reveal(undefined, false);
    } else {
      this.panel = vscode.window.createWebviewPanel(MATRIX_VIEW_TYPE, 'ATLAS Matrix', vscode.ViewColumn.Active, {
        enableScripts: true,
        // Nothing is loaded from disk or the network: the HTML is self-contained.
        localResourceRoots: [],
      });
      this.panel.iconPath = this.icon;
      this.panel.onDidDispose(() => { this.panel = undefined; });
      this.panel.webview.onDidReceiveMessage((message: MatrixMessage) => {
        if (message?.type === 'select' && typeof message.techniqueId === 'string') void this.handle(message);
      });
    }
    this.render();
  }

  /** New findings, or a new selection: re-render when open. */
  update(matrix: AtlasMatrix | undefined, selected: string | undefined): void {
    if (matrix) this.matrix = matrix;
    this.selected = selected;
    if (this.panel) this.render();
  }

  /** What a message from the webview does (the tests call it as the webview would). */
  async handle(message: MatrixMessage): Promise<void> {
    this.selected = message.techniqueId;
    await this.onSelect(message.techniqueId);
  }

  private render(): void {
    if (!this.panel || !this.matrix) return;
    this.panel.webview.html = renderMatrixHtml(this.matrix, { nonce: randomBytes(16).toString('hex'), selected: this.selected });
  }

  dispose(): void {
    this.panel?.dispose();
  }
}
