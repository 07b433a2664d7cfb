/**
 * Protocol tests of the workspace review over stdio: atlasLens/scanWorkspace (discovery with
 * .gitignore, config and setting excludes; progress; cancellation; responsiveness),
 * publishDiagnostics for files that are not open (push), workspace/diagnostic (pull),
 * atlasLens/workspaceFindings (findings + matrix), watched files, the baseline settings and
 * scanOnStartup. Each suite works on its own copy of test/fixtures/workspace-review.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CancellationTokenSource } from 'vscode-jsonrpc/node';
import type { Diagnostic, WorkspaceDiagnosticReport } from 'vscode-languageserver';
import type { ScanWorkspaceResult, WorkspaceFindingsResult } from '../../server/src/lsp/protocol';
import { makeWorkspace, ROOT, TestClient, uriOf, waitFor } from './lsp-client';

const FIXTURE = path.join(ROOT, 'test/fixtures/workspace-review');

function copyOfFixture(): string {
  const dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-ws-')));
  fs.cpSync(FIXTURE, dir, { recursive: true });
  return dir;
}

const range = (line: number, start: number, end: number) => ({ start: { line, character: start }, end: { line, character: end } });
const TORCH = range(6, 11, 21);
const PICKLE = range(10, 11, 23);
const YAML = range(4, 11, 20);

const brief = (diagnostics: Diagnostic[]) => diagnostics.map((d) => [d.code, d.range]);

const scan = (client: TestClient, params: Record<string, unknown> = {}, token?: CancellationTokenSource['token']): Promise<ScanWorkspaceResult> =>
  client.connection.sendRequest('atlasLens/scanWorkspace', params, token);
const findings = (client: TestClient): Promise<WorkspaceFindingsResult> => client.connection.sendRequest('atlasLens/workspaceFindings');
const lastPublished = (client: TestClient, uri: string) => client.published.get(uri)?.at(-1);

/** Files the fixture must never report: gitignored, excluded by the config, excluded by the setting. */
const NEVER = ['ignored/secret.py', 'model.generated.py', 'vendor/lib.py', 'notes/scratch.py'];

describe('Scan Workspace, push client', () => {
  let client: TestClient;
  let dir: string;
  const uri = (name: string) => uriOf(path.join(dir, name));
  before(async () => {
    dir = copyOfFixture();
    client = await TestClient.start({ workspace: dir, workDoneProgress: true, settings: () => ({ exclude: ['notes/**'] }) });
  });
  after(() => client.stop());

  test('before any scan: nothing for unopened files, an empty snapshot with the whole matrix', async () => {
    const result = await findings(client);
    assert.deepEqual(result.findings, []);
    assert.equal(result.lastScan, undefined);
    assert.equal(result.matrix.columns.length, 16);
    assert.ok(result.matrix.columns.every((column) => column.cells.every((cell) => cell.score === 0 && cell.worst === undefined)));
    assert.equal(client.published.get(uri('train.py')), undefined);
  });

  test('scans the supported files in scope, with progress on a server-created token', async () => {
    const result = await scan(client);
    assert.deepEqual({ ...result, durationMs: 0 }, { files: 4, findings: 3, skipped: 0, cancelled: false, durationMs: 0 });
    assert.equal(client.createdProgressTokens.length, 1);
    const token = client.createdProgressTokens[0]!;
    await waitFor('the progress end', () => client.progress.some((p) => p.value.kind === 'end'));
    assert.deepEqual(
      client.progress.map((p) => [p.token, p.value]),
      [
        [token, { kind: 'begin', title: 'ATLAS Lens: scanning the workspace', message: 'finding files…', cancellable: true, percentage: 0 }],
        [token, { kind: 'report', percentage: 25, message: '1/4 files' }],
        [token, { kind: 'report', percentage: 50, message: '2/4 files' }],
        [token, { kind: 'report', percentage: 75, message: '3/4 files' }],
        [token, { kind: 'report', percentage: 100, message: '4/4 files' }],
        [token, { kind: 'end' }],
      ],
    );
  });

  test('publishes the findings of unopened files, nothing for clean, ignored or excluded ones', async () => {
    const train = lastPublished(client, uri('train.py'))!;
    assert.deepEqual(brief(train.diagnostics), [['torch-load-unsafe', TORCH], ['pickle-deserialization', PICKLE]]);
    assert.equal(train.version, undefined);
    assert.deepEqual(brief(lastPublished(client, uri('serve/app.py'))!.diagnostics), [['yaml-unsafe-load', YAML]]);
    assert.equal(client.published.get(uri('clean.py')), undefined);
    for (const name of NEVER) assert.equal(client.published.get(uri(name)), undefined, name);
  });

  test('workspaceFindings: every finding with title and fix, the matrix cells of the cited techniques', async () => {
    const result = await findings(client);
    assert.deepEqual(
      result.findings.map((f) => [f.uri, f.ruleId, f.range, f.severity, f.techniques, f.fix?.safe, 'newSinceBaseline' in f]),
      [
        [uri('serve/app.py'), 'yaml-unsafe-load', YAML, 'error', ['AML.T0011.000'], true, false],
        [uri('train.py'), 'torch-load-unsafe', TORCH, 'warning', ['AML.T0011.000'], false, false],
        [uri('train.py'), 'pickle-deserialization', PICKLE, 'warning', ['AML.T0011.000'], undefined, false],
      ],
    );
    assert.equal(result.findings[1]!.title, 'torch.load can run code from the checkpoint');
    assert.equal(result.lastScan?.files, 4);
    const lit = result.matrix.columns.flatMap((column) => column.cells.filter((cell) => cell.score > 0).map((cell) => [column.tacticId, cell.techniqueId, cell.counts, cell.worst, cell.score]));
    assert.deepEqual(lit, [['AML.TA0005', 'AML.T0011', { error: 1, warning: 2, info: 0 }, 'error', 16]]);
    const userExecution = result.matrix.columns.find((c) => c.tacticId === 'AML.TA0005')!.cells.find((c) => c.techniqueId === 'AML.T0011')!;
    assert.deepEqual(
      userExecution.subtechniques.map((sub) => [sub.techniqueId, sub.score]),
      [['AML.T0011.000', 16], ['AML.T0011.001', 0], ['AML.T0011.002', 0], ['AML.T0011.003', 0]],
    );
  });

  test('an open document keeps its live findings; closing it brings the on-disk ones back', async () => {
    const train = path.join(dir, 'train.py');
    const changesBefore = client.notifications.get('atlasLens/findingsChanged') ?? 0;
    const live = 'import torch\n\n\nstate = torch.load("m.pt")\n';
    const liveUri = await client.open(train, live);
    assert.deepEqual(brief(await client.diagnosticsAt(liveUri, 1)), [['torch-load-unsafe', range(3, 8, 18)]]);
    const result = await findings(client);
    assert.deepEqual(
      result.findings.filter((f) => f.uri === liveUri).map((f) => [f.ruleId, f.range]),
      [['torch-load-unsafe', range(3, 8, 18)]],
    );
    await waitFor('findingsChanged after the open', () => (client.notifications.get('atlasLens/findingsChanged') ?? 0) > changesBefore);
    const published = client.published.get(liveUri)!.length;
    await client.close(liveUri);
    const back = await waitFor('the on-disk diagnostics again', () => {
      const list = client.published.get(liveUri)!;
      return list.length > published + 1 && list.at(-1)!.diagnostics.length > 0 ? list.at(-1) : undefined;
    });
    assert.deepEqual(brief(back.diagnostics), [['torch-load-unsafe', TORCH], ['pickle-deserialization', PICKLE]]);
    assert.equal((await findings(client)).findings.filter((f) => f.uri === liveUri).length, 2);
  });

  test('a scan counts an open document by its live findings, without reading its file; closing it reads the file', async () => {
    const train = path.join(dir, 'train.py');
    const liveUri = await client.open(train, 'import torch\n\n\nstate = torch.load("m.pt")\n');
    assert.equal((await client.diagnosticsAt(liveUri, 1)).length, 1);
    const published = client.published.get(liveUri)!.length;
    const result = await scan(client);
    // serve/app.py's one finding and the open document's one (its file on disk has two).
    assert.deepEqual({ files: result.files, findings: result.findings }, { files: 4, findings: 2 });
    assert.equal(client.published.get(liveUri)!.length, published, 'the scan publishes nothing for the open document');
    await client.close(liveUri);
    const back = await waitFor('the on-disk diagnostics again', () => {
      const list = client.published.get(liveUri)!;
      return list.length > published + 1 && list.at(-1)!.diagnostics.length > 0 ? list.at(-1) : undefined;
    });
    assert.deepEqual(brief(back.diagnostics), [['torch-load-unsafe', TORCH], ['pickle-deserialization', PICKLE]]);
  });

  test('watched files: changed and new files re-analysed alone, ignored ones skipped, deleted ones cleared', async () => {
    const scanned = client.logs.filter((l) => l.message.startsWith('workspace scan')).length;
    fs.writeFileSync(path.join(dir, 'serve/app.py'), 'import yaml\n\n\ndef read_config(text):\n    return yaml.safe_load(text)\n');
    fs.writeFileSync(path.join(dir, 'new_risk.py'), 'import pickle\nx = pickle.loads(b"")\n');
    fs.writeFileSync(path.join(dir, 'ignored/new.py'), 'import pickle\nx = pickle.loads(b"")\n');
    fs.writeFileSync(path.join(dir, 'vendor/more.py'), 'import pickle\nx = pickle.loads(b"")\n');
    fs.writeFileSync(path.join(dir, 'notes/more.py'), 'import pickle\nx = pickle.loads(b"")\n');
    fs.rmSync(path.join(dir, 'train.py'));
    await client.connection.sendNotification('workspace/didChangeWatchedFiles', {
      changes: [
        { uri: uri('serve/app.py'), type: 2 },
        { uri: uri('new_risk.py'), type: 1 },
        { uri: uri('ignored/new.py'), type: 1 },
        { uri: uri('vendor/more.py'), type: 1 },
        { uri: uri('notes/more.py'), type: 1 },
        { uri: uri('train.py'), type: 3 },
      ],
    });
    const fresh = await waitFor('the new file', () => lastPublished(client, uri('new_risk.py')));
    assert.deepEqual(brief(fresh.diagnostics), [['pickle-deserialization', range(1, 4, 16)]]);
    await waitFor('app.py cleared', () => lastPublished(client, uri('serve/app.py'))?.diagnostics.length === 0);
    await waitFor('train.py cleared', () => lastPublished(client, uri('train.py'))?.diagnostics.length === 0);
    for (const name of ['ignored/new.py', 'vendor/more.py', 'notes/more.py']) assert.equal(client.published.get(uri(name)), undefined, name);
    const result = await findings(client);
    assert.deepEqual(result.findings.map((f) => [f.uri, f.ruleId]), [[uri('new_risk.py'), 'pickle-deserialization']]);
    assert.equal(client.logs.filter((l) => l.message.startsWith('workspace scan')).length, scanned, 'no rescan');
  });

  test('a changed model file re-analyses the open documents', async () => {
    const open = await client.open(path.join(dir, 'loader.py'), 'import torch\nm = torch.load("models/m.pt")\n');
    await client.diagnosticsAt(open, 1);
    const before = client.published.get(open)!.length;
    fs.mkdirSync(path.join(dir, 'models'), { recursive: true });
    fs.writeFileSync(path.join(dir, 'models/m.pt'), 'not really a checkpoint');
    await client.watchedFileChanged(path.join(dir, 'models/m.pt'), 1);
    await waitFor('diagnostics published again', () => client.published.get(open)!.length > before);
    assert.equal(lastPublished(client, open)!.version, 1);
  });

  test('registers watchers for configs, source files, model files and baselines', () => {
    const watched = client.registrationOptions.filter((r) => r.method === 'workspace/didChangeWatchedFiles');
    assert.equal(watched.length, 1);
    assert.deepEqual((watched[0]!.registerOptions as { watchers: Array<{ globPattern: string }> }).watchers.map((w) => w.globPattern), [
      '**/.atlas-lens.{yaml,yml}',
      '**/*.{yaml,yml}',
      '**/*.{py,pyw,pyi,ipynb,ts,tsx,mts,cts,js,jsx,mjs,cjs,toml,dockerfile,dvc}',
      '**/{requirements,constraints}*.{txt,in}',
      '**/{Dockerfile,Dockerfile.*,dockerfile,Containerfile,MLproject,dvc.lock}',
      '**/*.{pkl,pickle,joblib,dill,dat,pt,pth,bin,ckpt,npy,npz,keras,safetensors}',
      '**/*.sarif',
    ]);
  });
});

describe('Scan Workspace, pull client', () => {
  let client: TestClient;
  let dir: string;
  const uri = (name: string) => uriOf(path.join(dir, name));
  const pullWorkspace = (previous: Array<{ uri: string; value: string }> = []): Promise<WorkspaceDiagnosticReport> =>
    client.connection.sendRequest('workspace/diagnostic', { previousResultIds: previous });
  before(async () => {
    dir = copyOfFixture();
    client = await TestClient.start({ workspace: dir, pull: true, settings: () => ({ exclude: ['notes/**'] }) });
  });
  after(() => client.stop());

  test('declares workspace diagnostics; nothing to report before a scan', async () => {
    assert.equal((client.initializeResult.capabilities.diagnosticProvider as { workspaceDiagnostics: boolean }).workspaceDiagnostics, true);
    assert.deepEqual(await pullWorkspace(), { items: [] });
  });

  test('a scan reports progress on the client token; workspace/diagnostic then has every scanned file', async () => {
    const refreshes = client.refreshRequests;
    const result = await scan(client, { workDoneToken: 'client-token' });
    assert.equal(result.files, 4);
    assert.equal(client.createdProgressTokens.length, 0);
    await waitFor('the progress end', () => client.progress.some((p) => p.value.kind === 'end'));
    assert.deepEqual(client.progress.map((p) => [p.token, p.value.kind, p.value.message]), [
      ['client-token', 'begin', 'finding files…'],
      ['client-token', 'report', '1/4 files'],
      ['client-token', 'report', '2/4 files'],
      ['client-token', 'report', '3/4 files'],
      ['client-token', 'report', '4/4 files'],
      ['client-token', 'end', undefined],
    ]);
    const report = await pullWorkspace();
    assert.deepEqual(
      report.items.map((item) => [item.uri, item.kind, item.version, item.kind === 'full' ? brief(item.items) : undefined]).sort(),
      [
        [uri('.atlas-lens.yaml'), 'full', null, []],
        [uri('clean.py'), 'full', null, []],
        [uri('serve/app.py'), 'full', null, [['yaml-unsafe-load', YAML]]],
        [uri('train.py'), 'full', null, [['torch-load-unsafe', TORCH], ['pickle-deserialization', PICKLE]]],
      ],
    );
    assert.equal(client.published.get(uri('train.py')), undefined, 'pull clients get no push');
    await waitFor('a diagnostic refresh', () => client.refreshRequests > refreshes);
  });

  test('unchanged reports for what the client has; open documents are left to textDocument/diagnostic', async () => {
    const first = await pullWorkspace();
    const previous = first.items.map((item) => ({ uri: item.uri, value: item.resultId! }));
    const second = await pullWorkspace(previous);
    assert.deepEqual(second.items.map((item) => [item.uri, item.kind, item.resultId]).sort(), first.items.map((item) => [item.uri, 'unchanged', item.resultId]).sort());

    const open = await client.open(path.join(dir, 'train.py'), fs.readFileSync(path.join(dir, 'train.py'), 'utf8'));
    const withOpen = await pullWorkspace(previous);
    assert.deepEqual(withOpen.items.map((item) => item.uri).sort(), [uri('.atlas-lens.yaml'), uri('clean.py'), uri('serve/app.py')]);
    await client.close(open);
  });

  test('a watched change sends a new full report for that file only', async () => {
    const first = await pullWorkspace();
    const previous = first.items.map((item) => ({ uri: item.uri, value: item.resultId! }));
    fs.writeFileSync(path.join(dir, 'clean.py'), 'import pickle\nx = pickle.loads(b"")\n');
    await client.watchedFileChanged(path.join(dir, 'clean.py'));
    const report = await waitFor('the changed report', async () => {
      const next = await pullWorkspace(previous);
      return next.items.some((item) => item.uri === uri('clean.py') && item.kind === 'full') ? next : undefined;
    });
    assert.deepEqual(report.items.filter((item) => item.kind === 'full').map((item) => [item.uri, item.kind === 'full' ? brief(item.items) : []]), [[uri('clean.py'), [['pickle-deserialization', range(1, 4, 16)]]]]);
  });
});

describe('Scan Workspace: cancellation and responsiveness', () => {
  let client: TestClient;
  let dir: string;
  const FILES = 300;
  before(async () => {
    const files: Record<string, string> = {};
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-ws-big-')));
    for (let i = 0; i < FILES; i++) {
      fs.writeFileSync(path.join(dir, `m${String(i).padStart(3, '0')}.py`), `import torch\nimport yaml\n\n\ndef f${i}(p, t):\n    return torch.load(p), yaml.load(t, Loader=yaml.Loader)\n`);
    }
    void files;
    client = await TestClient.start({ workspace: dir, workDoneProgress: true });
  });
  after(() => client.stop());

  test('cancelling the request stops the scan promptly and says so', async () => {
    const source = new CancellationTokenSource();
    const pending = scan(client, { workDoneToken: 'cancel-me' }, source.token);
    await waitFor('a first report', () => client.progress.some((p) => p.token === 'cancel-me' && p.value.kind === 'report'));
    source.cancel();
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.ok(result.files < FILES, `${result.files} files`);
    await waitFor('the progress end', () => client.progress.some((p) => p.token === 'cancel-me' && p.value.kind === 'end'));
    assert.equal((await findings(client)).lastScan, undefined, 'a cancelled scan is not the last scan');
  });

  test('window/workDoneProgress/cancel stops a scan on a server-created token', async () => {
    const pending = scan(client);
    const token = await waitFor('a created token', () => client.createdProgressTokens[0]);
    await waitFor('a first report', () => client.progress.some((p) => p.token === token && p.value.kind === 'report'));
    await client.connection.sendNotification('window/workDoneProgress/cancel', { token });
    const result = await pending;
    assert.equal(result.cancelled, true);
    assert.ok(result.files < FILES);
  });

  test('hovers are answered during a scan; a full scan completes', async () => {
    const open = await client.open(path.join(dir, 'm000.py'), fs.readFileSync(path.join(dir, 'm000.py'), 'utf8'));
    await client.diagnosticsAt(open, 1);
    const pending = scan(client, { workDoneToken: 'full' });
    await waitFor('a first report', () => client.progress.some((p) => p.token === 'full' && p.value.kind === 'report'));
    const hover = await client.hover(open, { line: 5, character: 15 });
    assert.ok(hover, 'a hover');
    assert.equal(client.progress.some((p) => p.token === 'full' && p.value.kind === 'end'), false, 'answered before the scan ended');
    const result = await pending;
    assert.deepEqual([result.files, result.findings, result.cancelled], [FILES, FILES * 2, false]);
    assert.equal((await findings(client)).findings.length, FILES * 2);
  });
});

describe('baseline settings', () => {
  let client: TestClient;
  let dir: string;
  let settings: Record<string, unknown>;
  const uri = (name: string) => uriOf(path.join(dir, name));
  before(async () => {
    dir = copyOfFixture();
    // The baseline as CI writes it, from the folder's root; then the code moves and gains one risk.
    const written = spawnSync(process.execPath, [path.join(ROOT, 'server/dist/cli.js'), 'scan', '.', '--format', 'sarif', '--output', 'baseline.sarif', '--exclude', 'notes/**'], { cwd: dir, encoding: 'utf8' });
    assert.equal(written.status, 1, written.stderr);
    const train = path.join(dir, 'train.py');
    fs.writeFileSync(train, `# header\n\n${fs.readFileSync(train, 'utf8')}\n\ndef more(blob):\n    return pickle.loads(blob)\n`);
    settings = { exclude: ['notes/**'], baseline: 'baseline.sarif' };
    client = await TestClient.start({ workspace: dir, settings: () => settings });
  });
  after(() => client.stop());

  test('findings not in the baseline are marked new; all are still published', async () => {
    await scan(client);
    const result = await findings(client);
    assert.deepEqual(result.findings.map((f) => [f.uri, f.ruleId, f.range.start.line, f.newSinceBaseline]), [
      [uri('serve/app.py'), 'yaml-unsafe-load', 4, false],
      [uri('train.py'), 'torch-load-unsafe', 8, false],
      [uri('train.py'), 'pickle-deserialization', 12, false],
      [uri('train.py'), 'pickle-deserialization', 16, true],
    ]);
    assert.equal(lastPublished(client, uri('train.py'))!.diagnostics.length, 3);
  });

  test('onlyNewSinceBaseline hides known findings from diagnostics, the findings and the matrix', async () => {
    settings = { ...settings, onlyNewSinceBaseline: true };
    await client.changeSettings();
    await waitFor('app.py cleared', () => lastPublished(client, uri('serve/app.py'))?.diagnostics.length === 0);
    await waitFor('train.py: the new one only', () => lastPublished(client, uri('train.py'))?.diagnostics.length === 1);
    assert.deepEqual(brief(lastPublished(client, uri('train.py'))!.diagnostics), [['pickle-deserialization', range(16, 11, 23)]]);
    const result = await findings(client);
    assert.deepEqual(result.findings.map((f) => [f.uri, f.range.start.line, f.newSinceBaseline]), [[uri('train.py'), 16, true]]);
    const lit = result.matrix.columns.flatMap((column) => column.cells.filter((cell) => cell.score > 0).map((cell) => [cell.techniqueId, cell.counts]));
    assert.deepEqual(lit, [['AML.T0011', { error: 0, warning: 1, info: 0 }]]);
    // An open document too: its known findings are hidden, a new one shows.
    const app = path.join(dir, 'serve/app.py');
    const text = fs.readFileSync(app, 'utf8');
    const open = await client.open(app, `import pickle\n${text}\n\ndef more(b):\n    return pickle.loads(b)\n`);
    assert.deepEqual(brief(await client.diagnosticsAt(open, 1)), [['pickle-deserialization', range(9, 11, 23)]]);
    await client.close(open);
  });

  test('a missing baseline marks nothing and hides nothing', async () => {
    settings = { exclude: ['notes/**'], baseline: 'missing.sarif', onlyNewSinceBaseline: true };
    await client.changeSettings();
    await waitFor('app.py shown again', () => lastPublished(client, uri('serve/app.py'))?.diagnostics.length === 1);
    // The settings change re-runs the scan; wait for it to reach every file.
    const result = await waitFor('all findings again', async () => {
      const next = await findings(client);
      return next.findings.length === 4 ? next : undefined;
    });
    assert.ok(result.findings.every((f) => !('newSinceBaseline' in f)));
    assert.ok(client.logs.some((l) => l.message.includes('missing.sarif') && l.message.includes('baseline: file not found')));
  });
});

describe('scanOnStartup', () => {
  test('the server scans once initialized, when the setting is on; not when it is off', async () => {
    const dir = copyOfFixture();
    const on = await TestClient.start({ workspace: dir, settings: () => ({ scanOnStartup: true, exclude: ['notes/**'] }) });
    try {
      const published = await waitFor('train.py published', () => lastPublished(on, uriOf(path.join(dir, 'train.py'))));
      assert.equal(published.diagnostics.length, 2);
      await waitFor('the last scan', async () => (await findings(on)).lastScan?.files === 4);
    } finally {
      await on.stop();
    }
    const off = await TestClient.start({ workspace: dir, settings: () => ({ exclude: ['notes/**'] }) });
    try {
      await off.connection.sendRequest('atlasLens/atlasTechniques');
      assert.equal((await findings(off)).lastScan, undefined);
      assert.equal(off.published.get(uriOf(path.join(dir, 'train.py'))), undefined);
    } finally {
      await off.stop();
    }
  });
});

describe('Scan Workspace: skipped files and bad input', () => {
  test('a file over the size limit is skipped and counted; odd params do not break the scan', async () => {
    const dir = makeWorkspace({
      '.atlas-lens.yaml': 'maxFileSizeKb: 1\n',
      'big.py': `import pickle\nx = pickle.loads(b"")\n${'# padding\n'.repeat(200)}`,
      'small.py': 'import pickle\nx = pickle.loads(b"")\n',
    });
    const client = await TestClient.start({ workspace: dir });
    try {
      const result = await scan(client, { workDoneToken: { not: 'a token' } });
      assert.deepEqual([result.files, result.findings, result.skipped, result.cancelled], [2, 1, 1, false]);
      assert.ok(client.logs.some((l) => l.message.startsWith(`scan: skipped ${path.join(dir, 'big.py')}: larger than maxFileSizeKb`)));
      assert.equal(client.progress.length, 0, 'no progress for a client without workDoneProgress and no valid token');
      const again = await client.connection.sendRequest<ScanWorkspaceResult>('atlasLens/scanWorkspace', null);
      assert.equal(again.files, 2);
      assert.deepEqual((await findings(client)).findings.map((f) => f.uri), [uriOf(path.join(dir, 'small.py'))]);
    } finally {
      await client.stop();
    }
  });
});
