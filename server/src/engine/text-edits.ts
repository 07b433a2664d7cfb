/**
 * Applying text edits to a string (fix-all in the CLI, tests). Edits must not overlap; they are
 * applied from the end so earlier offsets stay valid.
 */
import type { Position, TextEdit } from './types';
import { lineStarts } from './yaml/located-yaml';

export function positionToOffset(starts: readonly number[], position: Position): number {
  return (starts[position.line] ?? starts[starts.length - 1] ?? 0) + position.character;
}

export function applyEdits(text: string, edits: readonly TextEdit[]): string {
  const starts = lineStarts(text);
  const resolved = edits
    .map((edit) => ({ start: positionToOffset(starts, edit.range.start), end: positionToOffset(starts, edit.range.end), newText: edit.newText }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  for (let i = 1; i < resolved.length; i++) {
    if ((resolved[i]?.end ?? 0) > (resolved[i - 1]?.start ?? 0)) throw new Error('overlapping edits');
  }
  let out = text;
  for (const edit of resolved) out = out.slice(0, edit.start) + edit.newText + out.slice(edit.end);
  return out;
}
