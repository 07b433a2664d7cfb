/**
 * Where two versions of a text differ, found by comparing them from both ends: a keystroke
 * changes one stretch, and everything before and after it is the same.
 */
import { ChunkedText, type TextSource } from './chunked-text';

const SLICE = 4096;

/** Length of the common prefix of two texts from `from` on (known equal before it); slices are compared natively, characters only in the last one. */
export function commonPrefix(a: TextSource, b: TextSource, from = 0): number {
  const limit = Math.min(a.length, b.length);
  let i = from;
  while (i + SLICE <= limit && a.slice(i, i + SLICE) === b.slice(i, i + SLICE)) i += SLICE;
  const x = a.slice(i, Math.min(limit, i + SLICE));
  const y = b.slice(i, Math.min(limit, i + SLICE));
  let k = 0;
  while (k < x.length && x.charCodeAt(k) === y.charCodeAt(k)) k++;
  return i + k;
}

/** Length of the common suffix of two texts, not reaching into a common prefix of length `prefix`, from `from` characters on (known equal). */
export function commonSuffix(a: TextSource, b: TextSource, prefix: number, from = 0): number {
  const limit = Math.min(a.length, b.length) - prefix;
  let n = Math.min(from, limit);
  while (n + SLICE <= limit && a.slice(a.length - n - SLICE, a.length - n) === b.slice(b.length - n - SLICE, b.length - n)) n += SLICE;
  const size = Math.min(SLICE, limit - n);
  const x = a.slice(a.length - n - size, a.length - n);
  const y = b.slice(b.length - n - size, b.length - n);
  let k = 0;
  while (k < size && x.charCodeAt(size - 1 - k) === y.charCodeAt(size - 1 - k)) k++;
  return n + k;
}

/**
 * The one stretch that differs between two versions: [start, oldEnd) of `before` became
 * [start, newEnd) of `after`. The common prefix is taken first (a repeated character typed is
 * placed at the end of its run). Two versions of a ChunkedText skip the chunks they share.
 */
export function changedStretch(before: TextSource, after: TextSource): { start: number; oldEnd: number; newEnd: number } {
  const shared = before instanceof ChunkedText && after instanceof ChunkedText ? ChunkedText.sharedEnds(before, after) : { prefix: 0, suffix: 0 };
  const start = commonPrefix(before, after, shared.prefix);
  const suffix = commonSuffix(before, after, start, shared.suffix);
  return { start, oldEnd: before.length - suffix, newEnd: after.length - suffix };
}
