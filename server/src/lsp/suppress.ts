/**
 * The edits of "Suppress <rule> on this line" and "… in this file": the comment syntax of
 * engine/suppressions.ts written where the engine will see it.
 *
 * On this line: a trailing `# atlas-lens: ignore[rule]` on the first line of the statement,
 * unless that line ends inside a string or with a backslash continuation, where a comment cannot
 * go; then on the statement's last line. An existing `ignore[...]` gets the id added; any other
 * trailing comment is kept and the directive follows it (`# noqa  # atlas-lens: ignore[rule]`).
 * In this file: an existing `ignore-file[...]` gets the id added; otherwise a line
 * `# atlas-lens: ignore-file[rule]` goes at the top, after a shebang and an encoding line.
 */
import type { Node, Tree } from 'web-tree-sitter';
import type { TextEdit } from 'vscode-languageserver';
import type { LspDocument } from './documents';

const LINE_DIRECTIVE = /atlas-lens:\s*ignore(?!-)\[([^\]]*)\]/;
const FILE_DIRECTIVE = /atlas-lens:\s*ignore-file\[([^\]]*)\]/;

function commentsOn(tree: Tree | undefined, row: number, length: number): Node[] {
  if (!tree) return [];
  return tree.rootNode.descendantsOfType('comment', { row, column: 0 }, { row, column: length }).filter((node): node is Node => node !== null && node.startPosition.row === row);
}

/** Whether a comment may be appended at the end of `row`. */
function lineEndTakesComment(tree: Tree | undefined, row: number, line: string): boolean {
  const content = line.trimEnd();
  if (content.endsWith('\\')) return false;
  if (!tree || content.length === 0) return true;
  for (let node: Node | null = tree.rootNode.descendantForPosition({ row, column: content.length - 1 }); node; node = node.parent) {
    if ((node.type === 'string' || node.type === 'concatenated_string') && node.endPosition.row > row) return false;
    if (node.type === 'comment') return true;
  }
  return true;
}

/** Adds `id` inside the brackets of the directive matched in `comment`; undefined when it is there already. */
function addToDirective(document: LspDocument, comment: Node, match: RegExpExecArray, id: string): TextEdit | undefined {
  const ids = match[1]!.split(',').map((part) => part.trim()).filter(Boolean);
  if (ids.includes(id)) return undefined;
  const closing = comment.startPosition.column + match.index + match[0].length - 1;
  const row = comment.startPosition.row;
  return { range: { start: { line: row, character: closing }, end: { line: row, character: closing } }, newText: ids.length > 0 ? `, ${id}` : id };
}

export function suppressOnLineEdit(document: LspDocument, statementLines: { first: number; last: number }, ruleId: string): TextEdit | undefined {
  const tree = document.tree?.current(document.text);
  const first = document.lineText(statementLines.first);
  const row = lineEndTakesComment(tree, statementLines.first, first) ? statementLines.first : statementLines.last;
  const line = row === statementLines.first ? first : document.lineText(row);
  const comment = commentsOn(tree, row, line.length).at(-1);
  if (comment) {
    const match = LINE_DIRECTIVE.exec(comment.text);
    if (match) return addToDirective(document, comment, match, ruleId);
    const end = comment.endPosition.column;
    return { range: { start: { line: row, character: end }, end: { line: row, character: end } }, newText: `  # atlas-lens: ignore[${ruleId}]` };
  }
  const content = line.trimEnd().length;
  return { range: { start: { line: row, character: content }, end: { line: row, character: line.length } }, newText: `  # atlas-lens: ignore[${ruleId}]` };
}

export function suppressInFileEdit(document: LspDocument, ruleId: string): TextEdit | undefined {
  const tree = document.tree?.current(document.text);
  if (tree) {
    for (const comment of tree.rootNode.descendantsOfType('comment')) {
      if (!comment) continue;
      const match = FILE_DIRECTIVE.exec(comment.text);
      if (match) return addToDirective(document, comment, match, ruleId);
    }
  }
  let row = 0;
  if (document.lineText(0).startsWith('#!')) row = 1;
  if (row < 2 && /^[ \t\f]*#.*?coding[:=][ \t]*[-\w.]+/.test(document.lineText(row))) row++;
  const eol = document.text.includes('\r\n') ? '\r\n' : '\n';
  if (row >= document.lineCount) {
    // A file of only a shebang/encoding line and no final line break.
    const last = document.lineCount - 1;
    const end = document.lineText(last).length;
    return { range: { start: { line: last, character: end }, end: { line: last, character: end } }, newText: `${eol}# atlas-lens: ignore-file[${ruleId}]` };
  }
  return { range: { start: { line: row, character: 0 }, end: { line: row, character: 0 } }, newText: `# atlas-lens: ignore-file[${ruleId}]${eol}` };
}
