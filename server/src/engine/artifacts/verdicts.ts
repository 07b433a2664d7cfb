/**
 * Cached artifact verdicts by path, for the code connection (a `torch.load("models/x.pt")` call
 * whose file is inspected) and for the language server's hovers.
 *
 * - The cache key is the real path plus mtime and size: an artifact replaced on disk is inspected
 *   again on the next lookup; nothing else invalidates it. At most MAX_ENTRIES verdicts are kept
 *   (least recently used dropped).
 * - The lists are the bundled ones extended by the `.atlas-lens.yaml` found above the artifact
 *   (itself cached by path and mtime), so a file gets the same verdict from the CLI, the server
 *   and any load call pointing at it.
 * - Files larger than the config's `artifacts.maxFileSizeMb` (default 4096) get no verdict.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findProjectConfig, loadProjectConfig, type ProjectConfig } from '../config/project-config';
import { inspectArtifactFile, isArtifactPath, type ArtifactInspection, type InspectOptions } from './inspect';
import { bundledGlobalLists, extendLists, type GlobalLists } from './lists';

const MAX_ENTRIES = 256;
const cache = new Map<string, { key: string; inspection: ArtifactInspection }>();
const configCache = new Map<string, { mtimeMs: number; config: ProjectConfig }>();

export const DEFAULT_ARTIFACT_MAX_FILE_SIZE_MB = 4096;

function projectConfigAbove(file: string): { config?: ProjectConfig; configFile?: string } {
  const configFile = findProjectConfig(path.dirname(file));
  if (!configFile) return {};
  const mtimeMs = fs.statSync(configFile, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  const cached = configCache.get(configFile);
  if (cached && cached.mtimeMs === mtimeMs) return { config: cached.config, configFile };
  const config = loadProjectConfig(configFile).config;
  configCache.set(configFile, { mtimeMs, config });
  return { config, configFile };
}

/** The `.atlas-lens.yaml` whose `artifacts:` lists judge the artifact at `file`, if any. */
export function configFileForArtifact(file: string): string | undefined {
  return projectConfigAbove(file).configFile;
}

/** The lists for an artifact at `file`: bundled, extended by the project config above it. */
export function listsForArtifact(file: string): GlobalLists {
  const { config, configFile } = projectConfigAbove(file);
  return extendLists(bundledGlobalLists(), config?.artifacts, configFile ?? '.atlas-lens.yaml');
}

/**
 * The verdict for the artifact at `file` (absolute), inspecting it if it is not cached or has
 * changed; undefined when the file does not exist, is not an artifact, is too large, or is in
 * no format we recognise.
 */
export function artifactVerdictFor(file: string, options: Omit<InspectOptions, 'lists'> = {}): ArtifactInspection | undefined {
  if (!isArtifactPath(file)) return undefined;
  const stat = fs.statSync(file, { throwIfNoEntry: false });
  if (!stat?.isFile()) return undefined;
  const { config } = projectConfigAbove(file);
  const maxMb = config?.artifacts?.maxFileSizeMb ?? DEFAULT_ARTIFACT_MAX_FILE_SIZE_MB;
  if (stat.size > maxMb * 1024 * 1024) return undefined;
  const real = fs.realpathSync(file);
  const key = `${stat.mtimeMs}:${stat.size}:${config?.artifacts ? JSON.stringify(config.artifacts) : ''}`;
  const cached = cache.get(real);
  if (cached && cached.key === key) {
    cache.delete(real);
    cache.set(real, cached);
    return cached.inspection.format ? { ...cached.inspection, file } : undefined;
  }
  let inspection: ArtifactInspection;
  try {
    inspection = inspectArtifactFile(file, { ...options, lists: listsForArtifact(file) });
  } catch {
    return undefined;
  }
  cache.set(real, { key, inspection });
  if (cache.size > MAX_ENTRIES) cache.delete(cache.keys().next().value!);
  return inspection.format ? inspection : undefined;
}

/** Forgets every cached verdict (tests, or a server told that files changed). */
export function clearArtifactVerdicts(): void {
  cache.clear();
  configCache.clear();
}

/** Markdown for a hover: the verdict, what was found, and the format. */
export function verdictMarkdown(inspection: ArtifactInspection, shownPath: string): string {
  const icon = { dangerous: '⛔', suspicious: '⚠️', incomplete: '❔', clean: '✅' }[inspection.verdict];
  const lines = [`**${icon} ${shownPath}**: ${inspection.summary}`];
  const notable = inspection.imports.filter((entry) => entry.classification !== 'safe').slice(0, 8);
  for (const entry of notable) {
    const call = entry.calls[0] ? ` — called as \`${entry.calls[0]}\`` : '';
    lines.push(`- \`${entry.module}.${entry.name}\` (${entry.classification}${entry.category ? `, ${entry.category}` : ''})${call}${entry.member ? ` in ${entry.member}` : ''}`);
  }
  for (const issue of inspection.issues.slice(0, 4)) lines.push(`- ${issue.message}${issue.member ? ` (${issue.member})` : ''}`);
  lines.push('', `*Inspected statically by ATLAS Lens (${inspection.format ?? 'unknown format'}); nothing was unpickled.*`);
  return lines.join('\n');
}
