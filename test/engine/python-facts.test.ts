/**
 * Name resolution and value tracking on Python strings: the facts every rule stands on.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { PythonFacts } from '../../server/src/engine/python/facts';
import { createPythonParser } from '../../server/src/engine/python/parser';

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

function facts(source: string): PythonFacts {
  return new PythonFacts(parser.parse(source)!);
}

/** callee text → qualified name (undefined when unresolved), in source order. */
function resolved(source: string): Array<[string, string | undefined]> {
  return facts(source).calls.map((call) => [call.callee.text, call.qualifiedName]);
}

test('imports with aliases resolve calls to qualified names', () => {
  assert.deepEqual(
    resolved(['import torch as t', 'from pickle import loads as l', 'import torch.serialization', 'import yaml', 't.load(f)', 'l(b)', 'torch.serialization.load(f)', 'yaml.load(s)'].join('\n')),
    [
      ['t.load', 'torch.load'],
      ['l', 'pickle.loads'],
      ['torch.serialization.load', 'torch.serialization.load'],
      ['yaml.load', 'yaml.load'],
    ],
  );
});

test('a method called load on an unknown object is not torch.load', () => {
  assert.deepEqual(resolved('import torch\nckpt = Checkpoint()\nckpt.load(p)\nobj.load(p)\n'), [
    ['Checkpoint', undefined],
    ['ckpt.load', undefined],
    ['obj.load', undefined],
  ]);
});

test('parameters, local definitions and loop variables shadow imports', () => {
  const source = ['import torch', 'from pickle import load', 'def f(torch):', '    torch.load(x)', 'def load(p):', '    return p', 'load(1)', 'for torch in []:', '    torch.load(y)'].join('\n');
  assert.deepEqual(resolved(source), [
    ['torch.load', undefined],
    ['load', undefined],
    ['torch.load', undefined],
  ]);
});

test('instances: methods on an app are written Class().method; calling a loaded object is not the loader', () => {
  const source = ['from flask import Flask', 'import pickle', 'app = Flask(__name__)', 'app.run()', 'data = pickle.load(f)', 'data(1)', 'with Flask(__name__) as other:', '    other.run()', 'Flask(__name__).run()'].join('\n');
  assert.deepEqual(resolved(source), [
    ['Flask', 'flask.Flask'],
    ['app.run', 'flask.Flask().run'],
    ['pickle.load', 'pickle.load'],
    ['data', 'pickle.load()'],
    ['Flask', 'flask.Flask'],
    ['other.run', 'flask.Flask().run'],
    ['Flask(__name__).run', 'flask.Flask().run'],
    ['Flask', 'flask.Flask'],
  ]);
});

test('relative imports are kept apart from installed packages; builtins resolve when not shadowed', () => {
  assert.deepEqual(resolved('from .utils import load\nload(p)\neval(s)\n'), [
    ['load', '<local>.utils.load'],
    ['eval', 'builtins.eval'],
  ]);
});

test('values: literals, module and function constants, concatenation, names, tuples and dicts', () => {
  const source = [
    'import yaml',
    'REV = "3f2a" "9b"',
    'HOST = "0.0.0.0"',
    'TWICE = "a"',
    'TWICE = "b"',
    'def f(rev):',
    '    LOCAL = "./models/" + "base"',
    '    g(REV, LOCAL, TWICE, rev, yaml.SafeLoader, ("0.0.0.0", 80), {"host": HOST}, -1.5, None, f"x{rev}")',
  ].join('\n');
  const all = facts(source);
  const call = all.calls.find((c) => c.callee.text === 'g')!;
  const values = call.positional.map((node) => all.evaluate(node, call.scope));
  assert.deepEqual(values.slice(0, 5), [
    { kind: 'string', value: '3f2a9b' },
    { kind: 'string', value: './models/base' },
    { kind: 'unknown' },
    { kind: 'unknown' },
    { kind: 'name', qualified: 'yaml.SafeLoader' },
  ]);
  assert.deepEqual(values[5], { kind: 'sequence', items: [{ kind: 'string', value: '0.0.0.0' }, { kind: 'number', value: 80 }] });
  assert.deepEqual(values[6], { kind: 'mapping', entries: new Map([['host', { kind: 'string', value: '0.0.0.0' }]]) });
  assert.deepEqual(values.slice(7), [{ kind: 'number', value: -1.5 }, { kind: 'none' }, { kind: 'unknown' }]);
});

test('string values decode escape sequences, except in raw strings; a code point past U+10FFFF stays as written (it threw)', () => {
  const source = ['g(', ...['"0.0.\\x30.0"', '"\\u0030.0.0.0"', '"a\\tb"', '"\\101\\\\"', '"a\\\nb"', 'r"a\\x30"', '"\\N{BULLET}"', '"é\\x41é"', '"\\UFFFFFFFFa"', '"\\U0001F600"'].map((literal) => `  ${literal},`), ')'].join('\n');
  const all = facts(source);
  const call = all.calls[0]!;
  assert.deepEqual(
    call.positional.map((node) => all.evaluate(node, call.scope)),
    ['0.0.0.0', '0.0.0.0', 'a\tb', 'A\\', 'ab', 'a\\x30', '\\N{BULLET}', 'éAé', '\\UFFFFFFFFa', '😀'].map((value) => ({ kind: 'string', value })),
  );
});

test('arguments: keywords, positions, *args and **kwargs', () => {
  const call = facts('f(a, b, key=1, *rest, **options)\n').calls[0]!;
  assert.deepEqual(call.positional.map((n) => n.text), ['a', 'b']);
  assert.deepEqual([...call.keywords.keys()], ['key']);
  assert.equal(call.hasStarArgs, true);
  assert.equal(call.hasKeywordSplat, true);
});

test('statement lines span multi-line calls and stop at compound headers', () => {
  const all = facts(['x = torch.load(', '    p,', ')', 'if torch.load(q):', '    pass'].join('\n'));
  assert.deepEqual(all.calls.map((c) => c.statementLines), [
    { first: 0, last: 2 },
    { first: 3, last: 3 },
  ]);
});

test('a syntax error elsewhere does not hide calls that parse', () => {
  const all = facts(['import torch', 'def broken(:', '    pass', 'torch.load(p)'].join('\n'));
  assert.ok(all.tree.rootNode.hasError);
  assert.ok(all.calls.some((c) => c.qualifiedName === 'torch.load'));
});

test('comments are collected by line', () => {
  const all = facts('x = 1  # atlas-lens: ignore\n# nosec\n');
  assert.deepEqual([...all.comments], [
    [0, '# atlas-lens: ignore'],
    [1, '# nosec'],
  ]);
});

test('callsWithin gives, for every function, block and call of real files, the calls whose range lies inside it, in order', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const files: string[] = [];
  const walk = (dir: string): void => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.py')) files.push(full);
    }
  };
  walk(path.join(__dirname, '../fixtures/python'));
  walk(path.join(__dirname, '../eval/corpus'));
  // Calls that start where their container does and reach past it: the callee of `f(x)(y)`, `a.b(c).d(e)`.
  files.push('/inline.py');
  let compared = 0;
  for (const file of files) {
    const source = file === '/inline.py' ? 'def f():\n    g(x)(y).h(z)\n    return [k(v) for v in w(u)]\n' : fs.readFileSync(file, 'utf8');
    const tree = parser.parse(source)!;
    try {
      const known = new PythonFacts(tree);
      for (const node of tree.rootNode.descendantsOfType(['function_definition', 'block', 'call'])) {
        if (!node) continue;
        const expected = known.calls.filter((call) => call.node.startIndex >= node.startIndex && call.node.endIndex <= node.endIndex);
        assert.deepEqual(known.callsWithin(node).map((call) => call.node.id), expected.map((call) => call.node.id), `${file}: ${node.type} at ${node.startIndex}`);
        compared++;
      }
    } finally {
      tree.delete();
    }
  }
  assert.ok(compared > 2000, `${compared} nodes compared`);
});
