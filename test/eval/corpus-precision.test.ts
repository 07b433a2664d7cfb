/**
 * The held-out corpus as a new user would meet it: at least 90% of the risky lines reported with
 * the right technique, at least 90% of the tricky benign lines and of all benign lines silent.
 * The figures are printed so a regression shows which lines moved.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { evaluateCorpus, formatEvaluation, OUT_OF_CORPUS_SCOPE } from './evaluate';

test('held-out corpus: recall and precision at least 90%', async () => {
  const engine = await Engine.create();
  for (const id of OUT_OF_CORPUS_SCOPE) assert.ok(engine.rule(id), `out-of-scope list names an unknown rule ${id}`);
  const evaluation = evaluateCorpus(engine);
  console.log(formatEvaluation(evaluation));
  assert.ok(evaluation.risky >= 80, 'the corpus holds at least 80 risky lines');
  assert.ok(evaluation.hits / evaluation.risky >= 0.9, `recall ${evaluation.hits}/${evaluation.risky}`);
  assert.ok((evaluation.okLines - evaluation.okFlagged) / evaluation.okLines >= 0.9, `tricky benign lines silent ${evaluation.okLines - evaluation.okFlagged}/${evaluation.okLines}`);
  const benign = evaluation.okLines + evaluation.plainLines;
  const flagged = evaluation.okFlagged + evaluation.plainFlagged;
  assert.ok((benign - flagged) / benign >= 0.9, `benign lines silent ${benign - flagged}/${benign}`);
});
