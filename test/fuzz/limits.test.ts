/**
 * The limits with their messages: the per-file time budget, the per-rule budget and errors (rule
 * named), rule regexes on bounded input, the size limit, YAML alias bombs and nesting.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { Engine } from '../../server/src/engine/engine';
import { checkpoint, guardRule, MAX_REGEX_INPUT, regexInput, withFileGuard } from '../../server/src/engine/guard';
import { sizeProblem } from '../../server/src/engine/limits';
import { evaluateArgumentTest, replaceStringContent } from '../../server/src/engine/rules/argument-test';
import { parseRuleFile } from '../../server/src/engine/rules/loader';
import { scanFiles, setUpScan } from '../../server/src/engine/scan';
import { parseLocatedYaml, YamlSyntaxError } from '../../server/src/engine/yaml/located-yaml';

/** A clock the test moves by hand. */
function fakeClock(): { now: () => number; advance: (ms: number) => void } {
  let t = 1000;
  return { now: () => t, advance: (ms) => (t += ms) };
}

test('time budget: once it is spent the remaining rules are skipped, named, and what was found is kept', () => {
  const clock = fakeClock();
  const { result, problems } = withFileGuard('/p/a.py', { timeBudgetMs: 100, ruleBudgetMs: 1000, now: clock.now }, () => {
    const found: string[] = [];
    guardRule(found, 'first', () => {
      clock.advance(150);
      return ['f1'];
    });
    guardRule(found, 'second', () => ['f2']);
    guardRule(found, 'third', () => ['f3']);
    return found;
  });
  assert.deepEqual(result, ['f1']);
  assert.deepEqual(problems, [
    { file: '/p/a.py', line: 0, character: 0, message: 'analysis stopped before rule second: over the time budget of 100 ms (timeBudgetMs); rules not run: second, third', severity: 'warning' },
  ]);
});

test('time budget: a check point past it ends the work and says where', () => {
  const clock = fakeClock();
  let reached = 0;
  const { result, problems } = withFileGuard('/p/b.py', { timeBudgetMs: 50, now: clock.now }, () => {
    for (let i = 0; i < 10; i++) {
      checkpoint('while reading the code');
      reached++;
      clock.advance(20);
    }
    return 'done';
  });
  assert.equal(result, undefined);
  assert.equal(reached, 3);
  assert.deepEqual(problems, [{ file: '/p/b.py', line: 0, character: 0, message: 'analysis stopped while reading the code: over the time budget of 50 ms (timeBudgetMs)', severity: 'warning' }]);
  // Outside a guarded analysis a check point does nothing.
  checkpoint('nowhere');
});

test('a rule that throws loses only its own findings and is named; a slow rule is named and not run again in the scan', () => {
  const clock = fakeClock();
  const slowRules = new Set<string>();
  const run = (file: string) =>
    withFileGuard(file, { timeBudgetMs: 10_000, ruleBudgetMs: 200, slowRules, now: clock.now }, () => {
      const found: string[] = [];
      guardRule(found, 'before', () => ['a']);
      guardRule(found, 'broken', () => {
        throw new TypeError("Cannot read properties of undefined (reading 'x')");
      });
      guardRule(found, 'slow', () => {
        clock.advance(500);
        return ['s'];
      });
      guardRule(found, 'after', () => ['b']);
      return found;
    });
  const first = run('/p/one.py');
  assert.deepEqual(first.result, ['a', 's', 'b']);
  assert.deepEqual(first.problems, [
    { file: '/p/one.py', message: "rule broken failed on this file and was skipped: Cannot read properties of undefined (reading 'x')", severity: 'warning' },
    { file: '/p/one.py', message: 'rule slow took 500 ms on this file, over its budget of 200 ms; it is not run again in this scan', severity: 'warning' },
  ]);
  const second = run('/p/two.py');
  assert.deepEqual(second.result, ['a', 'b']);
  assert.deepEqual(second.problems, [{ file: '/p/two.py', message: "rule broken failed on this file and was skipped: Cannot read properties of undefined (reading 'x')", severity: 'warning' }]);
});

test('rule regexes run on at most MAX_REGEX_INPUT characters; no replace-string fix on longer strings', () => {
  assert.equal(regexInput('x'.repeat(MAX_REGEX_INPUT + 10)).length, MAX_REGEX_INPUT);
  assert.equal(regexInput('short'), 'short');
  // A catastrophic pattern on a long string would take minutes; on the bounded input it is instant.
  const value = 'a'.repeat(100_000) + '!';
  const started = performance.now();
  const matched = evaluateArgumentTest({ matches: '^(a|aa)+$' } as never, { state: 'present', node: null, value: { kind: 'string', value } } as never, { isLocalPath: () => false, isFixedPath: () => false });
  assert.equal(matched, true); // the first MAX_REGEX_INPUT characters are all "a"
  assert.ok(performance.now() - started < 5000);
  assert.equal(replaceStringContent('http://' + 'x'.repeat(MAX_REGEX_INPUT), null, 'https://', '^http://'), undefined);
  assert.deepEqual(replaceStringContent('http://x', null, 'https://', '^http://'), [{ range: null, newText: 'https://x' }]);
});

test('size limit: a text above maxFileSizeKb is not analysed and says so once, at line 0', async () => {
  const engine = await Engine.create();
  const text = `import pickle\npickle.loads(b)\n${'#'.repeat(3 * 1024)}\n`;
  const result = engine.analyze('/p/big.py', text, { maxFileSizeKb: 2 });
  assert.deepEqual(result, { findings: [], parsed: false, problems: [{ file: '/p/big.py', line: 0, character: 0, message: 'not analysed: 4 KB is above maxFileSizeKb (2 KB)', severity: 'warning' }] });
  assert.equal(engine.analyze('/p/big.py', text, { maxFileSizeKb: 8 }).findings.length, 1);
  assert.equal(sizeProblem('/p/x.py', 'x'.repeat(21 * 1024 * 1024), 1024)?.message, 'not analysed: 21.0 MB is above maxFileSizeKb (1024 KB)');
});

test('a 20 MB single-line file given to analyze is stopped by the time budget and reported; the next file is analysed normally', async () => {
  const engine = await Engine.create();
  const huge = `import torch\n${'x = torch.load(p) ; '.repeat(1024 * 1024)}`;
  const started = performance.now();
  const result = engine.analyze('/p/huge.py', huge, { timeBudgetMs: 300 });
  const ms = performance.now() - started;
  assert.deepEqual(result.findings, []);
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]!.message, /^analysis stopped (while parsing|while reading the code|before rule [a-z-]+): over the time budget of 300 ms \(timeBudgetMs\)/);
  assert.ok(ms < 15_000, `took ${ms} ms`);
  // The cancelled parse leaves nothing behind.
  const after = engine.analyze('/p/small.py', 'import pickle\npickle.loads(b)\n');
  assert.deepEqual(after.findings.map((f) => [f.ruleId, f.range.start.line]), [['pickle-deserialization', 1]]);
});

test('a file nested 10,000 deep is analysed or reported, never a crash', async () => {
  const engine = await Engine.create();
  const python = engine.analyze('/p/deep.py', `x = ${'['.repeat(10_000)}${']'.repeat(10_000)}\nimport pickle\npickle.loads(b)\n`);
  assert.deepEqual(python.findings.map((f) => f.ruleId), ['pickle-deserialization']);
  const server = fs.readFileSync(path.join(__dirname, '../fixtures/typescript/js-model-server-all-interfaces/flagged.ts'), 'utf8');
  assert.ok(engine.analyze('/p/deep.ts', server).findings.length > 0);
  const ts = engine.analyze('/p/deep.ts', `${server}\nx = ${'('.repeat(10_000)}1\n`);
  assert.deepEqual(ts.problems, [{ file: '/p/deep.ts', line: 0, character: 0, message: 'nested too deeply to analyse (the parser ran out of stack); not analysed', severity: 'warning' }]);
});

const BOMB = ['a: &a ["l","l","l","l","l","l","l","l","l"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') + '\n';

test('YAML alias bombs are refused at the alias, in workspace YAML, rule files and the config', async () => {
  assert.throws(() => parseLocatedYaml(BOMB), (error: unknown) => error instanceof YamlSyntaxError && error.reason === 'refused: aliases expand to more than 1,000,000 nodes' && error.location.line === 6);
  const config = parseProjectConfig('/p/.atlas-lens.yaml', BOMB);
  assert.deepEqual(config.problems.map((p) => [p.line, p.message]), [[6, 'invalid YAML: refused: aliases expand to more than 1,000,000 nodes']]);
  assert.deepEqual(parseRuleFile('/p/r.yaml', BOMB).problems.map((p) => p.line), [6]);
  const engine = await Engine.create();
  const compose = engine.analyze('/p/docker-compose.yml', `${BOMB}services:\n  web:\n    image: x\n    ports: ["0.0.0.0:8000:8000"]\n`);
  assert.deepEqual(compose.problems.map((p) => [p.line, p.message]), [[6, 'invalid YAML: refused: aliases expand to more than 1,000,000 nodes; not analysed']]);
  // Small alias use is fine, and deep nesting is bounded by the parser.
  assert.deepEqual(parseLocatedYaml('base: &b {x: 1}\nm: [*b, *b]\n').value, { base: { x: 1 }, m: [{ x: 1 }, { x: 1 }] });
  assert.throws(() => parseLocatedYaml(`a: ${'['.repeat(1000)}${']'.repeat(1000)}\n`), YamlSyntaxError);
});

test('timeBudgetMs in .atlas-lens.yaml: validated and located, and used by the scan', async () => {
  assert.deepEqual(parseProjectConfig('/p/.atlas-lens.yaml', 'timeBudgetMs: 1500\n').config.timeBudgetMs, 1500);
  assert.deepEqual(
    parseProjectConfig('/p/.atlas-lens.yaml', 'honorNosec: true\ntimeBudgetMs: 0\n').problems.map((p) => [p.line, p.character, p.field, p.message]),
    [[1, 14, 'timeBudgetMs', 'timeBudgetMs: must be greater than 0']],
  );
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-limits-')));
  try {
    fs.writeFileSync(path.join(dir, '.atlas-lens.yaml'), 'timeBudgetMs: 1\n');
    // Big enough that parsing it takes well over a millisecond.
    fs.writeFileSync(path.join(dir, 'a.py'), `import pickle\n${'pickle.loads(b)\n'.repeat(20_000)}`);
    const setup = await setUpScan({ paths: [dir] });
    assert.equal(setup.settings.timeBudgetMs, 1);
    const problems = scanFiles(setup, [dir]).fileProblems.filter((p) => p.file === path.join(dir, 'a.py'));
    assert.equal(problems.length, 1);
    assert.match(problems[0]!.message, /^analysis stopped .*over the time budget of 1 ms \(timeBudgetMs\)/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
