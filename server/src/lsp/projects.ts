/**
 * What analysing a document needs besides its text: the project config (`.atlas-lens.yaml` found
 * upwards from the file, as the CLI does), an engine with the config's extra rule directories,
 * the ATLAS catalog (bundled, or `atlasLens.atlasDataPath`), the merged analysis settings and
 * whether the file is excluded. Everything is loaded lazily, cached, and dropped at once by
 * `invalidate()` when a config, rule or ATLAS data file changes. The same functions as the CLI's
 * scan setup (engine/scan.ts) produce the configuration problems.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { loadBundledCatalog, type AtlasCatalog } from '../engine/atlas/catalog';
import { loadOfficialAtlas } from '../engine/atlas/official';
import { CONFIG_FILE_NAMES, findProjectConfig, loadProjectConfig, resolveRuleDirs, unknownRuleProblems, type ProjectConfigLoadResult } from '../engine/config/project-config';
import { Engine, type AnalysisSettings } from '../engine/engine';
import { ruleReferenceProblems } from '../engine/scan';
import { DEFAULT_MAX_FILE_SIZE_KB } from '../engine/workspace/discover';
import type { InputProblem } from '../engine/types';
import type { Logger } from './logger';
import type { AtlasLensSettings } from './settings';
import { isInside } from '../engine/paths';

export interface ProjectContext {
  engine: Engine;
  catalog: AtlasCatalog;
  config?: ProjectConfigLoadResult;
  analysis: AnalysisSettings;
  /** Why the file is not analysed, if it is not. */
  excludedBy?: string;
}

const toPosix = (p: string): string => p.split(path.sep).join('/');


export class Projects {
  private readonly configPathByDir = new Map<string, string | null>();
  private readonly configs = new Map<string, ProjectConfigLoadResult>();
  private readonly engines = new Map<string, Promise<Engine>>();
  private readonly catalogs = new Map<string, { catalog?: AtlasCatalog; problems: InputProblem[] }>();
  private readonly referenceProblems = new Map<Engine, Map<AtlasCatalog, InputProblem[]>>();
  private readonly loadedEngines = new Map<string, Engine>();
  private readonly matchers = new Map<string, (file: string) => boolean>();
  /** Bumped by invalidate(); analyses of an older generation are out of date. */
  generation = 0;
  /** Something was loaded (and may have problems) since takeNewlyLoaded() last said so. */
  private newlyLoaded = false;
  workspaceFolders: string[] = [];
  /**
   * False in an untrusted workspace (initializationOptions.workspaceTrusted): the custom rule
   * directories a `.atlas-lens.yaml` names are workspace input and are not loaded.
   */
  trusted = true;

  constructor(private readonly log: Logger) {}

  /** The bundled catalog, or the last official one loaded without problems (hover on ids, commands). */
  defaultCatalog(settings?: AtlasLensSettings, near?: string): AtlasCatalog {
    return this.catalogFor(settings?.atlasDataPath ?? null, near);
  }

  workspaceFolderOf(file: string): string | undefined {
    let best: string | undefined;
    for (const folder of this.workspaceFolders) if ((file === folder || isInside(folder, file)) && (!best || folder.length > best.length)) best = folder;
    return best;
  }

  configFor(directory: string): ProjectConfigLoadResult | undefined {
    let configPath = this.configPathByDir.get(directory);
    if (configPath === undefined) {
      configPath = findProjectConfig(directory) ?? null;
      this.configPathByDir.set(directory, configPath);
    }
    if (configPath === null) return undefined;
    let config = this.configs.get(configPath);
    if (!config) {
      config = loadProjectConfig(configPath);
      this.configs.set(configPath, config);
      this.newlyLoaded = true;
      this.log.info(`project config ${configPath}${config.problems.length ? ` (${config.problems.length} problem(s))` : ''}`);
    }
    return config;
  }

  /** The config's rule directories that are loaded: none in an untrusted workspace. */
  private ruleDirsOf(config: ProjectConfigLoadResult | undefined): string[] {
    return config && this.trusted ? resolveRuleDirs(config) : [];
  }

  private engineFor(ruleDirs: string[]): Promise<Engine> {
    const key = ruleDirs.join('\u0000');
    let engine = this.engines.get(key);
    if (!engine) {
      engine = Engine.create({ extraRuleDirs: ruleDirs });
      engine.then(
        (loaded) => {
          if (this.engines.get(key) === engine) this.loadedEngines.set(key, loaded);
          this.newlyLoaded = true;
          this.log.info(`loaded ${loaded.rules.length} rules${ruleDirs.length ? ` (extra: ${ruleDirs.join(', ')})` : ''}`);
        },
        (error: unknown) => this.log.error(`cannot load the rules: ${(error as Error).stack ?? String(error)}`),
      );
      this.engines.set(key, engine);
    }
    return engine;
  }

  private catalogFor(atlasDataPath: string | null, near?: string): AtlasCatalog {
    const bundled = loadBundledCatalog();
    if (!atlasDataPath) return bundled;
    const base = (near && this.workspaceFolderOf(near)) ?? this.workspaceFolders[0] ?? process.cwd();
    const file = path.resolve(base, atlasDataPath);
    let loaded = this.catalogs.get(file);
    if (!loaded) {
      loaded = fs.existsSync(file) ? loadOfficialAtlas(file, bundled) : { problems: [] };
      if (!fs.existsSync(file)) this.log.warn(`atlasLens.atlasDataPath: ${file} does not exist; using the bundled ATLAS ${bundled.version}`);
      this.catalogs.set(file, loaded);
      this.newlyLoaded = true;
    }
    return loaded.catalog ?? bundled;
  }

  private matcher(globs: readonly string[]): (file: string) => boolean {
    const key = JSON.stringify(globs);
    let match = this.matchers.get(key);
    if (!match) {
      match = picomatch([...globs], { dot: true });
      this.matchers.set(key, match);
    }
    return match;
  }

  /** `file` is the path the engine sees; `fsPath` the file on disk, when there is one. */
  async contextFor(file: string, fsPath: string | undefined, settings: AtlasLensSettings): Promise<ProjectContext> {
    const config = fsPath ? this.configFor(path.dirname(fsPath)) : undefined;
    const engine = await this.engineFor(this.ruleDirsOf(config));
    const catalog = this.catalogFor(settings.atlasDataPath, fsPath);
    this.noteReferences(engine, catalog);
    const folder = fsPath ? this.workspaceFolderOf(fsPath) : undefined;
    const analysis: AnalysisSettings = {
      rules: { ...(config?.config.rules ?? {}), ...settings.rules },
      minimumSeverity: settings.minimumSeverity ?? config?.config.minimumSeverity,
      honorNosec: settings.honorNosec ?? config?.config.honorNosec,
      maxFileSizeKb: config?.config.maxFileSizeKb ?? DEFAULT_MAX_FILE_SIZE_KB,
      timeBudgetMs: config?.config.timeBudgetMs,
      projectRoot: config?.configDir ?? folder ?? path.dirname(file),
    };
    return { engine, catalog, config, analysis, excludedBy: fsPath ? this.exclusion(fsPath, folder, config, settings) : undefined };
  }

  private exclusion(file: string, folder: string | undefined, config: ProjectConfigLoadResult | undefined, settings: AtlasLensSettings): string | undefined {
    if (settings.exclude.length > 0) {
      const match = this.matcher(settings.exclude);
      const relative = folder ? toPosix(path.relative(folder, file)) : undefined;
      if ((relative !== undefined && match(relative)) || match(toPosix(file))) return 'atlasLens.exclude';
    }
    if (config && isInside(config.configDir, file)) {
      const relative = toPosix(path.relative(config.configDir, file));
      if (config.config.exclude.length > 0 && this.matcher(config.config.exclude)(relative)) return `exclude in ${config.file}`;
      if (config.config.include.length > 0 && !this.matcher(config.config.include)(relative)) return `include in ${config.file}`;
    }
    return undefined;
  }

  private noteReferences(engine: Engine, catalog: AtlasCatalog): void {
    let byCatalog = this.referenceProblems.get(engine);
    if (!byCatalog) this.referenceProblems.set(engine, (byCatalog = new Map()));
    if (byCatalog.has(catalog)) return;
    byCatalog.set(catalog, ruleReferenceProblems(engine.rules, catalog));
    this.newlyLoaded = true;
  }

  /** Loads the config of each workspace folder now, so that its problems show before any file is opened. */
  async preload(settings: AtlasLensSettings): Promise<void> {
    for (const folder of this.workspaceFolders) {
      const config = this.configFor(folder);
      const engine = await this.engineFor(this.ruleDirsOf(config));
      this.noteReferences(engine, this.catalogFor(settings.atlasDataPath, folder));
    }
  }

  /** Every problem with the config, rule and ATLAS data files loaded so far. */
  async inputProblems(): Promise<InputProblem[]> {
    const problems: InputProblem[] = [];
    await Promise.allSettled([...this.engines.values()]);
    const seen = new Set<string>();
    const add = (list: readonly InputProblem[]): void => {
      for (const problem of list) {
        const key = `${problem.file}:${problem.line}:${problem.character}:${problem.field}:${problem.message}`;
        if (seen.has(key)) continue;
        seen.add(key);
        problems.push(problem);
      }
    };
    for (const config of this.configs.values()) {
      add(config.problems);
      if (!this.trusted && config.config.ruleDirs.length > 0) {
        const where = config.locate?.(['ruleDirs']);
        add([{ file: config.file, ...(where ?? {}), field: 'ruleDirs', message: 'ruleDirs: not loaded, the workspace is not trusted (the bundled rules still run)', severity: 'info' }]);
      }
      const engine = this.loadedEngines.get(this.ruleDirsOf(config).join('\u0000'));
      if (engine) add(unknownRuleProblems(config, engine.rules.map((rule) => rule.id)));
    }
    for (const engine of this.loadedEngines.values()) add(engine.problems);
    for (const byCatalog of this.referenceProblems.values()) for (const list of byCatalog.values()) add(list);
    for (const loaded of this.catalogs.values()) add(loaded.problems);
    return problems;
  }

  /** Whether configuration problems may have changed since the last call. */
  takeNewlyLoaded(): boolean {
    const result = this.newlyLoaded;
    this.newlyLoaded = false;
    return result;
  }

  /** Technique ids cited by the rules loaded so far. */
  citedTechniques(): Set<string> {
    const cited = new Set<string>();
    for (const engine of this.loadedEngines.values()) for (const rule of engine.rules) for (const id of rule.atlas.techniques) cited.add(id);
    return cited;
  }

  /** Whether a change of this file changes what the analysis uses. */
  isInput(file: string): boolean {
    if ((CONFIG_FILE_NAMES as readonly string[]).includes(path.basename(file))) return true;
    if (this.catalogs.has(file)) return true;
    for (const config of this.configs.values()) {
      if (config.file === file) return true;
      if (this.ruleDirsOf(config).some((dir) => file === dir || isInside(dir, file))) return true;
    }
    return false;
  }

  /** Drops every config, engine and catalog; the next analysis reloads what it needs. */
  invalidate(): void {
    this.configPathByDir.clear();
    this.configs.clear();
    this.engines.clear();
    this.loadedEngines.clear();
    this.catalogs.clear();
    this.referenceProblems.clear();
    this.generation++;
  }
}
