/**
 * For what is counted over a document's text and kept up across its versions (a text filter's
 * matches, in the language server): the lines around what changed between two versions, in each.
 * Whatever lies wholly before or after them is the same in both texts, so counts taken over the
 * old lines can be taken back and the new lines' added.
 *
 * That holds only for matches that never cross the boundaries chosen; the caller says which line
 * starts none of its matches can cross (`safe`). A line start is taken as a boundary only when it
 * is safe in both versions; the window grows a line at a time until both of its ends are.
 */
import type { TextSource } from './chunked-text';
import { changedStretch } from './text-diff';

/** Whether no match of the caller's crosses the line start `at` of `text` (0 and the end are always safe). */
export type SafeLineStart = (text: TextSource, at: number) => boolean;

/** Characters read at a time when looking for a line break. */
const READ = 256;

/** Where the line holding `offset` starts. */
export function lineStartOf(text: TextSource, offset: number): number {
  for (let end = Math.min(offset, text.length); end > 0; end -= READ) {
    const start = Math.max(0, end - READ);
    const at = text.slice(start, end).lastIndexOf('\n');
    if (at >= 0) return start + at + 1;
  }
  return 0;
}

/** Where the line after the one holding `offset` starts (the end of the text after the last line). */
export function nextLineStart(text: TextSource, offset: number): number {
  for (let start = Math.max(0, offset); start < text.length; start += READ) {
    const at = text.slice(start, start + READ).indexOf('\n');
    if (at >= 0) return start + at + 1;
  }
  return text.length;
}

/**
 * The lines that hold what changed from `before` to `after`, with the line after the change (its
 * first character may have met the changed text), widened to line starts `safe` in both: [start,
 * end) in each text. Undefined when the texts are the same.
 */
export function editedLines(before: TextSource, after: TextSource, safe: SafeLineStart): { before: [number, number]; after: [number, number] } | undefined {
  const { start, oldEnd, newEnd } = changedStretch(before, after);
  if (start === oldEnd && start === newEnd && before.length === after.length) return undefined;
  // Before `start` both texts are the same.
  let from = lineStartOf(after, start);
  while (from > 0 && !(safe(before, from) && safe(after, from))) from = lineStartOf(after, from - 1);
  // After the change both texts are the same: a boundary there is as far from the end in each.
  let fromEnd = after.length - nextLineStart(after, newEnd);
  while (fromEnd > 0 && !(safe(before, before.length - fromEnd) && safe(after, after.length - fromEnd))) {
    fromEnd = after.length - nextLineStart(after, after.length - fromEnd);
  }
  return { before: [from, before.length - fromEnd], after: [from, after.length - fromEnd] };
}
