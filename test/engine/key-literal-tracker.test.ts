/**
 * The hard-coded key filter kept up across a document's versions (keyLiteralTracker): after any
 * edits it gives keyLiteralFilter's verdict on the whole text, given the versions as strings or
 * as ChunkedTexts, every version or only some (the filter runs only while the rule's trigger
 * words occur); and the language server's analysis of a key typed a character at a time, with
 * the tracker deciding whether the rule runs, finds what a fresh analysis finds.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { ChunkedText } from '../../server/src/engine/chunked-text';
import { keyLiteralFilter, keyLiteralTracker } from '../../server/src/engine/checks/key-literals';
import { Engine } from '../../server/src/engine/engine';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { DocumentStore } from '../../server/src/lsp/documents';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function seeded(seed: number): (n: number) => number {
  let state = seed;
  // A linear congruential generator's high bits (its low bits repeat with a short period).
  return (n) => ((state = (state * 1103515245 + 12345) % 2147483648), Math.floor((state / 2147483648) * n));
}

/** What a key literal, the words around it and the line breaks that matter are made of. */
const PIECES = [
  '\n', '\n', '\n', '    ', ' ', '\n\n', '\r\n',
  '"', "'", '"sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"', "'hf_Ab3x9YzAb3x9YzAb3x9YzAb3x9YzAb'", '"Qw3Er5Ty7Ui9Op2As4Df6Gh8"', '"0123456789abcdef0123456789abcdef01234567"',
  'Qw3Er5Ty7Ui9', 'Op2As4Df6Gh8', 'x9Yz', '7', 'sk-', 'hf_', 'AIza', '-', '=', '.', '/',
  'Bearer', 'Bearer ', '"Bearer ', '\\', '\\n', '\\x41', '\\\n', '\\t', '#',
  'api_key=', 'token', 'OPENAI_API_KEY', 'mistral_key', 'Mistral', 'import openai\n', 'import mistralai\n', 'from transformers import AutoTokenizer\n',
  'client = openai.OpenAI(api_key=', ')', '(', 'acme-service-key', 'other-key', ' = ', ': ', '{', '}',
];

const OPTIONS = {
  bundled: () => (engine.rule('hardcoded-ai-key')!.match as { options?: Record<string, unknown> }).options!,
  // A user's provider whose variables are no plain list of names: names are read from identifiers and strings.
  acme: () => ({ providers: [{ name: 'Acme', env: 'ACME_KEY', variables: '^acme-service-key$' }] }),
};

for (const [name, options] of Object.entries(OPTIONS)) {
  test(`the tracked key filter gives the whole filter's verdict after every edit (${name} providers)`, () => {
    const filter = keyLiteralFilter(options());
    const tracker = keyLiteralTracker(options());
    const next = seeded(name.length * 7919);
    const verdicts = { true: 0, false: 0 };
    for (let round = 0; round < 60; round++) {
      let text = Array.from({ length: 20 + next(120) }, () => PIECES[next(PIECES.length)]).join('');
      let chunked = ChunkedText.of(text, 1 + next(200));
      const onStrings = tracker();
      const onChunks = tracker();
      const sometimes = tracker();
      for (let edit = 0; edit < 80; edit++) {
        const at = next(text.length + 1);
        const removed = next(4) === 0 ? next(40) : next(3);
        const inserted = Array.from({ length: next(3) }, () => PIECES[next(PIECES.length)]).join('');
        text = text.slice(0, at) + inserted + text.slice(at + removed);
        chunked = chunked.edit(at, at + removed, inserted);
        const expected = filter(text);
        verdicts[`${expected}`]++;
        const context = `${name}, round ${round}, edit ${edit}: ${JSON.stringify(text)}`;
        assert.equal(onStrings(text), expected, context);
        assert.equal(onChunks(chunked), expected, `${context} (ChunkedText)`);
        if (next(3) === 0) assert.equal(sometimes(chunked), expected, `${context} (some versions only)`);
      }
    }
    // Both verdicts, often: each edit may flip it.
    assert.ok(verdicts.true > 200 && verdicts.false > 200, JSON.stringify(verdicts));
  });
}

test('a key typed a character at a time in an open document: the analysis, with the tracked filter deciding whether the rule runs, finds what a fresh analysis finds', async () => {
  const parser = await createPythonParser();
  const source = 'import openai\nfrom transformers import AutoTokenizer\n\n\ndef load(name):\n    tokenizer = AutoTokenizer.from_pretrained(name)\n    return tokenizer\n\n\ndef connect():\n    return None\n';
  const documents = new DocumentStore(parser);
  const uri = 'file:///project/keys.py';
  const document = documents.open(uri, 'python', 1, source);
  const file = document.analysisPath!;
  engine.analyzeTree(file, document.source, document.tree!.syntax(document.source)!, { syntaxErrorProblems: false });
  // Typed on a new line of connect(), quotes closed by the editor.
  const typed = 'client = openai.OpenAI(api_key="sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7")';
  let cursor = document.text.indexOf('    return None');
  let version = 1;
  const type = (text: string) => {
    const position = document.positionAt(cursor);
    document.update([{ range: { start: position, end: position }, text }], ++version);
    cursor += text.length;
  };
  type('    \n');
  cursor -= 1;
  let reported = 0;
  for (const char of typed) {
    if ((char === '"' || char === ')') && document.text[cursor] === char) cursor++;
    else {
      type(char === '"' ? '""' : char === '(' ? '()' : char);
      if (char === '"' || char === '(') cursor--;
    }
    const findings = engine.analyzeTree(file, document.source, document.tree!.syntax(document.source)!, { syntaxErrorProblems: false }).findings;
    assert.deepEqual(findings, engine.analyze(file, document.text).findings, document.text);
    if (findings.some((finding) => finding.ruleId === 'hardcoded-ai-key')) reported++;
  }
  assert.ok(document.text.includes(typed), document.text);
  // Reported from the keystroke the literal became a key.
  assert.ok(reported > 0, 'the key was reported');
  documents.close(uri);
});
