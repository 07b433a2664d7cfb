#!/usr/bin/env node
// The check through the UI, as a user meets the product: the packaged .vsix is installed into
// code-server (`--install-extension`), train.py of the fixture workspace is opened; the editor
// shows the squiggle, the status bar item counts 1 finding and, clicked, opens the Problems panel,
// which must show the torch-load-unsafe warning; hovering the squiggle shows the ATLAS card.
// Saves two screenshots.
// usage: node ui-problems.mjs VSIX [SCREENSHOT]   (default .tools/artifacts/problems.png)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, fixtureWorkspace, launchChromium, runCodeServerCli, sandbox, startCodeServer, tools } from './code-server.mjs';

const vsix = path.resolve(process.argv[2] || '');
const shot = path.resolve(process.argv[3] || path.join(tools, 'artifacts/problems.png'));
if (!fs.existsSync(vsix)) { console.error(`usage: ui-problems.mjs VSIX [SCREENSHOT] (no ${vsix})`); process.exit(2); }
const EXPECT = 'torch.load() unpickles the checkpoint';
const started = Date.now();
const box = sandbox('atlas-lens-ui-');
const workspace = fixtureWorkspace(box);
const file = path.join(workspace, 'train.py');
let server, browser, code = 1;
try {
  const installed = await runCodeServerCli(box, ['--install-extension', vsix]);
  if (!/successfully installed/i.test(installed)) throw new Error(`install: ${installed}`);
  server = await startCodeServer(box, { folder: workspace, verbose: !!process.env.VERBOSE });
  browser = await launchChromium(box);
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const payload = [['openFile', server.remote(file)], ['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  await page.goto(server.url({ folder: workspace, payload: JSON.stringify(payload) }), { timeout: 120_000 }); // a loaded machine serves the workbench slowly
  await page.locator('.monaco-editor .view-lines', { hasText: 'torch.load(path)' }).first().waitFor({ timeout: 90_000 });
  // The squiggle in the editor, then the row in the Problems panel.
  await page.locator('.monaco-editor .squiggly-warning').first().waitFor({ timeout: 90_000 });
  // The status bar item counts the finding; clicking it opens the Problems panel.
  const status = page.locator('.statusbar-item', { has: page.locator('.codicon-shield') });
  await status.first().waitFor({ timeout: 30_000 });
  // The item shows (counting 0) as soon as train.py is active; the count follows the diagnostics.
  await page.waitForFunction(() => [...document.querySelectorAll('.statusbar-item')].some((item) => item.querySelector('.codicon-shield') && /1 finding/.test(item.getAttribute('aria-label') ?? '')), undefined, { timeout: 30_000 }).catch(() => undefined);
  const label = await status.first().getAttribute('aria-label');
  console.log(`[ui] status bar: ${(await status.first().innerText()).trim()} (${label})`);
  if (!/1 finding/.test(label ?? '')) throw new Error(`the status bar item does not count 1 finding: ${label}`);
  if (await page.locator('.markers-panel').first().isVisible()) throw new Error('the Problems panel is open before the click');
  await status.first().locator('a, .statusbar-item-label').first().click();
  const row = page.locator('.markers-panel .monaco-list-row', { hasText: EXPECT });
  await row.first().waitFor({ timeout: 60_000 });
  const text = (await row.first().innerText()).replace(/\s+/g, ' ');
  console.log(`[ui] Problems panel row: ${text}`);
  if (!/torch-load-unsafe/.test(text)) throw new Error('the row does not name the rule torch-load-unsafe');
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  console.log(`[ui] screenshot ${shot}`);
  // Hovering the squiggle shows the ATLAS card (second screenshot, beside the first).
  const squiggle = await page.locator('.monaco-editor .squiggly-warning').first().boundingBox();
  if (!squiggle) throw new Error('the squiggle has no box');
  await page.mouse.move(squiggle.x + squiggle.width / 2 - 5, squiggle.y + squiggle.height / 2);
  await page.mouse.move(squiggle.x + squiggle.width / 2, squiggle.y + squiggle.height / 2, { steps: 3 });
  const hover = page.locator('.monaco-hover', { hasText: 'AML.T0011.000' });
  await hover.first().waitFor({ timeout: 30_000 });
  const card = (await hover.first().innerText()).replace(/\s+/g, ' ');
  if (!/Execution/.test(card)) throw new Error(`the hover does not name the tactic Execution: ${card}`);
  console.log(`[ui] hover: ${card.slice(0, 160)}…`);
  const hoverShot = shot.replace(/\.png$/, '') + '-hover.png';
  await page.screenshot({ path: hoverShot });
  console.log(`[ui] screenshot ${hoverShot}`);
  code = 0;
} catch (error) {
  console.error(`[ui] FAILED: ${error.message}`);
  if (server) console.error(`[ui] code-server log tail:\n${server.log().slice(-2000)}`);
}
try { await browser?.close(); } catch {}
await server?.stop();
cleanup(box);
console.log(`[ui] ${code === 0 ? 'passed' : 'FAILED'} in ${Date.now() - started} ms`);
process.exit(code);
