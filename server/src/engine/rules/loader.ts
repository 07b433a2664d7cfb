/**
 * Loads rule packs: every `*.yaml` / `*.yml` under the given directories, one rule a file.
 * A broken rule file becomes a located problem and the other rules still load.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import type { InputProblem } from '../types';
import { parseLocatedYaml, YamlSyntaxError, type LocatedYaml, type PathSegment } from '../yaml/located-yaml';
import type { RuleSpec } from './schema';
import { fromSnapshot } from './validated-snapshot';
import { markValidatedOptions } from './validated-options';

export interface LoadedRule extends RuleSpec {
  /** The file the rule came from. */
  source: string;
}

export interface RuleLoadResult {
  rules: LoadedRule[];
  problems: InputProblem[];
}

/** Turns zod issues into problems located in the YAML source. */
export function zodIssuesToProblems(file: string, located: LocatedYaml, error: z.ZodError): InputProblem[] {
  return error.issues.flatMap((issue) => {
    const issuePath = issue.path.filter((segment): segment is PathSegment => typeof segment !== 'symbol');
    // zod reports unknown fields on their parent object; each is located at its own key.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => {
        const where = located.locate([...issuePath, `${key}:key`]);
        const field = formatFieldPath([...issuePath, key]);
        return { file, line: where.line, character: where.character, field, message: `${field}: unknown field`, severity: 'error' as const };
      });
    }
    const where = located.locate(issuePath);
    const field = formatFieldPath(issuePath);
    return [
      {
        file,
        line: where.line,
        character: where.character,
        field: field || undefined,
        message: field ? `${field}: ${issue.message}` : `the file must be a mapping of fields: ${issue.message}`,
        severity: 'error' as const,
      },
    ];
  });
}

export function formatFieldPath(segments: readonly PathSegment[]): string {
  let out = '';
  for (const segment of segments) out += typeof segment === 'number' ? `[${segment}]` : out ? `.${segment}` : segment;
  return out;
}

/**
 * Parses YAML text and validates it with a zod schema; every problem is located in `file`
 * (syntax errors at their position, schema errors at the offending field).
 */
export function parseValidatedYaml<Schema extends z.ZodType>(
  file: string,
  text: string,
  schema: Schema,
): { data: z.output<Schema>; located: LocatedYaml; problems: [] } | { data?: undefined; problems: InputProblem[] } {
  let located: LocatedYaml;
  try {
    located = parseLocatedYaml(text, file);
  } catch (error) {
    if (error instanceof YamlSyntaxError) {
      return { problems: [{ file, ...error.location, message: `invalid YAML: ${error.reason}`, severity: 'error' }] };
    }
    throw error;
  }
  const parsed = schema.safeParse(located.value);
  if (!parsed.success) return { problems: zodIssuesToProblems(file, located, parsed.error) };
  return { data: parsed.data, located, problems: [] };
}

/** Parses and validates one rule file's text (a bundled rule's validated form comes from the build's snapshot). */
export function parseRuleFile(file: string, text: string): { rule?: LoadedRule; problems: InputProblem[] } {
  const validated = fromSnapshot('rule', text) as RuleSpec | undefined;
  if (validated) {
    // The build validated the check's options and gave them their defaults (below).
    if ('check' in validated.match && validated.match.options) markValidatedOptions(validated.match.options);
    return { rule: { ...validated, source: file }, problems: [] };
  }
  return parseRuleFileUncached(file, text);
}

/** Parses and validates one rule file's text, never from the snapshot (the build writes the snapshot with it). */
export function parseRuleFileUncached(file: string, text: string): { rule?: LoadedRule; problems: InputProblem[] } {
  // Required here: building the rule schema would cost every start, and bundled rules need none (schema.ts).
  const { RuleSchema } = require('./schema') as typeof import('./schema');
  const parsed = parseValidatedYaml(file, text, RuleSchema);
  if (parsed.data === undefined) return { problems: parsed.problems };
  const { located } = parsed;
  const problems: InputProblem[] = [];
  for (const [index, pattern] of regexFields(parsed.data)) {
    try {
      new RegExp(pattern, 'u');
    } catch (error) {
      const where = located.locate(index);
      problems.push({ file, ...where, field: formatFieldPath(index), message: `invalid regular expression: ${(error as Error).message}`, severity: 'error' });
    }
  }
  const check = checkOptions(file, located, parsed.data);
  problems.push(...check.problems);
  if (problems.length > 0) return { problems };
  // The check's options as its schema outputs them (defaults given): the check reads them as they are.
  const match = check.options ? { ...parsed.data.match, options: check.options } : parsed.data.match;
  if (check.options) markValidatedOptions(check.options);
  return { rule: { ...parsed.data, match, source: file } as LoadedRule, problems };
}

/**
 * A rule's check must be one the engine has for the rule's languages, and be given options it
 * can read (its own schema: checks/index.ts, typescript/checks/options.ts; the checks of the
 * other file kinds read their options leniently and have none). Gives the options as the schema
 * outputs them.
 */
function checkOptions(file: string, located: LocatedYaml, rule: RuleSpec): { problems: InputProblem[]; options?: Record<string, unknown> } {
  if (!('check' in rule.match)) return { problems: [] };
  const { check, options } = rule.match;
  const checks = checksFor(rule.languages);
  if (!checks.has(check)) {
    return { problems: [{ file, ...located.locate(['match', 'check']), field: 'match.check', message: `match.check: no check named "${check}" (the engine has ${[...checks.keys()].join(', ')})`, severity: 'error' }] };
  }
  const parsed = checks.get(check)?.().safeParse(options ?? {});
  if (!parsed) return { problems: [] };
  if (parsed.success) return { problems: [], options: parsed.data as Record<string, unknown> };
  const issues = parsed.error.issues.map((issue) => ({ ...issue, path: ['match', 'options', ...issue.path] }));
  return { problems: zodIssuesToProblems(file, located, { issues } as z.ZodError) };
}

/** The checks a rule for these languages may name, with their options' schemas (built on first use). */
function checksFor(languages: RuleSpec['languages']): ReadonlyMap<string, (() => z.ZodType) | undefined> {
  // Required here, not imported: the checks import what imports this loader (the artifact lists, the config).
  if (languages.every((language) => language === 'python')) return (require('../checks/index') as typeof import('../checks/index')).PYTHON_CHECK_OPTIONS;
  if (languages.every((language) => language === 'typescript' || language === 'javascript')) {
    const { TS_CHECK_OPTIONS } = require('../typescript/checks/options') as typeof import('../typescript/checks/options');
    return new Map([...TS_CHECK_OPTIONS].map(([name, schema]) => [name, schema && (() => schema)]));
  }
  // Requirements, Dockerfiles, YAML, notebooks' shell lines, model files.
  const { registeredFileChecks } = require('../checks/files/index') as typeof import('../checks/files/index');
  const { ARTIFACT_CHECKS } = require('../artifacts/findings') as typeof import('../artifacts/findings');
  return new Map([...registeredFileChecks(), ...Object.values(ARTIFACT_CHECKS)].map((name) => [name, undefined]));
}

/** Every `matches:` / `find:` pattern of a rule with its path, so bad regexes are reported at load time. */
function regexFields(rule: RuleSpec): Array<[PathSegment[], string]> {
  const found: Array<[PathSegment[], string]> = [];
  const walk = (value: unknown, at: PathSegment[]): void => {
    if (Array.isArray(value)) value.forEach((item, i) => walk(item, [...at, i]));
    else if (value && typeof value === 'object') {
      for (const [key, child] of Object.entries(value)) {
        if ((key === 'matches' || key === 'find') && typeof child === 'string') found.push([[...at, key], child]);
        else walk(child, [...at, key]);
      }
    }
  };
  walk(rule.match, ['match']);
  return found;
}

export function listYamlFiles(directory: string): string[] {
  const out: string[] = [];
  // By code unit, not localeCompare: the same order on every machine whatever its locale (rule
  // order shows in SARIF's rule list), and no collator to build at start (~10 ms).
  const entries = fs.readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const entry of entries) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) out.push(...listYamlFiles(full));
    else if (entry.isFile() && /\.ya?ml$/.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * Loads every rule under `directories`. Later directories may not redefine an earlier rule id:
 * the duplicate is reported and skipped, so a user pack cannot silently shadow a built-in rule.
 */
export function loadRules(directories: readonly string[]): RuleLoadResult {
  const rules: LoadedRule[] = [];
  const problems: InputProblem[] = [];
  const byId = new Map<string, LoadedRule>();
  for (const directory of directories) {
    let files: string[];
    try {
      files = listYamlFiles(directory);
    } catch (error) {
      problems.push({ file: directory, message: `cannot read rule directory: ${(error as Error).message}`, severity: 'error' });
      continue;
    }
    for (const file of files) {
      let text: string;
      try {
        text = fs.readFileSync(file, 'utf8');
      } catch (error) {
        problems.push({ file, message: `cannot read rule file: ${(error as Error).message}`, severity: 'error' });
        continue;
      }
      const result = parseRuleFile(file, text);
      problems.push(...result.problems);
      if (!result.rule) continue;
      const previous = byId.get(result.rule.id);
      if (previous) {
        problems.push({ file, line: 0, character: 0, field: 'id', message: `rule id "${result.rule.id}" is already defined in ${previous.source}; this file is skipped`, severity: 'error' });
        continue;
      }
      byId.set(result.rule.id, result.rule);
      rules.push(result.rule);
    }
  }
  return { rules, problems };
}
