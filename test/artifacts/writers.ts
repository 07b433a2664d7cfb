/**
 * Test-side writers for artifact fixtures: a pickle opcode assembler (any protocol, any opcode,
 * hostile streams included; nothing here ever unpickles), a zip writer (stored, deflated, ZIP64
 * records on demand, lying sizes for bombs), a tar writer, and .npy / safetensors builders.
 */
import * as zlib from 'node:zlib';

export class PickleWriter {
  private readonly parts: Buffer[] = [];

  raw(bytes: Buffer | number[] | string): this {
    this.parts.push(typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes));
    return this;
  }

  op(code: number | string): this {
    return this.raw(typeof code === 'string' ? code : [code]);
  }

  proto(n: number): this {
    return this.raw([0x80, n]);
  }

  frame(length: number): this {
    const b = Buffer.alloc(9);
    b[0] = 0x95;
    b.writeBigUInt64LE(BigInt(length), 1);
    return this.raw(b);
  }

  /** GLOBAL 'c' module\nname\n (protocols 0+). */
  global(module: string, name: string): this {
    return this.raw(`c${module}\n${name}\n`);
  }

  /** INST 'i' module\nname\n: pops to MARK for the arguments. */
  inst(module: string, name: string): this {
    return this.raw(`i${module}\n${name}\n`);
  }

  stackGlobal(): this {
    return this.op(0x93);
  }

  /** A str by the best opcode for the protocol: SHORT_BINUNICODE (4+), BINUNICODE (1-3), UNICODE (0). */
  str(text: string, protocol = 4): this {
    const bytes = Buffer.from(text, 'utf8');
    if (protocol >= 4 && bytes.length < 256) return this.raw([0x8c, bytes.length]).raw(bytes);
    if (protocol >= 1) {
      const length = Buffer.alloc(4);
      length.writeUInt32LE(bytes.length);
      return this.raw([0x58]).raw(length).raw(bytes);
    }
    return this.raw(`V${text}\n`);
  }

  /** Protocol-0 STRING with quotes. */
  string0(text: string): this {
    return this.raw(`S'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'\n`);
  }

  int(n: number, protocol = 2): this {
    if (protocol === 0) return this.raw(`I${n}\n`);
    if (n >= 0 && n < 256) return this.raw([0x4b, n]);
    if (n >= 0 && n < 65536) return this.raw([0x4d, n & 0xff, n >> 8]);
    const b = Buffer.alloc(5);
    b[0] = 0x4a;
    b.writeInt32LE(n, 1);
    return this.raw(b);
  }

  binbytes(length: number, fill = 0): this {
    const header = Buffer.alloc(5);
    header[0] = 0x42;
    header.writeUInt32LE(length, 1);
    return this.raw(header).raw(Buffer.alloc(length, fill));
  }

  none(): this {
    return this.op('N');
  }
  mark(): this {
    return this.op('(');
  }
  tuple(): this {
    return this.op('t');
  }
  tuple1(): this {
    return this.op(0x85);
  }
  tuple2(): this {
    return this.op(0x86);
  }
  emptyTuple(): this {
    return this.op(')');
  }
  emptyDict(): this {
    return this.op('}');
  }
  emptyList(): this {
    return this.op(']');
  }
  setitem(): this {
    return this.op('s');
  }
  setitems(): this {
    return this.op('u');
  }
  append(): this {
    return this.op('a');
  }
  appends(): this {
    return this.op('e');
  }
  reduce(): this {
    return this.op('R');
  }
  build(): this {
    return this.op('b');
  }
  newobj(): this {
    return this.op(0x81);
  }
  obj(): this {
    return this.op('o');
  }
  memoize(): this {
    return this.op(0x94);
  }
  binput(i: number): this {
    return this.raw([0x71, i]);
  }
  binget(i: number): this {
    return this.raw([0x68, i]);
  }
  put(i: number): this {
    return this.raw(`p${i}\n`);
  }
  get(i: number): this {
    return this.raw(`g${i}\n`);
  }
  binpersid(): this {
    return this.op('Q');
  }
  stop(): this {
    return this.op('.');
  }

  toBuffer(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** `module.name(arg)` by GLOBAL + REDUCE, in the given protocol (0: text opcodes). */
export function callPickle(module: string, name: string, arg: string, protocol: number): Buffer {
  const w = new PickleWriter();
  if (protocol >= 2) w.proto(protocol);
  w.global(module, name);
  if (protocol === 0) w.mark().string0(arg).tuple();
  else w.str(arg, protocol).tuple1();
  return w.reduce().stop().toBuffer();
}

// ------------------------------------------------------------------ zip

export interface ZipInput {
  name: string;
  data: Buffer;
  deflate?: boolean;
  /** Lie about the uncompressed size in the headers (zip bombs). */
  declaredSize?: number;
}

/** A zip archive; with `zip64` the end records are ZIP64 ones (as PyTorch writes for big files). */
export function makeZip(inputs: ZipInput[], options: { zip64?: boolean; overlap?: boolean } = {}): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  let previousOffset = 0;
  for (const input of inputs) {
    const name = Buffer.from(input.name, 'utf8');
    const data = input.deflate ? zlib.deflateRawSync(input.data) : input.data;
    const crc = zlib.crc32(input.data);
    const size = input.declaredSize ?? input.data.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(input.deflate ? 8 : 0, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(Math.min(size, 0xffffffff), 22);
    local.writeUInt16LE(name.length, 26);
    const headerOffset = options.overlap && centrals.length > 0 ? previousOffset : offset;
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(input.deflate ? 8 : 0, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(size > 0xffffffff ? 0xffffffff : size, 24);
    central.writeUInt16LE(name.length, 28);
    let extra = Buffer.alloc(0);
    if (size > 0xffffffff) {
      extra = Buffer.alloc(12);
      extra.writeUInt16LE(1, 0);
      extra.writeUInt16LE(8, 2);
      extra.writeBigUInt64LE(BigInt(size), 4);
    }
    central.writeUInt16LE(extra.length, 30);
    central.writeUInt32LE(headerOffset, 42);
    locals.push(local, name, data);
    centrals.push(central, name, extra);
    previousOffset = offset;
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end: Buffer[] = [];
  const count = inputs.length;
  if (options.zip64) {
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(count), 24);
    record.writeBigUInt64LE(BigInt(count), 32);
    record.writeBigUInt64LE(BigInt(directory.length), 40);
    record.writeBigUInt64LE(BigInt(offset), 48);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(offset + directory.length), 8);
    locator.writeUInt32LE(1, 16);
    end.push(record, locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : count, 8);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : count, 10);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : directory.length, 12);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : offset, 16);
  end.push(eocd);
  return Buffer.concat([...locals, directory, ...end]);
}

/** A PyTorch-style zip checkpoint: archive/data.pkl, archive/data/N storages, archive/version. */
export function torchZip(dataPkl: Buffer, storages: Buffer[] = [], options: { zip64?: boolean } = {}): Buffer {
  return makeZip(
    [
      { name: 'archive/data.pkl', data: dataPkl },
      { name: 'archive/byteorder', data: Buffer.from('little') },
      ...storages.map((data, i) => ({ name: `archive/data/${i}`, data })),
      { name: 'archive/version', data: Buffer.from('3\n') },
      { name: 'archive/.data/serialization_id', data: Buffer.from('1234567890') },
    ],
    options,
  );
}

/** A benign torch state_dict pickle: {name: _rebuild_tensor_v2(persistent storage, 0, (n,), (1,), False, OrderedDict())}. */
export function stateDictPickle(tensors: Array<{ name: string; numel: number; key: string }>): Buffer {
  const w = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().binput(0).mark();
  for (const tensor of tensors) {
    w.str(tensor.name, 3)
      .global('torch._utils', '_rebuild_tensor_v2')
      .mark()
      .mark()
      .str('storage', 3)
      .global('torch', 'FloatStorage')
      .str(tensor.key, 3)
      .str('cpu', 3)
      .int(tensor.numel)
      .tuple()
      .binpersid()
      .int(0)
      .int(tensor.numel)
      .tuple1()
      .int(1)
      .tuple1()
      .op(0x89)
      .global('collections', 'OrderedDict')
      .emptyTuple()
      .reduce()
      .tuple()
      .reduce();
  }
  return w.setitems().stop().toBuffer();
}

// ------------------------------------------------------------------ tar, npy, safetensors

export function makeTar(members: Array<{ name: string; data: Buffer }>): Buffer {
  const parts: Buffer[] = [];
  for (const member of members) {
    const header = Buffer.alloc(512);
    header.write(member.name, 0, 'utf8');
    header.write('0000644\0', 100, 'latin1');
    header.write('0000000\0', 108, 'latin1');
    header.write('0000000\0', 116, 'latin1');
    header.write(member.data.length.toString(8).padStart(11, '0') + '\0', 124, 'latin1');
    header.write('00000000000\0', 136, 'latin1');
    header.write('        ', 148, 'latin1');
    header[156] = 48;
    header.write('ustar\0', 257, 'latin1');
    header.write('00', 263, 'latin1');
    let sum = 0;
    for (const byte of header) sum += byte;
    header.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'latin1');
    parts.push(header, member.data, Buffer.alloc((512 - (member.data.length % 512)) % 512));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

export function makeNpy(header: string, data: Buffer): Buffer {
  let text = header;
  const unpadded = 10 + text.length + 1;
  text += ' '.repeat((64 - (unpadded % 64)) % 64) + '\n';
  const prefix = Buffer.alloc(10);
  Buffer.from('\x93NUMPY', 'latin1').copy(prefix);
  prefix[6] = 1;
  prefix[7] = 0;
  prefix.writeUInt16LE(text.length, 8);
  return Buffer.concat([prefix, Buffer.from(text, 'latin1'), data]);
}

export function makeSafetensors(header: unknown, dataLength: number, rawHeader?: string): Buffer {
  const text = Buffer.from(rawHeader ?? JSON.stringify(header), 'utf8');
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, Buffer.alloc(dataLength)]);
}
