/**
 * `atlasLens/exportReport`: the workspace snapshot rendered by the engine's own reporters, exactly
 * as the CLI renders a scan (`--format sarif | navigator | markdown`): paths relative to the first
 * workspace folder, the rules and ATLAS catalog in use. The extension writes the text where the
 * user picks; nothing is written here.
 */
import type { AtlasCatalog } from '../engine/atlas/catalog';
import { atlasLookupFromCatalog } from '../engine/report/atlas-lookup';
import { formatMarkdown } from '../engine/report/markdown';
import { formatNavigator } from '../engine/report/navigator';
import { formatSarif } from '../engine/report/sarif';
import type { LoadedRule } from '../engine/rules/loader';
import type { Finding, InputProblem } from '../engine/types';
import type { ExportFormat, ExportReportResult } from './protocol';

export const EXPORT_FORMATS: readonly ExportFormat[] = ['sarif', 'navigator', 'markdown'];

export interface ExportSource {
  /** Every finding of the snapshot (absolute paths). */
  findings: readonly Finding[];
  /** Paths are relative to this directory (SARIF's %SRCROOT%). */
  baseDir: string;
  /** The rules in use (SARIF lists them all). */
  rules: readonly LoadedRule[];
  catalog: AtlasCatalog;
  filesScanned?: number;
  durationMs?: number;
  problems?: readonly InputProblem[];
  /** A file's text, for SARIF fingerprints and snippets. */
  readSource?: (file: string) => string | undefined;
}

export function isExportFormat(value: unknown): value is ExportFormat {
  return typeof value === 'string' && (EXPORT_FORMATS as readonly string[]).includes(value);
}

export function renderExport(format: ExportFormat, source: ExportSource, toolVersion: string, now: Date = new Date()): ExportReportResult {
  const { findings, baseDir, catalog } = source;
  const problems = [...(source.problems ?? [])];
  let content: string;
  if (format === 'sarif') {
    const sarif = formatSarif(findings, source.rules, atlasLookupFromCatalog(catalog), { baseDir, toolVersion, problems, readSource: source.readSource });
    content = `${JSON.stringify(sarif, null, 2)}\n`;
  } else if (format === 'navigator') {
    const layer = formatNavigator(findings, catalog, { cwd: baseDir, toolVersion, filesScanned: source.filesScanned, generatedAt: now });
    content = `${JSON.stringify(layer, null, 2)}\n`;
  } else {
    content = formatMarkdown(findings, catalog, { cwd: baseDir, toolVersion, filesScanned: source.filesScanned, durationMs: source.durationMs, problems: problems.length });
  }
  return { content, findings: findings.length };
}

/** The request handler: checks the format, renders what `source` gives (the current snapshot). */
export function exportReportHandler(source: () => Promise<ExportSource>, toolVersion: string): (params: { format?: unknown } | undefined) => Promise<ExportReportResult> {
  return async (params) => {
    const format = params?.format;
    if (!isExportFormat(format)) throw new Error(`format must be one of ${EXPORT_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
    return renderExport(format, await source(), toolVersion);
  };
}
