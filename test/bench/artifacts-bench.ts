/**
 * Artifact inspector throughput on a few large generated checkpoints (written to a temp folder,
 * never loaded by anything but the static inspector):
 *   node --import tsx test/bench/artifacts-bench.ts [--mb 256]
 * Prints, per file: size, time, bytes actually read, and MB/s of file size.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { inspectArtifactFile } from '../../server/src/engine/artifacts/inspect';
import { PickleWriter, stateDictPickle, torchZip } from '../artifacts/writers';

const mbArg = process.argv.indexOf('--mb');
const MB = mbArg > 0 ? Number(process.argv[mbArg + 1]) : 256;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-artifacts-bench-'));

function tensors(count: number, numel: number) {
  return Array.from({ length: count }, (_, i) => ({ name: `layers.${i}.weight`, numel, key: String(i) }));
}

const files: Array<[string, () => Buffer]> = [
  // A torch zip checkpoint: 64 storages of MB/64 each, stored; the inspector reads the directory and data.pkl.
  ['torch-zip.pt', () => torchZip(stateDictPickle(tensors(64, (MB * 1024 * 1024) / 64 / 4)), Array.from({ length: 64 }, () => Buffer.alloc((MB * 1024 * 1024) / 64)))],
  // A big state_dict pickle: opcode throughput (200k tensors, ~30 MB of opcodes).
  ['state-dict-200k.pkl', () => stateDictPickle(tensors(200_000, 16))],
  // A raw pickle with one large BINBYTES (skipped, never read).
  ['bytes.pkl', () => new PickleWriter().proto(4).raw([0x8e]).raw(Buffer.from(new BigUint64Array([BigInt(MB * 1024 * 1024)]).buffer)).raw(Buffer.alloc(MB * 1024 * 1024)).stop().toBuffer()],
  // joblib with 16 inline float64 arrays (data skipped by size).
  [
    'model.joblib',
    () => {
      const w = new PickleWriter().proto(4).emptyList().mark();
      const n = (MB * 1024 * 1024) / 16 / 8;
      for (let i = 0; i < 16; i++) {
        w.global('joblib.numpy_pickle', 'NumpyArrayWrapper').emptyTuple().newobj().emptyDict().mark()
          .str('shape').int(n).tuple1().str('dtype').global('numpy', 'dtype').str('f8').op(0x89).op(0x88).op(0x87).reduce()
          .mark().int(3).str('<').none().none().none().int(-1).int(-1).int(0).tuple().build()
          .str('numpy_array_alignment_bytes').int(16).setitems().build().raw([0]).raw(Buffer.alloc(n * 8));
      }
      return w.appends().stop().toBuffer();
    },
  ],
];

console.log(`artifact inspector bench (${MB} MB class files) in ${dir}`);
for (const [name, make] of files) {
  const file = path.join(dir, name);
  fs.writeFileSync(file, make());
  const size = fs.statSync(file).size;
  inspectArtifactFile(file); // warm up
  const runs = 3;
  const started = performance.now();
  let result;
  for (let i = 0; i < runs; i++) result = inspectArtifactFile(file);
  const ms = (performance.now() - started) / runs;
  const mb = size / 1024 / 1024;
  console.log(
    `${name.padEnd(22)} ${mb.toFixed(1).padStart(8)} MB  ${ms.toFixed(1).padStart(8)} ms  read ${(result!.bytesRead / 1024 / 1024).toFixed(1).padStart(7)} MB  ${(mb / (ms / 1000)).toFixed(0).padStart(8)} MB/s  ${result!.verdict}`,
  );
}
fs.rmSync(dir, { recursive: true, force: true });
