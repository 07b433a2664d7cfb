import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAnnotations } from './parse-annotations';

const sample = [
  'import torch as t',
  'state = t.load(path)  # expect: AML.T0011.000',
  'model = AutoModel.from_pretrained(  # expect: AML.T0010.003, AML.T0011.000',
  '    "org/model",',
  '    trust_remote_code=True,',
  ')',
  'cfg = yaml.safe_load(f)  # ok',
  'if host == "0.0.0.0":  # ok: comparison, not a bind',
  'tok = AutoTokenizer.from_pretrained(NAME, revision=rev)  # maybe',
  'x = t.load(p, weights_only=flag)  # maybe (non-literal)',
  'app.run(host="0.0.0.0", debug=True)  # expect: AML.T0049 (bind + debugger)',
  'okay = 1  # okay this is not an annotation',
  'msg = "see # ok"',
  '',
].join('\n');

test('parses expect annotations with one or several ids', () => {
  const { expected } = parseAnnotations(sample);
  assert.deepEqual([...expected.keys()], [1, 2, 10]);
  assert.deepEqual(expected.get(1), ['AML.T0011.000']);
  assert.deepEqual(expected.get(2), ['AML.T0010.003', 'AML.T0011.000']);
  assert.deepEqual(expected.get(10), ['AML.T0049']);
});

test('parses ok annotations, bare and with a reason', () => {
  const { ok } = parseAnnotations(sample);
  assert.deepEqual([...ok].sort((a, b) => a - b), [6, 7]);
});

test('parses maybe annotations, bare and with a reason', () => {
  const { maybe } = parseAnnotations(sample);
  assert.deepEqual([...maybe].sort((a, b) => a - b), [8, 9]);
});

test('ignores look-alikes and unannotated lines', () => {
  const { expected, ok, maybe } = parseAnnotations(sample);
  for (const line of [0, 3, 4, 5, 11, 12, 13]) {
    assert.equal(expected.has(line), false);
    assert.equal(ok.has(line), false);
    assert.equal(maybe.has(line), false);
  }
});

test('handles CRLF line endings', () => {
  const { expected, ok } = parseAnnotations('a = 1\r\npickle.loads(b)  # expect: AML.T0011.000\r\npickle.dumps(c)  # ok\r\n');
  assert.deepEqual(expected.get(1), ['AML.T0011.000']);
  assert.ok(ok.has(2));
});

test('rejects a malformed expect annotation', () => {
  assert.throws(() => parseAnnotations('x = 1\ny = pickle.load(f)  # expect: T0011\n'), /line 2/);
});

test('every corpus file parses and the corpus meets its size targets', () => {
  const dir = join(import.meta.dirname, 'corpus');
  const files = readdirSync(dir).filter((f) => f.endsWith('.py'));
  assert.ok(files.length >= 20, `expected at least 20 corpus files, found ${files.length}`);
  let expected = 0;
  let ok = 0;
  for (const file of files) {
    const a = parseAnnotations(readFileSync(join(dir, file), 'utf8'));
    expected += a.expected.size;
    ok += a.ok.size;
    for (const ids of a.expected.values()) assert.ok(ids.length > 0, file);
  }
  assert.ok(expected >= 80, `expected >= 80 "# expect:" lines, found ${expected}`);
  assert.ok(ok >= 80, `expected >= 80 "# ok" lines, found ${ok}`);
});
