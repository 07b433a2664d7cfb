import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  defaultProjectConfig,
  effectiveSeverity,
  findProjectConfig,
  loadProjectConfig,
  meetsMinimumSeverity,
  parseProjectConfig,
  reportedSeverity,
  resolveRuleDirs,
  unknownRuleProblems,
} from '../../server/src/engine/config/project-config';

function tempDir(): string {
  return fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-config-')));
}

function writeConfig(text: string, name = '.atlas-lens.yaml'): string {
  const dir = tempDir();
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

test('a valid config is parsed with every field', () => {
  const file = writeConfig(
    [
      '# project settings',
      'rules:',
      '  torch-load-unsafe: off',
      '  pickle-load: warning',
      '  yaml-load: on',
      'include: ["src/**", "notebooks/**"]',
      'exclude:',
      '  - "src/legacy/**"',
      'ruleDirs: [./team-rules]',
      'respectGitignore: false',
      'honorNosec: false',
      'minimumSeverity: warning',
      'maxFileSizeKb: 256',
      '',
    ].join('\n'),
  );
  const result = loadProjectConfig(file);
  assert.deepEqual(result.problems, []);
  assert.deepEqual(result.config, {
    rules: { 'torch-load-unsafe': 'off', 'pickle-load': 'warning', 'yaml-load': 'on' },
    include: ['src/**', 'notebooks/**'],
    exclude: ['src/legacy/**'],
    ruleDirs: ['./team-rules'],
    respectGitignore: false,
    honorNosec: false,
    minimumSeverity: 'warning',
    maxFileSizeKb: 256,
  });
  assert.equal(result.file, file);
  assert.equal(result.configDir, path.dirname(file));
  assert.deepEqual(resolveRuleDirs(result), [path.join(path.dirname(file), 'team-rules')]);
});

test('an empty or comment-only config gives the defaults', () => {
  for (const text of ['', '\n\n', '# nothing yet\n  # indented\r\n', '---\n', 'null\n']) {
    const result = parseProjectConfig('/p/.atlas-lens.yaml', text);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.config, {
      rules: {},
      include: [],
      exclude: [],
      ruleDirs: [],
      respectGitignore: true,
      honorNosec: true,
      minimumSeverity: 'info',
      maxFileSizeKb: 1024,
    });
    assert.equal(result.configDir, path.resolve('/p'));
  }
});

test('each invalid field is reported at its line, column and field, and falls back alone', () => {
  const cases: Array<{ text: string; line: number; character: number; field: string; message: RegExp }> = [
    { text: 'rules:\n  torch-load-unsafe: loud\n', line: 1, character: 21, field: 'rules.torch-load-unsafe', message: /expected one of off, on, error, warning, info/ },
    { text: 'rules:\n  Torch_Load: off\n', line: 1, character: 2, field: 'rules.Torch_Load', message: /kebab-case/ },
    { text: 'rules: [a]\n', line: 0, character: 7, field: 'rules', message: /expected record/ },
    { text: 'include:\n  - src/**\n  - 42\n', line: 2, character: 4, field: 'include[1]', message: /expected string/ },
    // A quoted scalar is located just inside its opening quote (located-yaml's valueStart).
    { text: 'exclude: "build/**"\n', line: 0, character: 10, field: 'exclude', message: /expected array/ },
    { text: 'exclude: [""]\n', line: 0, character: 11, field: 'exclude[0]', message: /must not be empty/ },
    { text: 'ruleDirs: [1]\n', line: 0, character: 11, field: 'ruleDirs[0]', message: /expected string/ },
    { text: 'respectGitignore: maybe\n', line: 0, character: 18, field: 'respectGitignore', message: /expected boolean/ },
    { text: 'honorNosec: 1\n', line: 0, character: 12, field: 'honorNosec', message: /expected boolean/ },
    { text: 'minimumSeverity: critical\n', line: 0, character: 17, field: 'minimumSeverity', message: /expected one of error, warning, info/ },
    { text: 'maxFileSizeKb: -5\n', line: 0, character: 15, field: 'maxFileSizeKb', message: /greater than 0/ },
    { text: 'maxFileSizeKb: big\n', line: 0, character: 15, field: 'maxFileSizeKb', message: /expected number/ },
    { text: 'honorNosec: true\nexcludes: [a]\n', line: 1, character: 0, field: 'excludes', message: /unknown field/ },
  ];
  for (const c of cases) {
    const result = parseProjectConfig('/p/.atlas-lens.yaml', c.text);
    assert.equal(result.problems.length, 1, `${c.field}: ${JSON.stringify(result.problems)}`);
    const [problem] = result.problems;
    assert.equal(problem?.file, path.resolve('/p/.atlas-lens.yaml'));
    assert.equal(problem?.severity, 'error');
    assert.deepEqual({ line: problem?.line, character: problem?.character, field: problem?.field }, { line: c.line, character: c.character, field: c.field }, c.text);
    assert.match(problem?.message ?? '', c.message);
  }
});

test('valid fields and valid entries survive next to invalid ones', () => {
  const text = [
    'rules:',
    '  torch-load-unsafe: loud',
    '  pickle-load: error',
    'include: ["src/**", 3]',
    'minimumSeverity: critical',
    'maxFileSizeKb: 64',
    'honorNosec: false',
    'colour: red',
    '',
  ].join('\n');
  const result = parseProjectConfig('/p/.atlas-lens.yaml', text);
  assert.deepEqual(
    result.problems.map((p) => [p.line, p.character, p.field]),
    [
      [1, 21, 'rules.torch-load-unsafe'],
      [3, 20, 'include[1]'],
      [4, 17, 'minimumSeverity'],
      [7, 0, 'colour'],
    ],
  );
  assert.deepEqual(result.config, {
    ...defaultProjectConfig(),
    rules: { 'pickle-load': 'error' },
    include: ['src/**'],
    maxFileSizeKb: 64,
    honorNosec: false,
  });
});

test('a YAML syntax error is located and the defaults are used', () => {
  const result = parseProjectConfig('/p/.atlas-lens.yaml', 'include:\n  - a\n - b\n');
  assert.equal(result.problems.length, 1);
  const [problem] = result.problems;
  assert.equal(problem?.line, 2);
  assert.equal(problem?.character, 1);
  assert.equal(problem?.field, undefined);
  assert.match(problem?.message ?? '', /^invalid YAML: bad indentation/);
  assert.deepEqual(result.config, defaultProjectConfig());

  const duplicate = parseProjectConfig('/p/.atlas-lens.yaml', 'honorNosec: true\nhonorNosec: false\n');
  assert.deepEqual(duplicate.problems.map((p) => [p.line, p.character, p.message]), [[1, 0, 'invalid YAML: duplicated mapping key']]);
});

test('a config that is not a mapping is one problem at the start', () => {
  const result = parseProjectConfig('/p/.atlas-lens.yaml', '- a\n- b\n');
  assert.deepEqual(result.problems.map((p) => [p.line, p.character, p.field]), [[0, 0, undefined]]);
  assert.deepEqual(result.config, defaultProjectConfig());
});

test('a missing config file is a problem, not an exception', () => {
  const dir = tempDir();
  const result = loadProjectConfig(path.join(dir, '.atlas-lens.yaml'));
  assert.equal(result.problems.length, 1);
  assert.match(result.problems[0]?.message ?? '', /^cannot read config file: ENOENT/);
  assert.deepEqual(result.config, defaultProjectConfig());
  assert.equal(result.configDir, dir);
});

test('findProjectConfig walks up, prefers .yaml and respects stopDir', () => {
  const root = tempDir();
  const deep = path.join(root, 'proj', 'src', 'pkg');
  fs.mkdirSync(deep, { recursive: true });
  assert.equal(findProjectConfig(deep, root), undefined);

  fs.writeFileSync(path.join(root, '.atlas-lens.yml'), '');
  assert.equal(findProjectConfig(deep, root), path.join(root, '.atlas-lens.yml'));
  // stopDir is inclusive but not passed: a config above it is not found.
  assert.equal(findProjectConfig(deep, path.join(root, 'proj')), undefined);

  fs.writeFileSync(path.join(root, 'proj', '.atlas-lens.yml'), '');
  fs.writeFileSync(path.join(root, 'proj', '.atlas-lens.yaml'), '');
  assert.equal(findProjectConfig(deep, root), path.join(root, 'proj', '.atlas-lens.yaml'));
  assert.equal(findProjectConfig(path.join(root, 'proj'), root), path.join(root, 'proj', '.atlas-lens.yaml'));

  // A file as the start point means its directory.
  const source = path.join(deep, 'model.py');
  fs.writeFileSync(source, 'import torch\n');
  assert.equal(findProjectConfig(source), path.join(root, 'proj', '.atlas-lens.yaml'));

  // A directory named like the config is not a config.
  fs.mkdirSync(path.join(deep, '.atlas-lens.yaml'));
  assert.equal(findProjectConfig(deep, root), path.join(root, 'proj', '.atlas-lens.yaml'));
});

test('effectiveSeverity: off disables, on keeps the default, a severity overrides', () => {
  const config = { ...defaultProjectConfig(), rules: { a: 'off', b: 'on', c: 'info', d: 'error' } as const };
  assert.equal(effectiveSeverity('a', 'error', config), 'off');
  assert.equal(effectiveSeverity('b', 'warning', config), 'warning');
  assert.equal(effectiveSeverity('c', 'error', config), 'info');
  assert.equal(effectiveSeverity('d', 'info', config), 'error');
  assert.equal(effectiveSeverity('unlisted', 'warning', config), 'warning');
  assert.equal(effectiveSeverity('a', 'error', undefined), 'error');
});

test('minimumSeverity filters through meetsMinimumSeverity and reportedSeverity', () => {
  const config = { ...defaultProjectConfig(), minimumSeverity: 'warning' as const, rules: { a: 'info', b: 'error' } as const };
  assert.equal(meetsMinimumSeverity('info', config), false);
  assert.equal(meetsMinimumSeverity('warning', config), true);
  assert.equal(meetsMinimumSeverity('error', config), true);
  assert.equal(meetsMinimumSeverity('info', undefined), true);
  assert.equal(reportedSeverity('a', 'error', config), 'off');
  assert.equal(reportedSeverity('b', 'info', config), 'error');
  assert.equal(reportedSeverity('c', 'info', config), 'off');
  assert.equal(reportedSeverity('c', 'warning', config), 'warning');
});

test('unknownRuleProblems warns at the key of an unknown rule id', () => {
  const loaded = parseProjectConfig('/p/.atlas-lens.yaml', 'rules:\n  torch-load-unsafe: off\n  torch-laod-unsafe: error\n');
  assert.deepEqual(loaded.problems, []);
  assert.deepEqual(unknownRuleProblems(loaded, ['torch-load-unsafe', 'pickle-load']), [
    {
      file: path.resolve('/p/.atlas-lens.yaml'),
      line: 2,
      character: 2,
      field: 'rules.torch-laod-unsafe',
      message: 'rules.torch-laod-unsafe: no rule has the id "torch-laod-unsafe"',
      severity: 'warning',
    },
  ]);
});
