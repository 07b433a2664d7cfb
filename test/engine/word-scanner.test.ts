import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChunkedText } from '../../server/src/engine/chunked-text';
import { bareIdentifier, identifier, WordScanner } from '../../server/src/engine/rules/word-scanner';

/** Deterministic pseudo-random whole numbers below n. */
function seeded(seed: number): (n: number) => number {
  let state = seed;
  return (n) => (state = (state * 1103515245 + 12345) >>> 0) % n;
}

test('finds exactly the words that occur, overlapping and nested ones included', () => {
  const scanner = new WordScanner(['load', 'loads', 'oad', 'from_pretrained', '.post(', 'sk-', 'absent', 'load']);
  assert.deepEqual([...scanner.present('x = pickle.loads(b); @app.post("/p")')].sort(), ['.post(', 'load', 'loads', 'oad']);
  assert.deepEqual([...scanner.present('')], []);
  assert.deepEqual([...scanner.present('AutoModel.from_pretrained(k, token="sk-1")')].sort(), ['from_pretrained', 'sk-']);
});

test('agrees with String.includes on random texts', () => {
  const words = ['ab', 'abc', 'bca', 'cab', 'b', 'aab', 'cc'];
  const scanner = new WordScanner(words);
  const next = seeded(7);
  for (let round = 0; round < 300; round++) {
    let text = '';
    const length = next(20);
    for (let i = 0; i < length; i++) text += 'abc'[next(3)];
    assert.deepEqual([...scanner.present(text)].sort(), words.filter((word) => text.includes(word)).sort(), text);
  }
});

test('words with characters beyond ASCII are found too', () => {
  const scanner = new WordScanner(['modèle', 'load']);
  assert.deepEqual([...scanner.present('charger le modèle: load()')].sort(), ['load', 'modèle']);
  assert.deepEqual([...scanner.present('é load')], ['load']);
});

interface EditSequences {
  rounds: number;
  edits: number;
  /** The text each round starts from, and what one edit removes and inserts. */
  start: (next: (n: number) => number) => string;
  removed: (next: (n: number) => number) => number;
  inserted: (next: (n: number) => number) => string;
}

/**
 * Random edit sequences; after every edit the tracker must report what a fresh scan finds, given
 * the versions as strings and as a ChunkedText (the language server's documents, read in slices).
 */
function assertTrackerAgrees(scanner: WordScanner, seed: number, sequences: EditSequences): void {
  const next = seeded(seed);
  for (let round = 0; round < sequences.rounds; round++) {
    const track = scanner.tracker();
    const trackChunked = scanner.tracker();
    let text = sequences.start(next);
    // Short chunks, so that edits and rescans cross their boundaries.
    let chunked = ChunkedText.of(text, 1 + next(64));
    trackChunked.present(chunked);
    for (let edit = 0; edit < sequences.edits; edit++) {
      const at = next(text.length + 1);
      const removed = sequences.removed(next);
      const inserted = sequences.inserted(next);
      text = text.slice(0, at) + inserted + text.slice(at + removed);
      chunked = chunked.edit(at, at + removed, inserted);
      const expected = [...scanner.present(text)].sort();
      assert.deepEqual([...track.present(text)].sort(), expected, `round ${round} edit ${edit}`);
      assert.deepEqual([...trackChunked.present(chunked)].sort(), expected, `round ${round} edit ${edit} (ChunkedText)`);
    }
    assert.deepEqual([...track.present('')], []);
  }
}

test('a tracker over successive edits of one text agrees with a fresh scan after every edit', () => {
  // Sparse occurrences of long words, so that a miscounted edge shows as a word found or lost.
  assertTrackerAgrees(new WordScanner(['abab', 'baba', 'aaaa', 'abba', 'bb', 'torch.load(']), 11, {
    rounds: 20,
    edits: 300,
    // Long enough for the slice comparisons (4,096 characters) to matter.
    start: (next) => Array.from({ length: 3000 + next(9000) }, () => 'xxxxxxab \n'[next(10)]).join(''),
    removed: (next) => (next(4) === 0 ? next(30) : next(3)),
    inserted: (next) => Array.from({ length: next(5) }, () => ['a', 'b', 'ab', 'torch.load(', 'x'][next(5)]).join(''),
  });
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
  assertTrackerAgrees(new WordScanner([identifier('ab'), identifier('ba'), 'ab']), 5, {
    rounds: 200,
    edits: 100,
    // Short texts with no a or b to start with: the few occurrences come from the edits and are
    // soon deleted again, so a miscounted one shows as a word found or lost.
    start: (next) => Array.from({ length: 20 + next(200) }, () => 'xxxxxx _.\n'[next(10)]).join(''),
    removed: (next) => (next(3) === 0 ? next(30) : next(3)),
    inserted: (next) => Array.from({ length: next(3) }, () => ['ab', 'ba', ' ', '_', 'x', '.'][next(6)]).join(''),
  });
});

test('identifier words beyond ASCII are looked for whole too', () => {
  const scanner = new WordScanner([identifier('modèle')]);
  assert.deepEqual([...scanner.present('un_modèle')], []);
  assert.deepEqual([...scanner.present('charger(modèle)')], [identifier('modèle')]);
});

test('a bare word is a whole identifier not read as an attribute: no dot before it, past spaces, line breaks and continuations', () => {
  const scanner = new WordScanner([bareIdentifier('eval'), bareIdentifier('compile')]);
  const found = (text: string) => [...scanner.present(text)].map((key) => key.slice(1)).sort();
  assert.deepEqual(found('model.eval()\npattern = re.compile(r"x")\n'), []);
  assert.deepEqual(found('model . eval()\nx = (re.\n      compile)\ny = re.\\\n    compile\n'), []);
  assert.deepEqual(found('result = eval(code)'), ['eval']);
  assert.deepEqual(found('from builtins import compile as c'), ['compile']);
  assert.deepEqual(found('(\n    eval)'), ['eval']);
  assert.deepEqual(found('evaluate(x); my_eval(y); compiled'), []);
  // A dot further back than the scanner looks counts as no dot: a word is never lost.
  assert.deepEqual(found(`x.${' '.repeat(40)}eval`), ['eval']);
  // A tracker rescans far enough around an edit to see a dot typed several spaces before a word.
  const track = scanner.tracker();
  assert.deepEqual([...track.present('x       eval(a)')], [bareIdentifier('eval')]);
  assert.deepEqual([...track.present('x.       eval(a)')], []);
  assert.deepEqual([...track.present('x       eval(a)')], [bareIdentifier('eval')]);
});

test('bare words: a tracker over successive edits agrees with a fresh scan after every edit (dots and spaces typed before them)', () => {
  assertTrackerAgrees(new WordScanner([bareIdentifier('ab'), identifier('ba')]), 9, {
    rounds: 200,
    edits: 100,
    start: (next) => Array.from({ length: 20 + next(200) }, () => 'xxxxxx _.\n'[next(10)]).join(''),
    removed: (next) => (next(3) === 0 ? next(30) : next(3)),
    inserted: (next) => Array.from({ length: next(4) }, () => ['ab', 'ba', ' ', '  \n ', '\\', '_', 'x', '.'][next(8)]).join(''),
  });
});
