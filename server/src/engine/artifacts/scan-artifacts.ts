/**
 * How a scan takes model files: which files, their size limit, and one file's findings and
 * verdict. Kept here so the scan itself only asks "is this an artifact?" and "inspect it".
 *
 * Artifacts are found by extension (inspect.ts ARTIFACT_EXTENSIONS) by the same discovery as
 * source files (gitignore, include/exclude), with their own size limit,
 * `artifacts.maxFileSizeMb` (default 4096 MB): the inspector reads only what it needs (a zip's
 * directory and pickle members, a safetensors header), within a per-file budget of bytes and
 * time, so a large checkpoint costs little. Artifact scanning is off when every artifact rule is.
 */
import * as path from 'node:path';
import type { ProjectConfig } from '../config/project-config';
import type { LoadedRule } from '../rules/loader';
import type { Finding, Severity } from '../types';
import { artifactFindings } from './findings';
import { inspectArtifactFile, isArtifactPath, type ArtifactFormat, type ArtifactVerdictKind } from './inspect';
import { bundledGlobalLists, extendLists } from './lists';
import { DEFAULT_ARTIFACT_MAX_FILE_SIZE_MB } from './verdicts';

export interface ArtifactSummary {
  file: string;
  format?: ArtifactFormat;
  verdict: ArtifactVerdictKind;
  summary: string;
}

export interface ArtifactScanner {
  isArtifact(file: string): boolean;
  maxBytes: number;
  scan(file: string): { findings: Finding[]; summary?: ArtifactSummary; bytes: number };
}

export function createArtifactScanner(
  rules: readonly LoadedRule[],
  config: ProjectConfig | undefined,
  configFile: string | undefined,
  settings: { rules?: Readonly<Record<string, string>>; minimumSeverity?: Severity },
): ArtifactScanner {
  const artifactRules = rules.filter((rule) => rule.languages.includes('artifact'));
  const enabled = artifactRules.some((rule) => settings.rules?.[rule.id] !== 'off');
  const lists = extendLists(bundledGlobalLists(), config?.artifacts, configFile ?? '.atlas-lens.yaml');
  return {
    isArtifact: (file) => enabled && isArtifactPath(file),
    maxBytes: (config?.artifacts?.maxFileSizeMb ?? DEFAULT_ARTIFACT_MAX_FILE_SIZE_MB) * 1024 * 1024,
    scan(file) {
      const inspection = inspectArtifactFile(file, { lists });
      if (!inspection.format) return { findings: [], bytes: inspection.bytesRead };
      return {
        findings: artifactFindings(inspection, artifactRules, settings),
        summary: { file, format: inspection.format, verdict: inspection.verdict, summary: inspection.summary },
        bytes: inspection.bytesRead,
      };
    },
  };
}

/**
 * One line for the CLI's text output after the summary, when model files were inspected:
 * `Model files: 3 inspected: 1 dangerous, 2 clean (models/clean.pt, models/m.safetensors)`.
 * Clean verdicts are not findings; this is where a scan shows them.
 */
export function artifactSummaryLine(summaries: readonly ArtifactSummary[] | undefined, cwd: string): string {
  if (!summaries || summaries.length === 0) return '';
  const count = (verdict: ArtifactVerdictKind): number => summaries.filter((s) => s.verdict === verdict).length;
  const parts = [
    [count('dangerous'), 'dangerous'],
    [count('suspicious'), 'suspicious'],
    [count('incomplete'), 'not fully inspected'],
    [count('clean'), 'clean'],
  ].filter(([n]) => (n as number) > 0).map(([n, label]) => `${n} ${label}`);
  const clean = summaries.filter((s) => s.verdict === 'clean').map((s) => path.relative(cwd, s.file) || s.file);
  const shown = clean.length > 0 ? ` (${clean.slice(0, 5).join(', ')}${clean.length > 5 ? `, +${clean.length - 5} more` : ''})` : '';
  return `Model files: ${summaries.length} inspected: ${parts.join(', ')}${shown}\n`;
}
