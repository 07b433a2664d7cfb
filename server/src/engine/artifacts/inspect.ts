/**
 * The static artifact inspector: one model file in, one verdict out. Nothing is ever unpickled,
 * imported or executed; pickle streams are walked opcode by opcode (pickle.ts).
 *
 * Formats (by content first, then by extension):
 * - zip archives: PyTorch checkpoints (.pt .pth .bin .ckpt and anything torch.save wrote: every
 *   `*.pkl` member, i.e. data.pkl and constants.pkl), .npz (every `.npy` member), .keras
 *   (config.json); archives nested inside are inspected up to `maxDepth`.
 * - tar: legacy PyTorch (< 0.4) checkpoints: the `pickle` and `sys_info` members and the pickles
 *   at the head of `storages` and `tensors`.
 * - raw pickles: .pkl .pickle .dill .dat, joblib files (inline numpy arrays followed; zlib/gzip
 *   compressed joblib files are decompressed within the budget), and legacy PyTorch files
 *   (0.4 – 1.5: five pickles in a row, then raw storage); several pickles one after another are
 *   all read.
 * - .npy: the header is checked, object arrays have their pickle payload walked.
 * - .safetensors: header size, JSON, dtypes, shapes and offsets are checked; nothing in the
 *   format can execute, so a valid file is clean.
 *
 * Verdict: dangerous (a dangerous import, or a Keras reference into a dangerous module) >
 * suspicious (imports outside the known-safe set of the file's framework, or Keras Lambda
 * bytecode) > incomplete (malformed, truncated, over budget, unsupported compression) > clean.
 * Files of an artifact extension that are not in a recognised format (`.bin` raw weights, `.dat`
 * data) get no verdict (`format` undefined).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { ArtifactError, Budget, bufferSource, Cursor, fileSource, formatBytes, type ByteSource } from './bytes';
import { checkSafetensorsHeader, looksLikeNpy, readNpyHeader, SAFETENSORS_MAX_HEADER, scanKerasConfig } from './formats';
import { bundledGlobalLists, classifyGlobal, type GlobalLists } from './lists';
import { GlobalCollector, readPickle, type ImportedGlobal } from './pickle';
import { looksLikeTar, readTarEntries } from './tar';
import { DEFAULT_ZIP_LIMITS, looksLikeZip, readZipDirectory, readZipMember, type ZipLimits } from './zip';

export type ArtifactFormat = 'pickle' | 'joblib' | 'torch-zip' | 'torch-legacy' | 'torch-tar' | 'numpy' | 'npz' | 'keras' | 'safetensors' | 'zip';
export type ArtifactVerdictKind = 'dangerous' | 'suspicious' | 'incomplete' | 'clean';

export interface ArtifactImport extends ImportedGlobal {
  /** The archive member holding the stream (data.pkl); undefined for a plain pickle. */
  member?: string;
  classification: 'dangerous' | 'unknown' | 'safe';
  reason?: string;
  category?: string;
}

export interface ArtifactIssue {
  kind: 'truncated' | 'malformed' | 'budget' | 'unsupported' | 'embedded-code' | 'dangerous-reference';
  member?: string;
  /** Byte offset in the member (or the file). */
  offset?: number;
  message: string;
}

export interface ArtifactInspection {
  file: string;
  /** Undefined when the file is not in a format we recognise (no verdict). */
  format?: ArtifactFormat;
  verdict: ArtifactVerdictKind;
  /** Every distinct import, dangerous first. */
  imports: ArtifactImport[];
  issues: ArtifactIssue[];
  /** One sentence: what was found. */
  summary: string;
  bytesRead: number;
  ms: number;
}

export interface InspectOptions {
  /** Defaults to the bundled lists. */
  lists?: GlobalLists;
  /** Bytes read or decompressed per file (default 512 MB). */
  maxBytes?: number;
  /** Time per file (default 10 s). */
  maxMillis?: number;
  zip?: Partial<ZipLimits>;
  /** Archives inside archives (default 3). */
  maxDepth?: number;
}

export const ARTIFACT_EXTENSIONS: ReadonlySet<string> = new Set(['.pkl', '.pickle', '.joblib', '.dill', '.dat', '.pt', '.pth', '.bin', '.ckpt', '.npy', '.npz', '.keras', '.safetensors']);

export function isArtifactPath(file: string): boolean {
  return ARTIFACT_EXTENSIONS.has(path.extname(file).toLowerCase());
}

const TORCH_FRAMEWORKS = ['python', 'torch', 'numpy'];
const NUMPY_FRAMEWORKS = ['python', 'numpy'];
/** Torch's legacy magic number, the first pickle of a 0.4 – 1.5 file. */
const TORCH_LEGACY_MAGIC = 0x1950a86a20f9469cfc6cn;

interface Context {
  budget: Budget;
  lists: GlobalLists;
  zip: ZipLimits;
  maxDepth: number;
  imports: ArtifactImport[];
  issues: ArtifactIssue[];
}

export function inspectArtifactFile(file: string, options: InspectOptions = {}): ArtifactInspection {
  const fd = fs.openSync(file, 'r');
  try {
    return inspectArtifact(file, fileSource(fd, fs.fstatSync(fd).size), options);
  } finally {
    fs.closeSync(fd);
  }
}

export function inspectArtifact(file: string, input: ByteSource | Uint8Array, options: InspectOptions = {}): ArtifactInspection {
  const started = performance.now();
  const source = input instanceof Uint8Array ? bufferSource(input) : input;
  const context: Context = {
    budget: new Budget(options.maxBytes ?? 512 * 1024 * 1024, options.maxMillis ?? 10_000),
    lists: options.lists ?? bundledGlobalLists(),
    zip: { ...DEFAULT_ZIP_LIMITS, ...options.zip },
    maxDepth: options.maxDepth ?? 3,
    imports: [],
    issues: [],
  };
  let format: ArtifactFormat | undefined;
  try {
    format = inspectSource(path.basename(file), source, context, 0, undefined);
  } catch (error) {
    if (!(error instanceof ArtifactError)) throw error;
    context.issues.push({ kind: error.kind, offset: error.offset, message: error.message });
    format ??= 'pickle';
  }
  return finish(file, format, context, performance.now() - started);
}

function finish(file: string, format: ArtifactFormat | undefined, context: Context, ms: number): ArtifactInspection {
  const order = { dangerous: 0, unknown: 1, safe: 2 };
  const imports = context.imports.sort((a, b) => order[a.classification] - order[b.classification]);
  const issues = context.issues;
  const dangerous = imports.some((i) => i.classification === 'dangerous') || issues.some((i) => i.kind === 'dangerous-reference');
  const suspicious = imports.some((i) => i.classification === 'unknown') || issues.some((i) => i.kind === 'embedded-code');
  const incomplete = issues.some((i) => i.kind !== 'embedded-code' && i.kind !== 'dangerous-reference');
  const verdict: ArtifactVerdictKind = dangerous ? 'dangerous' : suspicious ? 'suspicious' : incomplete ? 'incomplete' : 'clean';
  return { file, format, verdict, imports, issues, summary: summarise(format, verdict, imports, issues), bytesRead: context.budget.bytesUsed, ms };
}

/** A global as written in messages: `posix.system` (member data.pkl). */
export function importLabel(entry: ArtifactImport): string {
  return `${entry.module}.${entry.name}`;
}

function summarise(format: ArtifactFormat | undefined, verdict: ArtifactVerdictKind, imports: ArtifactImport[], issues: ArtifactIssue[]): string {
  const list = (items: string[]): string => (items.length > 4 ? `${items.slice(0, 4).join(', ')} and ${items.length - 4} more` : items.join(', '));
  switch (verdict) {
    case 'dangerous': {
      const names = imports.filter((i) => i.classification === 'dangerous').map((i) => `${importLabel(i)} (${i.category ?? 'dangerous'}${i.calls[0] ? `, called as ${i.calls[0]}` : ''})`);
      const refs = issues.filter((i) => i.kind === 'dangerous-reference').map((i) => i.message);
      return `dangerous: imports ${list([...names, ...refs])}`;
    }
    case 'suspicious': {
      const names = imports.filter((i) => i.classification === 'unknown').map(importLabel);
      const lambdas = issues.filter((i) => i.kind === 'embedded-code').length;
      const parts = [names.length > 0 ? `imports outside the known-safe set: ${list(names)}` : '', lambdas > 0 ? `${lambdas} Lambda layer${lambdas === 1 ? '' : 's'} with Python bytecode` : ''].filter(Boolean);
      return `suspicious: ${parts.join('; ')}`;
    }
    case 'incomplete':
      return `not fully inspected: ${issues[0]?.message ?? 'unknown problem'}`;
    case 'clean':
      return format === 'safetensors' ? 'clean: safetensors header well-formed, nothing executable (a data-only format)' : imports.length > 0 ? `clean: only known-safe imports (${list(imports.map(importLabel))})` : 'clean: no imports';
  }
}

function frameworksFor(format: ArtifactFormat): string[] | undefined {
  if (format === 'torch-zip' || format === 'torch-legacy' || format === 'torch-tar') return TORCH_FRAMEWORKS;
  if (format === 'numpy' || format === 'npz') return NUMPY_FRAMEWORKS;
  return undefined;
}

function record(context: Context, collector: GlobalCollector, member: string | undefined, frameworks: string[] | undefined): void {
  for (const entry of collector.globals.values()) {
    const classified = classifyGlobal(context.lists, entry.module, entry.name, frameworks);
    const existing = context.imports.find((i) => i.module === entry.module && i.name === entry.name);
    if (existing) {
      existing.count += entry.count;
      existing.callCount += entry.callCount;
      continue;
    }
    context.imports.push({
      ...entry,
      ...(member !== undefined ? { member } : {}),
      classification: classified.kind,
      ...(classified.kind !== 'unknown' ? { reason: classified.entry.reason, ...(classified.entry.category ? { category: classified.entry.category } : {}) } : {}),
    });
  }
}

/** Runs `read` and files any ArtifactError under `member`; imports collected so far are kept. */
function guarded(context: Context, member: string | undefined, collector: GlobalCollector, frameworks: string[] | undefined, read: () => void): void {
  try {
    read();
  } catch (error) {
    if (!(error instanceof ArtifactError)) throw error;
    context.issues.push({ kind: error.kind, ...(member !== undefined ? { member } : {}), offset: error.offset, message: error.message });
  } finally {
    record(context, collector, member, frameworks);
  }
}

/** Inspects one source (the file, or an archive member); returns its format. */
function inspectSource(name: string, source: ByteSource, context: Context, depth: number, member: string | undefined): ArtifactFormat | undefined {
  const extension = path.extname(name).toLowerCase();
  const head = source.read(0, 512);
  if (looksLikeZip(head)) return inspectZip(name, source, context, depth, member);
  if (looksLikeTar(head)) return inspectTar(source, context, member);
  if (extension === '.safetensors') return inspectSafetensors(source, context, member);
  if (extension === '.npy' || looksLikeNpy(head)) return inspectNpy(source, context, member);
  if (extension === '.joblib' && isCompressed(head)) return inspectCompressed(source, head, context, member);
  const pickleLike = head.length >= 2 && head[0] === 0x80 && head[1]! <= 5;
  const alwaysPickle = ['.pkl', '.pickle', '.dill', '.joblib'].includes(extension);
  if (!pickleLike && !alwaysPickle) return undefined;
  return inspectPickles(source, context, member, extension === '.joblib' ? 'joblib' : 'pickle');
}

function isCompressed(head: Buffer): boolean {
  return (head[0] === 0x78 && [0x01, 0x5e, 0x9c, 0xda].includes(head[1]!)) || (head[0] === 0x1f && head[1] === 0x8b) || head.toString('latin1', 0, 2) === 'ZF' || head.toString('latin1', 0, 3) === 'BZh' || (head[0] === 0xfd && head.toString('latin1', 1, 5) === '7zXZ') || (head[0] === 0x5d && head[1] === 0 && head[2] === 0) || head.readUInt32LE(0) === 0x184d2204;
}

function inspectCompressed(source: ByteSource, head: Buffer, context: Context, member: string | undefined): ArtifactFormat {
  const gzip = head[0] === 0x1f && head[1] === 0x8b;
  const zlibStream = head[0] === 0x78;
  if (!gzip && !zlibStream) {
    const kind = head.toString('latin1', 0, 2) === 'ZF' ? 'old joblib zlib' : head.toString('latin1', 0, 3) === 'BZh' ? 'bz2' : head[0] === 0xfd ? 'xz' : head[0] === 0x5d ? 'lzma' : 'lz4';
    context.issues.push({ kind: 'unsupported', ...(member !== undefined ? { member } : {}), offset: 0, message: `joblib file compressed with ${kind}, which the inspector does not decompress; its pickle was not read` });
    return 'joblib';
  }
  if (source.size > context.budget.remaining) throw new ArtifactError('budget', `compressed joblib file of ${formatBytes(source.size)} is over the inspection budget`, 0);
  const compressed = source.read(0, source.size);
  context.budget.charge(compressed.length, 0);
  let out: Buffer;
  try {
    const cap = Math.max(1, Math.min(context.budget.remaining, context.zip.maxMemberBytes));
    out = gzip ? zlib.gunzipSync(compressed, { maxOutputLength: cap }) : zlib.inflateSync(compressed, { maxOutputLength: cap });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw new ArtifactError('budget', `compressed joblib file inflates beyond ${formatBytes(context.zip.maxMemberBytes)} (zip bomb or very large model)`, 0);
    throw new ArtifactError('truncated', `compressed joblib file does not decompress (${(error as Error).message})`, 0);
  }
  context.budget.charge(out.length, 0);
  return inspectPickles(bufferSource(out), context, member, 'joblib');
}

/** One pickle, then any further pickles that follow (torch legacy files hold five). */
function inspectPickles(source: ByteSource, context: Context, member: string | undefined, format: ArtifactFormat): ArtifactFormat {
  const cursor = new Cursor(source, 0, source.size, context.budget);
  const collector = new GlobalCollector();
  let detected = format;
  let frameworks = frameworksFor(format);
  guarded(context, member, collector, undefined, () => {
    const first = readPickle(cursor, collector);
    if (first.result?.t === 'int' && first.result.v === TORCH_LEGACY_MAGIC) {
      detected = 'torch-legacy';
      frameworks = TORCH_FRAMEWORKS;
      // protocol version, sys_info, the object, the storage keys; raw storage bytes follow.
      for (let i = 0; i < 4; i++) readPickle(cursor, collector);
      return;
    }
    // More pickles appended one after another (read by repeated pickle.load calls).
    while (!cursor.atEnd() && cursor.peek() === 0x80) {
      const mark = cursor.offset;
      try {
        readPickle(cursor, collector);
      } catch (error) {
        // Trailing bytes that only looked like a pickle: what was read is kept, the rest ignored.
        if (error instanceof ArtifactError && error.kind !== 'budget' && mark > 0) return;
        throw error;
      }
    }
  });
  // Classification needs the framework, known only now: re-judge this member's entries.
  if (frameworks) for (const entry of context.imports) if (entry.member === member && entry.classification !== 'dangerous') reclassify(context, entry, frameworks);
  return detected;
}

function reclassify(context: Context, entry: ArtifactImport, frameworks: string[]): void {
  const classified = classifyGlobal(context.lists, entry.module, entry.name, frameworks);
  entry.classification = classified.kind;
  delete entry.reason;
  delete entry.category;
  if (classified.kind !== 'unknown') {
    entry.reason = classified.entry.reason;
    if (classified.entry.category) entry.category = classified.entry.category;
  }
}

function inspectZip(name: string, source: ByteSource, context: Context, depth: number, member: string | undefined): ArtifactFormat {
  const entries = readZipDirectory(source, context.budget, context.zip);
  const extension = path.extname(name).toLowerCase();
  const prefix = member !== undefined ? `${member}/` : '';
  let format: ArtifactFormat = extension === '.npz' ? 'npz' : extension === '.keras' ? 'keras' : 'zip';
  for (const entry of entries) {
    const memberName = prefix + entry.name;
    const lower = entry.name.toLowerCase();
    const base = lower.split('/').pop() ?? lower;
    try {
      if (base.endsWith('.pkl')) {
        if (format === 'zip') format = 'torch-zip';
        const bytes = readZipMember(source, entry, context.budget, context.zip);
        const collector = new GlobalCollector();
        const frameworks = format === 'torch-zip' ? TORCH_FRAMEWORKS : undefined;
        guarded(context, memberName, collector, frameworks, () => {
          readPickle(new Cursor(bufferSource(bytes), 0, bytes.length, context.budget), collector);
        });
      } else if (base.endsWith('.npy')) {
        if (format === 'zip') format = 'npz';
        inspectNpy(bufferSource(readZipMember(source, entry, context.budget, context.zip)), context, memberName);
      } else if (lower === 'config.json' && (format === 'keras' || entries.some((e) => e.name === 'metadata.json'))) {
        format = 'keras';
        inspectKerasConfig(readZipMember(source, entry, context.budget, context.zip), context, memberName);
      } else if (ARTIFACT_EXTENSIONS.has(path.extname(base)) && base !== 'data.pkl') {
        if (depth + 1 > context.maxDepth) throw new ArtifactError('malformed', `archives nested deeper than ${context.maxDepth} levels`, entry.localHeaderOffset);
        const bytes = readZipMember(source, entry, context.budget, context.zip);
        inspectSource(base, bufferSource(bytes), context, depth + 1, memberName);
      }
    } catch (error) {
      if (!(error instanceof ArtifactError)) throw error;
      context.issues.push({ kind: error.kind, member: memberName, offset: error.offset, message: error.message });
      if (error.kind === 'budget') break;
    }
  }
  return format;
}

function inspectTar(source: ByteSource, context: Context, member: string | undefined): ArtifactFormat {
  const entries = readTarEntries(source, context.budget);
  const prefix = member !== undefined ? `${member}/` : '';
  for (const entry of entries) {
    const base = entry.name.split('/').pop() ?? entry.name;
    if (!['sys_info', 'pickle', 'storages', 'tensors'].includes(base)) continue;
    const collector = new GlobalCollector();
    const cursor = new Cursor(source, entry.offset, entry.offset + entry.size, context.budget);
    guarded(context, prefix + entry.name, collector, TORCH_FRAMEWORKS, () => {
      const first = readPickle(cursor, collector);
      if (base !== 'storages' && base !== 'tensors') return;
      // A count, then per item a small pickle followed by raw data whose size we only know for
      // storages of a known element size; read as far as that goes.
      const count = first.result?.t === 'int' ? Number(first.result.v) : 0;
      for (let i = 0; i < count; i++) {
        const item = readPickle(cursor, collector);
        if (base === 'tensors') {
          const ndim = cursor.i32();
          cursor.skip(4);
          if (ndim < 0 || ndim > 64) throw new ArtifactError('malformed', `tensor with ${ndim} dimensions`, cursor.offset);
          cursor.skip(16 * ndim + 8);
        } else {
          const type = item.result?.t === 'tuple' ? item.result.items[2] : undefined;
          const size = type?.t === 'global' ? LEGACY_ELEMENT_SIZES[type.name] : undefined;
          if (size === undefined) throw new ArtifactError('unsupported', 'legacy storages member: unknown storage type, rest not read', cursor.offset);
          const numel = cursor.u64();
          cursor.skip(numel * size);
        }
      }
    });
  }
  return 'torch-tar';
}

const LEGACY_ELEMENT_SIZES: Readonly<Record<string, number>> = {
  DoubleStorage: 8, FloatStorage: 4, HalfStorage: 2, LongStorage: 8, IntStorage: 4, ShortStorage: 2, CharStorage: 1, ByteStorage: 1, BoolStorage: 1,
};

function inspectNpy(source: ByteSource, context: Context, member: string | undefined): ArtifactFormat {
  const headLength = Math.min(source.size, (1 << 20) + 16);
  context.budget.charge(headLength);
  const header = readNpyHeader(source.read(0, headLength));
  if (header.hasObject) {
    const collector = new GlobalCollector();
    guarded(context, member, collector, NUMPY_FRAMEWORKS, () => {
      readPickle(new Cursor(source, header.dataOffset, source.size, context.budget), collector);
    });
  } else if (header.dataBytes !== undefined && source.size - header.dataOffset < header.dataBytes) {
    context.issues.push({ kind: 'truncated', ...(member !== undefined ? { member } : {}), offset: source.size, message: `npy: ${header.dataBytes} bytes of array data expected, ${source.size - header.dataOffset} present` });
  }
  return 'numpy';
}

function inspectSafetensors(source: ByteSource, context: Context, member: string | undefined): ArtifactFormat {
  const where = member !== undefined ? { member } : {};
  if (source.size < 8) throw new ArtifactError('truncated', 'safetensors: file shorter than its 8-byte header length', 0);
  const lengthBytes = source.read(0, 8);
  const length = lengthBytes.readBigUInt64LE(0);
  if (length > BigInt(SAFETENSORS_MAX_HEADER)) {
    context.issues.push({ kind: 'malformed', ...where, offset: 0, message: `safetensors: header length ${length} is over the 100 MB limit` });
    return 'safetensors';
  }
  if (8n + length > BigInt(source.size)) {
    context.issues.push({ kind: 'truncated', ...where, offset: 0, message: `safetensors: header length ${length} runs past the end of the file (${source.size} bytes)` });
    return 'safetensors';
  }
  context.budget.charge(Number(length) + 8, 0);
  const check = checkSafetensorsHeader(source.read(8, Number(length)), source.size);
  for (const problem of check.problems.slice(0, 10)) context.issues.push({ kind: 'malformed', ...where, offset: problem.offset, message: `safetensors: ${problem.message}` });
  return 'safetensors';
}

function inspectKerasConfig(bytes: Buffer, context: Context, member: string): void {
  let config: unknown;
  try {
    config = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ArtifactError('malformed', `config.json is not valid JSON (${(error as Error).message})`, 0);
  }
  for (const found of scanKerasConfig(config)) {
    if (found.kind === 'lambda') {
      context.issues.push({ kind: 'embedded-code', member, message: `${found.message} (at ${found.where || 'the root'})` });
    } else if (found.module && found.name) {
      const classified = classifyGlobal(context.lists, found.module, found.name);
      if (classified.kind === 'dangerous') {
        context.issues.push({ kind: 'dangerous-reference', member, message: `${found.module}.${found.name} (${classified.entry.category ?? 'dangerous'}, referenced at ${found.where || 'the root'})` });
      }
    }
  }
}
