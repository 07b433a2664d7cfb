/**
 * The text of a document being edited, kept as chunks of a few thousand characters so that a
 * keystroke never copies the whole text.
 *
 * A JavaScript string cannot be changed in place: `before + typed + after` is a rope that V8
 * flattens into one new string at the first read. For a 5,000-line file that is a 200 kB string,
 * allocated where V8 puts large objects, on fresh pages: 1.0 ms per keystroke on the 2-core VM we
 * measure on (3.3 ms at 20,000 lines), a third of the whole work of a keystroke. Here an edit
 * rebuilds the chunks it touches; the others are shared with the version before, which stays
 * valid (a version is never changed once made).
 *
 * Code that reads the text of a version being analysed takes a `TextSource`: a plain string is
 * one, so the CLI and the tests pass strings, and the language server passes a ChunkedText.
 * Offsets are UTF-16 code units, as in strings.
 */

/** What the analysis of an edited document reads of its text: its length and slices of it. */
export interface TextSource {
  readonly length: number;
  slice(start?: number, end?: number): string;
}

/** The whole text as one string: the string itself, or a ChunkedText joined (once). */
export function wholeText(text: TextSource): string {
  return typeof text === 'string' ? text : text.toString();
}

/** Length chunks are cut to; an edited chunk is cut again once it grows past twice this. */
const CHUNK = 8192;

export class ChunkedText implements TextSource {
  private joined: string | undefined;

  private constructor(
    /** Length chunks are cut to (CHUNK, but for tests of the boundaries). */
    private readonly chunkLength: number,
    /** Non-empty pieces in order (no pieces for an empty text). */
    private readonly chunks: readonly string[],
    /** Where each chunk starts. */
    private readonly starts: readonly number[],
    readonly length: number,
  ) {}

  static of(text: string, chunkLength = CHUNK): ChunkedText {
    const chunks = cut(text, chunkLength);
    const chunked = new ChunkedText(chunkLength, chunks, startsOf(chunks, 0, [], 0), text.length);
    chunked.joined = text;
    return chunked;
  }

  /**
   * The text the pieces make in order, kept as those pieces (empty ones left out): a text made of
   * parts that are mostly the same from one version to the next (a notebook's cells) is never
   * joined, and the parts that did not change are the same chunks in both.
   */
  static ofPieces(pieces: readonly string[]): ChunkedText {
    const chunks = pieces.filter((piece) => piece.length > 0);
    const starts = startsOf(chunks, 0, [], 0);
    const length = chunks.length > 0 ? starts[starts.length - 1]! + chunks[chunks.length - 1]!.length : 0;
    return new ChunkedText(CHUNK, chunks, starts, length);
  }

  /** The text with [start, oldEnd) replaced by `newText` (offsets are clamped to the text). */
  edit(start: number, oldEnd: number, newText: string): ChunkedText {
    start = clamp(start, this.length);
    oldEnd = Math.max(start, clamp(oldEnd, this.length));
    if (this.chunks.length === 0) return ChunkedText.of(newText, this.chunkLength);
    const first = this.chunkAt(start);
    // The chunk holding the last replaced character (or the first chunk, when nothing is replaced).
    const last = oldEnd > start ? this.chunkAt(oldEnd - 1) : first;
    const merged = this.chunks[first]!.slice(0, start - this.starts[first]!) + newText + this.chunks[last]!.slice(oldEnd - this.starts[last]!);
    const pieces = merged.length > 2 * this.chunkLength ? cut(merged, this.chunkLength) : merged.length > 0 ? [merged] : [];
    const chunks = [...this.chunks.slice(0, first), ...pieces, ...this.chunks.slice(last + 1)];
    const starts = startsOf(chunks, first, this.starts, this.starts[first]!);
    return new ChunkedText(this.chunkLength, chunks, starts, this.length - (oldEnd - start) + newText.length);
  }

  /** As String.prototype.slice (negative offsets count from the end). */
  slice(start = 0, end = this.length): string {
    start = start < 0 ? Math.max(0, this.length + start) : Math.min(start, this.length);
    end = end < 0 ? Math.max(0, this.length + end) : Math.min(end, this.length);
    if (end <= start) return '';
    if (this.joined !== undefined) return this.joined.slice(start, end);
    const first = this.chunkAt(start);
    const offset = start - this.starts[first]!;
    const chunk = this.chunks[first]!;
    if (end - this.starts[first]! <= chunk.length) return chunk.slice(offset, end - this.starts[first]!);
    if (start === 0 && end === this.length) return this.toString();
    let result = chunk.slice(offset);
    for (let index = first + 1; index < this.chunks.length && this.starts[index]! < end; index++) {
      result += this.chunks[index]!.slice(0, end - this.starts[index]!);
    }
    return result;
  }

  /**
   * Text from `index` to the end of the chunk holding it (the empty string at the end): what a
   * reader that reads on (the parser, a node's text) takes. A slice of one chunk is not a copy;
   * a read across two chunks would join them, and reading a node's text out of that copies it.
   */
  rest(index: number): string {
    if (index < 0 || index >= this.length) return '';
    if (this.joined !== undefined) return this.joined.slice(index);
    const chunk = this.chunkAt(index);
    return this.chunks[chunk]!.slice(index - this.starts[chunk]!);
  }

  charCodeAt(index: number): number {
    if (index < 0 || index >= this.length) return Number.NaN;
    const chunk = this.chunkAt(index);
    return this.chunks[chunk]!.charCodeAt(index - this.starts[chunk]!);
  }

  /** The whole text, joined at the first call. */
  toString(): string {
    this.joined ??= this.chunks.join('');
    return this.joined;
  }

  /**
   * How many characters at the start, and at the end, two versions have in equal chunks at the
   * same places: what a keystroke left alone, found without comparing characters (the chunks an
   * edit did not touch are the same string objects, which compare equal at once). The rest may
   * still be the same, character by character.
   */
  static sharedEnds(a: ChunkedText, b: ChunkedText): { prefix: number; suffix: number } {
    let first = 0;
    while (first < a.chunks.length && first < b.chunks.length && a.chunks[first] === b.chunks[first]) first++;
    const prefix = first < a.chunks.length ? a.starts[first]! : a.length;
    // From the end, never into the chunks already counted at the start (of either version).
    const limit = Math.min(a.chunks.length, b.chunks.length) - first;
    let fromEnd = 0;
    while (fromEnd < limit && a.chunks[a.chunks.length - 1 - fromEnd] === b.chunks[b.chunks.length - 1 - fromEnd]) fromEnd++;
    const suffix = fromEnd === 0 ? 0 : a.length - a.starts[a.chunks.length - fromEnd]!;
    return { prefix, suffix };
  }

  /** The chunk holding `offset` (the last chunk for the offset at the end). */
  private chunkAt(offset: number): number {
    let low = 0;
    let high = this.chunks.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= offset) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}

function clamp(offset: number, length: number): number {
  return Math.max(0, Math.min(offset, length));
}

/** `text` in pieces of `length` characters (a surrogate pair may be split: offsets are code units, as in strings). */
function cut(text: string, length: number): string[] {
  const chunks: string[] = [];
  for (let at = 0; at < text.length; at += length) chunks.push(text.slice(at, at + length));
  return chunks;
}

/** Chunk starts: those before `from` kept from `previous`, the rest summed from `at`. */
function startsOf(chunks: readonly string[], from: number, previous: readonly number[], at: number): number[] {
  const starts = previous.slice(0, from);
  for (let index = from; index < chunks.length; index++) {
    starts.push(at);
    at += chunks[index]!.length;
  }
  return starts;
}
