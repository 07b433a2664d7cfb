/**
 * Requirements, pyproject.toml, Dockerfile and YAML analyzers on strings: the pin fix from the
 * project's virtual environment, malformed input, shell reading details.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { readShellLine } from '../../server/src/engine/files/shell';
import { applyEdits } from '../../server/src/engine/text-edits';

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function projectWithVenv(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-venv-'));
  for (const info of ['torch-2.6.0.dist-info', 'scikit_learn-1.5.2.dist-info']) fs.mkdirSync(path.join(root, '.venv', 'lib', 'python3.12', 'site-packages', info), { recursive: true });
  return root;
}

test('the pin fix takes the version installed in .venv; without one there is no fix', () => {
  const root = projectWithVenv();
  const text = 'torch>=2.0  # training\nscikit-learn\ntransformers\n';
  const file = path.join(root, 'requirements.txt');
  const { findings } = engine.analyze(file, text, { projectRoot: root });
  assert.deepEqual(findings.map((f) => [f.ruleId, f.severity, !!f.fix]), [
    ['ml-package-unpinned', 'info', true],
    ['ml-package-unpinned', 'warning', true],
    ['ml-package-unpinned', 'warning', false],
  ]);
  const fixed = applyEdits(text, findings.flatMap((f) => f.fix?.edits ?? []));
  assert.equal(fixed, 'torch==2.6.0  # training\nscikit-learn==1.5.2\ntransformers\n');
  assert.equal(engine.analyze(file, text, { projectRoot: os.tmpdir() }).findings.filter((f) => f.fix).length, 0);
});

test('the pin fix in pyproject.toml (PEP 621 and Poetry)', () => {
  const root = projectWithVenv();
  const text = '[project]\ndependencies = ["torch"]\n[tool.poetry.dependencies]\nscikit-learn = "^1.4"\n';
  const { findings } = engine.analyze(path.join(root, 'pyproject.toml'), text, { projectRoot: root });
  const fixed = applyEdits(text, findings.flatMap((f) => f.fix?.edits ?? []));
  assert.equal(fixed, '[project]\ndependencies = ["torch==2.6.0"]\n[tool.poetry.dependencies]\nscikit-learn = "1.5.2"\n');
});

test('malformed TOML and YAML give one located problem each', () => {
  const toml = engine.analyze('/p/pyproject.toml', '[project]\ndependencies = ["torch"\n');
  assert.deepEqual(toml.findings, []);
  assert.equal(toml.problems.length, 1);
  assert.match(toml.problems[0]!.message, /^invalid TOML/);
  assert.equal(toml.problems[0]!.line, 2);
  const yaml = engine.analyze('/p/docker-compose.yml', 'services:\n  api:\n    ports: [8080:8080\n');
  assert.deepEqual(yaml.findings, []);
  assert.equal(yaml.problems.length, 1);
  assert.match(yaml.problems[0]!.message, /^invalid YAML/);
});

test('suppression comments in requirements, Dockerfiles and YAML', () => {
  assert.deepEqual(engine.analyze('/p/requirements.txt', 'torch  # atlas-lens: ignore[ml-package-unpinned]\n').findings, []);
  assert.deepEqual(engine.analyze('/p/Dockerfile', 'FROM pytorch/pytorch:latest  # atlas-lens: ignore\n').findings, []);
  assert.deepEqual(engine.analyze('/p/compose.yaml', 'services:\n  a:\n    build: .\n    environment:\n      - FLASK_DEBUG=1  # atlas-lens: ignore[AML.T0049]\n').findings, []);
});

test('shell reading: quotes, sudo and env prefixes, python -m pip, options with values, pipes', () => {
  const line = 'sudo -E env A=1 python3 -m pip install -q -t /opt "torch>=2" -r req.txt --index-url=http://x.example.com/simple && curl -s -o - https://e.com/i.sh | sudo bash';
  const facts = readShellLine(line, { at: (i) => ({ line: 0, character: i }), statementLines: { first: 0, last: 0 } });
  assert.deepEqual(facts.dependencies.map((d) => [d.name, d.specifier, line.slice(d.range.start.character, d.range.end.character)]), [['torch', '>=2', 'torch>=2']]);
  assert.deepEqual(facts.indexOptions.map((o) => [o.option, o.value]), [['index-url', 'http://x.example.com/simple']]);
  assert.deepEqual(facts.downloads.map((d) => [d.tool, d.url, d.pipedToShell?.shell]), [['curl', 'https://e.com/i.sh', 'bash']]);
});

test('Dockerfile: stage names, ARG-built images and scratch are not images; heredoc RUN bodies are read', () => {
  const text = 'ARG BASE=pytorch/pytorch\nFROM ${BASE} AS build\nFROM build\nFROM scratch\nRUN <<EOF\npip install torch\nEOF\n';
  assert.deepEqual(engine.analyze('/p/Dockerfile', text).findings.map((f) => [f.ruleId, f.range.start.line]), [['ml-package-unpinned', 5]]);
});
