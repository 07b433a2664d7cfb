/**
 * Readers for the non-pickle parts of model formats: the .npy header (a Python dict literal,
 * parsed here, never evaluated), the safetensors header, and the Keras archive's config.json.
 */
import { ArtifactError } from './bytes';
import { dtypeItemSize } from './pickle';

// ------------------------------------------------------------------ .npy

export interface NpyHeader {
  /** Offset of the array data (or of the pickle, for object arrays). */
  dataOffset: number;
  descr: unknown;
  shape: number[];
  fortranOrder: boolean;
  hasObject: boolean;
  /** Bytes of data for non-object arrays, when the dtype is understood. */
  dataBytes?: number;
}

export function looksLikeNpy(head: Buffer): boolean {
  return head.length >= 8 && head[0] === 0x93 && head.toString('latin1', 1, 6) === 'NUMPY';
}

export function readNpyHeader(bytes: Buffer): NpyHeader {
  if (!looksLikeNpy(bytes)) throw new ArtifactError('malformed', 'npy: missing \\x93NUMPY magic', 0);
  const major = bytes[6]!;
  if (major < 1 || major > 3) throw new ArtifactError('unsupported', `npy: format version ${major}.${bytes[7]}`, 6);
  const lengthSize = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthSize) throw new ArtifactError('truncated', 'npy: header length missing', 8);
  const headerLength = major === 1 ? bytes.readUInt16LE(8) : bytes.readUInt32LE(8);
  const headerStart = 8 + lengthSize;
  if (headerLength > 1 << 20) throw new ArtifactError('malformed', `npy: header of ${headerLength} bytes`, 8);
  if (headerStart + headerLength > bytes.length) throw new ArtifactError('truncated', 'npy: header runs past the end of the file', headerStart);
  const text = bytes.toString(major === 3 ? 'utf8' : 'latin1', headerStart, headerStart + headerLength);
  let header: unknown;
  try {
    header = parsePythonLiteral(text);
  } catch (error) {
    throw new ArtifactError('malformed', `npy: header is not a Python literal (${(error as Error).message})`, headerStart);
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) throw new ArtifactError('malformed', 'npy: header is not a dict', headerStart);
  const record = header as Record<string, unknown>;
  const shape = record.shape;
  if (!Array.isArray(shape) || shape.some((n) => typeof n !== 'number' || !Number.isInteger(n) || n < 0)) throw new ArtifactError('malformed', 'npy: shape is not a tuple of sizes', headerStart);
  const descr = record.descr;
  const hasObject = descrHasObject(descr);
  const itemSize = hasObject ? undefined : descrItemSize(descr);
  const count = (shape as number[]).reduce((a, b) => a * b, 1);
  return {
    dataOffset: headerStart + headerLength,
    descr,
    shape: shape as number[],
    fortranOrder: record.fortran_order === true,
    hasObject,
    ...(itemSize !== undefined ? { dataBytes: count * itemSize } : {}),
  };
}

function descrHasObject(descr: unknown): boolean {
  if (typeof descr === 'string') return /^[<>|=]?O\d*$/.test(descr);
  if (Array.isArray(descr)) return descr.some((field) => Array.isArray(field) && descrHasObject(field[1]));
  return false;
}

function descrItemSize(descr: unknown): number | undefined {
  if (typeof descr === 'string') return dtypeItemSize(descr);
  if (!Array.isArray(descr)) return undefined;
  let total = 0;
  for (const field of descr) {
    if (!Array.isArray(field)) return undefined;
    const size = descrItemSize(field[1]);
    if (size === undefined) return undefined;
    const shape = Array.isArray(field[2]) ? (field[2] as number[]).reduce((a, b) => a * b, 1) : 1;
    total += size * shape;
  }
  return total;
}

/** Python literals as numpy writes them: dicts, tuples, lists, strings, ints, True/False/None. */
export function parsePythonLiteral(text: string): unknown {
  let i = 0;
  const space = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const fail = (what: string): never => {
    throw new Error(`${what} at column ${i}`);
  };
  const value = (depth: number): unknown => {
    if (depth > 32) fail('nesting too deep');
    space();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      for (;;) {
        space();
        if (text[i] === '}') return i++, out;
        const key = value(depth + 1);
        space();
        if (text[i] !== ':') fail('expected :');
        i++;
        out[String(key)] = value(depth + 1);
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== '}') fail('expected , or }');
      }
    }
    if (c === '(' || c === '[') {
      const close = c === '(' ? ')' : ']';
      i++;
      const out: unknown[] = [];
      for (;;) {
        space();
        if (text[i] === close) return i++, out;
        out.push(value(depth + 1));
        space();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(`expected , or ${close}`);
      }
    }
    if (c === "'" || c === '"') {
      i++;
      let out = '';
      while (i < text.length && text[i] !== c) {
        if (text[i] === '\\') i++;
        out += text[i++] ?? '';
      }
      if (text[i] !== c) fail('unterminated string');
      i++;
      return out;
    }
    const word = /^(True|False|None|[+-]?\d+L?)/.exec(text.slice(i, i + 32));
    if (!word) return fail('unexpected character');
    i += word[0].length;
    if (word[0] === 'True') return true;
    if (word[0] === 'False') return false;
    if (word[0] === 'None') return null;
    return Number(word[0].replace(/L$/, ''));
  };
  const result = value(0);
  space();
  if (i < text.length) fail('trailing text');
  return result;
}

// ------------------------------------------------------------------ safetensors

const SAFETENSORS_BITS: Record<string, number> = {
  BOOL: 8, U8: 8, I8: 8, F8_E5M2: 8, F8_E4M3: 8, F8_E8M0: 8, I16: 16, U16: 16, F16: 16, BF16: 16, I32: 32, U32: 32, F32: 32,
  F64: 64, I64: 64, U64: 64, C64: 64, F4: 4, F6_E2M3: 6, F6_E3M2: 6,
};

/** safetensors refuses headers above 100 MB. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

export interface SafetensorsCheck {
  tensors: number;
  /** Problems, each at a byte offset (8 + position in the header for JSON problems). */
  problems: Array<{ message: string; offset: number }>;
}

/**
 * Validates a safetensors header: size within limits and the file, JSON object, each tensor's
 * dtype, shape and data_offsets, byte sizes matching, tensors covering the data buffer exactly
 * without overlaps or holes (what the safetensors library itself enforces).
 */
export function checkSafetensorsHeader(headerBytes: Buffer, fileSize: number): SafetensorsCheck {
  const problems: SafetensorsCheck['problems'] = [];
  const text = headerBytes.toString('utf8');
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    const position = /position (\d+)/.exec((error as Error).message)?.[1];
    return { tensors: 0, problems: [{ message: `header is not valid JSON (${(error as Error).message})`, offset: 8 + Number(position ?? 0) }] };
  }
  if (!header || typeof header !== 'object' || Array.isArray(header)) return { tensors: 0, problems: [{ message: 'header is not a JSON object', offset: 8 }] };
  const bufferLength = fileSize - 8 - headerBytes.length;
  const spans: Array<{ name: string; begin: number; end: number }> = [];
  for (const [name, raw] of Object.entries(header as Record<string, unknown>)) {
    const at = 8 + Math.max(0, text.indexOf(JSON.stringify(name)));
    if (name === '__metadata__') {
      if (!raw || typeof raw !== 'object' || Array.isArray(raw) || Object.values(raw).some((v) => typeof v !== 'string')) problems.push({ message: '__metadata__ must map strings to strings', offset: at });
      continue;
    }
    const info = raw as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (!info || typeof info !== 'object' || Array.isArray(info)) {
      problems.push({ message: `tensor ${name}: not an object`, offset: at });
      continue;
    }
    const bits = typeof info.dtype === 'string' ? SAFETENSORS_BITS[info.dtype] : undefined;
    if (bits === undefined) problems.push({ message: `tensor ${name}: unknown dtype ${JSON.stringify(info.dtype)}`, offset: at });
    const shape = info.shape;
    const shapeOk = Array.isArray(shape) && shape.every((n) => Number.isSafeInteger(n) && (n as number) >= 0);
    if (!shapeOk) problems.push({ message: `tensor ${name}: shape must be a list of non-negative integers`, offset: at });
    const offsets = info.data_offsets;
    if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every((n) => Number.isSafeInteger(n) && (n as number) >= 0)) {
      problems.push({ message: `tensor ${name}: data_offsets must be [begin, end]`, offset: at });
      continue;
    }
    const [begin, end] = offsets as [number, number];
    if (begin > end) problems.push({ message: `tensor ${name}: data_offsets [${begin}, ${end}] are reversed`, offset: at });
    else if (end > bufferLength) problems.push({ message: `tensor ${name}: data_offsets end ${end} is past the data buffer (${bufferLength} bytes)`, offset: at });
    else if (bits !== undefined && shapeOk) {
      const elements = (shape as number[]).reduce((a, b) => a * b, 1);
      const expected = Math.ceil((elements * bits) / 8);
      if (expected !== end - begin) problems.push({ message: `tensor ${name}: ${end - begin} bytes for ${info.dtype} ${JSON.stringify(shape)} (expected ${expected})`, offset: at });
    }
    spans.push({ name, begin, end });
  }
  spans.sort((a, b) => a.begin - b.begin || a.end - b.end);
  let covered = 0;
  for (const span of spans) {
    if (span.begin < covered) problems.push({ message: `tensor ${span.name} overlaps the previous tensor's data`, offset: 8 });
    else if (span.begin > covered) problems.push({ message: `bytes ${covered}-${span.begin} of the data buffer belong to no tensor`, offset: 8 });
    covered = Math.max(covered, span.end);
  }
  if (problems.length === 0 && covered !== bufferLength) problems.push({ message: `the data buffer has ${bufferLength - covered} trailing bytes no tensor describes`, offset: 8 + headerBytes.length + covered });
  return { tensors: spans.length, problems };
}

// ------------------------------------------------------------------ Keras

export interface KerasFinding {
  kind: 'lambda' | 'reference';
  /** Where in config.json: a JSON path such as config.layers[3]. */
  where: string;
  message: string;
  module?: string;
  name?: string;
}

/**
 * Walks a Keras config.json: Lambda layers (their function is serialized Python bytecode, run
 * on load when safe_mode=False) and every `module` + name reference a deserializer would import.
 */
export function scanKerasConfig(config: unknown): KerasFinding[] {
  const found: KerasFinding[] = [];
  const walk = (value: unknown, where: string, depth: number): void => {
    if (depth > 200 || found.length > 1000) return;
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(item, `${where}[${index}]`, depth + 1));
      return;
    }
    if (!value || typeof value !== 'object') return;
    const record = value as Record<string, unknown>;
    if (record.class_name === 'Lambda') {
      const inner = (record.config as Record<string, unknown> | undefined) ?? {};
      const fn = inner.function;
      const name = typeof inner.name === 'string' ? inner.name : '?';
      const bytecode = (fn && typeof fn === 'object' && !Array.isArray(fn) && (fn as Record<string, unknown>).class_name === '__lambda__') || Array.isArray(fn) || inner.function_type === 'lambda';
      if (bytecode) found.push({ kind: 'lambda', where, message: `Lambda layer "${name}" holds serialized Python bytecode, which runs when the model is loaded with safe_mode=False` });
    }
    if (typeof record.module === 'string' && (typeof record.class_name === 'string' || typeof record.config === 'string')) {
      const module = record.module;
      const name = record.class_name === 'function' && typeof record.config === 'string' ? record.config : String(record.class_name);
      found.push({ kind: 'reference', where, message: `${module}.${name}`, module, name });
    }
    for (const [key, child] of Object.entries(record)) walk(child, where ? `${where}.${key}` : key, depth + 1);
  };
  walk(config, '', 0);
  return found;
}
