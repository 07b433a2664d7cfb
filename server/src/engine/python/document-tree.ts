/**
 * A Python syntax tree kept in step with a document being edited: each text change is recorded
 * on the old tree with tree-sitter's `tree.edit()`, and the next `current(text)` reparses
 * incrementally from it (`parser.parse(text, oldTree)`), so a keystroke in a large file costs a
 * small reparse instead of a full one. Hand the tree to `Engine.analyzeTree`.
 *
 * Typing inside one top-level statement takes a faster path (`syntax()`): tree-sitter's
 * incremental reparse steps over every top-level statement of the module (its list nodes are
 * marked fragile, so they are never reused whole): 3–8 ms on 5,000 lines of definitions whatever
 * the edit, ~20 ms on 5,000 lines of top-level code (a script, a notebook). So while every edit
 * since the last whole parse falls inside the same top-level statements, only their stretches of
 * text are parsed (included ranges keep file coordinates), and each one's node stands in for the
 * stale one of the whole tree, whose other nodes the edits only moved. It is taken only where a
 * whole parse would give the same nodes: the stretch parses as one statement of the same kind (a
 * definition stays one, another statement stays one that is neither a definition nor a comment),
 * runs to the next top-level statement (no comment in between, whose place depends on the
 * indentation before it), and the rest of the module had no syntax error. (The names below say
 * "definition": until session 12 only definitions were parsed alone.)
 *
 * The definition may hold a syntax error (`if x` before its colon, a quote not closed yet: much
 * of the time while typing), if it is the only one edited and the error stays inside it: parsed
 * together with the next top-level statement, the definition's nodes are the same as alone and
 * that statement's are the whole tree's, without an error. An error that runs on (a bracket left
 * open swallows what follows) fails that, and a string left open is not tried: the whole text is
 * parsed. Without the window each such
 * keystroke reparsed the whole text: 5–9 ms on 5,000 lines, 30 ms and more on 20,000.
 *
 * Offsets and columns are UTF-16 code units (web-tree-sitter's unit for JavaScript strings, and
 * LSP's); rows are separated by "\n". Nothing here knows about LSP.
 */
import type { Node, Parser, Point, Tree } from 'web-tree-sitter';
import { changedStretch } from '../text-diff';
import type { TextSource } from '../chunked-text';
import { textAt, textInput } from './parser';

export interface DocumentTextChange {
  /** Where the replaced text starts and ends in the text before this change. */
  startIndex: number;
  oldEndIndex: number;
  startPosition: Point;
  oldEndPosition: Point;
  /** The text put in its place. */
  newText: string;
}

/**
 * The one change that turns `before` into `after` (the stretch between their common prefix and
 * suffix), for a text whose versions the caller has rather than its edits; undefined when they
 * are the same. Rows count "\n" only, as tree-sitter's do.
 */
export function changeBetween(before: TextSource, after: TextSource): DocumentTextChange | undefined {
  if (before === after) return undefined;
  const { start, oldEnd, newEnd } = changedStretch(before, after);
  const startPosition = pointAt(before, start);
  return {
    startIndex: start,
    oldEndIndex: oldEnd,
    startPosition,
    // From the start on: the text before it is not counted twice.
    oldEndPosition: pointAfter(startPosition, before.slice(start, oldEnd)),
    newText: after.slice(start, newEnd),
  };
}

function pointAt(text: TextSource, offset: number): Point {
  // Read in slices: the text may be a ChunkedText (an open notebook's combined cells).
  let row = 0;
  let lineStart = 0;
  for (let from = 0; from < offset; from += 4096) {
    const slice = text.slice(from, Math.min(offset, from + 4096));
    for (let i = slice.indexOf('\n'); i >= 0; i = slice.indexOf('\n', i + 1)) {
      row++;
      lineStart = from + i + 1;
    }
  }
  return { row, column: offset - lineStart };
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
const lineage = new WeakMap<Tree | PythonSyntax, { from: Tree | PythonSyntax; edits: readonly TextEdit[] }>();

/** The tree (or syntax) `tree` was incrementally parsed from by a PythonDocumentTree, and the text edits between them. */
export function parsedFrom(tree: Tree | PythonSyntax): { from: Tree | PythonSyntax; edits: readonly TextEdit[] } | undefined {
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

/**
 * The syntax of a document's current text, as `PythonDocumentTree.syntax()` gives it: the module's
 * top-level nodes, some of them possibly from a parse of their own definition (`replaced`).
 */
export interface PythonSyntax {
  /** The whole tree the other top-level nodes come from; inside each `replaced` stretch its nodes are stale. */
  readonly tree: Tree;
  /** The module's named children in order, each reparsed definition's node in its place. */
  readonly topLevel: readonly Node[];
  /** The definitions parsed on their own, in document order: their text's offsets [start, end) and the root of each one's tree. */
  readonly replaced: ReadonlyArray<{ readonly start: number; readonly end: number; readonly root: Node }>;
  /** The whole tree of the same text (a whole reparse, when definitions were parsed on their own). */
  whole(): Tree;
}

/** The syntax of a whole tree (nothing parsed on its own). */
export function syntaxOfTree(tree: Tree): PythonSyntax {
  const topLevel = tree.rootNode.namedChildren.filter((node): node is Node => node !== null);
  return { tree, topLevel, replaced: [], whole: () => tree };
}

const DEFINITION_TYPES = new Set(['function_definition', 'class_definition', 'decorated_definition']);

/** Above this many definitions edited since the last whole parse, the next syntax parses the whole text. */
const MAX_EDITED_DEFINITIONS = 8;

/**
 * A top-level statement edited since the last whole parse, and its own parse: a definition, or
 * (since session 12) any other statement but a comment, so that typing in a script or a notebook
 * of top-level code does not reparse the whole text either.
 */
interface EditedStatement {
  /** Its place among the module's named children. */
  index: number;
  /** Offsets in the current text of its stretch: from its start to the next top-level statement (or the end). */
  start: number;
  end: number;
  startPosition: Point;
  /** Whether it is the last top-level statement (its stretch runs to the end of the text). */
  last: boolean;
  /** Whether it is a definition: its own parse must be one too (and another statement must stay one). */
  definition: boolean;
  /** Its last own parse, and whether the text or its place changed since. */
  tree?: Tree;
  node?: Node;
  stale: boolean;
  /** Its last own parse holds a syntax error (taken only while it is the one definition edited). */
  hasError?: boolean;
}

export class PythonDocumentTree {
  private tree: Tree | undefined;
  private dirty = true;
  /** Edits recorded since the last whole tree, and since the last syntax, was handed out (their lineage). */
  private editsSinceTree: TextEdit[] = [];
  private editsSinceSyntax: TextEdit[] = [];
  /** The definitions every edit since `tree` was parsed fell in, in document order. */
  private edited: EditedStatement[] = [];
  /** An edit since `tree` was parsed fell outside any one definition: the next syntax parses the whole text. */
  private wholeParseNeeded = false;
  /** Indices of the module's named children with a syntax error in `tree`. */
  private errorChildren: number[] = [];
  /** Length of the current text (kept up by edit()). */
  private length = 0;
  private lastTree: Tree | undefined;
  private lastSyntax: PythonSyntax | undefined;
  /** The text the whole tree's nodes read while definitions are parsed alone (definitionsSyntax). */
  private currentText: TextSource = '';
  private readonly readCurrentText = (index: number): string => textAt(this.currentText, index);
  /** Reparses done from an edited tree, and from scratch, and of one definition alone (tests and logs). */
  readonly stats = { incremental: 0, full: 0, definition: 0 };

  constructor(private readonly parser: Parser) {}

  /** Records one change of the text the tree was parsed from. Changes must come in order. */
  edit(change: DocumentTextChange): void {
    this.dirty = true;
    if (!this.tree) return; // nothing to keep: the next current() parses from scratch
    const edit = { start: change.startIndex, oldEnd: change.oldEndIndex, newEnd: change.startIndex + change.newText.length };
    const newEndPosition = pointAfter(change.startPosition, change.newText);
    this.editsSinceTree.push(edit);
    this.editsSinceSyntax.push(edit);
    if (!this.wholeParseNeeded) this.claim(edit, change.oldEndPosition, newEndPosition);
    this.length += edit.newEnd - edit.oldEnd;
    this.tree.edit({
      startIndex: change.startIndex,
      oldEndIndex: change.oldEndIndex,
      newEndIndex: edit.newEnd,
      startPosition: change.startPosition,
      oldEndPosition: change.oldEndPosition,
      newEndPosition,
    });
  }

  /**
   * Notes which definition an edit falls in (its stretch: from its first character to just before
   * the next top-level statement), read off the whole tree before the edit is recorded on it, and
   * moves the edited definitions after it.
   */
  private claim(edit: TextEdit, oldEndPosition: Point, newEndPosition: Point): void {
    const delta = edit.newEnd - edit.oldEnd;
    let owner = this.edited.find((edited) => edit.start >= edited.start && (edit.oldEnd < edited.end || (edited.last && edit.oldEnd <= edited.end)));
    if (!owner) {
      owner = this.newlyEdited(edit);
      if (!owner) {
        this.wholeParseNeeded = true;
        return;
      }
    }
    owner.end += delta;
    owner.stale = true;
    const moved = delta !== 0 || newEndPosition.row !== oldEndPosition.row;
    for (const edited of this.edited) {
      if (edited === owner || edited.start < edit.oldEnd || !moved) continue;
      edited.start += delta;
      edited.end += delta;
      edited.startPosition = shiftPoint(edited.startPosition, oldEndPosition, newEndPosition);
      edited.stale = true; // its own tree's positions are the old ones
    }
  }

  /** The definition a first edit in it falls in, read off the whole tree; undefined when it is none. */
  private newlyEdited(edit: TextEdit): EditedStatement | undefined {
    if (this.edited.length >= MAX_EDITED_DEFINITIONS) return undefined;
    // An error in the one edited definition was checked against the statement after it only.
    if (this.edited.some((edited) => edited.hasError)) return undefined;
    const root = this.tree!.rootNode;
    // The statement whose stretch holds the edit: the first to end after it, or the one before that
    // when the edit is past its end (typing at the end of a definition's last line, or below it).
    let child = root.firstNamedChildForIndex(edit.start);
    if (!child || child.startIndex > edit.start) child = child ? child.previousNamedSibling : root.lastNamedChild;
    // A comment's place (in a block or at the top level) depends on the indentation before it.
    if (!child || child.type === 'comment' || child.type === 'ERROR') return undefined;
    const next = child.nextNamedSibling;
    if (next?.type === 'comment') return undefined;
    // Module statements start at column 0. The parser also takes some badly indented code without
    // an error node (a method whose body is not indented: the class ends there, the methods
    // become module statements at column 4), and how it splits such code depends on all of it.
    if (child.startPosition.column !== 0 || (next && next.startPosition.column !== 0)) return undefined;
    // Its stretch ends where the next statement starts, or an edited definition's (whose node in the
    // whole tree starts later when text was typed at its start); an edit past that is not its own.
    const following = this.edited.find((edited) => edited.start > child!.startIndex);
    const end = Math.min(next ? next.startIndex : this.length, following?.start ?? Number.POSITIVE_INFINITY);
    if (next || following ? edit.oldEnd >= end : edit.oldEnd > end) return undefined;
    const index = indexAmongNamed(root, child);
    if (index < 0) return undefined;
    // A syntax error elsewhere may change how the rest parses, unless it is in a definition parsed alone since (which must then parse cleanly).
    if (this.errorChildren.some((other) => other !== index && !this.edited.some((edited) => edited.index === other))) return undefined;
    const edited: EditedStatement = { index, start: child.startIndex, end, startPosition: child.startPosition, last: !next, definition: DEFINITION_TYPES.has(child.type), stale: true };
    this.edited.push(edited);
    this.edited.sort((a, b) => a.start - b.start);
    return edited;
  }

  /** Forget the tree (the whole text was replaced); the next current() parses from scratch. */
  reset(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.dropEdited();
    this.editsSinceTree = [];
    this.editsSinceSyntax = [];
    this.lastTree = undefined;
    this.lastSyntax = undefined;
    this.dirty = true;
  }

  /**
   * The whole tree of `text`, which must be the text after every recorded change. Owned by this
   * object. `shouldStop` (tree-sitter's progress callback) may cancel the parse: undefined is then
   * returned and nothing is lost, the next call parses again from the same tree and edits.
   */
  current(text: TextSource, shouldStop?: () => boolean): Tree | undefined {
    if (this.tree && !this.dirty && this.edited.length === 0) return this.tree;
    const previous = this.tree;
    const next = this.parser.parse(textInput(text), previous ?? null, shouldStop ? { progressCallback: shouldStop } : undefined) ?? undefined;
    if (!next && shouldStop?.()) {
      this.parser.reset(); // a cancelled parse would otherwise resume on the next text given
      return undefined;
    }
    if (this.lastTree && next) {
      lineage.delete(this.lastTree);
      lineage.set(next, { from: this.lastTree, edits: this.editsSinceTree });
    }
    this.editsSinceTree = [];
    if (previous) this.stats.incremental++;
    else this.stats.full++;
    if (previous) deleteSoon(previous);
    this.dropEdited();
    this.tree = next;
    this.lastTree = next;
    this.errorChildren = next ? childrenWithErrors(next) : [];
    this.length = text.length;
    this.dirty = next === undefined;
    // A syntax handed out before describes the replaced tree: the next syntax() starts afresh
    // (syntax() itself, which calls this, keeps its own link to the last one).
    this.lastSyntax = undefined;
    this.editsSinceSyntax = [];
    return next;
  }

  /**
   * The syntax of `text` (the text after every recorded change): the whole tree reparsed, or,
   * when every edit since fell in top-level definitions, those definitions each parsed alone.
   * `shouldStop` may cancel a whole parse, as in current(): undefined, and nothing is lost.
   */
  syntax(text: TextSource, shouldStop?: () => boolean): PythonSyntax | undefined {
    if (!this.dirty && this.lastSyntax) return this.lastSyntax;
    const previous = this.lastSyntax;
    const edits = this.editsSinceSyntax;
    let syntax = this.tree && !this.wholeParseNeeded && this.edited.length > 0 ? this.definitionsSyntax(text) : undefined;
    if (!syntax) {
      const tree = this.current(text, shouldStop);
      if (!tree) return undefined; // edits since the last syntax are kept for the next one's lineage
      syntax = syntaxOfTree(tree);
    }
    this.editsSinceSyntax = [];
    if (previous) {
      lineage.delete(previous);
      lineage.set(syntax, { from: previous, edits });
    }
    this.lastSyntax = syntax;
    this.dirty = false;
    return syntax;
  }

  /** The edited definitions each parsed on its own, if that gives what a whole parse would. */
  private definitionsSyntax(text: TextSource): PythonSyntax | undefined {
    for (const edited of this.edited) if (edited.stale && !this.parseAlone(edited, text)) return undefined;
    const tree = this.tree!;
    // web-tree-sitter reads a node's text through its tree's textCallback (a field its typings
    // leave out), set to the text parsed: the whole tree's nodes must read the current one. The
    // tree keeps one reader of a field holding the current text: a new closure over each text,
    // stored on this long-lived tree at each keystroke, kept every text reachable until the next
    // young-generation collection (measured, as with parse(string): see textInput).
    this.currentText = text;
    const reader = (tree as unknown as { textCallback: (index: number) => string });
    if (reader.textCallback !== this.readCurrentText) reader.textCallback = this.readCurrentText;
    const topLevel = tree.rootNode.namedChildren.filter((child): child is Node => child !== null);
    for (const edited of this.edited) topLevel[edited.index] = edited.node!;
    const replaced = this.edited.map((edited) => ({ start: edited.start, end: edited.end, root: edited.tree!.rootNode }));
    return { tree, topLevel, replaced, whole: () => this.current(text) ?? tree };
  }

  /** Parses an edited definition's stretch alone; false when that is not one clean definition. */
  private parseAlone(edited: EditedStatement, text: TextSource): boolean {
    const endPosition = pointAfter(edited.startPosition, text.slice(edited.start, edited.end));
    const own = this.parser.parse(textInput(text, edited.end), null, { includedRanges: [{ startIndex: edited.start, endIndex: edited.end, startPosition: edited.startPosition, endPosition }] });
    if (!own) {
      this.parser.reset();
      return false;
    }
    const root = own.rootNode;
    const node = root.namedChildCount === 1 ? root.namedChild(0) : null;
    const hasError = root.hasError;
    const sameKind = node && (edited.definition ? DEFINITION_TYPES.has(node.type) : !DEFINITION_TYPES.has(node.type) && node.type !== 'comment' && node.type !== 'ERROR');
    if (!node || !sameKind || node.startIndex !== edited.start || (hasError && !this.errorStaysInside(edited, node, text))) {
      own.delete();
      return false;
    }
    if (edited.tree) deleteSoon(edited.tree);
    edited.tree = own;
    edited.node = node;
    edited.stale = false;
    edited.hasError = hasError;
    this.stats.definition++;
    return true;
  }

  /**
   * Whether a definition that parsed alone with a syntax error (`node`) parses the same with the
   * next top-level statement after it, which then parses as in the whole tree, without an error:
   * the error did not run on past the definition, as a whole parse would show. Only for the one
   * definition edited (the rest of the text is the whole tree's, which had no other error). The
   * last statement's stretch runs to the end of the text: alone it is parsed as in the whole text.
   */
  private errorStaysInside(edited: EditedStatement, node: Node, text: TextSource): boolean {
    if (this.edited.length !== 1) return false;
    // A string left open (a quote typed, not closed yet) runs on in the whole text up to the next
    // matching quote, wherever that is: no window tells where it ends.
    if (node.descendantsOfType('string_start').some((start) => start?.parent?.type !== 'string')) return false;
    if (edited.last) return true;
    // The whole tree has every edit recorded: past the edited stretch its nodes are at their current places.
    const next = this.tree!.rootNode.firstNamedChildForIndex(edited.end);
    if (!next || next.startIndex !== edited.end) return false;
    const endIndex = next.endIndex;
    const window = this.parser.parse(textInput(text, endIndex), null, {
      includedRanges: [{ startIndex: edited.start, endIndex, startPosition: edited.startPosition, endPosition: next.endPosition }],
    });
    if (!window) {
      this.parser.reset();
      return false;
    }
    try {
      const root = window.rootNode;
      if (root.namedChildCount !== 2) return false;
      const definition = root.namedChild(0);
      const following = root.namedChild(1);
      return !!definition && !!following && following.type === next.type && following.startIndex === next.startIndex && following.endIndex === endIndex && !following.hasError && sameSubtree(definition, node);
    } finally {
      window.delete();
    }
  }

  private dropEdited(): void {
    for (const edited of this.edited) if (edited.tree) deleteSoon(edited.tree);
    this.edited = [];
    this.wholeParseNeeded = false;
  }

  dispose(): void {
    this.tree?.delete();
    this.tree = undefined;
    this.currentText = '';
    for (const edited of this.edited) edited.tree?.delete();
    this.edited = [];
    this.editsSinceTree = [];
    this.editsSinceSyntax = [];
  }
}

/** Whether two nodes (of two parses of the same text) have the same nodes under them, node for node: type, place and MISSING. */
function sameSubtree(a: Node, b: Node): boolean {
  const left = a.walk();
  const right = b.walk();
  try {
    for (;;) {
      if (left.nodeType !== right.nodeType || left.startIndex !== right.startIndex || left.endIndex !== right.endIndex || left.nodeIsMissing !== right.nodeIsMissing) return false;
      const down = left.gotoFirstChild();
      if (down !== right.gotoFirstChild()) return false;
      if (down) continue;
      for (;;) {
        const across = left.gotoNextSibling();
        if (across !== right.gotoNextSibling()) return false;
        if (across) break;
        const up = left.gotoParent();
        if (up !== right.gotoParent()) return false;
        if (!up) return true;
      }
    }
  } finally {
    left.delete();
    right.delete();
  }
}

/** Where `point`, at or after the end of a replaced stretch (`oldEnd`), is once that stretch ends at `newEnd`. */
function shiftPoint(point: Point, oldEnd: Point, newEnd: Point): Point {
  if (point.row > oldEnd.row) return { row: point.row + newEnd.row - oldEnd.row, column: point.column };
  return { row: newEnd.row, column: newEnd.column + point.column - oldEnd.column };
}

/** `child`'s index among `root`'s named children. */
function indexAmongNamed(root: Node, child: Node): number {
  let index = 0;
  for (let sibling = child.previousNamedSibling; sibling; sibling = sibling.previousNamedSibling) index++;
  return index < root.namedChildCount ? index : -1;
}

/** Indices of the root's named children that hold a syntax error (none when the tree has none). */
function childrenWithErrors(tree: Tree): number[] {
  const root = tree.rootNode;
  if (!root.hasError) return [];
  const indices: number[] = [];
  root.namedChildren.forEach((child, index) => {
    if (child?.hasError) indices.push(index);
  });
  // An error outside every named child (between them): no definition stands on its own.
  if (indices.length === 0) indices.push(-1);
  return indices;
}
