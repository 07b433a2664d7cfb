/**
 * Container formats around the pickles: PyTorch zip (incl. ZIP64 and deflated members), legacy
 * PyTorch raw and tar files, joblib with inline arrays and zlib compression, .npy/.npz object
 * arrays, Keras archives, safetensors headers, and the zip-bomb and nesting guards.
 */
import assert from 'node:assert/strict';
import * as zlib from 'node:zlib';
import { test } from 'node:test';
import { inspectArtifact } from '../../server/src/engine/artifacts/inspect';
import { callPickle, makeNpy, makeSafetensors, makeTar, makeZip, PickleWriter, stateDictPickle, torchZip } from './writers';

const EVIL = callPickle('posix', 'system', 'echo pwned', 2);
const CLEAN_STATE = stateDictPickle([
  { name: 'layer.weight', numel: 4, key: '0' },
  { name: 'layer.bias', numel: 2, key: '1' },
]);

test('PyTorch zip: a malicious data.pkl is dangerous and names its member; a state_dict is clean', () => {
  const evil = inspectArtifact('classifier.pt', torchZip(EVIL, [Buffer.alloc(16)]));
  assert.equal(evil.format, 'torch-zip');
  assert.equal(evil.verdict, 'dangerous');
  assert.equal(evil.imports[0]!.member, 'archive/data.pkl');
  const clean = inspectArtifact('classifier.pt', torchZip(CLEAN_STATE, [Buffer.alloc(16), Buffer.alloc(8)]));
  assert.equal(clean.verdict, 'clean', clean.summary);
  assert.deepEqual(clean.imports.map((i) => `${i.module}.${i.name}`).sort(), ['collections.OrderedDict', 'torch.FloatStorage', 'torch._utils._rebuild_tensor_v2']);
  // ZIP64 end records and deflated members, as large or re-zipped checkpoints have them.
  const zip64 = inspectArtifact('big.pth', torchZip(CLEAN_STATE, [Buffer.alloc(16)], { zip64: true }));
  assert.equal(zip64.verdict, 'clean', zip64.summary);
  const deflated = inspectArtifact('x.ckpt', makeZip([{ name: 'ckpt/data.pkl', data: EVIL, deflate: true }, { name: 'ckpt/constants.pkl', data: callPickle('builtins', 'exec', 'x', 2), deflate: true }]));
  assert.deepEqual(deflated.imports.map((i) => `${i.member}:${i.module}.${i.name}`), ['ckpt/data.pkl:posix.system', 'ckpt/constants.pkl:builtins.exec']);
  // pytorch_model.bin is a zip too; a raw .bin that is neither zip nor pickle gets no verdict.
  assert.equal(inspectArtifact('pytorch_model.bin', torchZip(EVIL)).verdict, 'dangerous');
  assert.equal(inspectArtifact('weights.bin', Buffer.alloc(64, 7)).format, undefined);
});

test('torch-only safe set: a numpy-free framework list does not bless joblib internals in a checkpoint', () => {
  const joblibInTorch = new PickleWriter().proto(2).global('joblib.numpy_pickle', 'NumpyArrayWrapper').emptyTuple().newobj().stop().toBuffer();
  assert.equal(inspectArtifact('m.pt', torchZip(joblibInTorch)).verdict, 'suspicious');
  assert.equal(inspectArtifact('m.pkl', joblibInTorch).verdict, 'clean');
});

test('legacy PyTorch raw file: the five pickles are read and the raw storage after them is not', () => {
  const magic = new PickleWriter().proto(2).raw([0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19]).stop().toBuffer();
  const protocolVersion = new PickleWriter().proto(2).int(1001).stop().toBuffer();
  const sysInfo = new PickleWriter().proto(2).emptyDict().str('little_endian', 2).op(0x88).setitem().stop().toBuffer();
  const keys = new PickleWriter().proto(2).emptyList().str('0', 2).append().stop().toBuffer();
  const storage = Buffer.concat([Buffer.from([0x80, 0, 0, 0, 0, 0, 0, 0]), Buffer.alloc(0x80 * 4, 0x80)]);
  const legacy = (main: Buffer) => Buffer.concat([magic, protocolVersion, sysInfo, main, keys, storage]);
  const clean = inspectArtifact('old.pt', legacy(CLEAN_STATE));
  assert.equal(clean.format, 'torch-legacy');
  assert.equal(clean.verdict, 'clean', clean.summary);
  const evil = inspectArtifact('old.pt', legacy(EVIL));
  assert.equal(evil.verdict, 'dangerous');
  assert.deepEqual(evil.issues, []);
});

test('legacy PyTorch tar: the pickle member and the storages pickles are read', () => {
  const count = (n: number) => new PickleWriter().proto(2).int(n).stop().toBuffer();
  const storageHeader = new PickleWriter().proto(2).str('0', 2).str('cpu', 2).global('torch', 'FloatStorage').op(0x87).stop().toBuffer();
  const numel = Buffer.alloc(8);
  numel.writeBigUInt64LE(2n);
  const storages = Buffer.concat([count(1), storageHeader, numel, Buffer.alloc(8)]);
  const tar = (pickle: Buffer) => makeTar([
    { name: 'sys_info', data: new PickleWriter().proto(2).emptyDict().stop().toBuffer() },
    { name: 'pickle', data: pickle },
    { name: 'tensors', data: count(0) },
    { name: 'storages', data: storages },
  ]);
  const clean = inspectArtifact('ancient.pt', tar(CLEAN_STATE));
  assert.equal(clean.format, 'torch-tar');
  assert.equal(clean.verdict, 'clean', clean.summary);
  const evil = inspectArtifact('ancient.pt', tar(EVIL));
  assert.equal(evil.verdict, 'dangerous');
  assert.equal(evil.imports[0]!.member, 'pickle');
});

/** joblib: {'a': NumpyArrayWrapper(<4 float64 inline>), 'b': posix.system(...)} */
function joblibStream(tail: 'evil' | 'clean'): Buffer {
  const w = new PickleWriter().proto(4).emptyDict().mark().str('a')
    .global('joblib.numpy_pickle', 'NumpyArrayWrapper').emptyTuple().newobj()
    .emptyDict().mark()
    .str('subclass').global('numpy', 'ndarray')
    .str('shape').int(4).tuple1()
    .str('order').str('C')
    .str('dtype').global('numpy', 'dtype').str('f8').op(0x89).op(0x88).op(0x87).reduce()
    .mark().int(3).str('<').none().none().none().int(-1).int(-1).int(0).tuple().build()
    .str('allow_mmap').op(0x89)
    .str('numpy_array_alignment_bytes').int(16)
    .setitems().build()
    // The array data, inline: padding length, padding, 4 x 8 bytes that look like opcodes.
    .raw([5, 0xff, 0xff, 0xff, 0xff, 0xff]).raw(Buffer.alloc(32, 0x52))
    .str('b');
  if (tail === 'evil') w.global('posix', 'system').str('echo pwned').tuple1().reduce();
  else w.int(1);
  return w.setitems().stop().toBuffer();
}

test('joblib: inline numpy array data is skipped, the pickle after it is read; zlib-compressed files too', () => {
  const clean = inspectArtifact('model.joblib', joblibStream('clean'));
  assert.equal(clean.format, 'joblib');
  assert.equal(clean.verdict, 'clean', clean.summary);
  assert.deepEqual(clean.issues, []);
  const evil = inspectArtifact('model.joblib', joblibStream('evil'));
  assert.equal(evil.verdict, 'dangerous');
  assert.deepEqual(evil.issues, []);
  assert.equal(inspectArtifact('model.joblib', zlib.deflateSync(joblibStream('evil'))).verdict, 'dangerous');
  assert.equal(inspectArtifact('model.joblib', zlib.gzipSync(joblibStream('evil'))).verdict, 'dangerous');
  const xz = inspectArtifact('model.joblib', Buffer.concat([Buffer.from([0xfd]), Buffer.from('7zXZ\0rest')]));
  assert.equal(xz.verdict, 'incomplete');
  assert.match(xz.summary, /compressed with xz/);
});

test('.npy: numeric arrays are checked for size, object arrays have their pickle walked; .npz members too', () => {
  assert.equal(inspectArtifact('a.npy', makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Buffer.alloc(8))).verdict, 'clean');
  const short = inspectArtifact('a.npy', makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }", Buffer.alloc(8)));
  assert.equal(short.verdict, 'incomplete');
  assert.match(short.summary, /24 bytes of array data expected, 8 present/);
  const objectArray = (payload: Buffer) => makeNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", payload);
  const benign = new PickleWriter().proto(3).global('numpy.core.multiarray', '_reconstruct').global('numpy', 'ndarray').int(0).tuple1().str('b', 3).op(0x87).reduce().stop().toBuffer();
  assert.equal(inspectArtifact('o.npy', objectArray(benign)).verdict, 'clean');
  const evil = inspectArtifact('o.npy', objectArray(EVIL));
  assert.equal(evil.format, 'numpy');
  assert.equal(evil.verdict, 'dangerous');
  // numpy's safe set does not include torch.
  const torchInNumpy = new PickleWriter().proto(2).global('torch._utils', '_rebuild_tensor_v2').stop().toBuffer();
  assert.equal(inspectArtifact('o.npy', objectArray(torchInNumpy)).verdict, 'suspicious');
  const npz = inspectArtifact('arrays.npz', makeZip([{ name: 'x.npy', data: makeNpy("{'descr': '<i8', 'fortran_order': False, 'shape': (1,), }", Buffer.alloc(8)) }, { name: 'y.npy', data: objectArray(EVIL), deflate: true }]));
  assert.equal(npz.format, 'npz');
  assert.equal(npz.verdict, 'dangerous');
  assert.equal(npz.imports[0]!.member, 'y.npy');
  assert.equal(inspectArtifact('bad.npy', makeNpy("{'descr': __import__('os'), }", Buffer.alloc(0))).verdict, 'incomplete', 'the header is parsed, never evaluated');
});

test('Keras archive: a Lambda layer is embedded code; a reference into os is dangerous; plain layers are clean', () => {
  const keras = (layers: unknown[]) =>
    makeZip([
      { name: 'metadata.json', data: Buffer.from('{"keras_version": "3.4.1"}') },
      { name: 'config.json', data: Buffer.from(JSON.stringify({ module: 'keras', class_name: 'Sequential', config: { name: 'seq', layers } })), deflate: true },
      { name: 'model.weights.h5', data: Buffer.alloc(32) },
    ]);
  const dense = { module: 'keras.layers', class_name: 'Dense', config: { name: 'dense', units: 2 } };
  assert.equal(inspectArtifact('m.keras', keras([dense])).verdict, 'clean');
  const lambda = { module: 'keras.layers', class_name: 'Lambda', config: { name: 'double', function: { class_name: '__lambda__', config: { code: '4wEAAAAAAAAA', defaults: null, closure: null } } } };
  const r = inspectArtifact('m.keras', keras([dense, lambda]));
  assert.equal(r.format, 'keras');
  assert.equal(r.verdict, 'suspicious');
  assert.equal(r.issues[0]!.kind, 'embedded-code');
  assert.match(r.issues[0]!.message, /Lambda layer "double" holds serialized Python bytecode.* \(at config\.layers\[1\]\)/);
  const system = { module: 'keras.layers', class_name: 'Lambda', config: { name: 'l', function: { module: 'os', class_name: 'function', config: 'system', registered_name: 'function' } } };
  const d = inspectArtifact('m.keras', keras([system]));
  assert.equal(d.verdict, 'dangerous');
  assert.match(d.summary, /os\.system \(process/);
});

test('safetensors: a valid header is clean; every header problem is located', () => {
  const good = makeSafetensors({ __metadata__: { format: 'pt' }, a: { dtype: 'F32', shape: [2, 2], data_offsets: [0, 16] }, b: { dtype: 'BF16', shape: [3], data_offsets: [16, 22] } }, 22);
  const clean = inspectArtifact('model.safetensors', good);
  assert.equal(clean.format, 'safetensors');
  assert.equal(clean.verdict, 'clean');
  assert.equal(clean.summary, 'clean: safetensors header well-formed, nothing executable (a data-only format)');
  const bad = (header: unknown, length: number, raw?: string) => inspectArtifact('m.safetensors', makeSafetensors(header, length, raw));
  const cases: Array<[ReturnType<typeof bad>, RegExp]> = [
    [bad(null, 0, '{"a": {"dtype": "F32",'), /header is not valid JSON/],
    [bad({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 80] } }, 8), /data_offsets end 80 is past the data buffer \(8 bytes\)/],
    [bad({ a: { dtype: 'F32', shape: [4], data_offsets: [0, 8] } }, 8), /8 bytes for F32 \[4\] \(expected 16\)/],
    [bad({ a: { dtype: 'F32', shape: [2], data_offsets: [0, 8] }, b: { dtype: 'F32', shape: [2], data_offsets: [4, 12] } }, 12), /tensor b overlaps/],
    [bad({ a: { dtype: 'Q7', shape: [2], data_offsets: [0, 8] } }, 8), /unknown dtype "Q7"/],
    [bad({ a: { dtype: 'U8', shape: [2], data_offsets: [2, 4] } }, 4), /bytes 0-2 of the data buffer belong to no tensor/],
    [bad([1, 2], 0), /header is not a JSON object/],
  ];
  for (const [result, message] of cases) {
    assert.equal(result.verdict, 'incomplete');
    assert.match(result.issues[0]!.message, message);
    assert.ok((result.issues[0]!.offset ?? -1) >= 8);
  }
  const huge = Buffer.alloc(16);
  huge.writeBigUInt64LE(10n ** 12n);
  assert.match(inspectArtifact('h.safetensors', huge).summary, /over the 100 MB limit/);
  const past = Buffer.alloc(16);
  past.writeBigUInt64LE(1000n);
  assert.match(inspectArtifact('p.safetensors', past).summary, /runs past the end of the file/);
});

test('zip bombs: an absurd ratio, a member inflating past its declared size, overlapping members; truncated archives', () => {
  const ratio = inspectArtifact('bomb.pt', makeZip([{ name: 'a/data.pkl', data: Buffer.alloc(1 << 20), deflate: true, declaredSize: 20 * 1024 ** 3 }]));
  assert.equal(ratio.verdict, 'incomplete');
  assert.match(ratio.summary, /zip bomb: member a\/data\.pkl claims 20\.0 GB/);
  const liar = inspectArtifact('bomb.pt', makeZip([{ name: 'a/data.pkl', data: Buffer.alloc(8 << 20), deflate: true, declaredSize: 100 }]));
  assert.match(liar.summary, /zip bomb: member a\/data\.pkl inflates beyond its declared 100 B/);
  const overlap = inspectArtifact('bomb.pt', makeZip([{ name: 'a/data.pkl', data: EVIL }, { name: 'a/b.pkl', data: EVIL }], { overlap: true }));
  assert.match(overlap.summary, /overlap/);
  const full = torchZip(EVIL, [Buffer.alloc(4096)]);
  const cut = inspectArtifact('cut.pt', full.subarray(0, full.length - 30));
  assert.equal(cut.verdict, 'incomplete');
  assert.match(cut.summary, /no end-of-central-directory record/);
  // Members over the per-member limit are not read.
  const limited = inspectArtifact('m.pt', torchZip(EVIL), { zip: { maxMemberBytes: 10 } });
  assert.match(limited.summary, /limit 10 B/);
});

test('archives nested inside archives stop at maxDepth', () => {
  let inner = torchZip(EVIL);
  for (let i = 0; i < 4; i++) inner = makeZip([{ name: `level${i}/inner.pt`, data: inner }]);
  const deep = inspectArtifact('nested.pt', inner, { maxDepth: 2 });
  assert.match(deep.summary, /nested deeper than 2 levels/);
  const ok = inspectArtifact('nested.pt', inner, { maxDepth: 6 });
  assert.equal(ok.verdict, 'dangerous');
});
