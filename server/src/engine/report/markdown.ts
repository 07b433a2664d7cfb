/**
 * The `--format markdown` and `--format html` reports, sized for a pull-request comment:
 *
 * 1. a heading with the counts by severity;
 * 2. a summary table by tactic (matrix order) and technique (by id): errors / warnings / info per
 *    technique, technique ids linked to their ATLAS pages. A technique serving several tactics has
 *    a row under each, and a finding citing several techniques counts for each, so the rows overlap;
 *    ids unknown to this ATLAS release and findings citing no technique get rows of their own;
 * 3. the top findings (at most `maxFindings`, default 20), most severe first, then by path, line
 *    and column: severity, a `path:line` link (relative to `cwd`, or under `linkBase` such as
 *    `https://github.com/OWNER/REPO/blob/SHA/`), rule id, message (one line, at most 300 characters);
 * 4. a footer with the files scanned, the time taken and the tool and ATLAS versions.
 *
 * Text from findings (messages, paths, rule ids) is escaped: inline Markdown punctuation
 * (backslash, backtick, * _ [ ] | ~ $) gets a backslash, so `|` cannot break a table; `&`, `<` and
 * `>` become entities (no HTML gets through); newlines are folded; `@` is followed by a zero-width
 * space so a decorator such as `@app.route` does not mention a GitHub user. Link targets are percent-encoded per path segment.
 *
 * `buildMarkdownModel` is the data behind both renderings (the extension can reuse it).
 */
import type { Finding, Severity } from '../types';
import { defaultTechniqueUrl } from './atlas-lookup';
import { countBySeverity, oneLine, relativePath, sortFindings } from './common';
import { computeExposure, type AtlasMatrixLike } from './exposure';
import { TOOL_NAME } from './json';

export interface MarkdownOptions {
  /** Paths are shown, and linked, relative to this directory. */
  cwd: string;
  toolVersion: string;
  filesScanned?: number;
  durationMs?: number;
  /** Input problems (configuration, rule files); only their number is shown. */
  problems?: number;
  /** How many findings to list (default 20). */
  maxFindings?: number;
  /** Prefix of file links, e.g. "https://github.com/OWNER/REPO/blob/SHA/"; default: relative links. */
  linkBase?: string;
  /** The heading; default "ATLAS Lens". */
  title?: string;
}

export const DEFAULT_MAX_FINDINGS = 20;
const MAX_MESSAGE_LENGTH = 300;

export interface SummaryRow {
  /** Tactic name; undefined for the rows of unknown ids and of findings without a technique. */
  tactic: string | undefined;
  /** Technique id; undefined for the row of findings without a technique. */
  techniqueId: string | undefined;
  techniqueName: string | undefined;
  /** The ATLAS page; undefined for ids this release does not know. */
  url: string | undefined;
  counts: Record<Severity, number>;
}

export interface TopFinding {
  severity: Severity;
  path: string;
  /** One-based. */
  line: number;
  cell?: { index: number; line: number };
  ruleId: string;
  message: string;
  techniques: string[];
}

export interface MarkdownModel {
  title: string;
  counts: Record<Severity, number>;
  total: number;
  rows: SummaryRow[];
  top: TopFinding[];
  atlasVersion: string;
  toolVersion: string;
  filesScanned?: number;
  durationMs?: number;
  problems: number;
}

const RANK: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

export function buildMarkdownModel(findings: readonly Finding[], catalog: AtlasMatrixLike, options: MarkdownOptions): MarkdownModel {
  const shown = (file: string): string => relativePath(options.cwd, file);
  const exposure = computeExposure(findings, catalog, shown);
  const rows: SummaryRow[] = [];
  for (const { tactic, techniques } of exposure.tactics) {
    for (const technique of techniques) {
      rows.push({
        tactic: tactic.name,
        techniqueId: technique.techniqueId,
        techniqueName: technique.name,
        url: catalog.techniqueUrl(technique.techniqueId) ?? defaultTechniqueUrl(technique.techniqueId),
        counts: technique.counts,
      });
    }
  }
  for (const technique of exposure.unknown) {
    rows.push({ tactic: undefined, techniqueId: technique.techniqueId, techniqueName: undefined, url: undefined, counts: technique.counts });
  }
  if (exposure.untagged.length > 0) {
    rows.push({ tactic: undefined, techniqueId: undefined, techniqueName: undefined, url: undefined, counts: countBySeverity(exposure.untagged) });
  }
  const max = Math.max(0, options.maxFindings ?? DEFAULT_MAX_FINDINGS);
  // sortFindings orders by path/line/column/rule/message; the stable sort then puts the most severe first.
  const top = sortFindings(findings, shown)
    .sort((a, b) => RANK[a.severity] - RANK[b.severity])
    .slice(0, max)
    .map((finding): TopFinding => {
      const out: TopFinding = {
        severity: finding.severity,
        path: shown(finding.file),
        line: finding.range.start.line + 1,
        ruleId: finding.ruleId,
        message: truncate(oneLine(finding.message), MAX_MESSAGE_LENGTH),
        techniques: [...new Set(finding.techniques)],
      };
      if (finding.cell) out.cell = { index: finding.cell.index, line: finding.cell.line };
      return out;
    });
  const model: MarkdownModel = {
    title: options.title ?? TOOL_NAME,
    counts: countBySeverity(findings),
    total: findings.length,
    rows,
    top,
    atlasVersion: catalog.version,
    toolVersion: options.toolVersion,
    problems: options.problems ?? 0,
  };
  if (options.filesScanned !== undefined) model.filesScanned = options.filesScanned;
  if (options.durationMs !== undefined) model.durationMs = options.durationMs;
  return model;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count} ${count === 1 ? singular : pluralForm}`;
}

/** Escapes text for inline Markdown (GitHub-flavoured, table cells included). */
export function escapeMarkdown(text: string): string {
  return oneLine(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/[\\`*_[\]|~$]/g, (c) => `\\${c}`)
    .replace(/@/g, '@\u200b');
}

export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/** A link target for a repository path: each segment percent-encoded (also parentheses, which end a Markdown link). */
export function encodePath(p: string): string {
  return p
    .split('/')
    .map((segment) => encodeURIComponent(segment).replace(/[()'!*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`))
    .join('/');
}

function fileLink(finding: TopFinding, linkBase: string | undefined): string {
  return `${linkBase ?? ''}${encodePath(finding.path)}#L${finding.line}`;
}

function locationText(finding: TopFinding): string {
  const where = `${finding.path}:${finding.line}`;
  return finding.cell ? `${where} (cell ${finding.cell.index + 1}, line ${finding.cell.line + 1})` : where;
}

function heading(model: MarkdownModel): string {
  if (model.total === 0) return `${model.title}: no findings`;
  const { error, warning, info } = model.counts;
  return `${model.title}: ${plural(model.total, 'finding')} (${plural(error, 'error')}, ${plural(warning, 'warning')}, ${info} info)`;
}

function footer(model: MarkdownModel): string {
  const parts: string[] = [];
  if (model.filesScanned !== undefined) {
    const scanned = plural(model.filesScanned, 'file');
    parts.push(model.durationMs !== undefined ? `${scanned} scanned in ${formatDuration(model.durationMs)}` : `${scanned} scanned`);
  } else if (model.durationMs !== undefined) {
    parts.push(`scanned in ${formatDuration(model.durationMs)}`);
  }
  if (model.problems > 0) parts.push(`${plural(model.problems, 'configuration problem')} (see the text output)`);
  parts.push(`${TOOL_NAME} ${model.toolVersion}`, `MITRE ATLAS ${model.atlasVersion}`);
  return parts.join(' · ');
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

const techniqueLabel = (row: SummaryRow, atlasVersion: string): string =>
  row.techniqueId === undefined
    ? 'no ATLAS technique'
    : row.techniqueName === undefined
      ? `${row.techniqueId} (not in ATLAS ${atlasVersion})`
      : `${row.techniqueId} ${row.techniqueName}`;

/** The Markdown report, ending with a newline. */
export function formatMarkdown(findings: readonly Finding[], catalog: AtlasMatrixLike, options: MarkdownOptions): string {
  return renderMarkdown(buildMarkdownModel(findings, catalog, options), options.linkBase);
}

export function renderMarkdown(model: MarkdownModel, linkBase?: string): string {
  const lines: string[] = [`### ${escapeMarkdown(heading(model))}`, ''];
  if (model.rows.length > 0) {
    lines.push('| Tactic | Technique | Errors | Warnings | Info |', '| --- | --- | ---: | ---: | ---: |');
    for (const row of model.rows) {
      const label = escapeMarkdown(techniqueLabel(row, model.atlasVersion));
      const technique =
        row.url !== undefined && row.techniqueId !== undefined
          ? `[${escapeMarkdown(row.techniqueId)}](${row.url}) ${escapeMarkdown(row.techniqueName ?? '')}`
          : label;
      lines.push(`| ${row.tactic === undefined ? '—' : escapeMarkdown(row.tactic)} | ${technique} | ${row.counts.error} | ${row.counts.warning} | ${row.counts.info} |`);
    }
    lines.push('', '<sub>A finding can cite several techniques and a technique can serve several tactics, so rows overlap.</sub>', '');
  }
  if (model.top.length > 0) {
    const shown = model.top.length < model.total ? `${model.top.length} of ${model.total}, most severe first` : 'most severe first';
    lines.push(`#### Findings (${shown})`, '', '| Severity | Location | Rule | Message |', '| --- | --- | --- | --- |');
    for (const finding of model.top) {
      lines.push(
        `| ${finding.severity} | [${escapeMarkdown(locationText(finding))}](${fileLink(finding, linkBase)}) | ${escapeMarkdown(finding.ruleId)} | ${escapeMarkdown(finding.message)} |`,
      );
    }
    lines.push('');
  }
  lines.push(`<sub>${escapeMarkdown(footer(model))}</sub>`, '');
  return lines.join('\n');
}

/** The same report as a standalone HTML page (no scripts, no remote resources), ending with a newline. */
export function formatHtml(findings: readonly Finding[], catalog: AtlasMatrixLike, options: MarkdownOptions): string {
  return renderHtml(buildMarkdownModel(findings, catalog, options), options.linkBase);
}

export function renderHtml(model: MarkdownModel, linkBase?: string): string {
  const title = heading(model);
  const out: string[] = [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<title>${escapeHtml(title)}</title>`,
    '<style>body{font-family:system-ui,sans-serif;margin:1.5rem}table{border-collapse:collapse;margin-bottom:1rem}th,td{border:1px solid #ccc;padding:.25rem .5rem;text-align:left;vertical-align:top}td.n{text-align:right}.error{color:#c92a2a}.warning{color:#b35c00}.info{color:#1864ab}footer{color:#666;font-size:.85em}</style>',
    '</head>',
    '<body>',
    `<h1>${escapeHtml(title)}</h1>`,
  ];
  if (model.rows.length > 0) {
    out.push('<table>', '<thead><tr><th>Tactic</th><th>Technique</th><th>Errors</th><th>Warnings</th><th>Info</th></tr></thead>', '<tbody>');
    for (const row of model.rows) {
      const technique =
        row.url !== undefined && row.techniqueId !== undefined
          ? `<a href="${escapeHtml(row.url)}">${escapeHtml(row.techniqueId)}</a> ${escapeHtml(row.techniqueName ?? '')}`
          : escapeHtml(techniqueLabel(row, model.atlasVersion));
      out.push(
        `<tr><td>${row.tactic === undefined ? '—' : escapeHtml(row.tactic)}</td><td>${technique}</td><td class="n">${row.counts.error}</td><td class="n">${row.counts.warning}</td><td class="n">${row.counts.info}</td></tr>`,
      );
    }
    out.push('</tbody>', '</table>', '<p><small>A finding can cite several techniques and a technique can serve several tactics, so rows overlap.</small></p>');
  }
  if (model.top.length > 0) {
    const shown = model.top.length < model.total ? `${model.top.length} of ${model.total}, most severe first` : 'most severe first';
    out.push(`<h2>Findings (${shown})</h2>`, '<table>', '<thead><tr><th>Severity</th><th>Location</th><th>Rule</th><th>Message</th></tr></thead>', '<tbody>');
    for (const finding of model.top) {
      out.push(
        `<tr><td class="${finding.severity}">${finding.severity}</td><td><a href="${escapeHtml(fileLink(finding, linkBase))}">${escapeHtml(locationText(finding))}</a></td><td><code>${escapeHtml(finding.ruleId)}</code></td><td>${escapeHtml(finding.message)}</td></tr>`,
      );
    }
    out.push('</tbody>', '</table>');
  }
  out.push(`<footer>${escapeHtml(footer(model))}</footer>`, '</body>', '</html>', '');
  return out.join('\n');
}

