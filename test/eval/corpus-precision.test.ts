/**
 * The held-out corpus as a new user would meet it: at least 90% of the risky lines reported with
 * the right technique, at least 90% of the tricky benign lines and of all benign lines silent.
 * The figures are printed so a regression shows which lines moved.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { CORPUS, evaluateCorpus, formatEvaluation, OUT_OF_CORPUS_SCOPE } from './evaluate';

for (const [name, directory, minimumRisky] of [
  ['held-out corpus (test/eval/corpus)', CORPUS, 80],
  ['blind corpus (test/eval/corpus2, written from the catalog without seeing the rules)', path.join(CORPUS, '..', 'corpus2'), 50],
] as const) {
  test(`${name}: recall and precision at least 90%`, async () => {
    const engine = await Engine.create();
    for (const id of OUT_OF_CORPUS_SCOPE) assert.ok(engine.rule(id), `out-of-scope list names an unknown rule ${id}`);
    const evaluation = evaluateCorpus(engine, directory);
    console.log(formatEvaluation(evaluation));
    assert.ok(evaluation.risky >= minimumRisky, `the corpus holds at least ${minimumRisky} risky lines`);
    assert.ok(evaluation.hits / evaluation.risky >= 0.9, `recall ${evaluation.hits}/${evaluation.risky}`);
    assert.ok((evaluation.okLines - evaluation.okFlagged) / evaluation.okLines >= 0.9, `tricky benign lines silent ${evaluation.okLines - evaluation.okFlagged}/${evaluation.okLines}`);
    const benign = evaluation.okLines + evaluation.plainLines;
    const flagged = evaluation.okFlagged + evaluation.plainFlagged;
    assert.ok((benign - flagged) / benign >= 0.9, `benign lines silent ${benign - flagged}/${benign}`);
  });
}
