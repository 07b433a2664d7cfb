/**
 * The engine on strings: settings, suppressions, bad input, rule loading errors.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { loadRules, parseRuleFile, parseRuleFileUncached } from '../../server/src/engine/rules/loader';
import { compileNamePattern } from '../../server/src/engine/rules/name-pattern';
import { applyEdits } from '../../server/src/engine/text-edits';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

const TORCH = 'import torch\nstate = torch.load(path)\n';

test('a finding carries rule, severity, exact range, techniques, mitigations, message and fix', () => {
  const [finding, ...rest] = engine.analyze('/p/train.py', TORCH).findings;
  assert.deepEqual(rest, []);
  assert.deepEqual(
    { ...finding, message: undefined },
    {
      ruleId: 'torch-load-unsafe',
      severity: 'warning',
      message: undefined,
      file: '/p/train.py',
      range: { start: { line: 1, character: 8 }, end: { line: 1, character: 18 } },
      statementLines: { first: 1, last: 1 },
      techniques: ['AML.T0011.000'],
      mitigations: ['AML.M0011', 'AML.M0014'],
      fix: { title: 'Add weights_only=True', safe: false, edits: [{ range: { start: { line: 1, character: 23 }, end: { line: 1, character: 23 } }, newText: ', weights_only=True' }] },
    },
  );
  assert.match(finding!.message, /^torch\.load\(\) unpickles the checkpoint.*Pass weights_only=True/);
  assert.equal(applyEdits(TORCH, finding!.fix!.edits), 'import torch\nstate = torch.load(path, weights_only=True)\n');
});

test('settings: rules off, severity override, minimum severity', () => {
  assert.deepEqual(engine.analyze('/p/a.py', TORCH, { rules: { 'torch-load-unsafe': 'off' } }).findings, []);
  assert.equal(engine.analyze('/p/a.py', TORCH, { rules: { 'torch-load-unsafe': 'error' } }).findings[0]?.severity, 'error');
  assert.deepEqual(engine.analyze('/p/a.py', TORCH, { minimumSeverity: 'error' }).findings, []);
});

test('suppressions: by rule, by technique, by parent technique, nosec (switchable), file-wide, any line of the statement', () => {
  const count = (source: string, honorNosec = true) => engine.analyze('/p/a.py', source, { honorNosec }).findings.length;
  assert.equal(count('import torch\ntorch.load(p)  # atlas-lens: ignore\n'), 0);
  assert.equal(count('import torch\ntorch.load(p)  # atlas-lens: ignore[torch-load-unsafe]\n'), 0);
  assert.equal(count('import torch\ntorch.load(p)  # atlas-lens: ignore[AML.T0011.000]\n'), 0);
  assert.equal(count('import torch\ntorch.load(p)  # atlas-lens: ignore[AML.T0011]\n'), 0);
  assert.equal(count('import torch\ntorch.load(p)  # atlas-lens: ignore[yaml-unsafe-load]\n'), 1);
  assert.equal(count('import torch\ntorch.load(p)  # nosec\n'), 0);
  assert.equal(count('import torch\ntorch.load(p)  # nosec\n', false), 1);
  assert.equal(count('# atlas-lens: ignore-file[torch-load-unsafe]\nimport torch\ntorch.load(p)\n'), 0);
  assert.equal(count('import torch\nx = torch.load(\n    p,\n)  # atlas-lens: ignore\n'), 0);
  assert.equal(count('import torch\n# atlas-lens: ignore\ntorch.load(p)\n'), 1, 'a comment on the line above is not part of the statement');
});

test('bad input: binary content, unsupported files, deep nesting and a huge line never throw', () => {
  assert.deepEqual(engine.analyze('/p/a.py', 'import torch\n\u0000\u0001torch.load(p)').problems.map((p) => p.message), ['binary content; not analysed']);
  assert.deepEqual(engine.analyze('/p/a.txt', TORCH).findings, []);
  const deep = 'import torch\nx = ' + '('.repeat(3000) + 'torch.load(p)' + ')'.repeat(3000) + '\n';
  assert.doesNotThrow(() => engine.analyze('/p/deep.py', deep));
  const long = 'import torch\nx = [' + '1, '.repeat(200_000) + ']\ntorch.load(p)\n';
  assert.equal(engine.analyze('/p/long.py', long).findings.length, 1);
});

test('files where no rule trigger occurs are not parsed', () => {
  assert.equal(engine.analyze('/p/plain.py', 'def add(a, b):\n    return a + b\n').parsed, false);
  assert.equal(engine.analyze('/p/a.py', TORCH).parsed, true);
});

test('an invalid rule file gives file, line, column and field; the other rules still load', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-rules-'));
  fs.writeFileSync(path.join(dir, 'good.yaml'), fs.readFileSync(path.join(__dirname, '../../rules/python/torch-load-unsafe.yaml'), 'utf8').replace('id: torch-load-unsafe', 'id: my-torch-rule'));
  fs.writeFileSync(path.join(dir, 'bad.yaml'), 'id: bad-rule\ntitle: Bad\nseverity: loud\nlanguages: [python]\n');
  fs.writeFileSync(path.join(dir, 'broken.yaml'), 'id: [unclosed\n');
  const { rules, problems } = loadRules([dir]);
  assert.deepEqual(rules.map((r) => r.id), ['my-torch-rule']);
  const bad = problems.filter((p) => p.file.endsWith('bad.yaml'));
  assert.deepEqual(
    bad.find((p) => p.field === 'severity'),
    { file: path.join(dir, 'bad.yaml'), line: 2, character: 10, field: 'severity', message: 'severity: Invalid option: expected one of "error"|"warning"|"info"', severity: 'error' },
  );
  assert.ok(bad.some((p) => p.field === 'atlas' && p.line === 0), 'a missing field is reported at the top of the file');
  const broken = problems.find((p) => p.file.endsWith('broken.yaml'));
  assert.equal(broken?.line, 1);
  assert.match(broken?.message ?? '', /^invalid YAML: /);
});

test('a duplicate rule id and a bad regular expression are reported', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../rules/python/torch-load-unsafe.yaml'), 'utf8');
  const badRegex = text.replace('{ arg: weights_only, equals: true }', "{ arg: weights_only, matches: '(' }");
  const result = parseRuleFile('/r/x.yaml', badRegex);
  assert.equal(result.rule, undefined);
  assert.equal(result.problems[0]?.field, 'match.cases[0].when.matches');
  assert.match(result.problems[0]?.message ?? '', /^invalid regular expression/);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-dup-'));
  fs.writeFileSync(path.join(dir, 'a.yaml'), text);
  const { rules, problems } = loadRules([path.join(__dirname, '../../rules'), dir]);
  assert.equal(rules.filter((r) => r.id === 'torch-load-unsafe').length, 1);
  assert.match(problems[0]?.message ?? '', /rule id "torch-load-unsafe" is already defined in .*torch-load-unsafe\.yaml; this file is skipped/);
});

test('a check\'s options are validated when the rule loads, each problem at its field; an unknown check is named', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../rules/python/hardcoded-ai-key.yaml'), 'utf8');
  const badOptions = text.replace('env: ANTHROPIC_API_KEY', 'env: anthropic_api_key').replace("pattern: 'hf_[A-Za-z0-9]{30,}'", "pattern: 'hf_[A-Za-z0-9'");
  assert.notEqual(badOptions, text);
  const result = parseRuleFile('/r/keys.yaml', badOptions);
  assert.equal(result.rule, undefined, 'a rule whose check could not read its options would find nothing, silently');
  const lineOf = (needle: string) => badOptions.split('\n').findIndex((line) => line.includes(needle));
  assert.deepEqual(
    result.problems.map((p) => [p.field, p.line]),
    [
      ['match.options.providers[0].env', lineOf('env: anthropic_api_key')],
      ['match.options.providers[2].pattern', lineOf("pattern: 'hf_[A-Za-z0-9'")],
    ],
  );
  assert.match(result.problems[1]!.message, /not a valid regular expression/);
  const unknown = parseRuleFile('/r/keys.yaml', text.replace('check: hardcoded-ai-key', 'check: hardcoded-api-key'));
  assert.equal(unknown.rule, undefined);
  assert.equal(unknown.problems[0]?.field, 'match.check');
  assert.match(unknown.problems[0]?.message ?? '', /no check named "hardcoded-api-key" \(the engine has .*hardcoded-ai-key/);
  // Every bundled rule's check and options pass (they are checked at build time too).
  for (const file of fs.readdirSync(path.join(__dirname, '../../rules/python'))) {
    assert.deepEqual(parseRuleFileUncached(`/r/${file}`, fs.readFileSync(path.join(__dirname, '../../rules/python', file), 'utf8')).problems, [], file);
  }
});

test('a check\'s options are kept as its schema outputs them, defaults given, so that the check reads them without zod; a loaded rule finds with them', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../rules/python/hardcoded-ai-key.yaml'), 'utf8');
  // A provider without clients: the schema gives it none.
  const rule = parseRuleFileUncached('/r/keys.yaml', text.replace(/(- name: Hugging Face\n(?:.*\n)*?)\s+clients: \[[^\]]*\]\n/, '$1\n')).rule!;
  const providers = (rule.match as unknown as { options: { providers: Array<{ name: string; clients: string[] }> } }).options.providers;
  assert.deepEqual(providers.find((provider) => provider.name === 'Hugging Face')?.clients, []);
  // The bundled rule, from the build's snapshot when the build wrote one, has its options in the same shape.
  const bundled = engine.rule('load-inspected-artifact')!.match as unknown as { options: { absorbs: unknown } };
  assert.ok(Array.isArray(bundled.options.absorbs));
  const key = engine.analyze('/p/keys.py', 'from huggingface_hub import HfApi\napi = HfApi(token="hf_Ab3De5Gh7Jk9Lm2No4Pq6Rs8Tu1Vw3Xy5Za7")\n').findings;
  assert.deepEqual(key.map((finding) => finding.ruleId), ['hardcoded-ai-key']);
});

test('name patterns: * is one segment, ** one or more', () => {
  assert.equal(compileNamePattern('torch.load')('torch.load'), true);
  assert.equal(compileNamePattern('torch.load')('torch.loads'), false);
  assert.equal(compileNamePattern('gradio.*.launch')('gradio.Blocks().launch'), true);
  assert.equal(compileNamePattern('gradio.*.launch')('gradio.Blocks().queue().launch'), false);
  assert.equal(compileNamePattern('gradio.**.launch')('gradio.Blocks().queue().launch'), true);
  assert.equal(compileNamePattern('**.from_pretrained')('from_pretrained'), false);
  assert.equal(compileNamePattern('**.from_pretrained')('transformers.AutoModel.from_pretrained'), true);
});

test('a TS/JS rule\'s check and options are validated when it loads too, from schemas apart from the TS analysis', async () => {
  const text = fs.readFileSync(path.join(__dirname, '../../rules/typescript/js-llm-output-rendered-as-html.yaml'), 'utf8');
  assert.match(text, /check: llm-output-flow/);
  const broken = parseRuleFile('/r/flow.yaml', text.replace(/\n {4}sinks:/, '\n    sink:'));
  assert.equal(broken.rule, undefined);
  assert.ok(broken.problems.some((p) => p.field === 'match.options.sink' && /unknown field/.test(p.message)), JSON.stringify(broken.problems));
  assert.ok(broken.problems.some((p) => p.field === 'match.options.sinks'), 'the missing sinks too');
  const unknown = parseRuleFile('/r/flow.yaml', text.replace('check: llm-output-flow', 'check: llm-output-flows'));
  assert.match(unknown.problems[0]?.message ?? '', /no check named "llm-output-flows" \(the engine has llm-output-flow, /);
  // The registry the loader reads names the same checks as the TS analysis runs.
  const { registeredTsChecks } = await import('../../server/src/engine/typescript/checks/index');
  const { TS_CHECK_OPTIONS } = await import('../../server/src/engine/typescript/checks/options');
  assert.deepEqual([...TS_CHECK_OPTIONS.keys()].sort(), registeredTsChecks().sort());
  for (const dir of ['typescript', 'javascript'].map((language) => path.join(__dirname, '../../rules', language)).filter((dir) => fs.existsSync(dir))) {
    for (const file of fs.readdirSync(dir)) assert.deepEqual(parseRuleFileUncached(`/r/${file}`, fs.readFileSync(path.join(dir, file), 'utf8')).problems, [], file);
  }
});

test('a rule for requirements, Dockerfiles, YAML or model files names a check the engine has, or the rule is reported', () => {
  const text = fs.readFileSync(path.join(__dirname, '../../rules/requirements/ml-package-unpinned.yaml'), 'utf8');
  const typo = parseRuleFile('/r/pins.yaml', text.replace('check: ml-package-unpinned', 'check: ml-packages-unpinned'));
  assert.equal(typo.rule, undefined);
  assert.equal(typo.problems[0]?.field, 'match.check');
  assert.equal(typo.problems[0]?.line, text.split('\n').findIndex((line) => line.includes('check: ml-package-unpinned')));
  assert.match(typo.problems[0]?.message ?? '', /no check named "ml-packages-unpinned" \(the engine has .*ml-package-unpinned.*artifact-dangerous-import/);
  for (const kind of ['requirements', 'dockerfile', 'yaml', 'notebook', 'artifacts']) {
    const dir = path.join(__dirname, '../../rules', kind);
    for (const file of fs.readdirSync(dir)) assert.deepEqual(parseRuleFileUncached(`/r/${file}`, fs.readFileSync(path.join(dir, file), 'utf8')).problems, [], `${kind}/${file}`);
  }
});
