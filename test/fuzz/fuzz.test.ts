/**
 * The bounded fuzz run of `npm test`: BOUNDED_COUNT seeded inputs plus the special ones (a 20 MB
 * line, 10,000-deep brackets, a binary .py), every tenth also scanned beside control files. The
 * seed is printed; ATLAS_LENS_FUZZ_SEED runs another one. The long run is `npm run fuzz -- --long`.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inputAt, loadCorpus, randomFor, specialInputs } from './generate';
import { FuzzHarness } from './oracle';
import { BOUNDED_COUNT, clip, saveReproducers, seedFromEnvironment } from './run';

test('the generator is deterministic: the same seed and index give the same input, another seed another one', () => {
  const corpus = loadCorpus();
  assert.ok(corpus.sources.length > 100 && corpus.rules.length > 30, `corpus: ${corpus.sources.length} sources, ${corpus.rules.length} rules`);
  for (const index of [0, 1, 17, 999]) {
    const a = inputAt(7, index, corpus);
    const b = inputAt(7, index, corpus);
    assert.equal(a.recipe, b.recipe);
    assert.deepEqual(a.bytes ?? a.text, b.bytes ?? b.text);
  }
  const recipes = (seed: number) => Array.from({ length: 20 }, (_, i) => inputAt(seed, i, corpus).recipe).join('\n');
  assert.notEqual(recipes(7), recipes(8));
  assert.equal(randomFor(1, 2).next(), randomFor(1, 2).next());
  assert.notEqual(randomFor(1, 2).next(), randomFor(1, 3).next());
});

test('the generator covers every kind of input the issue names', () => {
  const corpus = loadCorpus();
  const recipes = Array.from({ length: 3000 }, (_, i) => inputAt(11, i, corpus).recipe).concat(specialInputs().map((input) => input.recipe));
  for (const expected of ['truncate', 'flip', 'invalid-utf8', 'bom', 'crlf', 'lone-cr', 'tabs', 'nest(10000', '20 MB single-line', 'binary', 'broken JSON', 'huge cell', 'nbformat', 'billion laughs', 'flow nesting', 'requirements garbage', 'dockerfile garbage', 'toml garbage', 'model.pkl truncate', 'model.pt flip', 'every field wrong in rules/', 'config with every field wrong', 'lone surrogate']) {
    assert.ok(recipes.some((recipe) => recipe.includes(expected)), `no input made with ${expected}`);
  }
});

test('the oracle catches what it must: a crash reported as a problem, a finding past the end, an unlocated config problem', async () => {
  const harness = await FuzzHarness.create();
  try {
    // A real input, through the real checks, with the engine swapped for one that misbehaves.
    const input = { index: 0, kind: 'source' as const, name: 'x.py', text: 'import pickle\npickle.loads(b)\n', recipe: 'probe' };
    const engine = harness.engine;
    const analyze = engine.analyze.bind(engine);
    engine.analyze = () => ({ findings: [], problems: [{ file: '/elsewhere.py', message: 'internal error while analysing this file: boom', severity: 'warning' }], parsed: true });
    let outcome = await harness.check(input, {});
    assert.deepEqual(outcome.failures.map((f) => f.replace(/: .*/, '')), ['crash reported as a problem', 'problem names another file']);
    engine.analyze = (file, text, settings) => {
      const real = analyze(file, text, settings);
      return { ...real, findings: real.findings.map((f) => ({ ...f, range: { start: { line: 40, character: 0 }, end: { line: 40, character: 3 } } })) };
    };
    outcome = await harness.check(input, {});
    assert.equal(outcome.failures.length, 1);
    assert.match(outcome.failures[0]!, /^finding past the end of the file \(3 lines\): pickle-deserialization/);
    engine.analyze = analyze;
    assert.deepEqual((await harness.check(input, {})).failures, []);
    // A config whose every field is wrong must be reported, each problem at file:line:column:field.
    const config = await harness.check({ index: 0, kind: 'config', name: '.atlas-lens.yaml', text: 'minimumSeverity: loud\nmaxFileSizeKb: -1\n', recipe: 'probe', mustReport: true }, {});
    assert.deepEqual(config.failures, []);
    const silent = await harness.check({ index: 0, kind: 'config', name: '.atlas-lens.yaml', text: 'minimumSeverity: info\n', recipe: 'probe', mustReport: true }, {});
    assert.deepEqual(silent.failures, ['every field wrong, yet no error reported']);
  } finally {
    harness.dispose();
  }
});

test(`bounded fuzz run: ${BOUNDED_COUNT} inputs and the special ones, no crash, no hang, controls unchanged`, { timeout: 240_000 }, async () => {
  const seed = seedFromEnvironment();
  const harness = await FuzzHarness.create();
  try {
    const report = await harness.run({ seed, count: BOUNDED_COUNT, scanEvery: 10, specials: true });
    const seconds = report.ms / 1000;
    console.log(`fuzz seed ${seed} (ATLAS_LENS_FUZZ_SEED to change): ${report.inputs} inputs, ${report.scans} scans beside control files, ${seconds.toFixed(1)} s, ${(report.inputs / seconds).toFixed(0)} inputs/s, ${report.stopped} stopped by the time budget`);
    assert.ok(report.scans >= BOUNDED_COUNT / 10 - 1, `only ${report.scans} scans`);
    if (report.failures.length > 0) {
      const dir = saveReproducers(seed, report.failures);
      assert.fail(`${report.failures.length} failure(s), inputs saved in ${dir}:\n${report.failures.slice(0, 20).map((f) => `#${f.input.index} ${f.input.name} [${f.input.recipe}]: ${clip(f.what, 400)}`).join('\n')}`);
    }
  } finally {
    harness.dispose();
  }
});
