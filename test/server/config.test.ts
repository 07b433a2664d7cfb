/**
 * Protocol tests of settings and project configuration: settings pulled per resource and
 * re-applied on didChangeConfiguration without a restart (push and pull), clients without
 * workspace/configuration, and `.atlas-lens.yaml` / custom rule files: located diagnostics when
 * invalid, re-analysis when they change.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Diagnostic } from 'vscode-languageserver';
import { assertFull, makeWorkspace, TestClient, uriOf, waitFor } from './lsp-client';

const SOURCE = ['import torch', 'import yaml', '', 'state = torch.load(path)', 'cfg = yaml.load(text, Loader=yaml.Loader)', ''].join('\n');
const codes = (diagnostics: Diagnostic[]): unknown[] => diagnostics.map((d) => d.code);

describe('settings (pull client)', () => {
  let client: TestClient;
  let workspace: string;
  let settings: Record<string, unknown> = {};
  const legacy: Record<string, unknown> = { rules: { 'yaml-unsafe-load': 'off' } };
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, pull: true, settings: (scopeUri) => (scopeUri?.includes('/legacy/') ? legacy : settings) });
  });
  after(() => client.stop());

  async function changeSettings(next: Record<string, unknown>): Promise<void> {
    settings = next;
    const refreshes = client.refreshRequests;
    await client.changeSettings();
    await waitFor('workspace/diagnostic/refresh', () => client.refreshRequests > refreshes);
  }

  test('settings are read per resource', async () => {
    const main = await client.open(path.join(workspace, 'main.py'), SOURCE);
    const old = await client.open(path.join(workspace, 'legacy', 'old.py'), SOURCE);
    assert.deepEqual(codes(await client.diagnostics(main)), ['torch-load-unsafe', 'yaml-unsafe-load']);
    assert.deepEqual(codes(await client.diagnostics(old)), ['torch-load-unsafe']);
  });

  test('a settings change refreshes without a restart: rule off, severity override, minimumSeverity, exclude, enable', async () => {
    const uri = await client.open(path.join(workspace, 'train.py'), SOURCE);
    const first = await client.pull(uri);
    assertFull(first);
    assert.deepEqual(codes(first.items), ['torch-load-unsafe', 'yaml-unsafe-load']);

    await changeSettings({ rules: { 'torch-load-unsafe': 'off' } });
    const second = await client.pull(uri, first.resultId);
    assertFull(second);
    assert.deepEqual(codes(second.items), ['yaml-unsafe-load']);

    await changeSettings({ rules: { 'yaml-unsafe-load': 'info' } });
    const third = await client.diagnostics(uri);
    assert.deepEqual(third.map((d) => [d.code, d.severity]), [['torch-load-unsafe', 2], ['yaml-unsafe-load', 3]]);

    await changeSettings({ minimumSeverity: 'error' });
    assert.deepEqual(codes(await client.diagnostics(uri)), ['yaml-unsafe-load']);

    await changeSettings({ exclude: ['generated/**'] });
    const generated = await client.open(path.join(workspace, 'generated', 'g.py'), SOURCE);
    assert.deepEqual(await client.diagnostics(generated), []);
    assert.equal((await client.diagnostics(uri)).length, 2);

    await changeSettings({ enable: false });
    assert.deepEqual(await client.diagnostics(uri), []);

    await changeSettings({ rules: { 'torch-load-unsafe': 'sometimes' }, minimumSeverity: 7 });
    assert.deepEqual(codes(await client.diagnostics(uri)), ['torch-load-unsafe', 'yaml-unsafe-load'], 'invalid values fall back to the defaults');
    await waitFor('a warning about the invalid setting', () => client.logs.some((log) => log.type === 2 && log.message.startsWith('atlasLens.minimumSeverity:')));
  });

  test('a change to settings analysis does not read (trace, scanOnStartup) keeps the results: no refresh, no re-analysis', async () => {
    // Settings it never read before cannot be compared: wait for the global ones read at startup.
    await waitFor('the global settings read', () => client.configurationRequests.includes(null));
    const uri = await client.open(path.join(workspace, 'kept.py'), SOURCE);
    const first = await client.pull(uri);
    assertFull(first);
    const refreshes = client.refreshRequests;
    const logged = client.logs.length;
    settings = { ...settings, trace: { server: 'verbose' }, scanOnStartup: true };
    await client.changeSettings();
    await waitFor('the log line', () => client.logs.slice(logged).some((log) => log.message === 'settings changed: nothing analysis reads (trace, scanOnStartup); results kept'));
    assert.equal(client.refreshRequests, refreshes);
    assert.deepEqual(await client.pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });
    // The verbose log is on: the next analysis says so.
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# edited\n' }]);
    await client.pull(uri);
    assert.ok(client.logs.slice(logged).some((log) => log.message.startsWith(`${uri} v2: `)), 'verbose analysis log');

    // One that does (a rule's severity) re-analyses, as before.
    await changeSettings({ ...settings, rules: { 'torch-load-unsafe': 'info' } });
    assert.deepEqual((await client.diagnostics(uri)).map((d) => [d.code, d.severity]), [['torch-load-unsafe', 3], ['yaml-unsafe-load', 1]]);
  });
});

describe('settings (push client without workspace/configuration)', () => {
  test('initializationOptions and didChangeConfiguration settings are used', async () => {
    const workspace = makeWorkspace({});
    let settings: Record<string, unknown> = { rules: { 'yaml-unsafe-load': 'off' } };
    const client = await TestClient.start({ workspace, configuration: false, settings: () => settings });
    try {
      const uri = await client.open(path.join(workspace, 'a.py'), SOURCE);
      assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), ['torch-load-unsafe']);
      const before = client.published.get(uri)!.length;
      settings = { rules: { 'torch-load-unsafe': 'off' } };
      await client.changeSettings();
      await waitFor('republished diagnostics', () => client.published.get(uri)!.length > before);
      assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), ['yaml-unsafe-load']);
    } finally {
      await client.stop();
    }
  });
});

describe('project config and rule files (push client)', () => {
  let client: TestClient;
  let workspace: string;
  const INVALID = ['rules:', '  torch-load-unsafe: maybe', 'minimumSeverity: warning', ''].join('\n');
  before(async () => {
    workspace = makeWorkspace({ '.atlas-lens.yaml': INVALID });
    client = await TestClient.start({ workspace, codeDescription: true });
  });
  after(() => client.stop());

  test('watched files are registered', async () => {
    await waitFor('registrations', () => client.registrations.includes('workspace/didChangeWatchedFiles'));
  });

  test('an invalid .atlas-lens.yaml gets a located diagnostic, before any file is opened', async () => {
    const configUri = uriOf(path.join(workspace, '.atlas-lens.yaml'));
    const diagnostics = await client.diagnosticsAt(configUri, null);
    assert.deepEqual(diagnostics.map((d) => ({ range: d.range, severity: d.severity, source: d.source })), [
      { range: { start: { line: 1, character: 21 }, end: { line: 1, character: 26 } }, severity: 1, source: 'atlas-lens' },
    ]);
    assert.match(diagnostics[0]!.message as string, /^rules\.torch-load-unsafe: expected one of off, on, error, warning, info/);
  });

  test('the valid parts of the config apply; fixing the config re-analyses open files and clears its diagnostics', async () => {
    const configFile = path.join(workspace, '.atlas-lens.yaml');
    const uri = await client.open(path.join(workspace, 'src', 'train.py'), SOURCE);
    // minimumSeverity: warning applies, the invalid rule entry is dropped.
    assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), ['torch-load-unsafe', 'yaml-unsafe-load']);

    const published = client.published.get(uri)!.length;
    fs.writeFileSync(configFile, ['rules:', '  torch-load-unsafe: "off"', ''].join('\n'));
    await client.watchedFileChanged(configFile);
    await waitFor('the config diagnostics cleared', () => client.published.get(uriOf(configFile))?.at(-1)?.diagnostics.length === 0);
    await waitFor('re-published findings', () => client.published.get(uri)!.length > published);
    assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), ['yaml-unsafe-load']);
  });

  test('a custom rule directory: an invalid rule file gets a located diagnostic, a fixed one starts reporting', async () => {
    const configFile = path.join(workspace, '.atlas-lens.yaml');
    const ruleFile = path.join(workspace, 'team-rules', 'no-eval.yaml');
    const rule = (severity: string): string => [
      'id: team-no-eval',
      'title: eval runs model output',
      `severity: ${severity}`,
      'languages: [python]',
      'atlas:',
      '  techniques: [AML.T0011.000]',
      'message: "{callee}() runs a string as code."',
      'docs:',
      '  why: Model output is attacker-controlled text.',
      '  bad: eval(answer)',
      '  good: ast.literal_eval(answer)',
      'match:',
      '  calls: [builtins.eval]',
      '  cases:',
      '    - highlight: callee',
      '',
    ].join('\n');
    fs.mkdirSync(path.dirname(ruleFile), { recursive: true });
    fs.writeFileSync(ruleFile, rule('critical'));
    fs.writeFileSync(configFile, ['ruleDirs: [team-rules]', ''].join('\n'));
    await client.watchedFileChanged(configFile);
    const ruleUri = uriOf(ruleFile);
    const problems = await client.diagnosticsAt(ruleUri, null);
    assert.equal(problems.length, 1, JSON.stringify(problems));
    assert.deepEqual(problems[0]!.range.start, { line: 2, character: 10 });
    assert.match(problems[0]!.message as string, /severity/);

    const uri = await client.open(path.join(workspace, 'agent.py'), 'answer = llm()\nresult = eval(answer)\n');
    assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), []);

    const published = client.published.get(uri)!.length;
    fs.writeFileSync(ruleFile, rule('warning'));
    await client.watchedFileChanged(ruleFile);
    await waitFor('the rule file diagnostics cleared', () => client.published.get(ruleUri)?.at(-1)?.diagnostics.length === 0);
    await waitFor('re-published findings', () => client.published.get(uri)!.length > published);
    const diagnostics = await client.diagnosticsAt(uri, 1);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range, d.codeDescription?.href]), [
      ['team-no-eval', { start: { line: 1, character: 9 }, end: { line: 1, character: 13 } }, 'https://atlas.mitre.org/techniques/AML.T0011.000'],
    ]);
  });

  test('a notebook cell is analysed as Python under the project config of its notebook', async () => {
    const notebook = path.join(workspace, 'notebooks', 'explore.ipynb');
    fs.mkdirSync(path.dirname(notebook), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'notebooks', '.atlas-lens.yaml'), 'rules:\n  yaml-unsafe-load: "off"\n');
    const cell = await client.openUri(`vscode-notebook-cell:${notebook}#W0sZmlsZQ%3D%3D`, 'import torch, yaml\ntorch.load(p)\nyaml.load(s)\n');
    assert.deepEqual(codes(await client.diagnosticsAt(cell, 1)), ['torch-load-unsafe']);
  });

  test('an unrelated YAML file changing reloads nothing', async () => {
    const logs = client.logs.length;
    await client.watchedFileChanged(path.join(workspace, 'docker-compose.yml'));
    const uri = await client.open(path.join(workspace, 'probe.py'), 'x = 1\n');
    await client.diagnosticsAt(uri, 1);
    assert.ok(!client.logs.slice(logs).some((log) => log.message.includes('reloading the configuration')));
  });
});

describe('untrusted workspace (initializationOptions.workspaceTrusted false)', () => {
  test('the custom rule directories of .atlas-lens.yaml are not loaded, and the config says so', async () => {
    const rule = ['id: team-no-eval', 'title: eval', 'severity: warning', 'languages: [python]', 'atlas:', '  techniques: [AML.T0011.000]', 'message: "{callee}() runs a string."',
      'docs:', '  why: w', '  bad: b', '  good: g', 'match:', '  calls: [builtins.eval]', '  cases:', '    - highlight: callee', ''].join('\n');
    const workspace = makeWorkspace({ '.atlas-lens.yaml': 'minimumSeverity: info\nruleDirs: [team-rules]\n', 'team-rules/no-eval.yaml': rule });
    for (const trusted of [true, false]) {
      const client = await TestClient.start({ workspace, initializationOptions: { workspaceTrusted: trusted } });
      try {
        const uri = await client.open(path.join(workspace, 'a.py'), 'import torch\nx = eval(torch.load(p))\n');
        assert.deepEqual(codes(await client.diagnosticsAt(uri, 1)), trusted ? ['team-no-eval', 'torch-load-unsafe'] : ['torch-load-unsafe']);
        if (!trusted) {
          const config = await client.diagnosticsAt(uriOf(path.join(workspace, '.atlas-lens.yaml')), null);
          assert.deepEqual(config.map((d) => [d.range.start, d.severity]), [[{ line: 1, character: 10 }, 3]]);
          assert.match(config[0]!.message as string, /not trusted/);
        }
      } finally {
        await client.stop();
      }
    }
  });
});

describe('project config (pull client)', () => {
  test('a config change asks the client to refresh, and the next pull reflects it', async () => {
    const workspace = makeWorkspace({ '.atlas-lens.yaml': 'minimumSeverity: info\n' });
    const client = await TestClient.start({ workspace, pull: true });
    try {
      const uri = await client.open(path.join(workspace, 'a.py'), SOURCE);
      assert.deepEqual(codes(await client.diagnostics(uri)), ['torch-load-unsafe', 'yaml-unsafe-load']);
      const refreshes = client.refreshRequests;
      fs.writeFileSync(path.join(workspace, '.atlas-lens.yaml'), 'minimumSeverity: error\n');
      await client.watchedFileChanged(path.join(workspace, '.atlas-lens.yaml'));
      await waitFor('workspace/diagnostic/refresh', () => client.refreshRequests > refreshes);
      assert.deepEqual(codes(await client.diagnostics(uri)), ['yaml-unsafe-load']);
    } finally {
      await client.stop();
    }
  });
});
