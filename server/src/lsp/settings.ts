/**
 * The `atlasLens.*` settings: their typed shape, defaults and the lenient normalisation of what
 * `workspace/configuration` returns (an invalid value falls back alone and is reported), plus the
 * per-URI cache the server keeps. Free of LSP imports so the extension can share the types.
 */
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import type { RuleSetting } from '../engine/engine';
import type { Severity } from '../engine/types';

export type TraceLevel = 'off' | 'messages' | 'verbose';

export interface AtlasLensSettings {
  /** Analyse documents at all. */
  enable: boolean;
  /** Per-rule on/off or severity; over the project config's `rules`. */
  rules: Record<string, RuleSetting>;
  /** Globs of files not to analyse, relative to the workspace folder (or absolute). */
  exclude: string[];
  /** null: the project config's, else info. */
  minimumSeverity: Severity | null;
  /** null: the project config's, else true. */
  honorNosec: boolean | null;
  /** An official ATLAS.yaml to use instead of the bundled catalog; null: bundled. */
  atlasDataPath: string | null;
  /** Scan the workspace once the server is initialized. */
  scanOnStartup: boolean;
  /** A SARIF file of an earlier scan (relative to the workspace folder); null: no baseline. */
  baseline: string | null;
  /** Hide findings that are in the baseline from diagnostics too. */
  onlyNewSinceBaseline: boolean;
  trace: { server: TraceLevel };
}

export const DEFAULT_SETTINGS: Readonly<AtlasLensSettings> = Object.freeze<AtlasLensSettings>({
  enable: true,
  rules: {},
  exclude: [],
  minimumSeverity: null,
  honorNosec: null,
  atlasDataPath: null,
  scanOnStartup: false,
  baseline: null,
  onlyNewSinceBaseline: false,
  trace: { server: 'off' },
});

const Severity = z.enum(['error', 'warning', 'info']);
const RuleValue = z.union([z.enum(['on', 'off', 'error', 'warning', 'info']), z.boolean().transform((on) => (on ? 'on' : 'off'))]);

const FIELDS = {
  enable: z.boolean(),
  rules: z.record(z.string(), z.unknown()),
  exclude: z.array(z.string()),
  minimumSeverity: Severity.nullable(),
  honorNosec: z.boolean().nullable(),
  atlasDataPath: z.string().nullable(),
  scanOnStartup: z.boolean(),
  baseline: z.string().nullable(),
  onlyNewSinceBaseline: z.boolean(),
  trace: z.object({ server: z.enum(['off', 'messages', 'verbose']).optional() }).passthrough(),
} as const;

export interface NormalizedSettings {
  settings: AtlasLensSettings;
  /** One line per ignored value, for the log. */
  problems: string[];
}

/** Turns the raw section into settings; never throws. Unknown keys are ignored. */
export function normalizeSettings(raw: unknown): NormalizedSettings {
  const settings: AtlasLensSettings = { ...DEFAULT_SETTINGS, rules: {}, exclude: [], trace: { ...DEFAULT_SETTINGS.trace } };
  const problems: string[] = [];
  if (raw === null || raw === undefined) return { settings, problems };
  if (typeof raw !== 'object' || Array.isArray(raw)) return { settings, problems: ['atlasLens: expected an object; using the defaults'] };
  const record = raw as Record<string, unknown>;
  const take = <K extends keyof typeof FIELDS>(key: K): z.infer<(typeof FIELDS)[K]> | undefined => {
    if (record[key] === undefined) return undefined;
    const result = FIELDS[key].safeParse(record[key]);
    if (result.success) return result.data as z.infer<(typeof FIELDS)[K]>;
    problems.push(`atlasLens.${key}: ${result.error.issues[0]?.message ?? 'invalid'}; using the default`);
    return undefined;
  };
  settings.enable = take('enable') ?? settings.enable;
  const rules = take('rules');
  for (const [id, value] of Object.entries(rules ?? {})) {
    const parsed = RuleValue.safeParse(value);
    if (parsed.success) settings.rules[id] = parsed.data;
    else problems.push(`atlasLens.rules.${id}: expected on, off, error, warning or info; ignored`);
  }
  settings.exclude = (take('exclude') ?? []).filter((glob) => glob.trim() !== '');
  const minimumSeverity = take('minimumSeverity');
  if (minimumSeverity !== undefined) settings.minimumSeverity = minimumSeverity;
  const honorNosec = take('honorNosec');
  if (honorNosec !== undefined) settings.honorNosec = honorNosec;
  const atlasDataPath = take('atlasDataPath');
  if (atlasDataPath !== undefined) settings.atlasDataPath = atlasDataPath?.trim() ? atlasDataPath.trim() : null;
  settings.scanOnStartup = take('scanOnStartup') ?? settings.scanOnStartup;
  const baseline = take('baseline');
  if (baseline !== undefined) settings.baseline = baseline?.trim() ? baseline.trim() : null;
  settings.onlyNewSinceBaseline = take('onlyNewSinceBaseline') ?? settings.onlyNewSinceBaseline;
  settings.trace.server = take('trace')?.server ?? settings.trace.server;
  return { settings, problems };
}

/**
 * Settings by document URI, pulled once per URI and kept until `clear()` (a
 * `workspace/didChangeConfiguration`). Concurrent requests for one URI share the pull.
 */
export class SettingsCache {
  private readonly byUri = new Map<string, Promise<AtlasLensSettings>>();

  constructor(
    /** Pulls the raw `atlasLens` section for a URI (or returns the pushed/global one). */
    private readonly fetch: (uri: string) => Promise<unknown>,
    private readonly report: (message: string) => void,
  ) {}

  get(uri: string): Promise<AtlasLensSettings> {
    let pending = this.byUri.get(uri);
    if (!pending) {
      pending = this.fetch(uri).then(
        (raw) => {
          const { settings, problems } = normalizeSettings(raw);
          for (const problem of problems) this.report(`${problem} (${uri})`);
          return settings;
        },
        (error: unknown) => {
          this.report(`cannot read the settings for ${uri}: ${(error as Error).message}; using the defaults`);
          this.byUri.delete(uri);
          return normalizeSettings(undefined).settings;
        },
      );
      this.byUri.set(uri, pending);
    }
    return pending;
  }

  delete(uri: string): void {
    this.byUri.delete(uri);
  }

  clear(): void {
    this.byUri.clear();
  }

  /** The settings pulled so far, by URI (awaited). */
  async pulled(): Promise<Map<string, AtlasLensSettings>> {
    return new Map(await Promise.all([...this.byUri].map(async ([uri, pending]) => [uri, await pending] as const)));
  }
}

/** The settings nothing analysed or shown depends on: the log's level, and what happens at the next start. */
const NOT_ANALYSIS: ReadonlySet<keyof AtlasLensSettings> = new Set(['trace', 'scanOnStartup']);

/** Whether two settings give the same analyses and diagnostics (they may differ in `trace` and `scanOnStartup`). */
export function sameForAnalysis(a: AtlasLensSettings, b: AtlasLensSettings): boolean {
  return (Object.keys(DEFAULT_SETTINGS) as Array<keyof AtlasLensSettings>).every((key) => NOT_ANALYSIS.has(key) || isDeepStrictEqual(a[key], b[key]));
}
