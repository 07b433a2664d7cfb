import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isInside } from '../../server/src/engine/paths';

test('isInside: strictly below the folder, a name that starts with two dots included', () => {
  assert.equal(isInside('/p', '/p/a/b.py'), true);
  assert.equal(isInside('/p', '/p/..cache/model.pkl'), true, 'a folder named ..cache is inside');
  assert.equal(isInside('/p', '/p/...py'), true);
  assert.equal(isInside('/p', '/p'), false, 'the folder itself');
  assert.equal(isInside('/p', '/'), false);
  assert.equal(isInside('/p', '/p/../q/x.py'), false);
  assert.equal(isInside('/p', '/q/x.py'), false);
  assert.equal(isInside('/p', '/pq/x.py'), false, 'a sibling whose name starts the same');
});
