/**
 * Open documents: text, version, line table, and for Python a syntax tree kept in step with the
 * edits (incremental reparsing). The store is ours rather than vscode-languageserver's
 * TextDocuments because each content change must also be recorded on the tree.
 */
import { fileURLToPath } from 'node:url';
import type { Parser } from 'web-tree-sitter';
import type { Position, Range, TextDocumentContentChangeEvent } from 'vscode-languageserver';
import { ChunkedText } from '../engine/chunked-text';
import { languageOf } from '../engine/engine';
import { PythonDocumentTree } from '../engine/python/document-tree';

const PYTHON_LANGUAGE_IDS = new Set(['python']);

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

/** LSP line starts: "\n", "\r\n" and a lone "\r" each end a line. */
function computeLineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (code === 10) {
      starts.push(i + 1);
    }
  }
  return starts;
}

export class LspDocument {
  /** The text, in chunks: a keystroke rebuilds the chunk it falls in and never copies the whole (engine/chunked-text.ts). */
  private content: ChunkedText;
  private lineStartsCache: number[] | undefined;
  private mayHoldCarriageReturn: boolean | undefined;
  /** The file the engine sees: the real path, or for untitled/notebook cells a made-up one with the language's extension. */
  readonly analysisPath: string | undefined;
  /** Absolute path on disk, for file: URIs (and the notebook's, for a notebook cell). */
  readonly fsPath: string | undefined;
  readonly tree: PythonDocumentTree | undefined;

  constructor(
    readonly uri: string,
    readonly languageId: string,
    public version: number,
    text: string,
    parser: Parser | undefined,
  ) {
    this.content = ChunkedText.of(text);
    // A notebook cell (vscode-notebook-cell:/path/nb.ipynb#cell) is looked up as the notebook file.
    this.fsPath = uriToPath(uri.startsWith('vscode-notebook-cell:') ? `file:${uri.slice('vscode-notebook-cell:'.length).replace(/#.*$/, '')}` : uri);
    const base = this.fsPath ?? `/${uri.replace(/^[a-z-]+:\/*/i, '').replace(/[?#].*$/, '')}`;
    const python = PYTHON_LANGUAGE_IDS.has(languageId) || languageOf(base) === 'python';
    // A cell that is not Python (Markdown) is never read as its notebook's .ipynb.
    const cell = uri.startsWith('vscode-notebook-cell:');
    this.analysisPath = python ? (languageOf(base) === 'python' ? base : `${base}.py`) : !cell && languageOf(base) ? base : undefined;
    this.tree = python && parser ? new PythonDocumentTree(parser) : undefined;
  }

  /** The whole text as one string, joined at the first call after an edit. The analysis of an edit reads `source` instead. */
  get text(): string {
    return this.content.toString();
  }

  /** The text, read in slices (what the engine's analysis of a tree takes). */
  get source(): ChunkedText {
    return this.content;
  }

  get lineStarts(): number[] {
    this.lineStartsCache ??= computeLineStarts(this.text);
    return this.lineStartsCache;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  offsetAt(position: Position): number {
    const starts = this.lineStarts;
    if (position.line < 0) return 0;
    if (position.line >= starts.length) return this.content.length;
    const start = starts[position.line]!;
    const next = position.line + 1 < starts.length ? starts[position.line + 1]! : this.content.length;
    // Never past the line's end (its line break excluded).
    let end = next;
    if (end > start && this.content.charCodeAt(end - 1) === 10) end--;
    if (end > start && this.content.charCodeAt(end - 1) === 13) end--;
    return Math.min(start + Math.max(0, position.character), end);
  }

  positionAt(offset: number): Position {
    const starts = this.lineStarts;
    const clamped = Math.max(0, Math.min(offset, this.content.length));
    let low = 0;
    let high = starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (starts[middle]! <= clamped) low = middle;
      else high = middle - 1;
    }
    return { line: low, character: clamped - starts[low]! };
  }

  /** The text of one line without its line break. */
  lineText(line: number): string {
    const starts = this.lineStarts;
    if (line < 0 || line >= starts.length) return '';
    const start = starts[line]!;
    const end = line + 1 < starts.length ? starts[line + 1]! : this.content.length;
    return this.content.slice(start, end).replace(/\r?\n$|\r$/, '');
  }

  getText(range?: Range): string {
    if (!range) return this.text;
    return this.content.slice(this.offsetAt(range.start), this.offsetAt(range.end));
  }

  /** Applies `didChange` content changes in order, recording each on the syntax tree. */
  update(changes: readonly TextDocumentContentChangeEvent[], version: number): void {
    for (const change of changes) {
      if (!('range' in change) || !change.range) {
        this.content = ChunkedText.of(change.text);
        this.lineStartsCache = undefined;
        this.mayHoldCarriageReturn = undefined;
        this.tree?.reset();
        continue;
      }
      const startIndex = this.offsetAt(change.range.start);
      const oldEndIndex = Math.max(startIndex, this.offsetAt(change.range.end));
      const start = this.positionAt(startIndex);
      const oldEnd = this.positionAt(oldEndIndex);
      // Only "\n" ends lines and tree rows unless a "\r" is around (rare): then the slow, sure paths.
      const plain = !this.hasCarriageReturn() && !change.text.includes('\r');
      if (this.tree) {
        // Tree rows are separated by "\n" only; with a lone "\r" in play, reparse from scratch.
        if (!plain && (/\r(?!\n)/.test(change.text) || /\r(?!\n)/.test(this.text))) {
          this.tree.reset();
        } else {
          this.tree.edit({
            startIndex,
            oldEndIndex,
            startPosition: { row: start.line, column: start.character },
            oldEndPosition: { row: oldEnd.line, column: oldEnd.character },
            newText: change.text,
          });
        }
      }
      this.content = this.content.edit(startIndex, oldEndIndex, change.text);
      if (!plain) this.mayHoldCarriageReturn = true;
      if (plain && this.lineStartsCache) {
        // Patched rather than recomputed: a keystroke costs O(lines) additions, not a pass over the text.
        const starts = this.lineStartsCache;
        const inserted: number[] = [];
        for (let i = change.text.indexOf('\n'); i >= 0; i = change.text.indexOf('\n', i + 1)) inserted.push(startIndex + i + 1);
        const delta = change.text.length - (oldEndIndex - startIndex);
        if (delta !== 0) for (let line = oldEnd.line + 1; line < starts.length; line++) starts[line]! += delta;
        if (inserted.length > 10_000) this.lineStartsCache = undefined;
        else if (inserted.length > 0 || oldEnd.line > start.line) starts.splice(start.line + 1, oldEnd.line - start.line, ...inserted);
      } else {
        this.lineStartsCache = undefined;
      }
    }
    this.version = version;
  }

  /** Whether the text may hold a "\r" (answered from the last full look, kept up by update()). */
  private hasCarriageReturn(): boolean {
    this.mayHoldCarriageReturn ??= this.text.includes('\r');
    return this.mayHoldCarriageReturn;
  }

  dispose(): void {
    this.tree?.dispose();
  }
}

export class DocumentStore {
  private readonly documents = new Map<string, LspDocument>();

  constructor(private readonly parser: Parser) {}

  open(uri: string, languageId: string, version: number, text: string): LspDocument {
    this.documents.get(uri)?.dispose();
    const document = new LspDocument(uri, languageId, version, text, this.parser);
    this.documents.set(uri, document);
    return document;
  }

  get(uri: string): LspDocument | undefined {
    return this.documents.get(uri);
  }

  close(uri: string): void {
    this.documents.get(uri)?.dispose();
    this.documents.delete(uri);
  }

  all(): LspDocument[] {
    return [...this.documents.values()];
  }
}
