/**
 * A whole scan as the CLI (and later the workspace review) runs it: find the project config,
 * load rules and the ATLAS catalog, discover files, analyse each, gather findings and problems.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundledCatalog, type AtlasCatalog } from './atlas/catalog';
import { loadOfficialAtlas } from './atlas/official';
import { findProjectConfig, loadProjectConfig, resolveRuleDirs, unknownRuleProblems, type ProjectConfigLoadResult } from './config/project-config';
import { Engine, type AnalysisSettings } from './engine';
import { isInside } from './paths';
import { isRequirementsFileName } from './project/requirements';
import { scanSequential } from './batch/scan-files';
import type { LoadedRule } from './rules/loader';
import type { Finding, InputProblem } from './types';
import type { SkippedFile } from './workspace/discover';
import type { ArtifactSummary } from './artifacts/scan-artifacts';

export interface ScanSetupOptions {
  /** Paths to scan; the config is looked up from the first one. */
  paths: string[];
  /** An explicit config file (--config); otherwise `.atlas-lens.yaml` is looked up. */
  configFile?: string;
  /** Extra rule directories (--rules). */
  ruleDirs?: string[];
  /** An official ATLAS.yaml to use instead of the bundled catalog (--atlas-data). */
  atlasDataFile?: string;
}

export interface ScanSetup {
  engine: Engine;
  catalog: AtlasCatalog;
  config?: ProjectConfigLoadResult;
  settings: AnalysisSettings;
  /** Configuration problems: config file, rule files, ATLAS data. `fatal` ones stop the scan. */
  problems: InputProblem[];
  fatal: boolean;
}

/** Every ATLAS id a rule cites must exist in the catalog in use. */
export function ruleReferenceProblems(rules: readonly LoadedRule[], catalog: AtlasCatalog): InputProblem[] {
  const problems: InputProblem[] = [];
  for (const rule of rules) {
    rule.atlas.techniques.forEach((id, index) => {
      if (!catalog.technique(id)) problems.push({ file: rule.source, field: `atlas.techniques[${index}]`, message: `unknown ATLAS technique ${id} (ATLAS ${catalog.version})`, severity: 'error' });
    });
    rule.atlas.mitigations.forEach((id, index) => {
      if (!catalog.mitigation(id)) problems.push({ file: rule.source, field: `atlas.mitigations[${index}]`, message: `unknown ATLAS mitigation ${id} (ATLAS ${catalog.version})`, severity: 'error' });
    });
  }
  return problems;
}

export async function setUpScan(options: ScanSetupOptions): Promise<ScanSetup> {
  const problems: InputProblem[] = [];
  let fatal = false;

  const first = path.resolve(options.paths[0] ?? '.');
  const configFile = options.configFile ?? findProjectConfig(fs.existsSync(first) ? first : process.cwd());
  if (options.configFile && !fs.existsSync(options.configFile)) {
    problems.push({ file: path.resolve(options.configFile), message: 'config file not found', severity: 'error' });
    fatal = true;
  }
  const config = configFile && fs.existsSync(configFile) ? loadProjectConfig(configFile) : undefined;
  if (config) {
    problems.push(...config.problems);
    if (config.problems.some((problem) => problem.severity === 'error') && options.configFile) fatal = true;
  }

  const extraRuleDirs = [...(config ? resolveRuleDirs(config) : []), ...(options.ruleDirs ?? []).map((dir) => path.resolve(dir))];
  const engine = await Engine.create({ extraRuleDirs });
  problems.push(...engine.problems);
  if (config) problems.push(...unknownRuleProblems(config, engine.rules.map((rule) => rule.id)));

  let catalog = loadBundledCatalog();
  if (options.atlasDataFile) {
    const official = loadOfficialAtlas(path.resolve(options.atlasDataFile), catalog);
    problems.push(...official.problems);
    if (official.catalog) catalog = official.catalog;
    else fatal = true;
  }
  problems.push(...ruleReferenceProblems(engine.rules, catalog));

  const settings: AnalysisSettings = {
    rules: config?.config.rules,
    minimumSeverity: config?.config.minimumSeverity,
    honorNosec: config?.config.honorNosec,
    timeBudgetMs: config?.config.timeBudgetMs,
    projectRoot: config?.configDir ?? defaultProjectRoot(first),
  };
  return { engine, catalog, config, settings, problems, fatal };
}

/** Files whose folder is the top of a project: its dependency declarations, its repository. */
const PROJECT_MARKERS = ['pyproject.toml', 'setup.py', 'setup.cfg', 'package.json', '.git'];

function isProjectTop(dir: string): boolean {
  if (PROJECT_MARKERS.some((marker) => fs.existsSync(path.join(dir, marker)))) return true;
  try {
    return fs.readdirSync(dir).some(isRequirementsFileName);
  } catch {
    return false;
  }
}

/**
 * The project root of a scan without a config file (where `project-requires` reads the
 * requirements, and inside which model files named in code are inspected): the nearest folder
 * holding a project marker (a requirements file, pyproject.toml, setup.py, setup.cfg,
 * package.json, .git), from the scanned path up to the working directory; else the scanned
 * folder. `scan src/` from the top of a repository then reads its requirements, as the editor
 * does from the workspace folder: the same file gets the same findings. Never above `cwd`.
 */
export function defaultProjectRoot(scanned: string, cwd = process.cwd()): string {
  const start = fs.existsSync(scanned) && fs.statSync(scanned).isDirectory() ? scanned : path.dirname(scanned);
  const within = (dir: string) => dir === cwd || isInside(cwd, dir);
  if (!within(start)) return start;
  for (let dir = start; within(dir); dir = path.dirname(dir)) {
    if (isProjectTop(dir)) return dir;
    if (dir === cwd) break; // also ends the walk when cwd is the filesystem's root (its dirname is itself)
  }
  return start;
}

export interface FileTiming {
  file: string;
  bytes: number;
  ms: number;
}

export interface ScanResult {
  findings: Finding[];
  /** Problems with individual files (unreadable, binary, syntax errors). */
  fileProblems: InputProblem[];
  skipped: SkippedFile[];
  filesScanned: number;
  bytesScanned: number;
  durationMs: number;
  timings: FileTiming[];
  /** The verdict of each model file inspected (clean ones included), in scan order. */
  artifacts?: ArtifactSummary[];
}

export interface ScanOptions {
  onProgress?: (done: number, total: number) => void;
  /** Globs to exclude besides the config's, relative to each root. */
  exclude?: string[];
}

export function scanFiles(setup: ScanSetup, paths: readonly string[], options: ScanOptions = {}): ScanResult {
  // The loop lives with the pooled and cached scans (batch/scan-files.ts) so that all share it.
  return scanSequential(setup, paths, options);
}
