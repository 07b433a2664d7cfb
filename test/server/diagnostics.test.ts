/**
 * Protocol tests of diagnostics: the real server over stdio JSON-RPC, pull and push, with rich
 * fields switched on and off; incremental edits against a full parse; stale versions;
 * cancellation; a failing handler.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { Diagnostic } from 'vscode-languageserver';
import { Engine } from '../../server/src/engine/engine';
import { sameDiagnostics } from '../../server/src/lsp/diagnostics';
import { assertFull, makeWorkspace, TestClient, waitFor } from './lsp-client';

const SOURCE = ['import torch', 'import yaml', '', 'state = torch.load(path)', 'cfg = yaml.load(text, Loader=yaml.Loader)', ''].join('\n');

const TORCH_RANGE = { start: { line: 3, character: 8 }, end: { line: 3, character: 18 } };
const YAML_RANGE = { start: { line: 4, character: 6 }, end: { line: 4, character: 15 } };
const T0011 = 'https://atlas.mitre.org/techniques/AML.T0011.000';

function summary(diagnostics: Diagnostic[]) {
  return diagnostics.map((d) => ({ code: d.code, range: d.range, severity: d.severity, source: d.source }));
}

describe('push diagnostics, codeDescription and data on', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, codeDescription: true, dataSupport: true, settings: () => ({ trace: { server: 'verbose' } }) });
  });
  after(() => client.stop());

  test('declares push: no diagnosticProvider', () => {
    assert.equal(client.initializeResult.capabilities.diagnosticProvider, undefined);
    assert.equal(client.initializeResult.serverInfo?.name, 'atlas-lens');
  });

  test('an opened file gets exact diagnostics with codeDescription (and no data)', async () => {
    const uri = await client.open(path.join(workspace, 'train.py'), SOURCE);
    const diagnostics = await client.diagnosticsAt(uri, 1);
    assert.deepEqual(summary(diagnostics), [
      { code: 'torch-load-unsafe', range: TORCH_RANGE, severity: 2, source: 'atlas-lens' },
      { code: 'yaml-unsafe-load', range: YAML_RANGE, severity: 1, source: 'atlas-lens' },
    ]);
    const [torch, yaml] = diagnostics as [Diagnostic, Diagnostic];
    assert.deepEqual(torch.codeDescription, { href: T0011 });
    assert.deepEqual(yaml.codeDescription, { href: T0011 });
    assert.match(torch.message as string, /^torch\.load\(\) unpickles the checkpoint/);
    assert.match(yaml.message as string, /^yaml\.load\(\) without a safe Loader/);
    // Code actions look the finding up by rule and range: no data, even for a client that takes it.
    assert.equal(torch.data, undefined);
    assert.equal(yaml.data, undefined);
  });

  test('an edit publishes new diagnostics for the new version', async () => {
    const uri = await client.open(path.join(workspace, 'edit.py'), SOURCE);
    await client.diagnosticsAt(uri, 1);
    const version = await client.change(uri, [{ range: { start: { line: 3, character: 23 }, end: { line: 3, character: 23 } }, text: ', weights_only=True' }]);
    const diagnostics = await client.diagnosticsAt(uri, version);
    assert.deepEqual(diagnostics.map((d) => d.code), ['yaml-unsafe-load']);
  });

  test('typing inside a function parses that function alone (the log says so) and moves the findings below it', async () => {
    const file = path.join(workspace, 'alone.py');
    const text = 'import torch\n\n\ndef first(p):\n    return p\n\n\ndef second(p):\n    return torch.load(p)\n';
    const uri = await client.open(file, text);
    await client.diagnosticsAt(uri, 1);
    const version = await client.change(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 4, character: 0 } }, text: '    x = torch.load(p)\n' }]);
    const diagnostics = await client.diagnosticsAt(uri, version);
    assert.deepEqual(diagnostics.map((d) => `${d.code} ${d.range.start.line}:${d.range.start.character}`), ['torch-load-unsafe 4:8', 'torch-load-unsafe 9:11']);
    await waitFor('the function parsed alone, in the log', () => client.logs.some((log) => log.message.includes(`alone.py v${version}:`) && log.message.includes('(definitions parsed alone)')));
  });

  test('incremental edits give the same diagnostics as a full parse, and reparse incrementally', async () => {
    const engine = await Engine.create();
    const file = path.join(workspace, 'incremental.py');
    const uri = await client.open(file, SOURCE);
    await client.diagnosticsAt(uri, 1);
    // A deterministic mix of edits: typing, deleting, multi-line pastes, non-ASCII text, several changes in one notification.
    let seed = 7;
    const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), seed % n);
    const snippets = ['x', ' ', '\n', 'torch.load(p)\n', 'yaml.load(s)', '# é😀 AML.T0011\n', 'def f(a):\n    return torch.load(a, weights_only=False)\n', ')', '"""doc\n', 'import pickle\npickle.loads(b)\n'];
    for (let step = 0; step < 40; step++) {
      const lines = client.text(uri).split('\n');
      const line = random(lines.length);
      const character = random((lines[line]?.length ?? 0) + 1);
      const endLine = random(3) === 0 ? Math.min(lines.length - 1, line + 1 + random(2)) : line;
      const end = endLine > line ? { line: endLine, character: 0 } : { line, character: character + random(Math.max(1, (lines[line]?.length ?? 0) - character + 1)) };
      const changes = [{ range: { start: { line, character }, end }, text: random(4) === 0 ? '' : snippets[random(snippets.length)]! }];
      const version = await client.change(uri, changes);
      const diagnostics = await client.diagnosticsAt(uri, version);
      const expected = engine.analyze(file, client.text(uri)).findings;
      assert.deepEqual(
        diagnostics.map((d) => ({ code: d.code, range: d.range, message: d.message })),
        expected.map((f) => ({ code: f.ruleId, range: f.range, message: f.message })),
        `after step ${step}:\n${client.text(uri)}`,
      );
    }
    await waitFor('an incremental reparse in the log', () => client.logs.some((log) => log.message.includes('incremental.py') && log.message.includes('(incremental parse)')));
  });

  test('several changes in one notification', async () => {
    const engine = await Engine.create();
    const file = path.join(workspace, 'multi.py');
    const uri = await client.open(file, SOURCE);
    await client.diagnosticsAt(uri, 1);
    const version = await client.change(uri, [
      { range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }, text: '' },
      { range: { start: { line: 3, character: 23 }, end: { line: 3, character: 23 } }, text: ', weights_only=False' },
      { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: 'import pickle\nobj = pickle.loads(blob)\n' },
    ]);
    const diagnostics = await client.diagnosticsAt(uri, version);
    const expected = engine.analyze(file, client.text(uri)).findings;
    assert.ok(expected.length >= 2);
    assert.deepEqual(diagnostics.map((d) => [d.code, d.range]), expected.map((f) => [f.ruleId, f.range]));
  });

  test('a burst of edits never publishes an older version after a newer one', async () => {
    const uri = await client.open(path.join(workspace, 'burst.py'), SOURCE);
    await client.diagnosticsAt(uri, 1);
    const before = client.published.get(uri)!.length;
    let version = 1;
    for (let i = 0; i < 25; i++) version = await client.change(uri, [{ range: { start: { line: 5, character: 0 }, end: { line: 5, character: 0 } }, text: `x${i} = 1\n` }]);
    await client.diagnosticsAt(uri, version);
    const versions = client.published.get(uri)!.slice(before).map((p) => p.version!);
    assert.ok(versions.length >= 1 && versions.length <= 25, `published ${versions.length} times`);
    for (let i = 1; i < versions.length; i++) assert.ok(versions[i]! > versions[i - 1]!, `versions published in order: ${versions.join(', ')}`);
    assert.equal(versions.at(-1), version);
  });

  test('closing a file clears its diagnostics', async () => {
    const uri = await client.open(path.join(workspace, 'closed.py'), SOURCE);
    assert.equal((await client.diagnosticsAt(uri, 1)).length, 2);
    await client.close(uri);
    await waitFor('empty diagnostics after close', () => client.published.get(uri)?.at(-1)?.diagnostics.length === 0);
  });

  test('an exception in a handler is answered as an error and the server keeps running', async () => {
    const uri = await client.open(path.join(workspace, 'crash.py'), SOURCE);
    await client.diagnosticsAt(uri, 1);
    await assert.rejects(client.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position: null }), (error: { code?: number; message?: string }) => {
      assert.equal(error.code, -32603);
      assert.match(error.message ?? '', /textDocument\/hover failed/);
      return true;
    });
    await waitFor('the failure in the log', () => client.logs.some((log) => log.type === 1 && log.message.startsWith('textDocument/hover failed')));
    const hover = await client.hover(uri, { line: 3, character: 10 });
    assert.ok(hover, 'the server still answers');
    const version = await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    assert.equal((await client.diagnosticsAt(uri, version)).length, 2);
  });
});

describe('push diagnostics, codeDescription and data off', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, codeDescription: false, dataSupport: false });
  });
  after(() => client.stop());

  test('no codeDescription and no data', async () => {
    const uri = await client.open(path.join(workspace, 'train.py'), SOURCE);
    const diagnostics = await client.diagnosticsAt(uri, 1);
    assert.deepEqual(summary(diagnostics), [
      { code: 'torch-load-unsafe', range: TORCH_RANGE, severity: 2, source: 'atlas-lens' },
      { code: 'yaml-unsafe-load', range: YAML_RANGE, severity: 1, source: 'atlas-lens' },
    ]);
    for (const diagnostic of diagnostics) {
      assert.equal(diagnostic.codeDescription, undefined);
      assert.equal(diagnostic.data, undefined);
    }
  });
});

describe('pull diagnostics', () => {
  let client: TestClient;
  let workspace: string;
  before(async () => {
    workspace = makeWorkspace({});
    client = await TestClient.start({ workspace, pull: true, codeDescription: true, dataSupport: true });
  });
  after(() => client.stop());

  test('declares a diagnostic provider', () => {
    assert.deepEqual(client.initializeResult.capabilities.diagnosticProvider, { identifier: 'atlas-lens', interFileDependencies: false, workspaceDiagnostics: true });
  });

  test('full report, then unchanged for the same resultId, then a new one after an edit; nothing pushed', async () => {
    const uri = await client.open(path.join(workspace, 'train.py'), SOURCE);
    const first = await client.pull(uri);
    assertFull(first);
    assert.deepEqual(summary(first.items), [
      { code: 'torch-load-unsafe', range: TORCH_RANGE, severity: 2, source: 'atlas-lens' },
      { code: 'yaml-unsafe-load', range: YAML_RANGE, severity: 1, source: 'atlas-lens' },
    ]);
    assert.deepEqual(first.items[0]!.codeDescription, { href: T0011 });
    assert.ok(first.resultId);
    assert.deepEqual(await client.pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });

    await client.change(uri, [{ range: { start: { line: 4, character: 0 }, end: { line: 5, character: 0 } }, text: '' }]);
    const second = await client.pull(uri, first.resultId);
    assertFull(second);
    assert.notEqual(second.resultId, first.resultId);
    assert.deepEqual(second.items.map((d) => d.code), ['torch-load-unsafe']);
    assert.equal(client.published.get(uri), undefined, 'pull clients get no pushed findings');
  });

  test('an edit that changes no diagnostic is answered unchanged (same resultId); one that moves a finding is not', async () => {
    const uri = await client.open(path.join(workspace, 'typing.py'), SOURCE);
    const first = await client.pull(uri);
    assertFull(first);
    // Typing at the end of the file: the findings, their ranges and fixes stay as they were.
    const end = SOURCE.split('\n').length - 1;
    await client.change(uri, [{ range: { start: { line: end, character: 0 }, end: { line: end, character: 0 } }, text: 'x = 1' }]);
    assert.deepEqual(await client.pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });
    await client.change(uri, [{ range: { start: { line: end, character: 5 }, end: { line: end, character: 5 } }, text: '0' }]);
    assert.deepEqual(await client.pull(uri, first.resultId), { kind: 'unchanged', resultId: first.resultId });
    // A line added above moves them: a full report with the new ranges.
    await client.change(uri, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n' }]);
    const moved = await client.pull(uri, first.resultId);
    assertFull(moved);
    assert.notEqual(moved.resultId, first.resultId);
    assert.deepEqual(moved.items.map((d) => d.range.start.line), first.items.map((d) => d.range.start.line + 1));
  });

  test('a cancelled pull is answered with RequestCancelled', async () => {
    const uri = await client.open(path.join(workspace, 'cancel.py'), SOURCE);
    const source = new CancellationTokenSource();
    const pending = client.connection.sendRequest('textDocument/diagnostic', { textDocument: { uri } }, source.token);
    source.cancel();
    await assert.rejects(pending, (error: { code?: number }) => error.code === -32800);
    // and the next pull works
    const report = await client.pull(uri);
    assertFull(report);
    assert.equal(report.items.length, 2);
  });

  test('a pull for a document that is not open is an empty full report', async () => {
    const report = await client.pull('file:///nowhere/x.py');
    assert.deepEqual(report, { kind: 'full', items: [] });
  });
});

describe('atlas-lens lsp --stdio (the CLI)', () => {
  test('answers initialize and publishes diagnostics', async () => {
    const workspace = makeWorkspace({});
    const client = await TestClient.start({ workspace, viaCli: true });
    try {
      assert.equal(client.initializeResult.serverInfo?.name, 'atlas-lens');
      const uri = await client.open(path.join(workspace, 'a.py'), SOURCE);
      assert.deepEqual((await client.diagnosticsAt(uri, 1)).map((d) => d.code), ['torch-load-unsafe', 'yaml-unsafe-load']);
    } finally {
      await client.stop();
    }
  });
});

describe('sameDiagnostics (whether a pull is answered "unchanged")', () => {
  const fix = { title: 'Add weights_only=True', safe: false, edits: [{ range: { start: { line: 3, character: 23 }, end: { line: 3, character: 23 } }, newText: ', weights_only=True' }] };
  const finding = (): Diagnostic => ({
    range: { start: { line: 3, character: 8 }, end: { line: 3, character: 18 } },
    severity: 2,
    code: 'torch-load-unsafe',
    source: 'atlas-lens',
    message: 'torch.load() unpickles the checkpoint.',
    codeDescription: { href: T0011 },
    data: { ruleId: 'torch-load-unsafe', statementLines: { first: 3, last: 3 }, fix: structuredClone(fix) },
  });
  const problem: Diagnostic = { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 4 } }, severity: 1, source: 'atlas-lens', message: 'binary content' };

  test('the same diagnostics, as the very objects or as copies, are the same', () => {
    const same = finding();
    assert.equal(sameDiagnostics([problem, same], [problem, same]), true);
    assert.equal(sameDiagnostics([problem, finding()], [structuredClone(problem), finding()]), true);
    assert.equal(sameDiagnostics([], []), true);
  });

  test('any other difference, in the diagnostic, its data or its fix, is a change', () => {
    const changes: Array<[string, (d: Diagnostic & { data: any }) => void]> = [
      ['message', (d) => (d.message = 'other')],
      ['code', (d) => (d.code = 'yaml-unsafe-load')],
      ['severity', (d) => (d.severity = 1)],
      ['source', (d) => (d.source = 'other')],
      ['range start', (d) => (d.range.start.character = 9)],
      ['range end line', (d) => (d.range.end.line = 4)],
      ['href', (d) => (d.codeDescription = { href: `${T0011}x` })],
      ['no codeDescription', (d) => delete d.codeDescription],
      ['tags', (d) => (d.tags = [1])],
      ['data.ruleId', (d) => (d.data.ruleId = 'other')],
      ['data.statementLines', (d) => (d.data.statementLines.last = 4)],
      ['data.fix title', (d) => (d.data.fix.title = 'other')],
      ['data.fix safe', (d) => (d.data.fix.safe = true)],
      ['data.fix edit text', (d) => (d.data.fix.edits[0].newText = ', weights_only=False')],
      ['data.fix edit range', (d) => (d.data.fix.edits[0].range.end.character = 24)],
      ['data.fix another edit', (d) => d.data.fix.edits.push(d.data.fix.edits[0])],
      ['no fix', (d) => delete d.data.fix],
      ['another data field', (d) => (d.data.extra = 1)],
      ['no data', (d) => delete (d as Diagnostic).data],
    ];
    for (const [name, change] of changes) {
      const changed = finding() as Diagnostic & { data: any };
      change(changed);
      assert.equal(sameDiagnostics([finding()], [changed]), false, name);
      assert.equal(sameDiagnostics([changed], [finding()]), false, `${name} (other way round)`);
    }
    assert.equal(sameDiagnostics([finding()], [finding(), problem]), false, 'one more');
  });
});
