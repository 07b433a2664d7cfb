import assert from 'node:assert/strict';
import { test } from 'node:test';
import { identifier, WordScanner } from '../../server/src/engine/rules/word-scanner';

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

test('an identifier word counts only where it is not part of a longer identifier', () => {
  const scanner = new WordScanner([identifier('ray'), identifier('init'), identifier('load'), 'load', identifier('.post('), identifier('@huggingface/hub')]);
  const found = (text: string) => [...scanner.present(text)].map((key) => key.replace(identifier(''), '=')).sort();
  assert.deepEqual(found('x = np.array(a)  # __init__ downloads'), ['load']);
  assert.deepEqual(found('import ray\nray.init()'), ['=init', '=ray']);
  assert.deepEqual(found('ray'), ['=ray'], 'the edges of the text are boundaries');
  assert.deepEqual(found('torch.load(f); @app.post("/p")'), ['=.post(', '=load', 'load'], 'an end that is not an identifier character needs no boundary');
  assert.deepEqual(found("import { downloadFile } from '@huggingface/hub'"), ['=@huggingface/hub', 'load']);
  assert.deepEqual(found('$ray ray$ _ray ray9'), [], '$, _ and digits continue an identifier');
});

test('identifier words: a tracker over successive edits agrees with a fresh scan after every edit', () => {
  // Words of one length, so that an occurrence right at the edge of the changed region is common.
  const scanner = new WordScanner([identifier('ab'), identifier('ba'), 'ab']);
  let state = 5;
  const next = (n: number) => (state = (state * 1103515245 + 12345) >>> 0) % n;
  for (let round = 0; round < 200; round++) {
    const track = scanner.tracker();
    // Short texts with no a or b to start with: the few occurrences come from the edits and are
    // soon deleted again, so a miscounted one shows as a word found or lost.
    let text = Array.from({ length: 20 + next(200) }, () => 'xxxxxx _.\n'[next(10)]).join('');
    for (let edit = 0; edit < 100; edit++) {
      const at = next(text.length + 1);
      const removed = next(3) === 0 ? next(30) : next(3);
      const inserted = Array.from({ length: next(3) }, () => ['ab', 'ba', ' ', '_', 'x', '.'][next(6)]).join('');
      text = text.slice(0, at) + inserted + text.slice(at + removed);
      assert.deepEqual([...track(text)].sort(), [...scanner.present(text)].sort(), `round ${round} edit ${edit}`);
    }
  }
});

test('identifier words beyond ASCII are looked for whole too', () => {
  const scanner = new WordScanner([identifier('modèle')]);
  assert.deepEqual([...scanner.present('un_modèle')], []);
  assert.deepEqual([...scanner.present('charger(modèle)')], [identifier('modèle')]);
});
