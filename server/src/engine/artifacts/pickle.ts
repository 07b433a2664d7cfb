/**
 * A static reader of pickle streams, protocols 0 to 5. It walks the opcodes the way Python's
 * unpickler does, on a symbolic stack, without ever importing or calling anything: a GLOBAL is
 * recorded as "this stream imports module.name", a REDUCE as "and calls it with these
 * arguments". Strings, numbers and containers are tracked (bounded) so that STACK_GLOBAL operands
 * coming from the memo (MEMOIZE/BINPUT … BINGET) resolve, and so the report can say what a call
 * would have been given.
 *
 * Decisions:
 * - Everything the unpickler would execute before a malformed opcode is still reported: Python
 *   runs opcodes as it reads them, so a REDUCE followed by garbage has already run.
 * - Containers keep at most MAX_ITEMS items (the count goes on); big byte strings keep only their
 *   length; memory is bounded by the stream's size and the per-file byte budget.
 * - joblib writes numpy array data inline, right after the BUILD of a NumpyArrayWrapper; the
 *   reader computes its size from the wrapper's state (shape, dtype) and skips it, or reads the
 *   nested pickle of an object array.
 */
import { ArtifactError, type Cursor } from './bytes';

/** A symbolic value on the unpickler's stack. */
export type PickleValue =
  | { t: 'mark' }
  | { t: 'str'; v: string }
  | { t: 'bytes'; n: number }
  /** A number when it is a safe integer, a bigint beyond. */
  | { t: 'int'; v: number | bigint }
  | { t: 'float'; v: number }
  | { t: 'bool'; v: boolean }
  | { t: 'none' }
  | { t: 'tuple'; items: PickleValue[] }
  | { t: 'list'; items: PickleValue[]; n: number }
  | { t: 'dict'; entries: Array<[PickleValue, PickleValue]>; n: number }
  | { t: 'set'; items: PickleValue[]; n: number; frozen: boolean }
  | { t: 'global'; module: string; name: string }
  | { t: 'call'; callee: PickleValue; args: PickleValue; opcode: string; state?: PickleValue }
  | { t: 'persistent'; id: PickleValue }
  | { t: 'ext'; code: number }
  | { t: 'buffer' }
  /** A container or call dropped from deep inside a long MARK frame (see compaction in readPickle). */
  | { t: 'elided' };

export interface ImportedGlobal {
  module: string;
  name: string;
  /** The opcode that imported it: GLOBAL, STACK_GLOBAL, INST or EXT. */
  opcode: string;
  /** Byte offset of the first import, in the stream's member. */
  offset: number;
  count: number;
  /** The first few calls made on it, as `name(args)` text. */
  calls: string[];
  callCount: number;
}

export interface PickleReadResult {
  /** Highest PROTO seen (0 when the stream starts without one). */
  protocol: number;
  opcodes: number;
  /** The value STOP returned (bounded). */
  result?: PickleValue;
  /** Offset just after STOP. */
  end: number;
}

const MAX_ITEMS = 64;
/**
 * Compaction of long MARK frames (a state_dict of 200k tensors is one frame of 400k values): the
 * ops that consume a frame keep only its first MAX_ITEMS items (pairs for dicts), and pops read
 * from the top, so containers and calls between the first COMPACT_HEAD and the last COMPACT_TAIL
 * items are replaced by an `elided` marker every COMPACT_EVERY pushes. Imports are recorded when
 * their opcode is read, so nothing a verdict depends on is lost: strings and globals (what
 * STACK_GLOBAL and calls need) are kept; a call on an elided value loses only its argument text.
 */
const COMPACT_HEAD = 2 * MAX_ITEMS + 8;
const COMPACT_TAIL = 64;
const COMPACT_EVERY = 512;
const MAX_METASTACK = 100_000;
const MAX_CALLS_KEPT = 3;
const MAX_STRING = 1 << 16;

/** Collects the globals of one or more pickle streams (one collector per artifact member). */
export class GlobalCollector {
  readonly globals = new Map<string, ImportedGlobal>();
  /** The value of each imported global, shared by every import of it (calls look it up by identity). */
  private readonly values = new Map<string, Map<string, PickleValue & { t: 'global' }>>();
  private readonly byValue = new Map<PickleValue, ImportedGlobal>();

  /** Records the import; returns the (shared) value standing for the global. */
  import(module: string, name: string, opcode: string, offset: number): PickleValue & { t: 'global' } {
    let names = this.values.get(module);
    if (!names) this.values.set(module, (names = new Map()));
    const known = names.get(name);
    if (known) {
      this.byValue.get(known)!.count++;
      return known;
    }
    const entry: ImportedGlobal = { module, name, opcode, offset, count: 1, calls: [], callCount: 0 };
    const value = { t: 'global' as const, module, name };
    this.globals.set(`${module}\u0000${name}`, entry);
    names.set(name, value);
    this.byValue.set(value, entry);
    return value;
  }

  /** A call on an imported global; `method` for BUILD (`__setstate__` on the instance). */
  call(callee: PickleValue, args: PickleValue, method = ''): void {
    if (callee.t !== 'global') return;
    const entry = this.byValue.get(callee) ?? this.globals.get(`${callee.module}\u0000${callee.name}`);
    if (!entry) return;
    entry.callCount++;
    if (entry.calls.length < MAX_CALLS_KEPT) entry.calls.push(`${callee.module}.${callee.name}${method}${argsText(args)}`);
  }
}

function argsText(args: PickleValue): string {
  const text = args.t === 'tuple' ? `(${args.items.map((item) => describeValue(item)).join(', ')})` : `(*${describeValue(args)})`;
  return text.length > 160 ? `${text.slice(0, 157)}…` : text;
}

/** Short Python-like text of a value, for messages. */
export function describeValue(value: PickleValue, depth = 0): string {
  if (depth > 3) return '…';
  const list = (items: PickleValue[], n: number): string => items.slice(0, 8).map((item) => describeValue(item, depth + 1)).join(', ') + (n > 8 ? ', …' : '');
  switch (value.t) {
    case 'str':
      return JSON.stringify(value.v.length > 80 ? `${value.v.slice(0, 77)}…` : value.v).replace(/^"|"$/g, "'");
    case 'bytes':
      return `<${value.n} bytes>`;
    case 'int':
      return value.v.toString();
    case 'float':
      return String(value.v);
    case 'bool':
      return value.v ? 'True' : 'False';
    case 'none':
      return 'None';
    case 'tuple':
      return `(${list(value.items, value.items.length)}${value.items.length === 1 ? ',' : ''})`;
    case 'list':
      return `[${list(value.items, value.n)}]`;
    case 'set':
      return `{${list(value.items, value.n)}}`;
    case 'dict':
      return `{${value.entries.slice(0, 6).map(([k, v]) => `${describeValue(k, depth + 1)}: ${describeValue(v, depth + 1)}`).join(', ')}${value.n > 6 ? ', …' : ''}}`;
    case 'global':
      return `${value.module}.${value.name}`;
    case 'call':
      return `${describeValue(value.callee, depth + 1)}${value.args.t === 'tuple' ? `(${list(value.args.items, value.args.items.length)})` : '(…)'}`;
    case 'persistent':
      return `persistent_load(${describeValue(value.id, depth + 1)})`;
    case 'ext':
      return `<extension ${value.code}>`;
    case 'buffer':
      return '<out-of-band buffer>';
    case 'mark':
      return '<mark>';
    case 'elided':
      return '…';
  }
}

const NONE: PickleValue = { t: 'none' };
const ELIDED: PickleValue = { t: 'elided' };
const TRUE: PickleValue = { t: 'bool', v: true };
const FALSE: PickleValue = { t: 'bool', v: false };
/** Values are never mutated but containers (list, dict, set) and calls: scalars can be shared. */
const SMALL_INTS: PickleValue[] = Array.from({ length: 256 }, (_, v) => ({ t: 'int', v }));
const intValue = (v: number): PickleValue => (v >= 0 && v < 256 ? SMALL_INTS[v]! : { t: 'int', v });

function push<T>(items: T[], item: T, counter: { n: number }): void {
  counter.n++;
  if (items.length < MAX_ITEMS) items.push(item);
}

/** Python 2 module names the unpickler maps to Python 3 (fix_imports), for matching. */
export const MODULE_ALIASES: Readonly<Record<string, string>> = {
  __builtin__: 'builtins',
  copy_reg: 'copyreg',
  exceptions: 'builtins',
  cPickle: 'pickle',
  _pickle: 'pickle',
  _operator: 'operator',
  _functools: 'functools',
  _io: 'io',
  commands: 'subprocess',
  urllib2: 'urllib.request',
  httplib: 'http.client',
  __main__: '__main__',
};

/**
 * Reads one pickle stream from the cursor, up to and including STOP.
 * Throws ArtifactError on truncated or malformed data; what was collected so far stays collected.
 */
export function readPickle(cursor: Cursor, collector: GlobalCollector, nested = 0): PickleReadResult {
  let stack: PickleValue[] = [];
  const metastack: PickleValue[][] = [];
  /** Items of the current frame below this index have been compacted. */
  let compacted = 0;
  const metaCompacted: number[] = [];
  const compact = (): void => {
    const to = stack.length - COMPACT_TAIL;
    for (let i = Math.max(compacted, COMPACT_HEAD); i < to; i++) {
      const t = stack[i]!.t;
      if (t === 'call' || t === 'tuple' || t === 'list' || t === 'dict' || t === 'set' || t === 'persistent') stack[i] = ELIDED;
    }
    compacted = to;
  };
  const memo = new Map<number, PickleValue>();
  let protocol = 0;
  let opcodes = 0;

  const malformed = (message: string, at: number): never => {
    throw new ArtifactError('malformed', message, at);
  };
  const pop = (at: number): PickleValue => {
    const value = stack.pop();
    if (value === undefined) malformed('stack underflow', at);
    return value!;
  };
  const top = (at: number): PickleValue => {
    const value = stack[stack.length - 1];
    if (value === undefined) malformed('stack underflow', at);
    return value!;
  };
  const popMark = (at: number): PickleValue[] => {
    const items = stack;
    const previous = metastack.pop();
    if (!previous) malformed('MARK expected but not found', at);
    stack = previous!;
    compacted = metaCompacted.pop() ?? 0;
    return items;
  };
  const lineInt = (text: string, at: number): bigint => {
    const trimmed = text.trim().replace(/L$/, '');
    if (!/^[+-]?\d+$/.test(trimmed)) malformed(`invalid integer literal ${JSON.stringify(text.slice(0, 20))}`, at);
    return BigInt(trimmed);
  };
  const memoKey = (value: bigint | number, at: number): number => {
    const n = Number(value);
    if (n < 0) malformed('negative memo key', at);
    return n;
  };
  const memoGet = (key: number, at: number): PickleValue => {
    const value = memo.get(key);
    if (value === undefined) malformed(`memo key ${key} is not defined`, at);
    return value!;
  };
  const importGlobal = (module: string, name: string, opcode: string, at: number): PickleValue => collector.import(module, name, opcode, at);
  const callValue = (callee: PickleValue, args: PickleValue, opcode: string): PickleValue => {
    collector.call(callee, args);
    return { t: 'call', callee, args, opcode };
  };
  const str = (v: string): PickleValue => ({ t: 'str', v: v.length > MAX_STRING ? v.slice(0, MAX_STRING) : v });
  const bytesOf = (n: number, at: number): PickleValue => {
    if (n < 0) malformed('negative length', at);
    cursor.skip(n);
    return { t: 'bytes', n };
  };
  const unicodeOf = (n: number, at: number): PickleValue => {
    if (n < 0) malformed('negative length', at);
    if (n > MAX_STRING) {
      cursor.skip(n);
      return { t: 'str', v: '<long string>' };
    }
    return str(cursor.text(n, 'utf8'));
  };

  for (;;) {
    if ((++opcodes & 0x1fff) === 0) cursor.checkTime();
    if (stack.length - compacted > COMPACT_EVERY) compact();
    const at = cursor.offset;
    const op = cursor.u8();
    switch (op) {
      case 0x80: {
        // PROTO
        protocol = cursor.u8();
        if (protocol > 5) malformed(`unsupported pickle protocol ${protocol}`, at);
        break;
      }
      case 0x95: // FRAME
        cursor.u64();
        break;
      case 0x2e: // STOP '.'
        return { protocol, opcodes, result: stack.pop(), end: cursor.offset };
      case 0x28: // MARK '('
        if (metastack.length >= MAX_METASTACK) malformed(`MARK nesting deeper than ${MAX_METASTACK}`, at);
        metastack.push(stack);
        metaCompacted.push(compacted);
        stack = [];
        compacted = 0;
        break;
      case 0x30: // POP '0'
        if (stack.length > 0) stack.pop();
        else popMark(at);
        break;
      case 0x31: // POP_MARK '1'
        popMark(at);
        break;
      case 0x32: // DUP '2'
        stack.push(top(at));
        break;
      // ---- numbers
      case 0x46: {
        // FLOAT 'F'
        const text = cursor.line();
        stack.push({ t: 'float', v: Number(text) });
        break;
      }
      case 0x47: // BINFLOAT 'G'
        stack.push({ t: 'float', v: cursor.f64be() });
        break;
      case 0x49: {
        // INT 'I' (I00/I01 are False/True)
        const text = cursor.line();
        if (text === '00' || text === '01') stack.push(text === '01' ? TRUE : FALSE);
        else stack.push({ t: 'int', v: small(lineInt(text, at)) });
        break;
      }
      case 0x4a: // BININT 'J'
        stack.push(intValue(cursor.i32()));
        break;
      case 0x4b: // BININT1 'K'
        stack.push(SMALL_INTS[cursor.u8()]!);
        break;
      case 0x4d: // BININT2 'M'
        stack.push(intValue(cursor.u16()));
        break;
      case 0x4c: // LONG 'L'
        stack.push({ t: 'int', v: small(lineInt(cursor.line(), at)) });
        break;
      case 0x8a: {
        // LONG1
        const n = cursor.u8();
        stack.push({ t: 'int', v: small(readLong(cursor.bytes(n))) });
        break;
      }
      case 0x8b: {
        // LONG4
        const n = cursor.i32();
        if (n < 0) malformed('negative LONG4 length', at);
        if (n > 1 << 16) {
          cursor.skip(n);
          stack.push({ t: 'int', v: 0 });
        } else stack.push({ t: 'int', v: small(readLong(cursor.bytes(n))) });
        break;
      }
      case 0x4e: // NONE 'N'
        stack.push(NONE);
        break;
      case 0x88: // NEWTRUE
        stack.push(TRUE);
        break;
      case 0x89: // NEWFALSE
        stack.push(FALSE);
        break;
      // ---- strings and bytes
      case 0x53: // STRING 'S'
        stack.push(str(decodeQuoted(cursor.line(), at)));
        break;
      case 0x54: // BINSTRING 'T'
        stack.push(unicodeOf(cursor.i32(), at));
        break;
      case 0x55: // SHORT_BINSTRING 'U'
        stack.push(str(cursor.text(cursor.u8(), 'latin1')));
        break;
      case 0x56: // UNICODE 'V'
        stack.push(str(decodeRawUnicodeEscape(cursor.line())));
        break;
      case 0x58: // BINUNICODE 'X'
        stack.push(unicodeOf(cursor.u32(), at));
        break;
      case 0x8c: // SHORT_BINUNICODE
        stack.push(unicodeOf(cursor.u8(), at));
        break;
      case 0x8d: // BINUNICODE8
        stack.push(unicodeOf(cursor.u64(), at));
        break;
      case 0x42: // BINBYTES 'B'
        stack.push(bytesOf(cursor.u32(), at));
        break;
      case 0x43: // SHORT_BINBYTES 'C'
        stack.push(bytesOf(cursor.u8(), at));
        break;
      case 0x8e: // BINBYTES8
      case 0x96: // BYTEARRAY8
        stack.push(bytesOf(cursor.u64(), at));
        break;
      case 0x97: // NEXT_BUFFER
        stack.push({ t: 'buffer' });
        break;
      case 0x98: // READONLY_BUFFER
        top(at);
        break;
      // ---- containers
      case 0x29: // EMPTY_TUPLE ')'
        stack.push({ t: 'tuple', items: [] });
        break;
      case 0x85: // TUPLE1
        stack.push({ t: 'tuple', items: [pop(at)] });
        break;
      case 0x86: {
        // TUPLE2
        const b = pop(at);
        const a = pop(at);
        stack.push({ t: 'tuple', items: [a, b] });
        break;
      }
      case 0x87: {
        // TUPLE3
        const c = pop(at);
        const b = pop(at);
        const a = pop(at);
        stack.push({ t: 'tuple', items: [a, b, c] });
        break;
      }
      case 0x74: {
        // TUPLE 't'
        const items = popMark(at);
        stack.push({ t: 'tuple', items: items.length > MAX_ITEMS ? items.slice(0, MAX_ITEMS) : items });
        break;
      }
      case 0x5d: // EMPTY_LIST ']'
        stack.push({ t: 'list', items: [], n: 0 });
        break;
      case 0x6c: {
        // LIST 'l'
        const items = popMark(at);
        stack.push({ t: 'list', items: items.slice(0, MAX_ITEMS), n: items.length });
        break;
      }
      case 0x61: {
        // APPEND 'a'
        const value = pop(at);
        const list = top(at);
        if (list.t === 'list') push(list.items, value, list);
        break;
      }
      case 0x65: {
        // APPENDS 'e'
        const items = popMark(at);
        const list = top(at);
        if (list.t === 'list') for (const item of items) push(list.items, item, list);
        break;
      }
      case 0x7d: // EMPTY_DICT '}'
        stack.push({ t: 'dict', entries: [], n: 0 });
        break;
      case 0x64: {
        // DICT 'd'
        const items = popMark(at);
        const dict: PickleValue & { t: 'dict' } = { t: 'dict', entries: [], n: 0 };
        for (let i = 0; i + 1 < items.length; i += 2) push(dict.entries, [items[i]!, items[i + 1]!], dict);
        stack.push(dict);
        break;
      }
      case 0x73: {
        // SETITEM 's'
        const value = pop(at);
        const key = pop(at);
        const dict = top(at);
        if (dict.t === 'dict') push(dict.entries, [key, value], dict);
        break;
      }
      case 0x75: {
        // SETITEMS 'u'
        const items = popMark(at);
        const dict = top(at);
        if (dict.t === 'dict') for (let i = 0; i + 1 < items.length; i += 2) push(dict.entries, [items[i]!, items[i + 1]!], dict);
        break;
      }
      case 0x8f: // EMPTY_SET
        stack.push({ t: 'set', items: [], n: 0, frozen: false });
        break;
      case 0x90: {
        // ADDITEMS
        const items = popMark(at);
        const set = top(at);
        if (set.t === 'set') for (const item of items) push(set.items, item, set);
        break;
      }
      case 0x91: {
        // FROZENSET
        const items = popMark(at);
        stack.push({ t: 'set', items: items.slice(0, MAX_ITEMS), n: items.length, frozen: true });
        break;
      }
      // ---- memo
      case 0x67: // GET 'g'
        stack.push(memoGet(memoKey(lineInt(cursor.line(), at), at), at));
        break;
      case 0x68: // BINGET 'h'
        stack.push(memoGet(cursor.u8(), at));
        break;
      case 0x6a: // LONG_BINGET 'j'
        stack.push(memoGet(cursor.u32(), at));
        break;
      case 0x70: // PUT 'p'
        memo.set(memoKey(lineInt(cursor.line(), at), at), top(at));
        break;
      case 0x71: // BINPUT 'q'
        memo.set(cursor.u8(), top(at));
        break;
      case 0x72: // LONG_BINPUT 'r'
        memo.set(cursor.u32(), top(at));
        break;
      case 0x94: // MEMOIZE
        memo.set(memo.size, top(at));
        break;
      // ---- imports and calls
      case 0x63: {
        // GLOBAL 'c'
        const module = utf8(cursor.line());
        const name = utf8(cursor.line());
        stack.push(importGlobal(module, name, 'GLOBAL', at));
        break;
      }
      case 0x93: {
        // STACK_GLOBAL
        const name = pop(at);
        const module = pop(at);
        if (module.t !== 'str' || name.t !== 'str') malformed(`STACK_GLOBAL needs two strings, got ${describeValue(module)} and ${describeValue(name)}`, at);
        stack.push(importGlobal((module as { v: string }).v, (name as { v: string }).v, 'STACK_GLOBAL', at));
        break;
      }
      case 0x82: // EXT1
      case 0x83: // EXT2
      case 0x84: {
        // EXT4
        const code = op === 0x82 ? cursor.u8() : op === 0x83 ? cursor.u16() : cursor.i32();
        collector.import('copyreg', `extension code ${code}`, 'EXT', at);
        stack.push({ t: 'ext', code });
        break;
      }
      case 0x69: {
        // INST 'i'
        const module = utf8(cursor.line());
        const name = utf8(cursor.line());
        const args = popMark(at);
        const cls = importGlobal(module, name, 'INST', at);
        stack.push(callValue(cls, { t: 'tuple', items: args.slice(0, MAX_ITEMS) }, 'INST'));
        break;
      }
      case 0x6f: {
        // OBJ 'o'
        const items = popMark(at);
        const cls = items[0];
        if (!cls) malformed('OBJ without a class', at);
        stack.push(callValue(cls!, { t: 'tuple', items: items.slice(1, MAX_ITEMS + 1) }, 'OBJ'));
        break;
      }
      case 0x81: {
        // NEWOBJ
        const args = pop(at);
        const cls = pop(at);
        stack.push(callValue(cls, args, 'NEWOBJ'));
        break;
      }
      case 0x92: {
        // NEWOBJ_EX
        pop(at); // kwargs
        const args = pop(at);
        const cls = pop(at);
        stack.push(callValue(cls, args, 'NEWOBJ_EX'));
        break;
      }
      case 0x52: {
        // REDUCE 'R'
        const args = pop(at);
        const callable = pop(at);
        stack.push(callValue(callable, args, 'REDUCE'));
        break;
      }
      case 0x62: {
        // BUILD 'b'
        const state = pop(at);
        const target = top(at);
        if (target.t === 'call') {
          target.state = state;
          collector.call(target.callee, { t: 'tuple', items: [state] }, '.__setstate__');
          if (isJoblibArrayWrapper(target.callee)) readJoblibArray(cursor, collector, state, at, nested);
        }
        break;
      }
      case 0x50: // PERSID 'P'
        stack.push({ t: 'persistent', id: str(cursor.line()) });
        break;
      case 0x51: // BINPERSID 'Q'
        stack.push({ t: 'persistent', id: pop(at) });
        break;
      default:
        malformed(`unknown opcode 0x${op.toString(16).padStart(2, '0')}${op >= 0x20 && op < 0x7f ? ` ('${String.fromCharCode(op)}')` : ''}`, at);
    }
  }
}

const NON_ASCII = /[^\x00-\x7f]/;

function utf8(latin1: string): string {
  // Module and class names are ASCII but for rare exceptions; re-decoding costs two copies.
  return NON_ASCII.test(latin1) ? Buffer.from(latin1, 'latin1').toString('utf8') : latin1;
}

function small(value: bigint): number | bigint {
  return value >= -9007199254740991n && value <= 9007199254740991n ? Number(value) : value;
}

/** Little-endian two's complement. */
function readLong(bytes: Uint8Array): bigint {
  if (bytes.length === 0) return 0n;
  let value = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[i]!);
  if (bytes[bytes.length - 1]! & 0x80) value -= 1n << BigInt(bytes.length * 8);
  return value;
}

/** A protocol-0 STRING argument: a Python-quoted literal. */
function decodeQuoted(text: string, at: number): string {
  const quote = text[0];
  if ((quote !== "'" && quote !== '"') || text.length < 2 || text[text.length - 1] !== quote) throw new ArtifactError('malformed', 'the STRING opcode argument must be quoted', at);
  const body = text.slice(1, -1);
  return body.replace(/\\(x[0-9a-fA-F]{2}|[0-7]{1,3}|.)/g, (_all, escape: string) => {
    if (escape[0] === 'x') return String.fromCharCode(parseInt(escape.slice(1), 16));
    if (/^[0-7]/.test(escape)) return String.fromCharCode(parseInt(escape, 8));
    return ({ n: '\n', r: '\r', t: '\t', '\\': '\\', "'": "'", '"': '"', a: '\x07', b: '\b', f: '\f', v: '\v' } as Record<string, string>)[escape] ?? `\\${escape}`;
  });
}

function decodeRawUnicodeEscape(text: string): string {
  return text.replace(/\\u([0-9a-fA-F]{4})|\\U([0-9a-fA-F]{8})/g, (_all, short?: string, long?: string) => String.fromCodePoint(parseInt(short ?? long ?? '0', 16)));
}

// ------------------------------------------------------------------ joblib inline arrays

function isJoblibArrayWrapper(callee: PickleValue): boolean {
  return callee.t === 'global' && callee.name === 'NumpyArrayWrapper' && callee.module.startsWith('joblib');
}

function dictGet(state: PickleValue, key: string): PickleValue | undefined {
  if (state.t !== 'dict') return undefined;
  return state.entries.find(([k]) => k.t === 'str' && k.v === key)?.[1];
}

/** Item size of a numpy dtype string ('<f8', 'i4', 'U10', '|b1'), or undefined. */
export function dtypeItemSize(descr: string): number | undefined {
  const match = /^[<>|=]?([a-zA-Z?])(\d*)$/.exec(descr);
  if (!match) return undefined;
  const [, code, digits] = match;
  const n = digits ? Number(digits) : undefined;
  switch (code) {
    case '?':
    case 'b':
    case 'B':
      return n ?? 1;
    case 'i':
    case 'u':
    case 'f':
    case 'c':
      return n;
    case 'h':
    case 'H':
    case 'e':
      return 2;
    case 'l':
    case 'L':
    case 'q':
    case 'Q':
    case 'd':
    case 'g':
    case 'F':
      return code === 'F' ? 8 : code === 'g' ? 16 : 8;
    case 'U':
      return n !== undefined ? n * 4 : undefined;
    case 'S':
    case 'a':
    case 'V':
      return n;
    case 'M':
    case 'm':
      return 8;
    case 'O':
      return 8;
    default:
      return undefined;
  }
}

/** The dtype a joblib wrapper state names: `numpy.dtype('f8', …)` with its BUILD state. */
function wrapperDtype(dtype: PickleValue | undefined): { size?: number; object: boolean } | undefined {
  if (!dtype || dtype.t !== 'call' || dtype.args.t !== 'tuple') return undefined;
  const first = dtype.args.items[0];
  if (!first || first.t !== 'str') return undefined;
  const object = /^[<>|=]?O\d*$/.test(first.v);
  // The BUILD state (version, byteorder, subarray, names, fields, elsize, alignment, flags).
  const state = dtype.state;
  const elsize = state?.t === 'tuple' ? state.items[5] : undefined;
  if (elsize?.t === 'int' && Number(elsize.v) > 0) return { size: Number(elsize.v), object };
  return { size: dtypeItemSize(first.v), object };
}

function readJoblibArray(cursor: Cursor, collector: GlobalCollector, state: PickleValue, at: number, nested: number): void {
  const dtype = wrapperDtype(dictGet(state, 'dtype'));
  const shape = dictGet(state, 'shape');
  if (!dtype) throw new ArtifactError('unsupported', 'cannot follow the inline data of a joblib array (unknown dtype)', at);
  if (dtype.object) {
    // An object array is pickled again, inline, with its own PROTO … STOP.
    if (nested > 4) throw new ArtifactError('malformed', 'joblib arrays nested too deep', at);
    readPickle(cursor, collector, nested + 1);
    return;
  }
  if (!shape || shape.t !== 'tuple' || shape.items.some((item) => item.t !== 'int' || Number(item.v) < 0) || dtype.size === undefined) {
    throw new ArtifactError('unsupported', 'cannot follow the inline data of a joblib array (unknown shape or item size)', at);
  }
  let count = 1n;
  for (const item of shape.items) count *= BigInt((item as { v: number | bigint }).v);
  const bytes = count * BigInt(dtype.size);
  const alignment = dictGet(state, 'numpy_array_alignment_bytes');
  if (alignment && alignment.t === 'int') {
    const padding = cursor.u8();
    if (padding > 64) throw new ArtifactError('malformed', `joblib array padding of ${padding} bytes`, cursor.offset - 1);
    cursor.skip(padding);
  }
  if (bytes > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArtifactError('malformed', 'joblib array larger than any file', at);
  cursor.skip(Number(bytes));
}
