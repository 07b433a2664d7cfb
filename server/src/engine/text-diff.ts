/**
 * Where two versions of a text differ, found by comparing them from both ends: a keystroke
 * changes one stretch, and everything before and after it is the same.
 */

const SLICE = 4096;

/** Length of the common prefix of two texts; slices are compared natively, characters only in the last one. */
export function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i + SLICE <= limit && a.slice(i, i + SLICE) === b.slice(i, i + SLICE)) i += SLICE;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of two texts, not reaching into a common prefix of length `prefix`. */
export function commonSuffix(a: string, b: string, prefix: number): number {
  const limit = Math.min(a.length, b.length) - prefix;
  let n = 0;
  while (n + SLICE <= limit && a.slice(a.length - n - SLICE, a.length - n) === b.slice(b.length - n - SLICE, b.length - n)) n += SLICE;
  while (n < limit && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}

/**
 * The one stretch that differs between two versions: [start, oldEnd) of `before` became
 * [start, newEnd) of `after`. The common prefix is taken first (a repeated character typed is
 * placed at the end of its run).
 */
export function changedStretch(before: string, after: string): { start: number; oldEnd: number; newEnd: number } {
  const start = commonPrefix(before, after);
  const suffix = commonSuffix(before, after, start);
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}
