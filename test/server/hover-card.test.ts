/**
 * The hover card of a flow finding shows the path the value took, source line first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { Engine } from '../../server/src/engine/engine';
import { findingMarkdown } from '../../server/src/lsp/hover';

const SOURCE = `from openai import OpenAI

client = OpenAI()


def run_generated(question):
    response = client.chat.completions.create(model="gpt-4o", max_tokens=200, messages=[{"role": "user", "content": question}])
    answer = response.choices[0].message.content
    code = answer.strip()
    exec(code)
`;

test('a flow finding hover lists the path from the model call to the sink', async () => {
  const engine = await Engine.create();
  const finding = engine.analyze('/app/agent.py', SOURCE).findings.find((f) => f.ruleId === 'llm-output-code-execution');
  assert.ok(finding?.flow && finding.flow.length >= 3, 'the engine reports the path');
  const card = findingMarkdown(finding, engine.rule(finding.ruleId), loadBundledCatalog());
  const path = card.split('\n').find((line) => line.startsWith('**Path:**'));
  assert.ok(path, card);
  assert.match(path, /^\*\*Path:\*\* line 7 .* → line 8 .* → line 9 .* → line 10 /);
});
