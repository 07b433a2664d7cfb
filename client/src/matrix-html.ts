/**
 * The HTML of the ATLAS matrix webview (no vscode import, unit-tested in test/client).
 *
 * Tactics are columns in ATLAS matrix order; each technique is a cell coloured by the worst
 * severity of its findings (sub-techniques included) and shaded by their number, with the VS Code
 * theme's colours (CSS variables the webview receives). Sub-techniques fold under their parent
 * behind a toggle. Techniques without findings stay, dimmed. A legend explains the colours.
 *
 * Security: the Content-Security-Policy allows nothing but the one style element and the one
 * script element carrying the nonce (no remote resources, no inline handlers or style attributes;
 * every name is escaped). The script posts `{ type: 'select', techniqueId }` when a technique
 * cell is activated (click, Enter or Space) and keeps which parents are expanded and which cell
 * has focus in the webview state, so a re-render after new findings does not lose them.
 *
 * Keyboard: every cell and toggle is a button; one of them is in the tab order (roving
 * tabindex). Up/Down move within a column, Left/Right to the same row of the neighbouring
 * column (or its last row), Home/End to the first/last of the column.
 */
import type { AtlasMatrix, FindingSeverity, MatrixCell } from '../../server/src/lsp/protocol';

export interface MatrixHtmlOptions {
  /** A fresh random nonce for the style and script elements. */
  nonce: string;
  /** The technique the findings tree is filtered to, highlighted. */
  selected?: string;
}

/** What the webview posts to the extension. */
export type MatrixMessage = { type: 'select'; techniqueId: string };

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

const SEVERITIES: readonly FindingSeverity[] = ['error', 'warning', 'info'];

/** A cell's counts (a parent's already count its sub-techniques' findings, each once), total and worst severity. */
export function cellTotals(cell: MatrixCell): { counts: Record<FindingSeverity, number>; total: number; worst?: FindingSeverity } {
  const counts = { ...cell.counts };
  const total = counts.error + counts.warning + counts.info;
  return { counts, total, worst: SEVERITIES.find((severity) => counts[severity] > 0) };
}

/** Shade level by the number of findings: 1, 2–4, 5 or more. */
export function shadeLevel(total: number): 0 | 1 | 2 | 3 {
  return total === 0 ? 0 : total === 1 ? 1 : total < 5 ? 2 : 3;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

export function countsText(counts: Record<FindingSeverity, number>): string {
  const parts = SEVERITIES.filter((severity) => counts[severity] > 0).map((severity) => (severity === 'info' ? `${counts.info} info` : plural(counts[severity], severity)));
  return parts.length > 0 ? parts.join(', ') : 'no findings';
}

function cellButton(cell: MatrixCell, column: number, selected: string | undefined, sub: boolean): string {
  const { counts, total, worst } = cellTotals(cell);
  const classes = ['nav', sub ? 'technique sub' : 'technique', worst ? `sev-${worst} lvl-${shadeLevel(total)}` : 'dim'];
  if (cell.techniqueId === selected) classes.push('selected');
  const label = `${cell.techniqueId} ${cell.name}: ${countsText(counts)}`;
  return `<button type="button" class="${classes.join(' ')}" data-col="${column}" data-technique="${escapeHtml(cell.techniqueId)}" tabindex="-1"` +
    ` title="${escapeHtml(label)}" aria-label="${escapeHtml(label)}" aria-pressed="${cell.techniqueId === selected}">` +
    `<span class="id">${escapeHtml(cell.techniqueId)}</span><span class="name">${escapeHtml(cell.name)}</span>` +
    `<span class="count">${total > 0 ? total : ''}</span></button>`;
}

function cellHtml(cell: MatrixCell, column: number, row: number, selected: string | undefined): string {
  const parts = [`<div class="cell">`, cellButton(cell, column, selected, false)];
  if (cell.subtechniques.length > 0) {
    const panel = `subs-${column}-${row}`;
    const withFindings = cell.subtechniques.filter((sub) => cellTotals(sub).total > 0).length;
    parts.push(`<button type="button" class="nav toggle" data-col="${column}" data-parent="${escapeHtml(cell.techniqueId)}" tabindex="-1" aria-expanded="false" aria-controls="${panel}">` +
      `<span class="chevron" aria-hidden="true"></span>${plural(cell.subtechniques.length, 'sub-technique')}${withFindings > 0 ? ` (${withFindings} with findings)` : ''}</button>`);
    parts.push(`<div class="subs" id="${panel}" hidden>${cell.subtechniques.map((sub) => cellButton(sub, column, selected, true)).join('')}</div>`);
  }
  parts.push('</div>');
  return parts.join('');
}

const STYLE = `
body { padding: 8px 12px; color: var(--vscode-editor-foreground); background: var(--vscode-editor-background); font-family: var(--vscode-font-family); font-size: var(--vscode-font-size); }
h1 { font-size: 1.2em; margin: 0 0 4px; }
.summary { margin: 0 0 8px; color: var(--vscode-descriptionForeground); }
.legend { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin: 0 0 12px; padding: 0; list-style: none; }
.legend li { display: flex; align-items: center; gap: 4px; }
.swatch { display: inline-block; width: 14px; height: 14px; border-left: 4px solid var(--sev, transparent); background: color-mix(in srgb, var(--sev, transparent) var(--mix, 0%), var(--vscode-editor-background)); outline: 1px solid var(--vscode-descriptionForeground); }
.swatch.dim { opacity: 0.45; }
.matrix { display: flex; gap: 6px; align-items: flex-start; overflow-x: auto; padding-bottom: 8px; }
.column { flex: 0 0 150px; min-width: 150px; }
.column h2 { font-size: 0.9em; margin: 0 0 6px; padding: 4px; border-bottom: 2px solid var(--vscode-panel-border, var(--vscode-editor-foreground)); min-height: 2.6em; }
.column h2 .tally { display: block; font-weight: normal; color: var(--vscode-descriptionForeground); }
.cell { margin: 0 0 4px; }
button { font: inherit; color: inherit; cursor: pointer; }
.technique { display: grid; grid-template-columns: 1fr auto; width: 100%; text-align: left; padding: 4px 6px; border: 1px solid var(--vscode-panel-border, transparent); border-left: 4px solid var(--sev, transparent); background: color-mix(in srgb, var(--sev, transparent) var(--mix, 0%), var(--vscode-editor-background)); }
.technique .id { grid-column: 1; font-size: 0.8em; opacity: 0.85; }
.technique .name { grid-column: 1; }
.technique .count { grid-column: 2; grid-row: 1 / span 2; align-self: center; font-weight: bold; padding-left: 4px; }
.technique.sub { margin-left: 10px; width: calc(100% - 10px); margin-top: 2px; }
.technique.dim { opacity: 0.45; }
.technique.selected { outline: 2px solid var(--vscode-focusBorder); outline-offset: -2px; }
.toggle { display: block; width: 100%; text-align: left; padding: 1px 6px; border: none; background: transparent; font-size: 0.85em; color: var(--vscode-textLink-foreground); }
.toggle .chevron::before { content: '\\25B8'; display: inline-block; width: 1em; }
.toggle[aria-expanded="true"] .chevron::before { content: '\\25BE'; }
button:focus-visible, button:focus { outline: 2px solid var(--vscode-focusBorder); outline-offset: 1px; }
.sev-error { --sev: var(--vscode-editorError-foreground); }
.sev-warning { --sev: var(--vscode-editorWarning-foreground); }
.sev-info { --sev: var(--vscode-editorInfo-foreground); }
.lvl-1 { --mix: 22%; }
.lvl-2 { --mix: 40%; }
.lvl-3 { --mix: 60%; }
`;

// Runs in the webview. No inline handlers: listeners are attached here.
const SCRIPT = `
(function () {
  const vscode = acquireVsCodeApi();
  const state = vscode.getState() || { expanded: [], focus: null };
  const save = () => vscode.setState(state);
  const visible = (el) => !el.closest('[hidden]');
  const columnOf = (col) => Array.from(document.querySelectorAll('.nav[data-col="' + col + '"]')).filter(visible);
  const columns = document.querySelectorAll('.column').length;
  const keyOf = (el) => el.dataset.technique ? 't:' + el.dataset.technique : 'p:' + el.dataset.parent;
  function focus(el) {
    if (!el) return;
    document.querySelectorAll('.nav[tabindex="0"]').forEach((other) => other.setAttribute('tabindex', '-1'));
    el.setAttribute('tabindex', '0');
    el.focus();
    state.focus = keyOf(el);
    save();
  }
  function setExpanded(toggle, expanded) {
    toggle.setAttribute('aria-expanded', String(expanded));
    document.getElementById(toggle.getAttribute('aria-controls')).hidden = !expanded;
    const key = toggle.dataset.parent;
    state.expanded = state.expanded.filter((id) => id !== key);
    if (expanded) state.expanded.push(key);
    save();
  }
  document.querySelectorAll('.toggle').forEach((toggle) => {
    if (state.expanded.includes(toggle.dataset.parent)) setExpanded(toggle, true);
    toggle.addEventListener('click', () => setExpanded(toggle, toggle.getAttribute('aria-expanded') !== 'true'));
  });
  document.querySelectorAll('.technique').forEach((cell) => {
    cell.addEventListener('click', () => { focus(cell); vscode.postMessage({ type: 'select', techniqueId: cell.dataset.technique }); });
  });
  document.querySelector('.matrix').addEventListener('keydown', (event) => {
    const current = event.target.closest && event.target.closest('.nav');
    if (!current) return;
    const col = Number(current.dataset.col);
    const list = columnOf(col);
    const row = list.indexOf(current);
    let next;
    if (event.key === 'ArrowDown') next = list[row + 1];
    else if (event.key === 'ArrowUp') next = list[row - 1];
    else if (event.key === 'Home') next = list[0];
    else if (event.key === 'End') next = list[list.length - 1];
    else if (event.key === 'ArrowRight' || event.key === 'ArrowLeft') {
      const step = event.key === 'ArrowRight' ? 1 : -1;
      for (let c = col + step; c >= 0 && c < columns && !next; c += step) {
        const other = columnOf(c);
        if (other.length > 0) next = other[Math.min(row, other.length - 1)];
      }
    } else return;
    event.preventDefault();
    if (next) focus(next);
  });
  const all = Array.from(document.querySelectorAll('.nav'));
  const remembered = state.focus && all.find((el) => keyOf(el) === state.focus && visible(el));
  const start = remembered || document.querySelector('.technique.selected') || all.find((el) => !el.classList.contains('dim') && el.classList.contains('technique')) || all[0];
  if (start) { start.setAttribute('tabindex', '0'); if (remembered) start.focus(); }
})();
`;

export function renderMatrixHtml(matrix: AtlasMatrix, options: MatrixHtmlOptions): string {
  const nonce = escapeHtml(options.nonce);
  const csp = `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}';`;
  const exposed = new Set<string>();
  const columns = matrix.columns.map((column, index) => {
    const totals = column.cells.map(cellTotals);
    const tally = totals.reduce((sum, t) => sum + t.total, 0);
    column.cells.forEach((cell, row) => { if (totals[row]!.total > 0) exposed.add(cell.techniqueId); });
    return `<section class="column" aria-labelledby="tactic-${index}">` +
      `<h2 id="tactic-${index}">${escapeHtml(column.tacticName)}<span class="tally">${column.cells.length} techniques${tally > 0 ? ` · ${tally} findings` : ''}</span></h2>` +
      column.cells.map((cell, row) => cellHtml(cell, index, row, options.selected)).join('') +
      '</section>';
  });
  const legend = [
    ['sev-error lvl-2', 'worst finding: error'],
    ['sev-warning lvl-2', 'worst finding: warning'],
    ['sev-info lvl-2', 'worst finding: info'],
    ['sev-warning lvl-1', 'lighter: 1 finding'],
    ['sev-warning lvl-3', 'darker: 5 or more'],
    ['dim', 'no findings (dimmed)'],
  ].map(([classes, text]) => `<li><span class="swatch ${classes}"></span>${text}</li>`).join('');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="UTF-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>ATLAS Matrix</title>
<style nonce="${nonce}">${STYLE}</style>
</head>
<body>
<h1>MITRE ATLAS ${escapeHtml(matrix.atlasVersion)} matrix</h1>
<p class="summary">${exposed.size === 0 ? 'No findings in the workspace.' : `Findings cite ${plural(exposed.size, 'technique')} (sub-techniques folded into their parent). Activate a technique to list its findings.`}</p>
<ul class="legend" aria-label="Legend">${legend}</ul>
<main class="matrix" aria-label="ATLAS matrix">${columns.join('')}</main>
<script nonce="${nonce}">${SCRIPT}</script>
</body>
</html>`;
}
