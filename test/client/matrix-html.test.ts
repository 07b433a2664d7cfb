import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellTotals, countsText, renderMatrixHtml, shadeLevel } from '../../client/src/matrix-html';
import type { AtlasMatrix } from '../../server/src/lsp/protocol';
import { MATRIX, cell } from './matrix-fixture';

const NONCE = 'n0nceABC123';
const html = renderMatrixHtml(MATRIX, { nonce: NONCE });

/** The opening tag of the button for `id` (a technique cell). */
function buttonOf(source: string, id: string): string {
  const match = new RegExp(`<button[^>]*data-technique="${id.replace(/\./g, '\\.')}"[^>]*>`).exec(source);
  assert.ok(match, `a button for ${id}`);
  return match[0];
}

test('a strict Content-Security-Policy with the nonce on the only style and script', () => {
  const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)">/.exec(html);
  assert.ok(csp);
  assert.equal(csp[1], `default-src 'none'; style-src 'nonce-${NONCE}'; script-src 'nonce-${NONCE}';`);
  assert.deepEqual(html.match(/<script[^>]*>/g), [`<script nonce="${NONCE}">`]);
  assert.deepEqual(html.match(/<style[^>]*>/g), [`<style nonce="${NONCE}">`]);
  assert.ok(html.indexOf('Content-Security-Policy') < html.indexOf('<style'), 'the policy comes before the style');
});

test('no remote resources, no inline handlers or style attributes', () => {
  assert.doesNotMatch(html, /https?:\/\//);
  assert.doesNotMatch(html, /\s(src|href)=/);
  assert.doesNotMatch(html, /<[^>]+\son[a-z]+=/i);
  assert.doesNotMatch(html, /<[^>]+\sstyle=/i);
  assert.doesNotMatch(html, /javascript:/i);
});

test('tactics are columns in matrix order, with their tallies', () => {
  const headings = [...html.matchAll(/<h2 id="tactic-(\d+)">([^<]*)<span class="tally">([^<]*)<\/span><\/h2>/g)].map((m) => [m[1], m[2], m[3]]);
  assert.deepEqual(headings, [
    ['0', 'Reconnaissance', '1 techniques'],
    ['1', 'Initial Access', '2 techniques · 4 findings'],
    ['2', 'Execution', '2 techniques · 4 findings'],
  ]);
  // Cells belong to their column: the buttons of column 2 are Execution's.
  const execution = html.slice(html.indexOf('<h2 id="tactic-2">'));
  assert.deepEqual([...execution.matchAll(/data-col="2" data-technique="([^"]+)"/g)].map((m) => m[1]), ['AML.T0011', 'AML.T0011.000', 'AML.T0049']);
});

test('cells: severity and shade from their counts (a parent\'s include its sub-techniques\'), counts, dimmed when empty', () => {
  assert.match(buttonOf(html, 'AML.T0000'), /class="nav technique dim"/);
  // AML.T0010 (with its sub-techniques): an error and two warnings.
  assert.match(buttonOf(html, 'AML.T0010'), /class="nav technique sev-error lvl-2"/);
  assert.match(buttonOf(html, 'AML.T0010'), /aria-label="AML\.T0010 AI Supply Chain Compromise: 1 error, 2 warnings"/);
  assert.match(html, /data-technique="AML\.T0010"[^>]*>.*?<span class="count">3<\/span>/);
  assert.match(buttonOf(html, 'AML.T0010.001'), /class="nav technique sub sev-warning lvl-1"/);
  assert.match(html, /data-technique="AML\.T0010\.001"[^>]*><span class="id">AML\.T0010\.001<\/span><span class="name">AI Software<\/span><span class="count">1<\/span>/);
  assert.match(buttonOf(html, 'AML.T0049'), /class="nav technique sev-info lvl-1"/);
  assert.match(html, /data-technique="AML\.T0000"[^>]*>.*?<span class="count"><\/span>/);
  // AML.T0011's findings are all its sub-technique's: counted once, not twice.
  assert.match(buttonOf(html, 'AML.T0011'), /aria-label="AML\.T0011 User Execution: 1 error, 2 warnings"/);
  assert.match(buttonOf(html, 'AML.T0011'), /class="nav technique sev-error lvl-2"/);
  assert.match(buttonOf(html, 'AML.T0011.000'), /class="nav technique sub sev-error lvl-2"/);
});

test('sub-techniques are folded under their parent behind a toggle', () => {
  const toggle = /<button type="button" class="nav toggle" data-col="1" data-parent="AML\.T0010" tabindex="-1" aria-expanded="false" aria-controls="(subs-1-0)">.*?2 sub-techniques \(2 with findings\)<\/button><div class="subs" id="subs-1-0" hidden>(.*?)<\/div>/.exec(html);
  assert.ok(toggle, 'the toggle and its hidden panel');
  assert.deepEqual([...toggle[2]!.matchAll(/data-technique="([^"]+)"/g)].map((m) => m[1]), ['AML.T0010.001', 'AML.T0010.003']);
  assert.doesNotMatch(html, /data-parent="AML\.T0049"/, 'no toggle without sub-techniques');
});

test('cells are focusable buttons, one in the tab order at a time (set by the script); Enter is a button click', () => {
  const buttons = html.match(/<button[^>]*>/g) ?? [];
  assert.equal(buttons.length, 10, '8 technique cells (AML.T0049 in two tactics) and 2 toggles');
  for (const button of buttons) assert.match(button, /type="button" class="nav [^"]*"[^>]*tabindex="-1"/);
  assert.match(html, /addEventListener\('keydown'/);
  for (const key of ['ArrowDown', 'ArrowUp', 'ArrowLeft', 'ArrowRight', 'Home', 'End']) assert.ok(html.includes(`'${key}'`), key);
  assert.match(html, /vscode\.postMessage\(\{ type: 'select', techniqueId: cell\.dataset\.technique \}\)/);
});

test('the selected technique is marked', () => {
  const selected = renderMatrixHtml(MATRIX, { nonce: NONCE, selected: 'AML.T0049' });
  assert.equal(selected.match(/class="nav technique sev-info lvl-1 selected"/g)?.length, 2, 'in both of its tactics');
  assert.match(buttonOf(selected, 'AML.T0049'), /aria-pressed="true"/);
  assert.match(buttonOf(selected, 'AML.T0010'), /aria-pressed="false"/);
});

test('names and ids are escaped', () => {
  const hostile: AtlasMatrix = {
    atlasVersion: '<b>5</b>',
    columns: [{ tacticId: 'AML.TA0001', tacticName: 'Tactic <script>alert(1)</script>', cells: [cell('AML.T"1', 'Name & <img src=x onerror=alert(1)> \'q\'', { error: 1 })] }],
  };
  const out = renderMatrixHtml(hostile, { nonce: 'a"b' });
  assert.ok(out.includes('Tactic &lt;script&gt;alert(1)&lt;/script&gt;'));
  assert.ok(out.includes('Name &amp; &lt;img src=x onerror=alert(1)&gt; &#39;q&#39;'));
  assert.ok(out.includes('data-technique="AML.T&quot;1"'));
  assert.ok(out.includes('MITRE ATLAS &lt;b&gt;5&lt;/b&gt; matrix'));
  assert.ok(out.includes(`<script nonce="a&quot;b">`));
  assert.doesNotMatch(out, /<img|<script>alert|<b>/);
});

test('a legend, and the summary of an empty workspace', () => {
  assert.match(html, /<ul class="legend" aria-label="Legend">.*worst finding: error.*worst finding: warning.*worst finding: info.*no findings \(dimmed\)<\/li><\/ul>/);
  assert.match(html, /Findings cite 3 techniques/);
  const empty = renderMatrixHtml({ atlasVersion: '5.6.0', columns: [{ tacticId: 'AML.TA0002', tacticName: 'Reconnaissance', cells: [cell('AML.T0000', 'Search')] }] }, { nonce: NONCE });
  assert.match(empty, /No findings in the workspace\./);
  assert.match(buttonOf(empty, 'AML.T0000'), /dim/);
});

test('helpers: totals, shade levels, count text', () => {
  assert.deepEqual(cellTotals(MATRIX.columns[1]!.cells[0]!), { counts: { error: 1, warning: 2, info: 0 }, total: 3, worst: 'error' });
  assert.deepEqual(cellTotals(cell('AML.T0000', 'x')), { counts: { error: 0, warning: 0, info: 0 }, total: 0, worst: undefined });
  assert.deepEqual([0, 1, 2, 4, 5, 40].map(shadeLevel), [0, 1, 2, 2, 3, 3]);
  assert.equal(countsText({ error: 1, warning: 0, info: 2 }), '1 error, 2 info');
  assert.equal(countsText({ error: 0, warning: 0, info: 0 }), 'no findings');
});
