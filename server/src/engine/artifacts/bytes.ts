/**
 * Random-access bytes for the artifact readers, and a forward cursor over them with a bounded
 * window. Model files are often gigabytes: readers ask only for the ranges they need (a zip's
 * central directory, a pickle member, a safetensors header), and skipping bulk data (tensor
 * storage, inline numpy arrays) moves the position without reading anything.
 *
 * Every read is charged to a Budget (bytes read or decompressed, and wall-clock time); running
 * out throws an ArtifactError, which the inspector turns into a located "incomplete" verdict.
 */
import * as fs from 'node:fs';

export type ArtifactErrorKind = 'truncated' | 'malformed' | 'budget' | 'unsupported';

/** A problem that stops the reading of one artifact (or one member of it), at a byte offset. */
export class ArtifactError extends Error {
  constructor(
    readonly kind: ArtifactErrorKind,
    message: string,
    /** Offset in the member (or file) being read, when known. */
    readonly offset?: number,
  ) {
    super(message);
  }
}

export interface ByteSource {
  readonly size: number;
  /** Bytes [offset, offset + length), clipped at the end of the source. */
  read(offset: number, length: number): Buffer;
}

export function bufferSource(buffer: Uint8Array): ByteSource {
  const bytes = Buffer.isBuffer(buffer) ? buffer : Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  return {
    size: bytes.length,
    read: (offset, length) => bytes.subarray(Math.max(0, offset), Math.min(bytes.length, offset + length)),
  };
}

/** Reads through an open file descriptor; the caller closes it. */
export function fileSource(fd: number, size: number): ByteSource {
  return {
    size,
    read(offset, length) {
      const wanted = Math.max(0, Math.min(length, size - offset));
      const out = Buffer.allocUnsafe(wanted);
      let done = 0;
      while (done < wanted) {
        const n = fs.readSync(fd, out, done, wanted - done, offset + done);
        if (n === 0) break;
        done += n;
      }
      return done === wanted ? out : out.subarray(0, done);
    },
  };
}

/** Per-file limits: bytes read or decompressed, and time. */
export class Budget {
  private bytes = 0;
  private readonly deadline: number;

  constructor(
    readonly maxBytes: number,
    readonly maxMillis: number,
  ) {
    this.deadline = performance.now() + maxMillis;
  }

  get bytesUsed(): number {
    return this.bytes;
  }

  charge(bytes: number, offset?: number): void {
    this.bytes += bytes;
    if (this.bytes > this.maxBytes) throw new ArtifactError('budget', `inspection budget of ${formatBytes(this.maxBytes)} exhausted`, offset);
  }

  /** Remaining bytes (for decompression caps). */
  get remaining(): number {
    return Math.max(0, this.maxBytes - this.bytes);
  }

  checkTime(offset?: number): void {
    if (performance.now() > this.deadline) throw new ArtifactError('budget', `inspection time budget of ${this.maxMillis} ms exhausted`, offset);
  }
}

export function formatBytes(n: number): string {
  if (n >= 1024 * 1024 * 1024) return `${(n / 1024 / 1024 / 1024).toFixed(1)} GB`;
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${n} B`;
}

const WINDOW = 1 << 20;
/** Strings up to this many bytes are decoded in JavaScript when they are ASCII. */
const SHORT_TEXT = 32;
/** Longest text line (protocol 0 arguments) accepted. */
const MAX_LINE = 1 << 16;

/**
 * A forward reader over [start, end) of a source. Offsets it reports are relative to `start`
 * (the member being read), which is what findings cite.
 */
export class Cursor {
  private buffer: Buffer = Buffer.alloc(0);
  /** Absolute offset of buffer[0]. */
  private bufferStart = 0;
  /** Absolute position. */
  private position: number;

  constructor(
    private readonly source: ByteSource,
    private readonly start: number,
    private readonly end: number,
    private readonly budget: Budget,
  ) {
    this.position = start;
  }

  /** Position relative to the start of the range. */
  get offset(): number {
    return this.position - this.start;
  }

  get remaining(): number {
    return this.end - this.position;
  }

  checkTime(): void {
    this.budget.checkTime(this.offset);
  }

  atEnd(): boolean {
    return this.position >= this.end;
  }

  private fill(n: number): void {
    const have = this.bufferStart + this.buffer.length - this.position;
    if (this.position >= this.bufferStart && have >= n) return;
    if (this.position + n > this.end) throw new ArtifactError('truncated', `unexpected end of data (needed ${n} more byte${n === 1 ? '' : 's'})`, this.offset);
    const length = Math.min(Math.max(n, WINDOW), this.end - this.position);
    this.budget.charge(length, this.offset);
    this.buffer = this.source.read(this.position, length);
    this.bufferStart = this.position;
    if (this.buffer.length < n) throw new ArtifactError('truncated', 'unexpected end of file', this.offset);
  }

  peek(): number | undefined {
    if (this.atEnd()) return undefined;
    this.fill(1);
    return this.buffer[this.position - this.bufferStart];
  }

  u8(): number {
    this.fill(1);
    return this.buffer[this.position++ - this.bufferStart]!;
  }

  /** n bytes as a view (valid until the next read); n must be at most the window size. */
  bytes(n: number): Buffer {
    if (n > WINDOW) throw new ArtifactError('malformed', `field of ${n} bytes is too long to read`, this.offset);
    this.fill(n);
    const from = this.position - this.bufferStart;
    this.position += n;
    return this.buffer.subarray(from, from + n);
  }

  /** Moves over n bytes without reading them. */
  skip(n: number): void {
    if (n < 0 || this.position + n > this.end) throw new ArtifactError('truncated', `data of ${n} bytes runs past the end (${this.end - this.position} left)`, this.offset);
    this.position += n;
  }

  /** Index of the next n bytes in the window (no allocation). */
  private take(n: number): number {
    this.fill(n);
    const at = this.position - this.bufferStart;
    this.position += n;
    return at;
  }

  u16(): number {
    const at = this.take(2); // before reading this.buffer: take() may replace it
    return this.buffer.readUInt16LE(at);
  }

  u32(): number {
    const at = this.take(4); // before reading this.buffer: take() may replace it
    return this.buffer.readUInt32LE(at);
  }

  i32(): number {
    const at = this.take(4); // before reading this.buffer: take() may replace it
    return this.buffer.readInt32LE(at);
  }

  f64be(): number {
    const at = this.take(8); // before reading this.buffer: take() may replace it
    return this.buffer.readDoubleBE(at);
  }

  /** n bytes decoded as text (n at most the window size). */
  text(n: number, encoding: 'utf8' | 'latin1'): string {
    if (n > WINDOW) throw new ArtifactError('malformed', `field of ${n} bytes is too long to read`, this.offset);
    const at = this.take(n);
    const buffer = this.buffer;
    if (n <= SHORT_TEXT) {
      // Short ASCII strings (state_dict keys, module names) decoded here: cheaper than a native call.
      let text = '';
      for (let i = at; i < at + n; i++) {
        const byte = buffer[i]!;
        if (byte >= 0x80) return buffer.toString(encoding, at, at + n);
        text += String.fromCharCode(byte);
      }
      return text;
    }
    return buffer.toString(encoding, at, at + n);
  }

  /** An 8-byte little-endian length; beyond 2^53 it cannot be anything real. */
  u64(): number {
    const value = this.bytes(8).readBigUInt64LE(0);
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArtifactError('malformed', `length ${value} is out of range`, this.offset - 8);
    return Number(value);
  }

  /** Bytes up to a newline (consumed, not returned), latin-1 decoded. */
  line(): string {
    const startOffset = this.offset;
    let out = '';
    for (;;) {
      if (this.atEnd()) throw new ArtifactError('truncated', 'unexpected end of data inside a text argument (no newline)', startOffset);
      this.fill(1);
      const from = this.position - this.bufferStart;
      const stop = this.buffer.indexOf(10, from);
      if (stop >= 0) {
        out += this.buffer.toString('latin1', from, stop);
        this.position += stop - from + 1;
        if (out.length > MAX_LINE) throw new ArtifactError('malformed', 'text argument longer than 64 KB', startOffset);
        return out;
      }
      out += this.buffer.toString('latin1', from);
      this.position += this.buffer.length - from;
      if (out.length > MAX_LINE) throw new ArtifactError('malformed', 'text argument longer than 64 KB', startOffset);
    }
  }
}
