/**
 * The document store applies incremental content changes: after any sequence of edits, text,
 * line table and positions equal those of a document opened with the resulting text (the line
 * table is patched per change, not recomputed).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { LspDocument } from '../../server/src/lsp/documents';

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const PIECES = ['', 'x', ' ', '\n', 'abc\ndef', '\n\n', '(', 'é', '\r\n', '\r', 'line\r\nnext', '\t# c\n'];

test('random edits: line table, positions and text equal a freshly opened document', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const next = random(seed);
    // Half the runs never see a "\r" (the patched path), the rest mix line endings.
    const pieces = seed % 2 === 0 ? PIECES.filter((piece) => !piece.includes('\r')) : PIECES;
    let reference = 'import os\nx = 1\n\ndef f():\n    return x\n';
    const document = new LspDocument('file:///t.py', 'python', 1, reference, undefined);
    for (let step = 0; step < 60; step++) {
      const fresh = new LspDocument('file:///t.py', 'python', step, reference, undefined);
      const lines = fresh.lineCount;
      const pick = () => ({ line: Math.floor(next() * (lines + 1)), character: Math.floor(next() * 12) });
      let a = pick();
      let b = next() < 0.5 ? a : pick();
      if (fresh.offsetAt(b) < fresh.offsetAt(a)) [a, b] = [b, a];
      const text = pieces[Math.floor(next() * pieces.length)]!;
      if (next() < 0.7) void document.lineStarts; // sometimes the table exists when the change comes, sometimes not
      reference = reference.slice(0, fresh.offsetAt(a)) + text + reference.slice(fresh.offsetAt(b));
      document.update([{ range: { start: a, end: b }, text }], step + 1);
      const expected = new LspDocument('file:///t.py', 'python', step + 1, reference, undefined);
      assert.equal(document.text, reference, `seed ${seed} step ${step}`);
      assert.deepEqual(document.lineStarts, expected.lineStarts, `seed ${seed} step ${step}: ${JSON.stringify(reference)}`);
      for (let offset = 0; offset <= reference.length; offset += 3) assert.deepEqual(document.positionAt(offset), expected.positionAt(offset));
    }
  }
});
