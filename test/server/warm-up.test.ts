/**
 * The server's idle warm-up (server/src/lsp/warm-up.ts): it types into a sample of its own
 * through the keystroke path, reads nothing from the disk, leaves nothing behind, runs only
 * when the editor is quiet and no scan is running, and shows the editor nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { Engine } from '../../server/src/engine/engine';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { NotebookWarmUpSession, NOTEBOOK_WARM_UP_STEPS, TYPED_LINE, WarmUp, WarmUpSession, WARM_UP_FILE, WARM_UP_NOTEBOOK, WARM_UP_STEPS, type WarmUpContext } from '../../server/src/lsp/warm-up';
import { makeWorkspace, TestClient, waitFor } from './lsp-client';

const FEATURES = { codeDescription: true, relatedInformation: true };
/** Two lines typed a character at a time and deleted, in two functions. */
const TWO_LINES = 2 * (TYPED_LINE.length + 1);

async function context(): Promise<WarmUpContext> {
  // A project root the analysis must not use: the warm-up looks nothing up on disk.
  return { engine: await Engine.create(), catalog: loadBundledCatalog(), analysis: { rules: {}, projectRoot: '/a/project/root' }, features: FEATURES };
}

const silentLog = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };

/** The fs module object itself (an import's namespace is read-only): the engine's modules read their functions from it at each call. */
const fsModule = createRequire(__filename)('node:fs') as Record<string, unknown>;

/** Paths handed to fs's reading functions while `run` runs. */
async function pathsRead(run: () => void | Promise<void>): Promise<string[]> {
  const read: string[] = [];
  const names = ['existsSync', 'statSync', 'lstatSync', 'readFileSync', 'openSync', 'readdirSync', 'accessSync', 'realpathSync'];
  const originals = names.map((name) => [name, fsModule[name] as (...args: unknown[]) => unknown] as const);
  for (const [name, original] of originals) {
    fsModule[name] = (...args: unknown[]) => {
      read.push(`${name} ${String(args[0])}`);
      return original(...args);
    };
  }
  try {
    await run();
  } finally {
    for (const [name, original] of originals) fsModule[name] = original;
  }
  return read;
}

describe('idle warm-up: the sample', () => {
  test('is typed into a definition at a time, with findings of the common rules, reading nothing from the disk', async () => {
    const given = await context();
    const session = new WarmUpSession(await createPythonParser(), given);
    const firstFindings = new Map<string, number>();
    // The spy sees the engine's reads: a load call naming a model file looks on disk.
    assert.match((await pathsRead(() => void given.engine.analyze('/a/project/root/load.py', 'import torch\ntorch.load("model.pt")\n'))).join('\n'), /^statSync \/a\/project\/root\//);
    const read = await pathsRead(() => {
      session.step();
      for (const finding of session.lastFindings) firstFindings.set(finding.ruleId, (firstFindings.get(finding.ruleId) ?? 0) + 1);
      for (let step = 1; step < TWO_LINES; step++) session.step();
    });
    assert.deepEqual(read, []);
    // Twenty blocks, each with these findings (allow_pickle=True in every other one).
    assert.deepEqual(Object.fromEntries(firstFindings), {
      'torch-load-unsafe': 20,
      'yaml-unsafe-load': 20,
      'hf-model-unpinned': 20,
      'trust-remote-code': 20,
      'pickle-deserialization': 20,
      'llm-output-shell-command': 20,
      'numpy-load-allow-pickle': 10,
    });
    // The keystroke path: after the first, whole parse, each keystroke parses one definition alone.
    const parses = session.parses;
    assert.equal(parses.full, 1);
    assert.ok(parses.definition >= TWO_LINES - 4, `definitions parsed alone: ${JSON.stringify(parses)}`);
    assert.equal(session.steps, TWO_LINES);
    // Between the lines the sample is back as it was: the same findings.
    assert.equal(session.lastFindings.length, 130);
  });

  test('as a notebook, a block a cell: typed into a cell at a time, reading nothing from the disk, leaving nothing behind', async () => {
    const given = await context();
    const session = new NotebookWarmUpSession(await createPythonParser(), given);
    const cellFindings: string[][] = [];
    const read = await pathsRead(() => {
      for (let step = 0; step < TWO_LINES; step++) {
        session.step();
        cellFindings.push(session.lastFindings.map((finding) => `${finding.cell!.index}:${finding.ruleId}`).sort());
      }
    });
    assert.deepEqual(read, []);
    const expected = (cell: number, pickle: boolean) =>
      ['hf-model-unpinned', 'llm-output-shell-command', ...(pickle ? ['numpy-load-allow-pickle'] : []), 'pickle-deserialization', 'torch-load-unsafe', 'trust-remote-code', 'yaml-unsafe-load'].map((id) => `${cell}:${id}`);
    // Cell 1 (block 0: allow_pickle=True) first, with its findings only, not the other cells'.
    assert.deepEqual(cellFindings[0], expected(1, true));
    // Once the line is typed and deleted there, the next cell: 8 (block 7, allow_pickle=False).
    assert.deepEqual(cellFindings[TYPED_LINE.length], expected(1, true));
    assert.deepEqual(cellFindings[TYPED_LINE.length + 1], expected(8, false));
    assert.equal(session.steps, TWO_LINES);
    const engine = given.engine as unknown as { editedDocuments: Map<string, unknown> };
    assert.ok(engine.editedDocuments.has(WARM_UP_NOTEBOOK));
    session.dispose();
    assert.ok(!engine.editedDocuments.has(WARM_UP_NOTEBOOK));
  });

  test('leaves nothing behind in the engine', async () => {
    const given = await context();
    const session = new WarmUpSession(await createPythonParser(), given);
    for (let step = 0; step < 10; step++) session.step();
    const engine = given.engine as unknown as { editedDocuments: Map<string, unknown>; analyzers: Map<string, { incremental?: Map<string, unknown> }> };
    assert.ok(engine.editedDocuments.has(WARM_UP_FILE));
    assert.ok(engine.analyzers.get('python')!.incremental!.has(WARM_UP_FILE));
    session.dispose();
    assert.ok(!engine.editedDocuments.has(WARM_UP_FILE));
    assert.ok(!engine.analyzers.get('python')!.incremental!.has(WARM_UP_FILE));
  });
});

describe('idle warm-up: when it runs', () => {
  test('not while messages keep coming or a scan runs; then its steps, and a line in the log', async () => {
    const parser = await createPythonParser();
    const given = await context();
    const logged: string[] = [];
    let scanning = false;
    let finished: number | undefined;
    const warmUp = new WarmUp({ parser, context: async () => given, log: { ...silentLog, debug: (message) => logged.push(message) }, busy: () => scanning, steps: 3, idleMs: 40, done: (steps) => (finished = steps) });
    warmUp.start();
    // A message every 10 ms: never 40 ms of quiet.
    for (let i = 0; i < 30; i++) {
      warmUp.activity();
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.equal(warmUp.stepsRun, 0);
    scanning = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.equal(warmUp.stepsRun, 0);
    scanning = false;
    await waitFor('the warm-up to finish', () => finished !== undefined);
    assert.equal(finished, 3);
    assert.equal(warmUp.stepsRun, 3);
    assert.match(logged.join('\n'), /^warm-up: 3 keystroke\(s\) in a module analysed in \d+ ms$/);
  });

  test('with analysis turned off (no context), it runs nothing and ends', async () => {
    let finished: number | undefined;
    const warmUp = new WarmUp({ parser: await createPythonParser(), context: async () => undefined, log: silentLog, steps: 3, idleMs: 10, done: (steps) => (finished = steps) });
    warmUp.start();
    await waitFor('the warm-up to end', () => finished !== undefined);
    assert.equal(finished, 0);
  });

  test('stopped before it starts, it runs nothing', async () => {
    let finished: number | undefined;
    const warmUp = new WarmUp({ parser: await createPythonParser(), context: context, log: silentLog, steps: 3, idleMs: 10, done: (steps) => (finished = steps) });
    warmUp.start();
    warmUp.stop();
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(finished, 0);
    assert.equal(warmUp.stepsRun, 0);
  });
});

/**
 * A server with the warm-up on (the test client turns it off by default), notebook sync and a
 * verbose log, for the tests of one describe block; `settings` are added to the atlasLens section.
 */
function serverWithWarmUp(settings: Record<string, unknown> = {}): { readonly client: TestClient; readonly workspace: string } {
  const server = {} as { client: TestClient; workspace: string };
  before(async () => {
    server.workspace = makeWorkspace({});
    server.client = await TestClient.start({ workspace: server.workspace, notebooks: true, initializationOptions: { warmUp: true }, settings: () => ({ ...settings, trace: { server: 'verbose' } }) });
  });
  after(async () => {
    await server.client.stop();
    fs.rmSync(server.workspace, { recursive: true, force: true });
  });
  return server;
}

describe('idle warm-up in the server', () => {
  const server = serverWithWarmUp();

  test('runs when the editor is quiet, shows it nothing, and the documents are analysed as before', async () => {
    const uri = await server.client.open(path.join(server.workspace, 'train.py'), 'import torch\nstate = torch.load(path)\n');
    assert.deepEqual((await server.client.diagnostics(uri)).map((diagnostic) => diagnostic.code), ['torch-load-unsafe']);
    const line = await waitFor('the warm-up to finish', () => server.client.logs.find((log) => log.message.startsWith('warm-up: ')), 60_000);
    assert.match(line.message, new RegExp(`^warm-up: ${WARM_UP_STEPS} keystroke\\(s\\) in a module analysed in \\d+ ms$`));
    // Nothing published but the open document's diagnostics, and no warning.
    assert.deepEqual([...server.client.published.keys()], [uri]);
    assert.deepEqual(server.client.logs.filter((log) => log.type <= 2), []);
    const version = await server.client.change(uri, [{ range: { start: { line: 1, character: 23 }, end: { line: 1, character: 23 } }, text: ', weights_only=True' }]);
    assert.deepEqual(await server.client.diagnosticsAt(uri, version), []);
    // No notebook open: the notebook path is not warmed.
    assert.equal(server.client.logs.filter((log) => log.message.startsWith('warm-up: ')).length, 1);
  });

  test('once a notebook is open, the notebook path too, showing it nothing', async () => {
    const { cells } = await server.client.openNotebook(path.join(server.workspace, 'explore.ipynb'), [{ text: 'import torch\nstate = torch.load(path)\n' }]);
    const line = await waitFor('the notebook warm-up to finish', () => server.client.logs.find((log) => log.message.includes('in a notebook analysed')), 60_000);
    assert.match(line.message, new RegExp(`^warm-up: ${NOTEBOOK_WARM_UP_STEPS} keystroke\\(s\\) in a notebook analysed in \\d+ ms$`));
    assert.deepEqual((await server.client.diagnostics(cells[0]!)).map((diagnostic) => diagnostic.code), ['torch-load-unsafe']);
    assert.ok([...server.client.published.keys()].every((uri) => uri.startsWith('file:') || uri.startsWith('vscode-notebook-cell:')), [...server.client.published.keys()].join(', '));
    assert.deepEqual(server.client.logs.filter((log) => log.type <= 2), []);
  });
});

describe('idle warm-up in a server with analysis off', () => {
  const server = serverWithWarmUp({ enable: false });

  test('atlasLens.enable: false: it types nothing', async () => {
    const line = await waitFor('the warm-up to end', () => server.client.logs.find((log) => log.message.startsWith('warm-up: ')), 30_000);
    assert.match(line.message, /^warm-up: 0 keystroke\(s\) in a module analysed in 0 ms$/);
  });
});

describe('idle warm-up in a server where a notebook is open from the start', () => {
  const server = serverWithWarmUp();

  test('the notebook path is warmed after the module\'s, never beside it', async () => {
    await server.client.openNotebook(path.join(server.workspace, 'explore.ipynb'), [{ text: 'import torch\n' }]);
    await waitFor('both warm-ups to finish', () => server.client.logs.filter((log) => log.message.startsWith('warm-up: ')).length === 2 || undefined, 60_000);
    // Side by side, the notebook's 150 keystrokes would end before the module's 400.
    assert.deepEqual(server.client.logs.filter((log) => log.message.startsWith('warm-up: ')).map((log) => /in a (module|notebook)/.exec(log.message)![1]), ['module', 'notebook']);
  });
});
