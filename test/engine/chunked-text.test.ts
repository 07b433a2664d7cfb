/**
 * ChunkedText (engine/chunked-text.ts), the language server's document text: after any edits it
 * reads as the same edits made to a string, every version stays as it was, and the chunks two
 * versions share tell where they differ (text-diff.ts) as comparing characters would.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedText, wholeText } from '../../server/src/engine/chunked-text';
import { changedStretch } from '../../server/src/engine/text-diff';

function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return Math.floor((state / 2 ** 31) * n);
  };
}

const PIECES = ['a', 'bc', '\n', '    ', 'def f():\n', '\u00e9', '\ud83d\ude00', 'x'.repeat(40), ''];

/** Slices at random places (negative and past-the-end ones too) read as the string's. */
function assertReadsAs(chunked: ChunkedText, text: string, next: (n: number) => number, label: string): void {
  assert.equal(chunked.length, text.length, `${label}: length`);
  for (let i = 0; i < 20; i++) {
    const start = next(text.length + 20) - 10;
    const end = next(text.length + 20) - 10;
    assert.equal(chunked.slice(start, end), text.slice(start, end), `${label}: slice(${start}, ${end})`);
    assert.equal(chunked.slice(start), text.slice(start), `${label}: slice(${start})`);
    const at = next(text.length + 2) - 1;
    assert.deepEqual(chunked.charCodeAt(at), text.charCodeAt(at), `${label}: charCodeAt(${at})`);
  }
  assert.equal(chunked.slice(), text, `${label}: slice()`);
  assert.equal(wholeText(chunked), text, `${label}: whole`);
}

test('edits read as the same edits made to a string, and earlier versions stay as they were', () => {
  const next = seeded(5);
  for (let round = 0; round < 40; round++) {
    let text = Array.from({ length: next(400) }, () => PIECES[next(PIECES.length)]).join('');
    // Short chunks for boundaries everywhere; some rounds with the real length.
    let chunked = ChunkedText.of(text, round % 8 === 0 ? undefined : 1 + next(50));
    const versions: Array<[ChunkedText, string]> = [];
    for (let edit = 0; edit < 150; edit++) {
      const start = next(text.length + 3) - 1;
      const oldEnd = start + (next(5) === 0 ? next(200) : next(4)) - 1;
      const inserted = next(10) === 0 ? PIECES[next(PIECES.length)]!.repeat(next(300)) : PIECES[next(PIECES.length)]!;
      // A string edit with the offsets clamped as ChunkedText clamps them.
      const from = Math.max(0, Math.min(start, text.length));
      const to = Math.max(from, Math.min(oldEnd, text.length));
      text = text.slice(0, from) + inserted + text.slice(to);
      chunked = chunked.edit(start, oldEnd, inserted);
      if (edit % 10 === 0) assertReadsAs(chunked, text, next, `round ${round} edit ${edit}`);
      if (edit % 25 === 0) versions.push([chunked, text]);
    }
    assertReadsAs(chunked, text, next, `round ${round} last`);
    for (const [version, expected] of versions) assert.equal(version.toString(), expected, `round ${round}: an earlier version`);
  }
});

test('an empty text, and a text made empty, take edits', () => {
  assert.equal(ChunkedText.of('').edit(0, 0, 'abc').toString(), 'abc');
  const emptied = ChunkedText.of('abcdef', 2).edit(0, 6, '');
  assert.equal(emptied.length, 0);
  assert.equal(emptied.slice(0, 5), '');
  assert.equal(emptied.edit(0, 0, 'xy').toString(), 'xy');
});

test('the changed stretch of two versions is the one found by comparing their characters', () => {
  const next = seeded(17);
  for (let round = 0; round < 300; round++) {
    const before = Array.from({ length: 1 + next(2500) }, () => PIECES[next(PIECES.length)]).join('');
    const chunkLength = 1 + next(3000);
    let version = ChunkedText.of(before, chunkLength);
    // A few edits since, as between two analyses; sometimes one that changes nothing.
    let after = before;
    for (let edit = next(4); edit > 0; edit--) {
      const at = next(after.length + 1);
      const removed = next(3) === 0 ? next(30) : next(3);
      const inserted = next(4) === 0 ? after.slice(at, at + removed) : PIECES[next(PIECES.length)]!;
      after = after.slice(0, at) + inserted + after.slice(at + removed);
      version = version.edit(at, at + removed, inserted);
    }
    const original = ChunkedText.of(before, chunkLength);
    assert.deepEqual(changedStretch(original, version), changedStretch(before, after), `round ${round}`);
    // Both from the same first version: chunks shared.
    const shared = ChunkedText.of(before, chunkLength);
    let edited = shared;
    const at = next(before.length + 1);
    edited = edited.edit(at, at + next(3), PIECES[next(PIECES.length)]!);
    assert.deepEqual(changedStretch(shared, edited), changedStretch(before, edited.toString()), `round ${round}: shared chunks`);
  }
});

test('versions that share chunks share them at both ends', () => {
  const text = 'abcdefghij'.repeat(10);
  const first = ChunkedText.of(text, 10);
  const second = first.edit(55, 56, 'XY');
  assert.deepEqual(ChunkedText.sharedEnds(first, second), { prefix: 50, suffix: 40 });
  assert.deepEqual(ChunkedText.sharedEnds(first, first), { prefix: 100, suffix: 0 });
  // Chunks are compared as strings (the same object answers at once): equal ones count too.
  assert.deepEqual(ChunkedText.sharedEnds(first, ChunkedText.of(text, 10)), { prefix: 100, suffix: 0 });
  assert.deepEqual(ChunkedText.sharedEnds(first, ChunkedText.of(text, 7)), { prefix: 0, suffix: 0 });
});
