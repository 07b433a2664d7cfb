#!/usr/bin/env node
// The workspace review through the UI of the installed .vsix: the ATLAS Lens activity-bar
// container, "ATLAS Lens: Scan Workspace" from the command palette (its summary notification),
// the Findings tree, then "ATLAS Lens: Show ATLAS Matrix": the webview must render (tactic
// columns in matrix order, exposed cells coloured, empty ones dimmed — which also shows that the
// nonce'd style ran under the CSP), the arrow keys move between cells, Enter on a sub-technique
// filters the tree to it. Saves the matrix screenshot (and one after the selection).
// usage: node ui-review.mjs VSIX [SCREENSHOT]   (default .tools/artifacts/matrix.png)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { cleanup, fixtureWorkspace, launchChromium, runCodeServerCli, sandbox, startCodeServer, tools } from './code-server.mjs';

const vsix = path.resolve(process.argv[2] || '');
const shot = path.resolve(process.argv[3] || path.join(tools, 'artifacts/matrix.png'));
if (!fs.existsSync(vsix)) { console.error(`usage: ui-review.mjs VSIX [SCREENSHOT] (no ${vsix})`); process.exit(2); }
const TACTICS = ['Reconnaissance', 'Resource Development', 'Initial Access', 'AI Model Access', 'Execution', 'Persistence', 'Privilege Escalation',
  'Defense Evasion', 'Credential Access', 'Discovery', 'Lateral Movement', 'Collection', 'AI Attack Staging', 'Command and Control', 'Exfiltration', 'Impact'];
const started = Date.now();
const box = sandbox('atlas-lens-review-');
const workspace = fixtureWorkspace(box);
// The counts below are those of the scripts; the notebooks are the notebook suite's (which edits them).
fs.mkdirSync(path.join(workspace, '.vscode'), { recursive: true });
fs.writeFileSync(path.join(workspace, '.vscode', 'settings.json'), JSON.stringify({ 'atlasLens.exclude': ['**/*.ipynb'] }, null, 2));
let server, browser, code = 1;

const check = (condition, message) => { if (!condition) throw new Error(message); };

/** The inner frame of the webview holding `selector` (code-server nests each webview in two iframes). */
async function webviewWith(page, selector, timeout = 60_000) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const count = await page.locator('iframe.webview.ready').count();
    for (let i = 0; i < count; i++) {
      const inner = page.frameLocator('iframe.webview.ready').nth(i).frameLocator('#active-frame');
      if (await inner.locator(selector).count().catch(() => 0) > 0) return inner;
    }
    if (Date.now() > deadline) throw new Error(`no webview with ${selector}`);
    await page.waitForTimeout(100);
  }
}

async function runCommand(page, title) {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ timeout: 30_000 });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

try {
  const installed = await runCodeServerCli(box, ['--install-extension', vsix]);
  if (!/successfully installed/i.test(installed)) throw new Error(`install: ${installed}`);
  server = await startCodeServer(box, { folder: workspace, verbose: !!process.env.VERBOSE });
  browser = await launchChromium(box);
  const page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
  const payload = [['skipWelcome', 'true'], ['skipReleaseNotes', 'true']];
  await page.goto(server.url({ folder: workspace, payload: JSON.stringify(payload) }), { timeout: 120_000 });
  await page.locator('.monaco-workbench').waitFor({ timeout: 120_000 });
  // More room for the matrix: no Chat side bar.
  await runCommand(page, 'View: Close Secondary Side Bar').catch(() => page.keyboard.press('Escape'));

  // The activity-bar container with our icon opens the (empty) Findings view.
  const container = page.locator('.activitybar .action-item a[aria-label^="ATLAS Lens"]').first();
  await container.waitFor({ timeout: 60_000 });
  await container.click();
  const findingsView = page.locator('.pane', { has: page.locator('.pane-header', { hasText: /Findings/i }) }).first();
  await findingsView.locator('.welcome-view-content', { hasText: 'No ATLAS Lens findings to show yet.' }).waitFor({ timeout: 60_000 });
  console.log('[review] the ATLAS Lens container shows the Findings view (empty)');

  await runCommand(page, 'ATLAS Lens: Scan Workspace');
  const toast = page.locator('.notification-toast', { hasText: /6 findings in 6 files/ }).first();
  await toast.waitFor({ timeout: 120_000 });
  console.log(`[review] notification: ${(await toast.locator('.notification-list-item-message').first().innerText()).trim()}`);

  // The tree shows the snapshot as the scan goes (findingsChanged during the scan), and the
  // workbench renders a tree update some time after the extension sets it: read the rows until
  // they are the final ones (or the time is up), rather than once the first "Execution" row shows.
  const rows = findingsView.locator('.monaco-list-row');
  const expectedRows = [
    'Initial Access — 2 findings',
    'AML.T0010.001 AI Supply Chain Compromise: AI Software — 1 finding',
    'AML.T0049 Exploit Public-Facing Application — 1 finding',
    'AI Model Access — 1 finding',
    'AML.T0040 AI Model Inference API Access — 1 finding',
    'Execution — 4 findings',
    'AML.T0011.000 User Execution: Unsafe AI Artifacts — 4 findings',
  ];
  const readRows = () => rows.evaluateAll((nodes) => nodes.map((row) => `${row.querySelector('.label-name')?.textContent ?? ''} — ${row.querySelector('.label-description')?.textContent ?? ''}`));
  let top = await readRows();
  if (JSON.stringify(top) !== JSON.stringify(expectedRows)) console.log(`[review] tree not final yet when its first Execution row showed: ${top.join(' | ')}`);
  for (const deadline = Date.now() + 30_000; JSON.stringify(top) !== JSON.stringify(expectedRows) && Date.now() < deadline; top = await readRows()) {
    await page.waitForTimeout(200);
  }
  console.log(`[review] tree: ${top.join(' | ')}`);
  check(JSON.stringify(top) === JSON.stringify(expectedRows), `the tree's rows: ${top.join(' | ')}`);

  await runCommand(page, 'ATLAS Lens: Show ATLAS Matrix');
  const frame = await webviewWith(page, '.matrix');
  const headings = frame.locator('.column h2');
  await headings.nth(TACTICS.length - 1).waitFor({ timeout: 60_000 });
  const names = (await headings.evaluateAll((nodes) => nodes.map((node) => node.firstChild?.textContent ?? ''))).map((name) => name.trim());
  check(JSON.stringify(names) === JSON.stringify(TACTICS), `tactic columns: ${names.join(', ')}`);
  console.log(`[review] matrix columns: ${names.join(', ')}`);
  const counts = await frame.locator('.technique').evaluateAll((cells) => ({
    all: cells.length,
    dim: cells.filter((cell) => cell.classList.contains('dim')).length,
    dimOpacity: cells.filter((cell) => cell.classList.contains('dim')).map((cell) => getComputedStyle(cell).opacity)[0],
    exposed: cells.filter((cell) => !cell.classList.contains('dim') && !cell.closest('[hidden]')).map((cell) => `${cell.dataset.technique}=${cell.querySelector('.count').textContent}`),
    exposedBorder: cells.filter((cell) => cell.classList.contains('sev-error')).map((cell) => getComputedStyle(cell).borderLeftColor)[0],
    dimBorder: cells.filter((cell) => cell.classList.contains('dim')).map((cell) => getComputedStyle(cell).borderLeftColor)[0],
  }));
  console.log(`[review] cells: ${JSON.stringify(counts)}`);
  check(JSON.stringify(counts.exposed) === JSON.stringify(['AML.T0010=1', 'AML.T0049=1', 'AML.T0040=1', 'AML.T0011=4']), `exposed cells ${counts.exposed}`);
  check(counts.dimOpacity === '0.45', `dimmed cells are styled (the nonce'd style applied): opacity ${counts.dimOpacity}`);
  check(counts.exposedBorder && counts.exposedBorder !== counts.dimBorder && counts.exposedBorder !== 'rgba(0, 0, 0, 0)', `an error cell has a coloured border: ${counts.exposedBorder}`);

  // Keyboard: from AML.T0010 (Initial Access), Down reaches its sub-technique toggle; Enter expands it.
  const active = () => frame.locator(':focus').evaluate((el) => el.dataset.technique ?? `toggle:${el.dataset.parent}`);
  await frame.locator('.technique[data-technique="AML.T0010"]').focus();
  await page.keyboard.press('ArrowDown');
  check(await active() === 'toggle:AML.T0010', `ArrowDown from AML.T0010 focuses ${await active()}`);
  await page.keyboard.press('ArrowRight');
  const right = await active();
  check(await frame.locator(':focus').getAttribute('data-col') === '3', `ArrowRight moves to the AI Model Access column (${right})`);
  await page.keyboard.press('ArrowLeft');
  check(await active() === 'toggle:AML.T0010', `ArrowLeft comes back (${await active()})`);
  // Execution's User Execution: expand its sub-techniques with Enter on the toggle.
  await frame.locator('.toggle[data-parent="AML.T0011"]').focus();
  await page.keyboard.press('Enter');
  await frame.locator('.technique[data-technique="AML.T0011.000"]').waitFor({ state: 'visible', timeout: 10_000 });
  check(await frame.locator('.toggle[data-parent="AML.T0011"]').getAttribute('aria-expanded') === 'true', 'the toggle says expanded');
  fs.mkdirSync(path.dirname(shot), { recursive: true });
  await page.screenshot({ path: shot });
  console.log(`[review] screenshot ${shot}`);

  // Enter on the sub-technique: the tree is filtered to it (the view's message) and its card opens.
  await page.keyboard.press('ArrowDown');
  check(await active() === 'AML.T0011.000', `ArrowDown into the sub-techniques (${await active()})`);
  await page.keyboard.press('Enter');
  await findingsView.locator('.message', { hasText: 'Showing Technique AML.T0011.000: 4 findings.' }).first().waitFor({ timeout: 60_000 });
  await page.locator('.tab', { hasText: 'AML.T0011.000' }).first().waitFor({ timeout: 60_000 });
  // The card (a Markdown preview, another webview) beside the matrix, which stays visible.
  const card = await webviewWith(page, 'text=as used by ATLAS Lens');
  await card.locator('body', { hasText: 'Unsafe AI Artifacts' }).waitFor({ timeout: 60_000 });
  check(await frame.locator('.technique.selected[data-technique="AML.T0011.000"]').count() === 1, 'the matrix marks the selected technique');
  console.log('[review] Enter on AML.T0011.000 filtered the tree and opened the technique card beside the matrix');
  const selectedShot = shot.replace(/\.png$/, '') + '-selected.png';
  await page.screenshot({ path: selectedShot });
  console.log(`[review] screenshot ${selectedShot}`);
  code = 0;
} catch (error) {
  console.error(`[review] FAILED: ${error.message}`);
  try {
    const page = browser?.contexts()[0]?.pages()[0];
    if (page) await page.screenshot({ path: shot.replace(/\.png$/, '') + '-failure.png' });
  } catch {}
  if (server) console.error(`[review] code-server log tail:\n${server.log().slice(-2000)}`);
}
try { await browser?.close(); } catch {}
await server?.stop();
cleanup(box);
console.log(`[review] ${code === 0 ? 'passed' : 'FAILED'} in ${Date.now() - started} ms`);
process.exit(code);
