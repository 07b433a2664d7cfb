/**
 * `atlasLens/exportReport`: the workspace snapshot rendered by the engine's own reporters, exactly
 * as the CLI renders a scan (`--format sarif | navigator | markdown`): paths relative to the first
 * workspace folder, the rules and ATLAS catalog in use. The extension writes the text where the
 * user picks; nothing is written here.
 */
import * as fs from 'node:fs';
import { ErrorCodes, ResponseError } from 'vscode-languageserver';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import { isArtifactPath } from '../engine/artifacts/inspect';
import type { Engine } from '../engine/engine';
import { atlasLookupFromCatalog } from '../engine/report/atlas-lookup';
import { formatMarkdown } from '../engine/report/markdown';
import { formatNavigator } from '../engine/report/navigator';
import { formatSarif } from '../engine/report/sarif';
import type { LoadedRule } from '../engine/rules/loader';
import type { Finding, InputProblem } from '../engine/types';
import type { DocumentStore } from './documents';
import type { ExportFormat, ExportReportResult, WorkspaceFindingsResult } from './protocol';

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

/** `atlasLens/exportReport`: checks the format, renders what `source` gives (the current snapshot). */
export async function exportReport(params: { format?: unknown } | undefined, source: () => Promise<ExportSource>, toolVersion: string): Promise<ExportReportResult> {
  const format = params?.format;
  if (!isExportFormat(format)) throw new ResponseError(ErrorCodes.InvalidParams, `format must be one of ${EXPORT_FORMATS.join(', ')}, not ${JSON.stringify(format)}`);
  return renderExport(format, await source(), toolVersion);
}

export interface SnapshotDeps {
  /** The workspace review's snapshot (lsp/workspace-scan.ts). */
  review: {
    shownFindings(): Promise<Array<{ finding: Finding; engine: Engine }>>;
    findings(): Promise<WorkspaceFindingsResult>;
  };
  documents: DocumentStore;
  workspaceFolders: () => readonly string[];
  catalog: () => Promise<AtlasCatalog>;
}

/**
 * The snapshot as an export source: its findings, the rules of the engines that reported them
 * (the first engine's rules first; a rule id once), paths relative to the first workspace folder,
 * source text from the open documents or the disk (never from model files).
 */
export async function snapshotExportSource(deps: SnapshotDeps): Promise<ExportSource> {
  const shown = await deps.review.shownFindings();
  const { lastScan } = await deps.review.findings();
  const rules = new Map<string, LoadedRule>();
  for (const engine of new Set(shown.map((item) => item.engine))) for (const rule of engine.rules) if (!rules.has(rule.id)) rules.set(rule.id, rule);
  const open = new Map(deps.documents.all().filter((document) => document.fsPath).map((document) => [document.fsPath!, document.text] as const));
  return {
    findings: shown.map((item) => item.finding),
    baseDir: deps.workspaceFolders()[0] ?? process.cwd(),
    rules: [...rules.values()],
    catalog: await deps.catalog(),
    filesScanned: lastScan?.files,
    readSource: (file) => {
      if (open.has(file)) return open.get(file);
      if (isArtifactPath(file)) return undefined;
      try {
        return fs.readFileSync(file, 'utf8');
      } catch {
        return undefined;
      }
    },
  };
}
