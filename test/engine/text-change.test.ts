/**
 * changeBetween (python/document-tree.ts): the one change between two versions of a text, as the
 * syntax tree is told about it (offsets, and rows and columns counted by "\n"), and the common
 * prefix and suffix it is found from (text-diff.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { changeBetween, pointAfter } from '../../server/src/engine/python/document-tree';
import { commonPrefix, commonSuffix } from '../../server/src/engine/text-diff';

test('an insertion, a deletion across line breaks, a replacement, at either end; none for the same text', () => {
  assert.equal(changeBetween('a\nbc\n', 'a\nbc\n'), undefined);
  assert.deepEqual(changeBetween('a\nbc\nd', 'a\nbXc\nd'), { startIndex: 3, oldEndIndex: 3, startPosition: { row: 1, column: 1 }, oldEndPosition: { row: 1, column: 1 }, newText: 'X' });
  assert.deepEqual(changeBetween('ab\ncd\nef\ngh', 'ab\nc\ngh'), { startIndex: 4, oldEndIndex: 8, startPosition: { row: 1, column: 1 }, oldEndPosition: { row: 2, column: 2 }, newText: '' });
  assert.deepEqual(changeBetween('x = 1\ny = 2\n', 'x = 1\nz = 3\n'), { startIndex: 6, oldEndIndex: 11, startPosition: { row: 1, column: 0 }, oldEndPosition: { row: 1, column: 5 }, newText: 'z = 3' });
  assert.deepEqual(changeBetween('\nab', 'Z\nab'), { startIndex: 0, oldEndIndex: 0, startPosition: { row: 0, column: 0 }, oldEndPosition: { row: 0, column: 0 }, newText: 'Z' });
  assert.deepEqual(changeBetween('ab\n', 'ab\n\n\n'), { startIndex: 3, oldEndIndex: 3, startPosition: { row: 1, column: 0 }, oldEndPosition: { row: 1, column: 0 }, newText: '\n\n' });
  assert.deepEqual(changeBetween('', 'a\nb'), { startIndex: 0, oldEndIndex: 0, startPosition: { row: 0, column: 0 }, oldEndPosition: { row: 0, column: 0 }, newText: 'a\nb' });
});

test('applied to the old text, the change gives the new one, and its end points are where the texts put them', () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pieces = ['\n', 'a', 'bb', ' ', '\n\n', 'xyz'];
  const pointOf = (text: string, offset: number) => pointAfter({ row: 0, column: 0 }, text.slice(0, offset));
  for (let round = 0; round < 300; round++) {
    // Long enough that the comparison goes by 4096-character slices before characters.
    const before = Array.from({ length: 1 + Math.floor(next() * 3000) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
    const at = Math.floor(next() * (before.length + 1));
    const removed = Math.floor(next() * 6);
    const after = before.slice(0, at) + (next() < 0.3 ? '' : pieces[Math.floor(next() * pieces.length)]) + before.slice(at + removed);
    const change = changeBetween(before, after);
    if (before === after) {
      assert.equal(change, undefined);
      continue;
    }
    assert.ok(change);
    assert.equal(before.slice(0, change.startIndex) + change.newText + before.slice(change.oldEndIndex), after);
    assert.deepEqual(change.startPosition, pointOf(before, change.startIndex), `round ${round}: start`);
    assert.deepEqual(change.oldEndPosition, pointOf(before, change.oldEndIndex), `round ${round}: old end`);
    assert.equal(commonPrefix(before, after), change.startIndex);
    assert.equal(commonSuffix(before, after, change.startIndex), before.length - change.oldEndIndex);
  }
});
