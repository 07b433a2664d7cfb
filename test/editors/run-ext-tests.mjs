#!/usr/bin/env node
// Runs the extension tests (client/test/dist, bundled by build-tests.mjs) inside code-server's
// Node extension host, the extension loaded from the repository (extensionDevelopmentPath), the
// fixture workspace copied to a temp dir; headless chromium drives the workbench. code-server
// honours the ?payload= development options only with `--vscode-option enable-smoke-test-driver`;
// the result comes back through window.codeAutomationExit. Exit code = the tests' result.
// env: VERBOSE=1 (all logs), KEEP_TMP=1, ATLAS_LENS_TEST_GREP=<mocha grep>, TIMEOUT_MS (default 420000)
import * as path from 'node:path';
import { format } from 'node:util';
import { cleanup, fixtureWorkspace, launchChromium, root, sandbox, startCodeServer, tools } from './code-server.mjs';

const verbose = !!process.env.VERBOSE;
const timeoutMs = Number(process.env.TIMEOUT_MS || 420_000);
const NOISE = /AgentHost|ChatModelSelection|AccountPolicyGate|open-vsx|api\.github|Creating a socket|connection token|grace time|Service Worker|builtin extensions cache|vscode-remote-resource|authentication provider|Creation of workbench contribution/;

const started = Date.now();
const box = sandbox('atlas-lens-ext-');
box.env.ATLAS_LENS_MOCHA = path.join(tools, 'drv/node_modules/mocha');
const workspace = fixtureWorkspace(box);
let server, browser, code = 1;
try {
  server = await startCodeServer(box, { args: ['--vscode-option', 'enable-smoke-test-driver'], folder: workspace, verbose });
  browser = await launchChromium(box);
  const page = await browser.newPage();
  const done = new Promise((resolve) => {
    page.exposeFunction('codeAutomationLog', (_type, args) => {
      const line = format(...(args || [])).replace(/%c|color: #\w+/g, '').trimEnd();
      if (verbose || !NOISE.test(line)) console.log(`  ${line}`);
    });
    page.exposeFunction('codeAutomationExit', (exitCode) => resolve(exitCode));
  });
  const payload = [
    ['extensionDevelopmentPath', server.remote(root)],
    ['extensionTestsPath', server.remote(path.join(root, 'client/test/dist/index.js'))],
    ['skipWelcome', 'true'],
    ['skipReleaseNotes', 'true'],
  ];
  await page.goto(server.url({ folder: workspace, payload: JSON.stringify(payload) }), { timeout: 120_000 }); // a loaded machine serves the workbench slowly
  let timer;
  const result = await Promise.race([done, new Promise((resolve) => { timer = setTimeout(() => resolve('timeout'), timeoutMs); })]);
  clearTimeout(timer);
  if (result === 'timeout') {
    console.log(`[ext-tests] TIMEOUT after ${timeoutMs} ms; code-server log tail:\n${server.log().slice(-3000)}`);
    code = 2;
  } else code = Number(result);
} catch (error) {
  console.error('[ext-tests] driver error:', error);
  code = 3;
}
try { await browser?.close(); } catch {}
await server?.stop();
cleanup(box);
console.log(`[ext-tests] ${code === 0 ? 'passed' : `FAILED (exit ${code})`} in ${Date.now() - started} ms`);
process.exit(code);
