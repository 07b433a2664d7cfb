/**
 * The dangerous and known-safe global lists (data/artifacts/globals.yaml), validated with zod and
 * located errors, extended by the project config's `artifacts:` section, and the classification
 * of one imported global against them. See the YAML's header for the matching rules.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { lazily, zodLibrary } from '../lazily';
import { zodIssuesToProblems } from '../rules/loader';
import { fromSnapshot } from '../rules/validated-snapshot';
import type { InputProblem } from '../types';
import { parseLocatedYaml, YamlSyntaxError } from '../yaml/located-yaml';
import { MODULE_ALIASES } from './pickle';

/** The model-file lists' schemas, built on first use (the bundled lists come validated from the build's snapshot). */
export const globalListSchemas = lazily(() => {
  const { z } = zodLibrary();
  const ModuleName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a dotted Python module name, e.g. torch._utils');
  const GlobalName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)*$/, 'a Python name, e.g. _rebuild_tensor_v2');

  const GlobalEntrySchema = z.strictObject({
    module: ModuleName,
    names: z.array(GlobalName).min(1).optional(),
    reason: z.string().min(1),
    category: z.string().min(1).optional(),
    framework: z.string().min(1).optional(),
  });

  const GlobalListsFileSchema = z.strictObject({
    dangerous: z.array(GlobalEntrySchema),
    safe: z.array(GlobalEntrySchema),
  });

  /**
   * What a user writes under `artifacts.safe` / `artifacts.dangerous`: the same entries with an
   * optional reason, or the short form `"module:name"` (`"module"` alone for a whole module).
   */
  const UserGlobalEntrySchema = z.union([
    z.string().regex(/^[A-Za-z_][\w.]*(:[A-Za-z_][\w.]*)?$/, 'expected "module:name" or "module", e.g. sklearn.ensemble._forest:RandomForestClassifier'),
    GlobalEntrySchema.extend({ reason: z.string().min(1).optional() }),
  ]);
  return { GlobalEntrySchema, GlobalListsFileSchema, UserGlobalEntrySchema };
});
type ListSchemas = ReturnType<typeof globalListSchemas>;
export type UserGlobalEntry = z.infer<ListSchemas['UserGlobalEntrySchema']>;

export interface GlobalEntry {
  module: string;
  names?: string[];
  reason: string;
  category?: string;
  framework?: string;
  /** Where it came from: the bundled file or the project config. */
  source: string;
}

export interface GlobalLists {
  dangerous: readonly GlobalEntry[];
  safe: readonly GlobalEntry[];
}

export type Classification =
  | { kind: 'dangerous'; entry: GlobalEntry }
  | { kind: 'safe'; entry: GlobalEntry }
  | { kind: 'unknown' };

export function bundledListsFile(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'data', 'artifacts', 'globals.yaml');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error(`cannot find data/artifacts/globals.yaml above ${__dirname}`);
  }
}

/** Parses a lists file; invalid entries become located problems and are dropped. */
export function parseGlobalLists(file: string, text: string): { lists: GlobalLists; problems: InputProblem[] } {
  const validated = fromSnapshot('global-lists', text) as z.infer<ListSchemas['GlobalListsFileSchema']> | undefined;
  if (validated) return { lists: tagLists(validated, file), problems: [] };
  return parseGlobalListsUncached(file, text);
}

function tagLists(data: z.infer<ListSchemas['GlobalListsFileSchema']>, file: string): GlobalLists {
  const tag = (entry: z.infer<ListSchemas['GlobalEntrySchema']>): GlobalEntry => ({ ...entry, source: file });
  return { dangerous: data.dangerous.map(tag), safe: data.safe.map(tag) };
}

function parseGlobalListsUncached(file: string, text: string): { lists: GlobalLists; problems: InputProblem[] } {
  let located;
  try {
    located = parseLocatedYaml(text, file);
  } catch (error) {
    if (error instanceof YamlSyntaxError) return { lists: { dangerous: [], safe: [] }, problems: [{ file, ...error.location, message: `invalid YAML: ${error.reason}`, severity: 'error' }] };
    throw error;
  }
  const parsed = globalListSchemas().GlobalListsFileSchema.safeParse(located.value);
  if (parsed.success) return { lists: tagLists(parsed.data, file), problems: [] };
  // Keep the entries that validate alone.
  const problems = zodIssuesToProblems(file, located, parsed.error);
  const raw = (located.value ?? {}) as Record<string, unknown>;
  const keep = (key: 'dangerous' | 'safe'): GlobalEntry[] =>
    (Array.isArray(raw[key]) ? (raw[key] as unknown[]) : []).flatMap((item) => {
      const one = globalListSchemas().GlobalEntrySchema.safeParse(item);
      return one.success ? [{ ...one.data, source: file }] : [];
    });
  return { lists: { dangerous: keep('dangerous'), safe: keep('safe') }, problems };
}

let bundled: { lists: GlobalLists; problems: InputProblem[] } | undefined;

/** The bundled lists, read once. An invalid bundled file is a bug: it throws with the located problems. */
export function bundledGlobalLists(): GlobalLists {
  if (!bundled) {
    const file = bundledListsFile();
    bundled = parseGlobalLists(file, fs.readFileSync(file, 'utf8'));
    if (bundled.problems.length > 0) {
      throw new Error(`invalid ${file}:\n${bundled.problems.map((p) => `${(p.line ?? 0) + 1}:${(p.character ?? 0) + 1}: ${p.message}`).join('\n')}`);
    }
  }
  return bundled.lists;
}

export function userEntry(entry: UserGlobalEntry, source: string): GlobalEntry {
  if (typeof entry === 'string') {
    const [module, name] = entry.split(':') as [string, string | undefined];
    return { module, ...(name ? { names: [name] } : {}), reason: `listed in ${path.basename(source)}`, source };
  }
  return { ...entry, reason: entry.reason ?? `listed in ${path.basename(source)}`, source };
}

/** The bundled lists extended with a project's entries (theirs come after ours). */
export function extendLists(base: GlobalLists, extra: { safe?: readonly UserGlobalEntry[]; dangerous?: readonly UserGlobalEntry[] } | undefined, source: string): GlobalLists {
  if (!extra || (!extra.safe?.length && !extra.dangerous?.length)) return base;
  return {
    dangerous: [...base.dangerous, ...(extra.dangerous ?? []).map((entry) => userEntry(entry, source))],
    safe: [...base.safe, ...(extra.safe ?? []).map((entry) => userEntry(entry, source))],
  };
}

export function normaliseModule(module: string): string {
  const alias = MODULE_ALIASES[module];
  if (alias) return alias;
  const head = module.split('.')[0]!;
  const headAlias = MODULE_ALIASES[head];
  return headAlias ? headAlias + module.slice(head.length) : module;
}

function nameMatches(entry: GlobalEntry, name: string): boolean {
  if (!entry.names) return true;
  const first = name.split('.')[0]!;
  return entry.names.includes(name) || entry.names.includes(first);
}

/**
 * Judges `module.name`. Dangerous entries match submodules when they give no names; safe ones
 * only match their module. A safe entry counts only when its framework is among `frameworks`
 * (entries without a framework, the user's, count everywhere).
 */
export function classifyGlobal(lists: GlobalLists, rawModule: string, name: string, frameworks?: readonly string[]): Classification {
  const module = normaliseModule(rawModule);
  for (const entry of lists.dangerous) {
    const moduleMatches = module === entry.module || (!entry.names && module.startsWith(`${entry.module}.`));
    if (moduleMatches && nameMatches(entry, name)) return { kind: 'dangerous', entry };
  }
  for (const entry of lists.safe) {
    if (entry.framework && frameworks && !frameworks.includes(entry.framework)) continue;
    if (module === entry.module && nameMatches(entry, name)) return { kind: 'safe', entry };
  }
  return { kind: 'unknown' };
}
