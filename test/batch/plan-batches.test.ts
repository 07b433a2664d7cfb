import assert from 'node:assert/strict';
import { test } from 'node:test';
import { planBatches } from '../../server/src/engine/batch/pool';

test('batches hand out the largest files first, each file once, in batches of about equal bytes', () => {
  const files = Array.from({ length: 100 }, (_, i) => `f${i}.py`);
  const sizes = files.map((_, i) => (i === 37 ? 400_000 : i === 5 ? 200_000 : 1_000 + i));
  const batches = planBatches(files, 2, sizes);
  assert.deepEqual(batches[0]!.files, ['f37.py'], 'a file above the byte budget is a batch of its own');
  assert.deepEqual(batches[1]!.files, ['f5.py']);
  assert.deepEqual(batches[2]!.files.slice(0, 3), ['f99.py', 'f98.py', 'f97.py']);
  const positions = batches.flatMap((batch) => batch.positions).sort((a, b) => a - b);
  assert.deepEqual(positions, files.map((_, i) => i));
  for (const batch of batches) {
    assert.deepEqual(batch.files, batch.positions.map((position) => files[position]));
    assert.ok(batch.files.length <= 7, `${batch.files.length} files: at most ceil(100 / (2 × 8))`);
  }
  assert.deepEqual(batches.map((batch) => batch.id), batches.map((_, i) => i));
});

test('without sizes, files keep their order', () => {
  const files = Array.from({ length: 40 }, (_, i) => `f${i}.py`);
  assert.deepEqual(planBatches(files, 2).flatMap((batch) => batch.files), files);
  assert.deepEqual(planBatches(files, 2).map((batch) => batch.files.length), [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 3, 1]);
});
