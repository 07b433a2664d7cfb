/**
 * The project config, `.atlas-lens.yaml` (or `.yml`), found by walking up from the scanned folder.
 * Every path in it (include/exclude globs, ruleDirs) is relative to the directory holding the file,
 * which is why the load result carries `configDir`.
 *
 * A broken config never throws and never costs the user the parts that are valid: each invalid
 * field becomes a located problem and falls back to its default, and an invalid entry of `rules`
 * drops only that entry.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { SEVERITY_RANK, type InputProblem, type Severity } from '../types';
import { formatFieldPath, zodIssuesToProblems } from '../rules/loader';
import { parseLocatedYaml, YamlSyntaxError, type LocatedYaml, type PathSegment, type SourceLocation } from '../yaml/located-yaml';
import { globalListSchemas, type UserGlobalEntry } from '../artifacts/lists';
import { lazily, zodLibrary } from '../lazily';

export const CONFIG_FILE_NAMES = ['.atlas-lens.yaml', '.atlas-lens.yml'] as const;

const SEVERITIES = ['error', 'warning', 'info'] as const;
export const RULE_SETTINGS = ['off', 'on', 'error', 'warning', 'info'] as const;
export type RuleSetting = (typeof RULE_SETTINGS)[number];

/** The config file's schemas, built on first use (a scan without a config file needs none). */
const configSchemas = lazily(() => {
  const { z } = zodLibrary();
  /** Same shape as rule ids in rule files (kebab-case). */
  const RuleIdKey = z.string().regex(/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/, 'rule ids are kebab-case, e.g. torch-load-unsafe');
  const RuleSettingSchema = z.enum(RULE_SETTINGS, { error: 'expected one of off, on, error, warning, info' });
  const GlobList = z.array(z.string().min(1, 'a glob must not be empty'));

  /** One schema per field, so that an invalid field can fall back alone. */
  const FIELD_SCHEMAS = {
    rules: z.record(RuleIdKey, RuleSettingSchema),
    include: GlobList,
    exclude: GlobList,
    // Inside the project: a cloned repository's config must not make the engine read elsewhere.
    ruleDirs: z.array(
      z
        .string()
        .min(1, 'a directory must not be empty')
        .refine((dir) => !escapesDirectory(dir), 'must be a directory inside the folder holding .atlas-lens.yaml (use --rules for a pack elsewhere)'),
    ),
    respectGitignore: z.boolean(),
    honorNosec: z.boolean(),
    minimumSeverity: z.enum(SEVERITIES, { error: 'expected one of error, warning, info' }),
    maxFileSizeKb: z.number().positive('must be greater than 0').finite(),
    /** Milliseconds one file's analysis may take before it is stopped and reported (guard.ts). */
    timeBudgetMs: z.number().int('must be a whole number of milliseconds').positive('must be greater than 0').max(600_000, 'at most 600000 (ten minutes)'),
    /** Model files (pickles, checkpoints): globals to add to the known-safe / dangerous lists, and a size limit. */
    artifacts: z.strictObject({
      safe: z.array(globalListSchemas().UserGlobalEntrySchema).default([]),
      dangerous: z.array(globalListSchemas().UserGlobalEntrySchema).default([]),
      maxFileSizeMb: z.number().positive('must be greater than 0').finite().default(4096),
    }),
  } as const satisfies Record<(typeof CONFIG_FIELDS)[number], z.ZodType>;

  /** The file as written: every field optional, unknown fields rejected. */
  const ProjectConfigFileSchema = z.strictObject({
    rules: FIELD_SCHEMAS.rules.optional(),
    include: FIELD_SCHEMAS.include.optional(),
    exclude: FIELD_SCHEMAS.exclude.optional(),
    ruleDirs: FIELD_SCHEMAS.ruleDirs.optional(),
    respectGitignore: FIELD_SCHEMAS.respectGitignore.optional(),
    honorNosec: FIELD_SCHEMAS.honorNosec.optional(),
    minimumSeverity: FIELD_SCHEMAS.minimumSeverity.optional(),
    maxFileSizeKb: FIELD_SCHEMAS.maxFileSizeKb.optional(),
    timeBudgetMs: FIELD_SCHEMAS.timeBudgetMs.optional(),
    artifacts: FIELD_SCHEMAS.artifacts.optional(),
  });
  return { RuleIdKey, RuleSettingSchema, FIELD_SCHEMAS, ProjectConfigFileSchema };
});

/** The fields a config file may have. */
const CONFIG_FIELDS = ['rules', 'include', 'exclude', 'ruleDirs', 'respectGitignore', 'honorNosec', 'minimumSeverity', 'maxFileSizeKb', 'timeBudgetMs', 'artifacts'] as const;

export type ProjectConfigFile = z.infer<ReturnType<typeof configSchemas>['ProjectConfigFileSchema']>;

/** The config with defaults applied. Paths and globs are still relative to the config's directory. */
export interface ProjectConfig {
  rules: Record<string, RuleSetting>;
  /** Empty means "everything". */
  include: string[];
  exclude: string[];
  ruleDirs: string[];
  respectGitignore: boolean;
  honorNosec: boolean;
  minimumSeverity: Severity;
  maxFileSizeKb: number;
  /** Absent: the engine's default (guard.ts DEFAULT_TIME_BUDGET_MS). */
  timeBudgetMs?: number;
  /** Present only when the file has an `artifacts:` section. */
  artifacts?: { safe: UserGlobalEntry[]; dangerous: UserGlobalEntry[]; maxFileSizeMb: number };
}

export function defaultProjectConfig(): ProjectConfig {
  return {
    rules: {},
    include: [],
    exclude: [],
    ruleDirs: [],
    respectGitignore: true,
    honorNosec: true,
    minimumSeverity: 'info',
    maxFileSizeKb: 1024,
  };
}

export interface ProjectConfigLoadResult {
  config: ProjectConfig;
  problems: InputProblem[];
  /** Absolute path of the config file. */
  file: string;
  /** Absolute directory of the config file: the base of every relative path and glob in it. */
  configDir: string;
  /** Where a field of the file starts (for later problems, e.g. unknown rule ids); absent if the YAML did not parse. */
  locate?: (fieldPath: readonly PathSegment[]) => SourceLocation;
}

/** Reads, validates and defaults a config file. Never throws. */
export function loadProjectConfig(file: string): ProjectConfigLoadResult {
  const absolute = path.resolve(file);
  let text: string;
  try {
    text = fs.readFileSync(absolute, 'utf8');
  } catch (error) {
    return {
      config: defaultProjectConfig(),
      problems: [{ file: absolute, message: `cannot read config file: ${(error as Error).message}`, severity: 'error' }],
      file: absolute,
      configDir: path.dirname(absolute),
    };
  }
  return parseProjectConfig(absolute, text);
}

/** Validates config text; `file` names it in problems and fixes `configDir`. Never throws. */
export function parseProjectConfig(file: string, text: string): ProjectConfigLoadResult {
  const absolute = path.resolve(file);
  const configDir = path.dirname(absolute);
  // An empty file (or one holding only comments) is a valid, empty config; js-yaml rejects it.
  if (/^(?:[ \t]*(?:#[^\n]*)?\r?(?:\n|$))*$/.test(text.replace(/^\uFEFF/, ''))) {
    return { config: defaultProjectConfig(), problems: [], file: absolute, configDir };
  }
  let located: LocatedYaml;
  try {
    located = parseLocatedYaml(text, absolute);
  } catch (error) {
    const problem: InputProblem =
      error instanceof YamlSyntaxError
        ? { file: absolute, ...error.location, message: `invalid YAML: ${error.reason}`, severity: 'error' }
        : { file: absolute, message: `cannot parse config file: ${(error as Error).message}`, severity: 'error' };
    return { config: defaultProjectConfig(), problems: [problem], file: absolute, configDir };
  }
  const locate = (fieldPath: readonly PathSegment[]): SourceLocation => located.locate(fieldPath);

  // A document holding only `---` or `null`.
  if (located.value === undefined || located.value === null) {
    return { config: defaultProjectConfig(), problems: [], file: absolute, configDir, locate };
  }

  const parsed = configSchemas().ProjectConfigFileSchema.safeParse(located.value);
  if (parsed.success) {
    return { config: withDefaults(parsed.data), problems: [], file: absolute, configDir, locate };
  }
  const problems = issuesToProblems(absolute, located, parsed.error);
  return { config: salvage(located.value), problems, file: absolute, configDir, locate };
}

function withDefaults(file: ProjectConfigFile): ProjectConfig {
  const defaults = defaultProjectConfig();
  return {
    rules: { ...(file.rules ?? defaults.rules) },
    include: [...(file.include ?? defaults.include)],
    exclude: [...(file.exclude ?? defaults.exclude)],
    ruleDirs: [...(file.ruleDirs ?? defaults.ruleDirs)],
    respectGitignore: file.respectGitignore ?? defaults.respectGitignore,
    honorNosec: file.honorNosec ?? defaults.honorNosec,
    minimumSeverity: file.minimumSeverity ?? defaults.minimumSeverity,
    maxFileSizeKb: file.maxFileSizeKb ?? defaults.maxFileSizeKb,
    ...(file.timeBudgetMs !== undefined ? { timeBudgetMs: file.timeBudgetMs } : {}),
    ...(file.artifacts ? { artifacts: file.artifacts } : {}),
  };
}

/**
 * Keeps what is valid of an invalid document: each field that validates alone is kept, valid
 * entries of `rules` are kept one by one, and valid items of the path lists are kept. The
 * problems were reported already; this only decides what the scan uses.
 */
function salvage(value: unknown): ProjectConfig {
  const config = defaultProjectConfig();
  if (!value || typeof value !== 'object' || Array.isArray(value)) return config;
  const record = value as Record<string, unknown>;
  const { FIELD_SCHEMAS, RuleIdKey, RuleSettingSchema } = configSchemas();
  const take = <K extends keyof typeof FIELD_SCHEMAS>(key: K): void => {
    if (!(key in record)) return;
    const result = FIELD_SCHEMAS[key].safeParse(record[key]);
    if (result.success) (config as unknown as Record<string, unknown>)[key] = result.data;
  };
  for (const key of ['respectGitignore', 'honorNosec', 'minimumSeverity', 'maxFileSizeKb', 'timeBudgetMs', 'artifacts'] as const) take(key);

  const rules = record.rules;
  if (rules && typeof rules === 'object' && !Array.isArray(rules)) {
    for (const [id, setting] of Object.entries(rules as Record<string, unknown>)) {
      if (RuleIdKey.safeParse(id).success && RuleSettingSchema.safeParse(setting).success) config.rules[id] = setting as RuleSetting;
    }
  }
  for (const key of ['include', 'exclude', 'ruleDirs'] as const) {
    const list = record[key];
    if (Array.isArray(list)) config[key] = list.filter((item): item is string => typeof item === 'string' && item.length > 0 && !(key === 'ruleDirs' && escapesDirectory(item)));
  }
  return config;
}

/**
 * zod issues to located problems. Unknown fields and bad record keys are located at the key
 * (zod reports them on the parent object), the rest go through the rule loader's conversion.
 */
function issuesToProblems(file: string, located: LocatedYaml, error: z.ZodError): InputProblem[] {
  const problems: InputProblem[] = [];
  const rest: z.core.$ZodIssue[] = [];
  const atKey = (issuePath: PathSegment[], key: string, message: string): void => {
    const where = located.locate([...issuePath, `${key}:key`]);
    const field = formatFieldPath([...issuePath, key]);
    problems.push({ file, line: where.line, character: where.character, field, message: `${field}: ${message}`, severity: 'error' });
  };
  for (const issue of error.issues) {
    const issuePath = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    if (issue.code === 'unrecognized_keys') {
      const known = issuePath.length === 0 ? ` (known fields: ${CONFIG_FIELDS.join(', ')})` : '';
      for (const key of issue.keys) atKey(issuePath, key, `unknown field${known}`);
    } else if (issue.code === 'invalid_key') {
      const key = issuePath.at(-1);
      const inner = issue.issues[0]?.message ?? issue.message;
      if (typeof key === 'string') atKey(issuePath.slice(0, -1), key, inner);
      else rest.push(issue);
    } else {
      rest.push(issue);
    }
  }
  if (rest.length > 0) problems.push(...zodIssuesToProblems(file, located, new (zodLibrary().z.ZodError)(rest)));
  return problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.character ?? 0) - (b.character ?? 0));
}

/**
 * Walks up from `startDir` (a file is taken as its directory) to the filesystem root, or to
 * `stopDir` inclusive when `startDir` is inside it, and returns the first `.atlas-lens.yaml`
 * (preferred) or `.atlas-lens.yml` found.
 */
export function findProjectConfig(startDir: string, stopDir?: string): string | undefined {
  let dir = path.resolve(startDir);
  const startStat = fs.statSync(dir, { throwIfNoEntry: false });
  if (startStat?.isFile()) dir = path.dirname(dir);
  const stop = stopDir === undefined ? undefined : path.resolve(stopDir);
  for (;;) {
    for (const name of CONFIG_FILE_NAMES) {
      const candidate = path.join(dir, name);
      if (fs.statSync(candidate, { throwIfNoEntry: false })?.isFile()) return candidate;
    }
    if (dir === stop) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/**
 * The severity a rule reports with under `config`: `'off'` when disabled, the configured severity
 * when one is set, otherwise (`on` or not mentioned) the rule's default. `minimumSeverity` is not
 * applied here; see `meetsMinimumSeverity`.
 */
export function effectiveSeverity(ruleId: string, defaultSeverity: Severity, config: Pick<ProjectConfig, 'rules'> | undefined): Severity | 'off' {
  const setting = config?.rules[ruleId];
  if (setting === undefined || setting === 'on') return defaultSeverity;
  return setting;
}

/** Whether a finding of `severity` is reported under the config's `minimumSeverity`. */
export function meetsMinimumSeverity(severity: Severity, config: Pick<ProjectConfig, 'minimumSeverity'> | undefined): boolean {
  return SEVERITY_RANK[severity] >= SEVERITY_RANK[config?.minimumSeverity ?? 'info'];
}

/**
 * Both at once: the severity to report with, or `'off'` when the rule is disabled or its
 * effective severity is below `minimumSeverity`.
 */
export function reportedSeverity(ruleId: string, defaultSeverity: Severity, config: ProjectConfig | undefined): Severity | 'off' {
  const severity = effectiveSeverity(ruleId, defaultSeverity, config);
  if (severity === 'off' || !meetsMinimumSeverity(severity, config)) return 'off';
  return severity;
}

/** The config's `ruleDirs`, absolute (resolved against the config's directory). */
export function resolveRuleDirs(loaded: Pick<ProjectConfigLoadResult, 'config' | 'configDir'>): string[] {
  return loaded.config.ruleDirs.map((dir) => path.resolve(loaded.configDir, dir)).filter((dir) => !linksOutside(dir, loaded.configDir));
}

/** Whether a relative path written in the config leaves its directory (absolute, or `..` above it). */
export function escapesDirectory(relative: string): boolean {
  if (path.isAbsolute(relative) || path.win32.isAbsolute(relative)) return true;
  const normal = path.posix.normalize(relative.replace(/\\/g, '/'));
  return normal === '..' || normal.startsWith('../');
}

/** Whether `dir` (inside `base` as written) is a symbolic link, or below one, to outside `base`. */
function linksOutside(dir: string, base: string): boolean {
  let real: string;
  let realBase: string;
  try {
    real = fs.realpathSync(dir);
    realBase = fs.realpathSync(base);
  } catch {
    return false; // missing: the rule loader reports it without reading anything
  }
  const rel = path.relative(realBase, real);
  return rel.startsWith('..') || path.isAbsolute(rel);
}

/**
 * Warnings for `rules:` entries naming no known rule (a typo would otherwise silently do
 * nothing), located at the key when the file parsed.
 */
export function unknownRuleProblems(loaded: ProjectConfigLoadResult, knownRuleIds: Iterable<string>): InputProblem[] {
  const known = new Set(knownRuleIds);
  const problems: InputProblem[] = [];
  for (const id of Object.keys(loaded.config.rules)) {
    if (known.has(id)) continue;
    const where = loaded.locate?.(['rules', `${id}:key`]);
    const field = formatFieldPath(['rules', id]);
    problems.push({ file: loaded.file, ...(where ?? {}), field, message: `${field}: no rule has the id "${id}"`, severity: 'warning' });
  }
  return problems;
}
