/**
 * Suppression comments in TypeScript and JavaScript: `// atlas-lens: ignore[rule]` and `/* … *\/` on
 * a line of the finding's statement, `// nosec`, `// atlas-lens: ignore-file` at the top. The
 * comments are read from the text between tokens (typescript/facts.ts `comments`), never from
 * strings, templates, regular expressions or JSX text.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

const source = (line: string, top = '') =>
  `${top}import OpenAI from 'openai';
const client = new OpenAI();
export async function answer() {
  const completion = await client.chat.completions.create({ model: 'gpt-4o', messages: [] });
  const code = completion.choices[0]?.message.content ?? '';
  ${line}
}
`;

const rules = (text: string, file = '/project/app.ts') => engine.analyze(file, text).findings.map((finding) => `${finding.ruleId}@${finding.range.start.line}`);

test('an unsuppressed finding is reported (the cases below change only the comments)', () => {
  assert.deepEqual(rules(source('eval(code);')), ['js-llm-output-code-execution@5']);
});

test('a line comment after the statement suppresses the named rule, and only it', () => {
  assert.deepEqual(rules(source('eval(code); // atlas-lens: ignore[js-llm-output-code-execution]')), []);
  assert.deepEqual(rules(source('eval(code); // atlas-lens: ignore[torch-load-unsafe]')), ['js-llm-output-code-execution@5']);
});

test('a block comment inside the call, and // nosec, suppress it; so does ignore-file at the top', () => {
  assert.deepEqual(rules(source('eval(code /* atlas-lens: ignore */);')), []);
  // Between a statement's first token and an expression ending where the statement ends.
  assert.deepEqual(rules(source('return /* atlas-lens: ignore */ eval(code)')), []);
  assert.deepEqual(rules(source('eval(code); // nosec')), []);
  assert.deepEqual(rules(source('eval(code);', '// atlas-lens: ignore-file\n')), []);
  assert.deepEqual(rules(source('eval(code);', '/* atlas-lens: ignore-file[js-llm-output-code-execution] */\n'), '/project/app.js'), []);
});

test('the marker inside a string, a template, a regular expression or JSX text is not a comment', () => {
  assert.deepEqual(rules(source("eval(code); const note = '// atlas-lens: ignore';")), ['js-llm-output-code-execution@5']);
  assert.deepEqual(rules(source('eval(code); const note = `/* atlas-lens: ignore */`;')), ['js-llm-output-code-execution@5']);
  assert.deepEqual(rules(source('eval(code); const re = /a\\/\\/ atlas-lens: ignore/;')), ['js-llm-output-code-execution@5']);
  assert.deepEqual(rules(source('eval(code); const re = /[//] atlas-lens: ignore/;')), ['js-llm-output-code-execution@5']);
  assert.deepEqual(rules(source('return <p>// atlas-lens: ignore {eval(code)}</p>;'), '/project/app.tsx'), ['js-llm-output-code-execution@5']);
});

test('a suppression comment after an opening bracket at the end of the line counts for the statement', () => {
  const head = "import { pipeline } from '@huggingface/transformers';\nexport async function load() {\n";
  const load = (body: string) => rules(`${head}${body}  return classify;\n}\n`);
  assert.deepEqual(load("  const classify = await pipeline('sentiment-analysis', 'Xenova/bert-base-NER');\n"), ['transformersjs-model-unpinned@2']);
  assert.deepEqual(load("  const classify = await pipeline('sentiment-analysis', 'Xenova/bert-base-NER', { // atlas-lens: ignore\n    device: 'cpu',\n  });\n"), []);
  assert.deepEqual(load("  const classify = await pipeline( // atlas-lens: ignore\n    'sentiment-analysis',\n    'Xenova/bert-base-NER',\n  );\n"), []);
});
