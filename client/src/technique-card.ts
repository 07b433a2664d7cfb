/**
 * "ATLAS Lens: Show ATLAS Technique…": a quick pick over the techniques of the catalog the server
 * uses, then the technique's card (the same Markdown as the hover) in a read-only Markdown preview.
 */
import * as vscode from 'vscode';
import type { BaseLanguageClient } from 'vscode-languageclient';
import { AtlasEntryRequest, AtlasTechniquesRequest, type AtlasEntry } from '../../server/src/lsp/protocol';

export const CARD_SCHEME = 'atlas-lens';

/** Serves `atlas-lens:/<id>.md` documents: the cards fetched last. */
export class TechniqueCards implements vscode.TextDocumentContentProvider {
  private readonly cards = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<vscode.Uri>();
  readonly onDidChange = this.changed.event;

  uriOf(id: string): vscode.Uri {
    return vscode.Uri.from({ scheme: CARD_SCHEME, path: `/${id}.md` });
  }

  set(entry: AtlasEntry): vscode.Uri {
    const uri = this.uriOf(entry.id);
    this.cards.set(uri.path, `${entry.markdown}\n\n---\n*MITRE ATLAS ${entry.atlasVersion}, as used by ATLAS Lens.*\n`);
    this.changed.fire(uri);
    return uri;
  }

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.cards.get(uri.path) ?? `# ${uri.path.replace(/^\/|\.md$/g, '')}\n\nNot loaded: run "ATLAS Lens: Show ATLAS Technique…" again.\n`;
  }

  dispose(): void {
    this.changed.dispose();
  }
}

interface TechniqueItem extends vscode.QuickPickItem {
  id: string;
}

/** Shows the card of `id`, or of the technique picked; returns the entry shown (undefined if none). */
export async function showTechnique(client: BaseLanguageClient, cards: TechniqueCards, id?: string, options: { beside?: boolean } = {}): Promise<AtlasEntry | undefined> {
  let chosen = typeof id === 'string' ? id.trim() : undefined;
  if (!chosen) {
    const items = vscode.window.showQuickPick<TechniqueItem>(
      client.sendRequest(AtlasTechniquesRequest).then((techniques) => techniques.map((technique) => ({
        id: technique.id,
        label: technique.id,
        description: technique.name,
        detail: `${technique.tactics.join(', ')}${technique.citedByRules ? ' · cited by ATLAS Lens rules' : ''}`,
      }))),
      { title: 'ATLAS Lens: Show ATLAS Technique', placeHolder: 'Technique id, name or tactic', matchOnDescription: true, matchOnDetail: true },
    );
    chosen = (await items)?.id;
    if (!chosen) return undefined;
  }
  const entry = await client.sendRequest(AtlasEntryRequest, { id: chosen });
  if (!entry) {
    void vscode.window.showWarningMessage(`ATLAS Lens: ${chosen} is not in the ATLAS catalog in use.`);
    return undefined;
  }
  const uri = cards.set(entry);
  await vscode.commands.executeCommand(options.beside ? 'markdown.showPreviewToSide' : 'markdown.showPreview', uri).then(undefined, async () => {
    // No Markdown preview (a trimmed-down editor): show the card's source.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri), { preview: true, viewColumn: options.beside ? vscode.ViewColumn.Beside : undefined });
  });
  return entry;
}
