import assert from 'node:assert/strict';
import { test } from 'node:test';
import { WordScanner } from '../../server/src/engine/rules/word-scanner';

test('finds exactly the words that occur, overlapping and nested ones included', () => {
  const scanner = new WordScanner(['load', 'loads', 'oad', 'from_pretrained', '.post(', 'sk-', 'absent', 'load']);
  assert.deepEqual([...scanner.present('x = pickle.loads(b); @app.post("/p")')].sort(), ['.post(', 'load', 'loads', 'oad']);
  assert.deepEqual([...scanner.present('')], []);
  assert.deepEqual([...scanner.present('AutoModel.from_pretrained(k, token="sk-1")')].sort(), ['from_pretrained', 'sk-']);
});

test('agrees with String.includes on random texts', () => {
  const words = ['ab', 'abc', 'bca', 'cab', 'b', 'aab', 'cc'];
  const scanner = new WordScanner(words);
  let state = 7;
  for (let round = 0; round < 300; round++) {
    let text = '';
    const length = (state = (state * 1103515245 + 12345) >>> 0) % 20;
    for (let i = 0; i < length; i++) text += 'abc'[(state = (state * 1103515245 + 12345) >>> 0) % 3];
    assert.deepEqual([...scanner.present(text)].sort(), words.filter((word) => text.includes(word)).sort(), text);
  }
});

test('words with characters beyond ASCII are found too', () => {
  const scanner = new WordScanner(['modèle', 'load']);
  assert.deepEqual([...scanner.present('charger le modèle: load()')].sort(), ['load', 'modèle']);
  assert.deepEqual([...scanner.present('é load')], ['load']);
});

test('a tracker over successive edits of one text agrees with a fresh scan after every edit', () => {
  // Sparse occurrences of long words, so that a miscounted edge shows as a word found or lost.
  const scanner = new WordScanner(['abab', 'baba', 'aaaa', 'abba', 'bb', 'torch.load(']);
  let state = 11;
  const next = (n: number) => (state = (state * 1103515245 + 12345) >>> 0) % n;
  for (let round = 0; round < 20; round++) {
    const track = scanner.tracker();
    // Long enough for the slice comparisons (4,096 characters) to matter.
    let text = Array.from({ length: 3000 + next(9000) }, () => 'xxxxxxab \n'[next(10)]).join('');
    for (let edit = 0; edit < 300; edit++) {
      const at = next(text.length + 1);
      const removed = next(4) === 0 ? next(30) : next(3);
      const inserted = Array.from({ length: next(5) }, () => ['a', 'b', 'ab', 'torch.load(', 'x'][next(5)]).join('');
      text = text.slice(0, at) + inserted + text.slice(at + removed);
      assert.deepEqual([...track(text)].sort(), [...scanner.present(text)].sort(), `round ${round} edit ${edit}`);
    }
    assert.deepEqual([...track('')], []);
  }
});
