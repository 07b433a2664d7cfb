/**
 * A minimal zip reader (PyTorch checkpoints, .npz, .keras): the central directory, ZIP64, and
 * stored or deflated members, with zip-bomb guards. Only the members an inspector asks for are
 * read; tensor storage is never touched.
 *
 * Guards: entry count, central directory size, members overlapping one another (the
 * "overlapping files" bomb), a declared compression ratio above `maxRatio` on a large member,
 * a total declared size above `maxTotalBytes`, and inflation capped at the member limit whatever
 * the header claims (the output is cut off, not trusted).
 */
import * as zlib from 'node:zlib';
import { ArtifactError, formatBytes, type Budget, type ByteSource } from './bytes';

export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
  flags: number;
}

export interface ZipLimits {
  maxEntries: number;
  /** Largest member we decompress or read. */
  maxMemberBytes: number;
  /** Declared uncompressed / compressed above this, on a member over `ratioFloorBytes`, is a bomb. */
  maxRatio: number;
  ratioFloorBytes: number;
  /** Sum of declared uncompressed sizes. */
  maxTotalBytes: number;
}

export const DEFAULT_ZIP_LIMITS: ZipLimits = {
  maxEntries: 200_000,
  maxMemberBytes: 256 * 1024 * 1024,
  maxRatio: 500,
  ratioFloorBytes: 64 * 1024 * 1024,
  maxTotalBytes: 64 * 1024 * 1024 * 1024,
};

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

export function looksLikeZip(head: Buffer): boolean {
  return head.length >= 4 && head[0] === 0x50 && head[1] === 0x4b && ((head[2] === 3 && head[3] === 4) || (head[2] === 5 && head[3] === 6));
}

function u64(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArtifactError('malformed', 'zip: 64-bit field out of range');
  return Number(value);
}

/** The central directory, checked for bombs. */
export function readZipDirectory(source: ByteSource, budget: Budget, limits: ZipLimits = DEFAULT_ZIP_LIMITS): ZipEntry[] {
  const tailLength = Math.min(source.size, 22 + 0xffff);
  const tailStart = source.size - tailLength;
  const tail = source.read(tailStart, tailLength);
  budget.charge(tail.length);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArtifactError('truncated', 'zip: no end-of-central-directory record (truncated archive?)', source.size);
  let count = tail.readUInt16LE(eocd + 10);
  let directorySize = tail.readUInt32LE(eocd + 12);
  let directoryOffset = tail.readUInt32LE(eocd + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locatorAt = eocd - 20;
    if (locatorAt < 0 || tail.readUInt32LE(locatorAt) !== ZIP64_LOCATOR) throw new ArtifactError('malformed', 'zip: ZIP64 locator missing', tailStart + eocd);
    const recordOffset = u64(tail, locatorAt + 8);
    const record = source.read(recordOffset, 56);
    if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_EOCD) throw new ArtifactError('malformed', 'zip: ZIP64 end-of-central-directory record missing', recordOffset);
    count = u64(record, 32);
    directorySize = u64(record, 40);
    directoryOffset = u64(record, 48);
  }
  if (count > limits.maxEntries) throw new ArtifactError('malformed', `zip: ${count} entries (limit ${limits.maxEntries})`);
  if (directoryOffset + directorySize > source.size) throw new ArtifactError('truncated', `zip: central directory runs past the end of the file (${formatBytes(source.size)})`, directoryOffset);
  if (directorySize > 256 * 1024 * 1024) throw new ArtifactError('malformed', 'zip: central directory larger than 256 MB');
  budget.charge(directorySize, directoryOffset);
  const directory = source.read(directoryOffset, directorySize);

  const entries: ZipEntry[] = [];
  let at = 0;
  let total = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== CENTRAL) throw new ArtifactError('malformed', `zip: central directory entry ${i} is damaged`, directoryOffset + at);
    const flags = directory.readUInt16LE(at + 8);
    const method = directory.readUInt16LE(at + 10);
    let compressedSize = directory.readUInt32LE(at + 20);
    let uncompressedSize = directory.readUInt32LE(at + 24);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    let localHeaderOffset = directory.readUInt32LE(at + 42);
    if (at + 46 + nameLength + extraLength + commentLength > directory.length) throw new ArtifactError('malformed', `zip: central directory entry ${i} runs past the directory`, directoryOffset + at);
    const name = directory.toString('utf8', at + 46, at + 46 + nameLength);
    // ZIP64 extended information: the 0xffffffff fields, in order.
    let extra = at + 46 + nameLength;
    const extraEnd = extra + extraLength;
    while (extra + 4 <= extraEnd) {
      const id = directory.readUInt16LE(extra);
      const size = directory.readUInt16LE(extra + 2);
      if (id === 0x0001) {
        let field = extra + 4;
        if (uncompressedSize === 0xffffffff && field + 8 <= extra + 4 + size) (uncompressedSize = u64(directory, field)), (field += 8);
        if (compressedSize === 0xffffffff && field + 8 <= extra + 4 + size) (compressedSize = u64(directory, field)), (field += 8);
        if (localHeaderOffset === 0xffffffff && field + 8 <= extra + 4 + size) localHeaderOffset = u64(directory, field);
      }
      extra += 4 + size;
    }
    if (localHeaderOffset + 30 + compressedSize > source.size) {
      throw new ArtifactError('truncated', `zip: member ${name} (${formatBytes(compressedSize)}) runs past the end of the file`, localHeaderOffset);
    }
    if (uncompressedSize > limits.ratioFloorBytes && compressedSize > 0 && uncompressedSize / compressedSize > limits.maxRatio) {
      throw new ArtifactError('malformed', `zip bomb: member ${name} claims ${formatBytes(uncompressedSize)} from ${formatBytes(compressedSize)} (ratio ${Math.round(uncompressedSize / compressedSize)}:1)`, localHeaderOffset);
    }
    total += uncompressedSize;
    entries.push({ name, method, compressedSize, uncompressedSize, localHeaderOffset, flags });
    at = extraEnd + commentLength;
  }
  if (total > limits.maxTotalBytes) throw new ArtifactError('malformed', `zip bomb: members claim ${formatBytes(total)} in a ${formatBytes(source.size)} file`);
  // Members sharing bytes: the overlapping-files zip bomb (or a damaged archive).
  const sorted = [...entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < sorted.length; i++) {
    const previous = sorted[i - 1]!;
    const current = sorted[i]!;
    if (previous.localHeaderOffset + 30 + Buffer.byteLength(previous.name) + previous.compressedSize > current.localHeaderOffset) {
      throw new ArtifactError('malformed', `zip bomb: members ${previous.name} and ${current.name} overlap`, current.localHeaderOffset);
    }
  }
  return entries;
}

/** Where a member's data starts (after its local header). */
function dataOffset(source: ByteSource, entry: ZipEntry, budget: Budget): number {
  const header = source.read(entry.localHeaderOffset, 30);
  budget.charge(30);
  if (header.length < 30 || header.readUInt32LE(0) !== LOCAL) throw new ArtifactError('malformed', `zip: local header of ${entry.name} is damaged`, entry.localHeaderOffset);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > source.size) throw new ArtifactError('truncated', `zip: member ${entry.name} runs past the end of the file`, entry.localHeaderOffset);
  return start;
}

/** A member's bytes (stored or deflated), within the member limit and the budget. */
export function readZipMember(source: ByteSource, entry: ZipEntry, budget: Budget, limits: ZipLimits = DEFAULT_ZIP_LIMITS): Buffer {
  if (entry.flags & 1) throw new ArtifactError('unsupported', `zip: member ${entry.name} is encrypted`, entry.localHeaderOffset);
  if (entry.uncompressedSize > limits.maxMemberBytes) throw new ArtifactError('budget', `zip: member ${entry.name} is ${formatBytes(entry.uncompressedSize)} (limit ${formatBytes(limits.maxMemberBytes)})`, entry.localHeaderOffset);
  const start = dataOffset(source, entry, budget);
  budget.charge(entry.compressedSize, start);
  const data = source.read(start, entry.compressedSize);
  if (entry.method === 0) return data;
  if (entry.method !== 8) throw new ArtifactError('unsupported', `zip: member ${entry.name} uses compression method ${entry.method}`, entry.localHeaderOffset);
  const cap = Math.min(limits.maxMemberBytes, budget.remaining, entry.uncompressedSize);
  let out: Buffer;
  try {
    out = zlib.inflateRawSync(data, { maxOutputLength: Math.max(1, cap) });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ArtifactError('malformed', `zip bomb: member ${entry.name} inflates beyond its declared ${formatBytes(entry.uncompressedSize)}`, entry.localHeaderOffset);
    throw new ArtifactError('truncated', `zip: member ${entry.name} does not inflate (${(error as Error).message})`, entry.localHeaderOffset);
  }
  budget.charge(out.length, start);
  if (out.length !== entry.uncompressedSize) throw new ArtifactError('truncated', `zip: member ${entry.name} inflates to ${out.length} bytes, not the declared ${entry.uncompressedSize}`, entry.localHeaderOffset);
  return out;
}
