// Shared by the code-server drivers: start code-server (from .tools/cs on .tools' Node 24) in a
// throw-away home, and headless Debian chromium through playwright-core. Everything they write
// (config, data, caches, sockets) goes to one temp dir, removed by cleanup().
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';

export const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const tools = process.env.ATLAS_LENS_TOOLS || path.join(root, '.tools');
const csNode = path.join(tools, 'node/bin/node');
const csEntry = path.join(tools, 'cs/node_modules/code-server/out/node/entry.js');
const { chromium } = createRequire(path.join(tools, 'drv/package.json'))('playwright-core');

const freePort = () => new Promise((resolve, reject) => {
  const server = net.createServer();
  server.on('error', reject);
  server.listen(0, '127.0.0.1', () => { const { port } = server.address(); server.close(() => resolve(port)); });
});

export function sandbox(prefix) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  const env = {
    ...process.env,
    XDG_CONFIG_HOME: path.join(dir, 'config'), XDG_DATA_HOME: path.join(dir, 'data'), XDG_CACHE_HOME: path.join(dir, 'cache'),
    TMPDIR: dir, // vscode-ipc/git sockets
    NODE_DISABLE_COMPILE_CACHE: '1',
  };
  return { dir, env, common: ['--user-data-dir', path.join(dir, 'ud'), '--extensions-dir', path.join(dir, 'ext')] };
}

/** A copy of the fixture workspace, so that edits and settings never touch the repository. */
export function fixtureWorkspace(box) {
  const workspace = path.join(box.dir, 'workspace');
  fs.cpSync(path.join(root, 'client/test/fixture-workspace'), workspace, { recursive: true });
  return workspace;
}

export function runCodeServerCli(box, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(csNode, [csEntry, ...box.common, ...args], { env: box.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (b) => { out += b; });
    child.stderr.on('data', (b) => { out += b; });
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`code-server ${args.join(' ')} exited ${code}:\n${out}`))));
  });
}

/** Starts code-server on a free port; resolves when it listens. */
export async function startCodeServer(box, { args = [], folder, verbose = false }) {
  const port = await freePort();
  const child = spawn(csNode, [csEntry, ...box.common, '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', '--disable-workspace-trust', '--disable-getting-started-override',
    '--ignore-last-opened', ...args, folder], { env: box.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  await new Promise((resolve, reject) => {
    const onData = (chunk) => {
      log += chunk;
      if (verbose) process.stderr.write(chunk);
      if (/HTTP server listening on/.test(log)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => reject(new Error(`code-server exited ${code}:\n${log}`)));
  });
  return {
    port,
    remote: (file) => `vscode-remote://127.0.0.1:${port}${file}`,
    url: (query) => `http://127.0.0.1:${port}/?${new URLSearchParams(query)}`,
    log: () => log,
    async stop() {
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      const exited = await Promise.race([new Promise((r) => child.once('exit', () => r(true))), new Promise((r) => setTimeout(() => r(false), 3000))]);
      if (!exited) try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    },
  };
}

export function launchChromium(box) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    env: { ...box.env, HOME: box.dir }, // keeps ~/.config/chromium and ~/.cache/dconf out of $HOME
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

export function cleanup(box) {
  if (process.env.KEEP_TMP) console.log(`[editors] kept ${box.dir}`);
  else fs.rmSync(box.dir, { recursive: true, force: true });
}
