/**
 * The minimal TOML reader: the subset pyproject.toml uses, with offsets; malformed input is one
 * located error.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseToml, TomlSyntaxError, tomlGet, type TomlValue } from '../../server/src/engine/files/toml';

function plain(value: TomlValue | undefined): unknown {
  if (!value) return undefined;
  if (value.kind === 'string') return value.value;
  if (value.kind === 'scalar') return value.text;
  if (value.kind === 'array') return value.items.map(plain);
  return Object.fromEntries([...value.entries].map(([key, entry]) => [key, plain(entry.value)]));
}

test('tables, dotted and quoted keys, arrays over lines with comments and trailing commas, inline tables', () => {
  const text = [
    '# top comment',
    'title = "x"',
    '[project]',
    'name = "fraud"  # trailing comment',
    'dependencies = [',
    '  "torch>=2.6",  # why',
    '  # a comment line',
    "  'transformers==4.46.3',",
    ']',
    'urls."Home Page" = "https://example.com"',
    '[tool.poetry.dependencies]',
    'python = "^3.10"',
    'lib = { git = "https://github.com/org/lib.git", rev = "abc" }',
    '[[tool.uv.index]]',
    'url = "https://a"',
    '[[tool.uv.index]]',
    'url = "https://b"',
    'flags = [true, false, 1, -2.5e3, 1979-05-27T07:32:00Z, [1, 2]]',
    '',
  ].join('\n');
  const root = parseToml(text);
  assert.deepEqual(plain(tomlGet(root, 'project', 'dependencies')), ['torch>=2.6', 'transformers==4.46.3']);
  assert.equal(plain(tomlGet(root, 'project', 'urls', 'Home Page')), 'https://example.com');
  assert.deepEqual(plain(tomlGet(root, 'tool', 'poetry', 'dependencies', 'lib')), { git: 'https://github.com/org/lib.git', rev: 'abc' });
  assert.deepEqual(plain(tomlGet(root, 'tool', 'uv', 'index')), [{ url: 'https://a' }, { url: 'https://b', flags: ['true', 'false', '1', '-2.5e3', '1979-05-27T07:32:00Z', ['1', '2']] }]);
});

test('strings keep the offset of each character, escapes included', () => {
  const text = 'a = "x\\"y\\u00e9z"\nb = \'C:\\path\'\nc = """\nline1\nline2"""\nd = \'\'\'raw\\n\'\'\'\n';
  const root = parseToml(text);
  const a = tomlGet(root, 'a');
  assert.ok(a?.kind === 'string');
  assert.equal(a.value, 'x"yéz');
  assert.deepEqual(a.offsets.map((offset) => text[offset]), ['x', '\\', 'y', '\\', 'z', '"']);
  assert.equal(plain(tomlGet(root, 'b')), 'C:\\path');
  assert.equal(plain(tomlGet(root, 'c')), 'line1\nline2');
  assert.equal(plain(tomlGet(root, 'd')), 'raw\\n');
});

test('malformed TOML throws one error with its offset', () => {
  for (const [text, where] of [
    ['a = "unterminated\n', 17],
    ['[project\nname = "x"\n', 8],
    ['a = [1, 2\nb = 3\n', 10],
    ['a = 1 b = 2\n', 6],
  ] as const) {
    assert.throws(
      () => parseToml(text),
      (error: unknown) => error instanceof TomlSyntaxError && error.offset === where,
      text,
    );
  }
});
