/**
 * The value tracking of python/dataflow.ts on strings: each propagation step, and what must not
 * propagate (a reassigned variable, a different function, a call that is not a pass-through).
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { compileFlow, isDelimited, safeTemplateVariables, valueTracker } from '../../server/src/engine/python/dataflow';
import { PythonFacts } from '../../server/src/engine/python/facts';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { parseRuleFile } from '../../server/src/engine/rules/loader';
import { FlowMatchSchema } from '../../server/src/engine/rules/schema';

let parser: Parser;
before(async () => {
  parser = await createPythonParser();
});

const FLOW = FlowMatchSchema.parse({
  flow: {
    sources: [{ calls: ['llm.generate'] }, { names: ['flask.request', 'flask.request.**'] }, { 'route-parameters': true }],
    sinks: [{ calls: ['builtins.eval'], args: [{ position: 0 }] }],
    'pass-through': { calls: ['builtins.str', 'json.loads'], methods: ['join'] },
  },
}).flow;

/** For each `sink(...)` call in the source, in order: whether its argument carries the source's value. */
function sinks(lines: string[]): boolean[] {
  const source = ['from llm import generate', 'import json', 'from shlex import quote', ...lines].join('\n');
  const facts = new PythonFacts(parser.parse(source)!);
  const tracker = valueTracker(facts, compileFlow(FLOW));
  return facts.calls.filter((call) => call.callee.text === 'sink').map((call) => tracker.track(call.positional[0]!) !== undefined);
}

/** The notes of the path to the first sink's argument. */
function path(lines: string[]): string[] {
  const source = ['from llm import generate', ...lines].join('\n');
  const facts = new PythonFacts(parser.parse(source)!);
  const call = facts.calls.find((c) => c.callee.text === 'sink')!;
  const tracked = valueTracker(facts, compileFlow(FLOW)).track(call.positional[0]!);
  return tracked ? tracked.steps.map((step) => `${step.node.startPosition.row}: ${step.note}`) : [];
}

test('assignments are followed, and the path lists each one', () => {
  assert.deepEqual(sinks(['a = generate()', 'b = a', 'c = b', 'sink(c)']), [true]);
  assert.deepEqual(path(['a = generate()', 'b = a', 'c = b', 'sink(c)']), ['1: generate()', '1: assigned to a', '2: assigned to b', '3: assigned to c']);
});

test('tuple unpacking takes the matching element when both sides line up, the whole value otherwise', () => {
  assert.deepEqual(sinks(['a, b = generate(), "fixed"', 'sink(a)', 'sink(b)']), [true, false]);
  assert.deepEqual(sinks(['first, second = generate()', 'sink(second)']), [true]);
});

test('attribute and index reads, and methods of a tracked value', () => {
  assert.deepEqual(sinks(['r = generate()', 'sink(r.choices[0].message.content)', 'sink(r.text.strip().lower())', 'sink(r.json()["code"])']), [true, true, true]);
});

test('f-strings, .format, %, + and implicit containers carry the value', () => {
  assert.deepEqual(
    sinks(['x = generate()', 'sink(f"run {x}")', 'sink("run {}".format(x))', 'sink("run %s" % x)', 'sink("run " + x)', 'sink([1, {"k": (x,)}])', 'sink(x if ok else "")']),
    [true, true, true, true, true, true],
  );
});

test('await, with … as, := and += carry the value', () => {
  assert.deepEqual(sinks(['async def f():', '    r = await generate()', '    sink(r)']), [true]);
  assert.deepEqual(sinks(['with generate() as stream:', '    sink(stream)']), [true]);
  assert.deepEqual(sinks(['if (m := generate()):', '    sink(m)']), [true]);
  assert.deepEqual(sinks(['s = ""', 's += generate()', 'sink(s)']), [true]);
});

test('loops, comprehensions and container updates', () => {
  assert.deepEqual(sinks(['for chunk in generate():', '    sink(chunk)']), [true]);
  assert.deepEqual(sinks(['sink([c.text for c in generate()])']), [true]);
  assert.deepEqual(sinks(['parts = []', 'parts.append(generate())', 'sink("".join(parts))']), [true]);
  assert.deepEqual(sinks(['d = {}', 'd["code"] = generate()', 'sink(d["code"])']), [true]);
});

test('attribute paths assigned in the function: self.reply', () => {
  assert.deepEqual(sinks(['class A:', '    def f(self):', '        self.reply = generate()', '        sink(self.reply)', '        sink(self.other)']), [true, false]);
});

test('declared pass-through calls carry the value; other calls stop it', () => {
  assert.deepEqual(sinks(['x = generate()', 'sink(str(x))', 'sink(json.loads(x))', 'sink(int(x))', 'sink(quote(x))', 'sink(validate(x))', 'sink(len(x))']), [
    true,
    true,
    false,
    false,
    false,
    false,
  ]);
});

test('a reassigned variable no longer carries the value; a branch that may not run does', () => {
  assert.deepEqual(sinks(['x = generate()', 'x = "print(1)"', 'sink(x)']), [false]);
  assert.deepEqual(sinks(['x = generate()', 'if careful:', '    x = "0"', 'sink(x)']), [true]);
  assert.deepEqual(sinks(['if careful:', '    x = "0"', 'else:', '    x = generate()', 'sink(x)']), [true]);
  assert.deepEqual(sinks(['x = "0"', 'sink(x)', 'x = generate()']), [false]);
});

test('a value assigned in another function is another variable', () => {
  assert.deepEqual(sinks(['def a():', '    code = generate()', '    return code', 'def b():', '    sink(code)']), [false]);
  assert.deepEqual(sinks(['code = generate()', 'def b(code):', '    sink(code)']), [false]);
});

test('names are sources only when read through their import; route handler parameters are request data', () => {
  assert.deepEqual(
    sinks([
      'from flask import Flask, request',
      'app = Flask(__name__)',
      '@app.post("/x")',
      'def handler(name):',
      '    body = request.get_json()',
      '    sink(body["q"])',
      '    sink(request.args.get("q"))',
      '    sink(name)',
      'def helper(name, request):',
      '    sink(name)',
      '    sink(request.args)',
    ]),
    [true, true, true, false, false],
  );
});

test('delimiters: tags, fences, rules around the embedded value', () => {
  assert.ok(isDelimited('Context:\n<documents>\n', '\n</documents>\nQuestion:'));
  assert.ok(isDelimited('```\n', '\n```'));
  assert.ok(isDelimited('---\\n', '\\n---'));
  assert.ok(!isDelimited('Answer using this context: ', '\nQuestion:'));
  assert.ok(!isDelimited('<documents>', ' and then more'));
});

test('Jinja variables rendered without escaping', () => {
  assert.deepEqual([...safeTemplateVariables('<p>{{ a|safe }}</p>{{ b }}{{c | safe}}{% autoescape false %}{{ d }}{% endautoescape %}')].sort(), ['a', 'c', 'd']);
});

test('flow rules are validated when loaded: a call sink needs args, a source needs something to match', () => {
  const rule = (match: string): string =>
    ['id: my-flow', 'title: t', 'severity: error', 'languages: [python]', 'atlas: { techniques: [AML.T0050] }', 'message: m', 'docs: { why: w, bad: b, good: g }', 'match:', match].join('\n');
  const good = parseRuleFile('good.yaml', rule('  flow: { sources: [{ calls: [llm.generate] }], sinks: [{ calls: [builtins.eval], args: [0] }] }'));
  assert.equal(good.problems.length, 1, 'args are selectors: a bare number is not one');
  const ok = parseRuleFile('ok.yaml', rule('  flow: { sources: [{ calls: [llm.generate] }], sinks: [{ calls: [builtins.eval], args: [{ position: 0 }] }] }'));
  assert.deepEqual(ok.problems, []);
  assert.deepEqual(ok.rule?.match, {
    flow: { sources: [{ calls: ['llm.generate'] }], sinks: [{ calls: ['builtins.eval'], args: [{ position: 0 }] }], 'pass-through': { calls: [], methods: [] }, 'unless-delimited': false },
  });
  const empty = parseRuleFile('empty.yaml', rule('  flow: { sources: [{ label: x }], sinks: [{ calls: [builtins.eval] }] }'));
  assert.ok(empty.problems.some((p) => p.message.includes('a source needs')));
  assert.ok(empty.problems.some((p) => p.message.includes('needs args')));
});
