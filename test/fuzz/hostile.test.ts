/**
 * Hostile repositories: nothing outside the scanned root is read because of what the repository
 * holds (links, config rule directories, requirement includes, paths in code), and the shipped
 * bundles hold no network client code.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { Engine } from '../../server/src/engine/engine';
import { scanFiles, setUpScan } from '../../server/src/engine/scan';

const ROOT = path.resolve(__dirname, '../..');

function workspace(files: Record<string, string | Buffer>): { outside: string; root: string; dispose: () => void } {
  const base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-hostile-')));
  const outside = path.join(base, 'outside');
  const root = path.join(base, 'repo', 'project');
  fs.mkdirSync(outside, { recursive: true });
  fs.mkdirSync(root, { recursive: true });
  // What a link could reach: a secret-looking Python file and a pickle outside the repository.
  fs.writeFileSync(path.join(outside, 'secret.py'), 'import pickle\npickle.loads(SECRET)\n');
  fs.writeFileSync(path.join(outside, 'evil.pkl'), Buffer.from('cos\nsystem\n(S"id"\ntR.', 'latin1'));
  fs.writeFileSync(path.join(outside, 'requirements.txt'), 'torch>=2.6\n');
  fs.mkdirSync(path.join(outside, 'rules'));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return { outside, root, dispose: () => fs.rmSync(base, { recursive: true, force: true }) };
}

test('a scan does not follow links out of the root: to /etc/passwd, to ../../, to a file outside; it reports them', async () => {
  const { outside, root, dispose } = workspace({ 'app.py': 'import pickle\npickle.loads(b)\n' });
  try {
    fs.symlinkSync('/etc/passwd', path.join(root, 'passwd.py'));
    fs.symlinkSync('../..', path.join(root, 'up'), 'dir');
    fs.symlinkSync(path.join(outside, 'secret.py'), path.join(root, 'secret.py'));
    fs.symlinkSync(outside, path.join(root, 'elsewhere'), 'dir');
    fs.mkdirSync(path.join(root, 'inner'));
    fs.symlinkSync(path.join(root, 'app.py'), path.join(root, 'inner', 'linked.py')); // inside: followed
    const setup = await setUpScan({ paths: [root] });
    const result = scanFiles(setup, [root]);
    assert.deepEqual(
      result.findings.map((f) => path.relative(root, f.file)),
      ['app.py', 'inner/linked.py'],
    );
    assert.deepEqual(
      result.skipped.map((s) => [path.relative(root, s.file), s.reason]),
      [
        ['elsewhere', `symbolic link to outside the scanned folder (${outside}); not followed`],
        ['passwd.py', `symbolic link to outside the scanned folder (${fs.realpathSync('/etc/passwd')}); not followed`],
        ['secret.py', `symbolic link to outside the scanned folder (${path.join(outside, 'secret.py')}); not followed`],
        ['up', `symbolic link to outside the scanned folder (${path.dirname(path.dirname(root))}); not followed`],
      ],
    );
  } finally {
    dispose();
  }
});

test('ruleDirs of .atlas-lens.yaml cannot leave the config folder, by path or by link', async () => {
  const { outside, root, dispose } = workspace({
    '.atlas-lens.yaml': 'ruleDirs:\n  - ../../outside/rules\n  - /etc\n  - team-rules\n  - linked-rules\n',
    'team-rules/.keep.yaml': '',
  });
  try {
    fs.symlinkSync(path.join(outside, 'rules'), path.join(root, 'linked-rules'), 'dir');
    const setup = await setUpScan({ paths: [root] });
    const located = setup.problems.filter((p) => p.field?.startsWith('ruleDirs')).map((p) => `${path.basename(p.file)}:${p.line}:${p.character}:${p.field}`);
    assert.deepEqual(located, ['.atlas-lens.yaml:1:4:ruleDirs[0]', '.atlas-lens.yaml:2:4:ruleDirs[1]']);
    assert.match(setup.problems.find((p) => p.field === 'ruleDirs[0]')!.message, /must be a directory inside the folder holding \.atlas-lens\.yaml/);
    // Only the directory inside was given to the engine (the link out was dropped).
    assert.deepEqual(setup.config?.config.ruleDirs, ['team-rules', 'linked-rules']);
    assert.ok(!setup.problems.some((p) => p.file.startsWith(outside) || p.file.startsWith('/etc')), JSON.stringify(setup.problems));
  } finally {
    dispose();
  }
});

test('requirement includes and links are not followed: a -r to a file outside, a requirements.txt linked outside', async () => {
  // torch>=2.6 makes weights_only default to True: torch-load-unsafe then reports `torch.load(p)` as info only.
  const findingsWith = async (requirements: (outside: string) => void | string): Promise<string[]> => {
    const { outside, root, dispose } = workspace({});
    try {
      const text = requirements(outside);
      if (typeof text === 'string') fs.writeFileSync(path.join(root, 'requirements.txt'), text);
      const engine = await Engine.create();
      return engine.analyze(path.join(root, 'train.py'), 'import torch\nm = torch.load(p)\n', { projectRoot: root }).findings.map((f) => `${f.ruleId} ${f.severity}`);
    } finally {
      dispose();
    }
  };
  // The control: read from the project, the requirement does silence the rule.
  assert.deepEqual(await findingsWith(() => 'torch>=2.6\n'), ['torch-load-unsafe info']);
  assert.deepEqual(await findingsWith(() => 'torch\n'), ['torch-load-unsafe warning']);
  // Not read through an include or a link.
  assert.deepEqual(await findingsWith(() => `-r ../../outside/requirements.txt\n-r /etc/passwd\ntorch\n`), ['torch-load-unsafe warning']);
  assert.deepEqual(
    await findingsWith((outside) => {
      const root = path.join(path.dirname(outside), 'repo', 'project');
      fs.symlinkSync(path.join(outside, 'requirements.txt'), path.join(root, 'requirements.txt'));
    }),
    ['torch-load-unsafe warning'],
  );
});

test('a path in code naming a model file outside the project is not opened; one inside is', async () => {
  const { outside, root, dispose } = workspace({});
  try {
    fs.writeFileSync(path.join(root, 'inside.pkl'), fs.readFileSync(path.join(outside, 'evil.pkl')));
    fs.symlinkSync(path.join(outside, 'evil.pkl'), path.join(root, 'linked.pkl'));
    const engine = await Engine.create();
    const code = (file: string) => `import pickle\nwith open("${file}", "rb") as f:\n    pickle.load(f)\n`;
    // Model paths are only resolved for a source file on disk (an unsaved buffer has no folder).
    const inspected = (file: string) => {
      fs.writeFileSync(path.join(root, 'load.py'), code(file));
      return engine.analyze(path.join(root, 'load.py'), code(file), { projectRoot: root }).findings.filter((f) => f.ruleId === 'load-inspected-artifact').length;
    };
    assert.equal(inspected('inside.pkl'), 1);
    assert.equal(inspected(path.join(outside, 'evil.pkl')), 0);
    assert.equal(inspected('../../outside/evil.pkl'), 0);
    assert.equal(inspected('linked.pkl'), 0);
    assert.equal(inspected('/etc/passwd'), 0);
  } finally {
    dispose();
  }
});

const GUARD = path.join(__dirname, 'no-network.cjs');

test('the network guard itself reports a request (the control for the next test)', () => {
  const result = spawnSync(process.execPath, ['--require', GUARD, '-e', 'fetch("http://example.invalid/")'], { encoding: 'utf8' });
  assert.match(result.stderr, /^NETWORK: fetch$/m);
  const socket = spawnSync(process.execPath, ['--require', GUARD, '-e', 'require("net").connect(80, "example.invalid")'], { encoding: 'utf8' });
  assert.match(socket.stderr, /^NETWORK: net\.connect$/m);
});

/**
 * Nothing is sent over the network: the built CLI scans the examples and every fixture (Python,
 * TS/JS, notebooks, configs, model files) and the built server answers a session, each with every
 * network entry point of Node replaced by one that reports and throws.
 */
test('the built CLI and language server make no network request while they work', async () => {
  const cli = path.join(ROOT, 'server/dist/cli.js');
  assert.ok(fs.existsSync(cli), 'npm test builds the bundles first (npm run build)');
  const scan = spawnSync(process.execPath, ['--require', GUARD, cli, 'scan', 'examples', 'test/fixtures', '--format', 'json', '--fail-on', 'never'], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.equal(scan.stderr.match(/^NETWORK: .*$/gm), null);
  assert.equal(scan.status, 0, scan.stderr);
  const report = JSON.parse(scan.stdout) as { findings: unknown[] };
  assert.ok(report.findings.length > 100, `only ${report.findings.length} findings: the scan did not run`);

  const server = spawn(process.execPath, ['--require', GUARD, path.join(ROOT, 'server/dist/server.js'), '--stdio'], { cwd: ROOT, stdio: 'pipe' });
  let stderr = '';
  server.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const connection = createMessageConnection(new StreamMessageReader(server.stdout), new StreamMessageWriter(server.stdin));
  const published: string[] = [];
  connection.onNotification('textDocument/publishDiagnostics', (params: { uri: string; diagnostics: unknown[] }) => {
    if (params.diagnostics.length > 0) published.push(params.uri);
  });
  connection.onRequest('workspace/configuration', (params: { items: unknown[] }) => params.items.map(() => ({})));
  connection.listen();
  try {
    const folder = pathToFileURL(path.join(ROOT, 'examples/fraud-detector')).href;
    await connection.sendRequest('initialize', { processId: process.pid, rootUri: folder, workspaceFolders: [{ uri: folder, name: 'x' }], capabilities: { workspace: { configuration: true } } });
    await connection.sendNotification('initialized', {});
    for (const file of ['test/fixtures/python/torch-load-unsafe/flagged.py', 'test/fixtures/typescript/js-model-server-all-interfaces/flagged.ts']) {
      const uri = pathToFileURL(path.join(ROOT, file)).href;
      await connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: file.endsWith('.py') ? 'python' : 'typescript', version: 1, text: fs.readFileSync(path.join(ROOT, file), 'utf8') } });
      const deadline = Date.now() + 20_000;
      while (!published.includes(uri) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      assert.ok(published.includes(uri), `no diagnostics for ${file}`);
    }
    await connection.sendRequest('shutdown');
    await connection.sendNotification('exit');
  } finally {
    connection.dispose();
    server.kill();
  }
  assert.equal(stderr.match(/^NETWORK: .*$/gm), null);
});

/**
 * And in the code itself: the bundles hold no HTTP client, no outgoing socket, no WebSocket
 * (XMLHttpRequest, which Node lacks, appears in web-tree-sitter's browser branch only).
 * `fetch(` occurs only in web-tree-sitter's wasm loader, on its browser branch (Node reads the
 * file), and as our own `this.fetch(` method; a new call site fails here and must be looked at.
 */
test('the engine, CLI and server bundles hold no network client code', () => {
  for (const bundle of ['server/dist/cli.js', 'server/dist/server.js'].map((file) => path.join(ROOT, file))) {
    const text = fs.readFileSync(bundle, 'utf8');
    const sites = (pattern: RegExp) => [...text.matchAll(pattern)].map((match) => text.slice(Math.max(0, match.index - 80), match.index + 30).replace(/\s+/g, ' '));
    for (const pattern of [/\bhttps?\d?\.(request|get)\(/g, /new WebSocket\(/g, /require\("(?:node:)?(?:http|https|http2|tls|dgram)"\)/g, /\bnet(?:_1)?\.connect\(/g]) {
      assert.deepEqual(sites(pattern), [], `${path.basename(bundle)}: ${pattern}`);
    }
    const fetches = sites(/(?<!this\.)\bfetch\(/g);
    assert.equal(fetches.length, 3, `${path.basename(bundle)}: fetch( at\n${fetches.join('\n')}`);
  }
});
