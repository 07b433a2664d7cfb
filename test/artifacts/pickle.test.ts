/**
 * The pickle opcode walker through inspectArtifact: every protocol, every import/call opcode,
 * memoized names, indirection, truncation and malformed streams. Hostile streams are assembled
 * opcode by opcode (writers.ts); nothing is ever unpickled.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Budget, bufferSource, Cursor } from '../../server/src/engine/artifacts/bytes';
import { inspectArtifact, type ArtifactInspection } from '../../server/src/engine/artifacts/inspect';
import { GlobalCollector, readPickle } from '../../server/src/engine/artifacts/pickle';
import { PYTHON_PICKLES } from './python-pickles';
import { callPickle, PickleWriter } from './writers';

const names = (r: ArtifactInspection, kind?: string): string[] => r.imports.filter((i) => !kind || i.classification === kind).map((i) => `${i.module}.${i.name}`);

test('CPython output of protocols 0-5 reads to the end: only known-safe imports, clean', () => {
  for (const [protocol, hex] of Object.entries(PYTHON_PICKLES)) {
    const bytes = Buffer.from(hex, 'hex');
    const collector = new GlobalCollector();
    const result = readPickle(new Cursor(bufferSource(bytes), 0, bytes.length, new Budget(1 << 20, 5000)), collector);
    assert.equal(result.end, bytes.length, `protocol ${protocol} read to STOP`);
    assert.equal(result.protocol, Number(protocol) >= 2 ? Number(protocol) : 0);
    assert.equal(result.result?.t, 'dict');
    const inspection = inspectArtifact('obj.pkl', bytes);
    assert.equal(inspection.verdict, 'clean', `protocol ${protocol}: ${inspection.summary}`);
    assert.ok(names(inspection).includes('collections.OrderedDict'));
    assert.deepEqual(inspection.issues, []);
  }
});

test('GLOBAL + REDUCE of posix.system is dangerous in every protocol, with the call and its argument', () => {
  for (let protocol = 0; protocol <= 5; protocol++) {
    const r = inspectArtifact('evil.pkl', callPickle('posix', 'system', 'echo pwned', protocol));
    assert.equal(r.verdict, 'dangerous', `protocol ${protocol}`);
    const entry = r.imports[0]!;
    assert.deepEqual([entry.module, entry.name, entry.opcode, entry.offset, entry.category], ['posix', 'system', 'GLOBAL', protocol >= 2 ? 2 : 0, 'process']);
    assert.deepEqual(entry.calls, ["posix.system('echo pwned')"]);
    assert.match(r.summary, /dangerous: imports posix\.system \(process, called as posix\.system\('echo pwned'\)\)/);
  }
});

test('STACK_GLOBAL with names memoized by MEMOIZE and BINPUT, fetched by BINGET', () => {
  const memoize = new PickleWriter().proto(4).str('os').memoize().str('system').memoize().binget(0).binget(1).stackGlobal().str('id').tuple1().reduce().stop().toBuffer();
  const r1 = inspectArtifact('a.pkl', memoize);
  assert.deepEqual(names(r1, 'dangerous'), ['os.system']);
  assert.equal(r1.imports[0]!.opcode, 'STACK_GLOBAL');
  const binput = new PickleWriter().proto(3).str('subprocess', 3).binput(7).op('0').str('check_output', 3).binput(9).op('0').binget(7).binget(9).stackGlobal().stop().toBuffer();
  assert.deepEqual(names(inspectArtifact('b.pkl', binput), 'dangerous'), ['subprocess.check_output']);
  // Protocol 0 PUT/GET text memo.
  const text = new PickleWriter().raw('Vbuiltins\n').put(1).op('0').get(1).raw('Veval\n').stackGlobal().stop().toBuffer();
  assert.deepEqual(names(inspectArtifact('c.pkl', text), 'dangerous'), ['builtins.eval']);
});

test('INST, OBJ, NEWOBJ and BUILD are calls on the imported class', () => {
  const inst = new PickleWriter().mark().string0('ls').inst('subprocess', 'Popen').stop().toBuffer();
  const r1 = inspectArtifact('i.pkl', inst);
  assert.equal(r1.imports[0]!.opcode, 'INST');
  assert.deepEqual(r1.imports[0]!.calls, ["subprocess.Popen('ls')"]);
  const obj = new PickleWriter().proto(1).mark().global('os', 'popen').str('id', 1).obj().stop().toBuffer();
  assert.deepEqual(inspectArtifact('o.pkl', obj).imports[0]!.calls, ["os.popen('id')"]);
  const newobj = new PickleWriter().proto(2).global('mylib.models', 'Net').emptyTuple().newobj().emptyDict().str('w', 2).int(3).setitem().build().stop().toBuffer();
  const r3 = inspectArtifact('n.pkl', newobj);
  assert.equal(r3.verdict, 'suspicious');
  assert.deepEqual(r3.imports[0]!.calls, ['mylib.models.Net()', "mylib.models.Net.__setstate__({'w': 3})"]);
});

test('indirection tricks: getattr, operator.attrgetter, functools.partial, __builtin__ (Python 2) names', () => {
  // getattr(builtins-module-ish object, 'system'): the getattr import alone is the error.
  const getattr = new PickleWriter().proto(2).global('builtins', 'getattr').global('os', 'path').str('join', 2).tuple2().reduce().stop().toBuffer();
  assert.ok(names(inspectArtifact('g.pkl', getattr), 'dangerous').includes('builtins.getattr'));
  for (const [module, name] of [['operator', 'attrgetter'], ['_operator', 'methodcaller'], ['functools', 'partial'], ['__builtin__', 'eval'], ['__builtin__', '__import__'], ['runpy', '_run_code'], ['webbrowser', 'open'], ['socket', 'create_connection'], ['shutil', 'rmtree'], ['pty', 'spawn'], ['nt', 'system']]) {
    const r = inspectArtifact('x.pkl', callPickle(module!, name!, 'arg', 2));
    assert.equal(r.verdict, 'dangerous', `${module}.${name}`);
  }
});

test('imports outside the known-safe set are suspicious; only safe ones are clean', () => {
  const sklearn = new PickleWriter().proto(4).str('sklearn.ensemble._forest').str('RandomForestClassifier').stackGlobal().emptyTuple().newobj().stop().toBuffer();
  const r = inspectArtifact('model.pkl', sklearn);
  assert.equal(r.verdict, 'suspicious');
  assert.match(r.summary, /outside the known-safe set: sklearn\.ensemble\._forest\.RandomForestClassifier/);
  const safe = new PickleWriter().proto(2).global('collections', 'OrderedDict').emptyTuple().reduce().stop().toBuffer();
  assert.equal(inspectArtifact('s.pkl', safe).verdict, 'clean');
});

test('truncated stream: a located issue, and what ran before the cut is still reported', () => {
  const full = callPickle('posix', 'system', 'echo pwned', 2);
  const r = inspectArtifact('t.pkl', full.subarray(0, full.length - 1)); // no STOP
  assert.equal(r.verdict, 'dangerous');
  assert.equal(r.issues[0]?.kind, 'truncated');
  assert.equal(r.issues[0]?.offset, full.length - 1);
  const benign = inspectArtifact('b.pkl', Buffer.from(PYTHON_PICKLES[4]!, 'hex').subarray(0, 30));
  assert.equal(benign.verdict, 'incomplete');
  assert.match(benign.summary, /not fully inspected: unexpected end/);
  // A length field pointing past the end.
  const long = new PickleWriter().proto(4).raw([0x58, 0xff, 0xff, 0xff, 0x00]).raw('abc').toBuffer();
  assert.equal(inspectArtifact('l.pkl', long).issues[0]?.kind, 'truncated');
});

test('malformed streams: unknown opcode after REDUCE, bad STACK_GLOBAL operands, undefined memo key, underflow', () => {
  const evil = callPickle('posix', 'system', 'x', 2);
  const garbage = Buffer.concat([evil.subarray(0, evil.length - 1), Buffer.from([0xff])]);
  const r = inspectArtifact('m.pkl', garbage);
  assert.equal(r.verdict, 'dangerous');
  assert.match(r.issues[0]!.message, /unknown opcode 0xff/);
  assert.equal(r.issues[0]!.offset, evil.length - 1);
  const badStack = new PickleWriter().proto(4).int(1).int(2).stackGlobal().stop().toBuffer();
  assert.match(inspectArtifact('s.pkl', badStack).issues[0]!.message, /STACK_GLOBAL needs two strings/);
  assert.match(inspectArtifact('g.pkl', new PickleWriter().proto(2).binget(3).stop().toBuffer()).issues[0]!.message, /memo key 3 is not defined/);
  assert.match(inspectArtifact('u.pkl', new PickleWriter().proto(2).reduce().stop().toBuffer()).issues[0]!.message, /stack underflow/);
  assert.match(inspectArtifact('p.pkl', Buffer.from([0x80, 9, 0x2e])).issues[0]!.message, /unsupported pickle protocol 9/);
});

test('pickles appended one after another are all read; trailing non-pickle bytes are ignored', () => {
  const benign = Buffer.from(PYTHON_PICKLES[2]!, 'hex');
  const r = inspectArtifact('two.pkl', Buffer.concat([benign, callPickle('os', 'system', 'id', 2)]));
  assert.equal(r.verdict, 'dangerous');
  const trailing = inspectArtifact('t.pkl', Buffer.concat([benign, Buffer.from('trailing garbage')]));
  assert.equal(trailing.verdict, 'clean');
});

test('deep MARK nesting and the byte budget stop with a located issue', () => {
  const deep = new PickleWriter().proto(2).raw(Buffer.alloc(150_000, 0x28)).stop().toBuffer();
  const r = inspectArtifact('d.pkl', deep);
  assert.equal(r.verdict, 'incomplete');
  assert.match(r.issues[0]!.message, /MARK nesting deeper than/);
  const big = new PickleWriter().proto(4).binbytes(3 << 20).op('0').global('os', 'system').stop().toBuffer();
  assert.equal(inspectArtifact('big.pkl', big).verdict, 'dangerous', 'skipped bytes do not count');
  const overBudget = inspectArtifact('budget.pkl', big, { maxBytes: 1024 });
  assert.equal(overBudget.issues[0]?.kind, 'budget');
  assert.match(overBudget.issues[0]!.message, /inspection budget of 1\.0 KB exhausted/);
});

test('reading through a file crosses 1 MB window boundaries without losing sync', async () => {
  const fs = await import('node:fs');
  const os = await import('node:os');
  const path = await import('node:path');
  const { inspectArtifactFile } = await import('../../server/src/engine/artifacts/inspect');
  const w = new PickleWriter().proto(4).emptyList().mark();
  // Odd-sized strings so that length fields and payloads straddle the window edges.
  for (let i = 0; i < 3000; i++) w.str('x'.repeat(997 + (i % 7)), 3);
  const bytes = w.appends().global('os', 'system').stop().toBuffer();
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-window-')), 'big.pkl');
  fs.writeFileSync(file, bytes);
  const r = inspectArtifactFile(file);
  assert.deepEqual(r.issues, []);
  assert.equal(r.verdict, 'dangerous');
});

test('long MARK frames are compacted without losing what a verdict needs: imports, strings for STACK_GLOBAL, calls', () => {
  // A frame of 20k values; a call and the strings 'os' 'system' sit deep inside it. Everything above
  // is popped again (POP), so they come back to the top long after the frame was compacted.
  const w = new PickleWriter().proto(4).emptyList().mark();
  for (let i = 0; i < 200; i++) w.int(i).int(i).tuple1().tuple1(); // containers in the kept head
  w.global('builtins', 'repr'); // a global at index 200: kept
  w.global('builtins', 'print').str('kept').tuple1().reduce(); // a call at index 201: compacted
  w.str('os').str('system'); // strings at 202, 203: kept
  for (let i = 0; i < 20_000; i++) w.int(7).tuple1();
  for (let i = 0; i < 20_000; i++) w.op('0');
  w.stackGlobal().str('echo pwned').tuple1().reduce(); // os.system('echo pwned') from the kept strings
  w.raw([0x86]).reduce(); // repr(print(...) result, os.system(...) result): an elided argument
  const bytes = w.appends().stop().toBuffer();
  const r = inspectArtifact('long.pkl', bytes);
  assert.deepEqual(r.issues, []);
  assert.equal(r.verdict, 'dangerous');
  const system = r.imports.find((i) => i.module === 'os' && i.name === 'system')!;
  assert.deepEqual([system.opcode, system.calls], ['STACK_GLOBAL', ["os.system('echo pwned')"]]);
  // The repr call is recorded; its first argument (the compacted print call) is shown as an ellipsis.
  const repr = r.imports.find((i) => i.name === 'repr')!;
  assert.deepEqual([repr.callCount, repr.calls], [1, ["builtins.repr(…, os.system('echo pwned'))"]]);
  // The print call itself was recorded when it was read.
  assert.deepEqual(r.imports.find((i) => i.name === 'print')!.calls, ["builtins.print('kept')"]);
  // Read directly, the stream ends exactly at STOP.
  const collector = new GlobalCollector();
  const result = readPickle(new Cursor(bufferSource(bytes), 0, bytes.length, new Budget(1 << 26, 10_000)), collector);
  assert.equal(result.end, bytes.length);
});
