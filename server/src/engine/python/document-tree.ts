/**
 * A Python syntax tree kept in step with a document being edited: each text change is recorded
 * on the old tree with tree-sitter's `tree.edit()`, and the next `current(text)` reparses
 * incrementally from it (`parser.parse(text, oldTree)`), so a keystroke in a large file costs a
 * small reparse instead of a full one. Hand the tree to `Engine.analyzeTree`.
 *
 * Offsets and columns are UTF-16 code units (web-tree-sitter's unit for JavaScript strings, and
 * LSP's); rows are separated by "\n". Nothing here knows about LSP.
 */
import type { Parser, Point, Tree } from 'web-tree-sitter';

export interface DocumentTextChange {
  /** Where the replaced text starts and ends in the text before this change. */
  startIndex: number;
  oldEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  /** The text put in its place. */
  newText: string;
}

/** The point reached after writing `text` from `start`. */
export function pointAfter(start: Point, text: string): Point {
  const lastBreak = text.lastIndexOf('\n');
  if (lastBreak < 0) return { row: start.row, column: start.column + text.length };
  let rows = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) rows++;
  return { row: start.row + rows, column: text.length - lastBreak - 1 };
}

/** One replacement in offsets: [start, oldEnd) of the text before it became [start, newEnd). */
export interface TextEdit {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/**
 * For a tree reparsed incrementally: the tree it was parsed from and the edits, in order, that
 * turned that tree's text into this one's. Only one link is kept (a tree's own link is dropped
 * once a newer tree is parsed from it), so old trees' wrappers do not pile up.
 */
const lineage = new WeakMap<Tree, { from: Tree; edits: readonly TextEdit[] }>();

/** The tree `tree` was incrementally parsed from by a PythonDocumentTree, and the text edits between them. */
export function parsedFrom(tree: Tree): { from: Tree; edits: readonly TextEdit[] } | undefined {
  return lineage.get(tree);
}

/**
 * Trees replaced by a reparse, deleted a little later: freeing an old tree's nodes costs ~0.3 ms
 * on a 5,000-line file, better spent after the diagnostics of the new version are out. Two
 * turns of the event loop: vscode-jsonrpc's writer sends a message from a setImmediate of its
 * own, queued after the reparse (push: the publish; pull: the response).
 */
const replaced: Tree[] = [];

function deleteSoon(tree: Tree): void {
  if (replaced.push(tree) > 1) return;
  setImmediate(() =>
    setImmediate(() => {
      for (const old of replaced.splice(0)) old.delete();
    }),
  );
}

export class PythonDocumentTree {
  private tree: Tree | undefined;
  private dirty = true;
  /** Edits recorded on `tree` since it was parsed. */
  private edits: TextEdit[] = [];
  /** Reparses done from an edited tree, and from scratch (tests and logs). */
  readonly stats = { incremental: 0, full: 0 };

  constructor(private readonly parser: Parser) {}

  /** Records one change of the text the tree was parsed from. Changes must come in order. */
  edit(change: DocumentTextChange): void {
    this.dirty = true;
    if (!this.tree) return; // nothing to keep: the next current() parses from scratch
    this.edits.push({ start: change.startIndex, oldEnd: change.oldEndIndex, newEnd: change.startIndex + change.newText.length });
    this.tree.edit({
      startIndex: change.startIndex,
      oldEndIndex: change.oldEndIndex,
      newEndIndex: change.startIndex + change.newText.length,
      startPosition: change.startPosition,
      oldEndPosition: change.oldEndPosition,
      newEndPosition: pointAfter(change.startPosition, change.newText),
    });
  }

  /** Forget the tree (the whole text was replaced); the next current() parses from scratch. */
  reset(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.edits = [];
    this.dirty = true;
  }

  /** The tree of `text`, which must be the text after every recorded change. Owned by this object. */
  current(text: string): Tree | undefined {
    if (this.tree && !this.dirty) return this.tree;
    const previous = this.tree;
    const next = this.parser.parse(text, previous ?? null) ?? undefined;
    if (previous && next) {
      lineage.delete(previous);
      lineage.set(next, { from: previous, edits: this.edits });
    }
    this.edits = [];
    if (previous) this.stats.incremental++;
    else this.stats.full++;
    if (previous) deleteSoon(previous);
    this.tree = next;
    this.dirty = next === undefined;
    return next;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.edits = [];
  }
}
