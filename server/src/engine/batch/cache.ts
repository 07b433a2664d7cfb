/**
 * A content-hash cache of per-file results for repeated whole scans.
 *
 * An entry is keyed by the file's absolute path and the SHA-256 of its text, inside a folder named
 * by the scan's fingerprint (rules, settings, engine version, ATLAS data): change any of those and
 * no old entry can be read. A rule may ask whether a path named in the code exists; the answers
 * are stored with the entry and checked again on a hit, so a result never outlives them.
 *
 * On disk: `<dir>/<fingerprint>/<key[0..2]>/<key>.json`, written to a temporary file and renamed
 * (two scans may share the folder). An unreadable, truncated or foreign entry is a miss, never an
 * error; a cache that cannot be written is turned off for the rest of the scan.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileStamp } from '../artifacts/references';
import type { Finding, InputProblem } from '../types';

/** Bumped when the entry format changes. */
const FORMAT = 2;

export interface CachedResult {
  findings: Finding[];
  problems: InputProblem[];
  /** Existence checks the rules made, with their answers. */
  pathsChecked: Array<[string, boolean]>;
  /** Files read besides the source (model files a load call names), with their `fileStamp` then. */
  fileStamps: Array<[string, string]>;
}

interface Entry extends CachedResult {
  format: number;
  file: string;
  sha256: string;
}

export interface CacheStats {
  hits: number;
  misses: number;
  writes: number;
  /** Entries that were present but could not be used (corrupt, foreign, stale path checks). */
  rejected: number;
}

export const DEFAULT_CACHE_DIR_NAME = '.atlas-lens-cache';

export class ResultCache {
  readonly stats: CacheStats = { hits: 0, misses: 0, writes: 0, rejected: 0 };
  private readonly folder: string;
  private writable = true;
  private readonly madeDirs = new Set<string>();

  /** `dir` is the cache root; `fingerprint` names everything besides the file that decides its result. */
  constructor(readonly dir: string, readonly fingerprint: string) {
    this.folder = path.join(dir, fingerprint.slice(0, 32));
  }

  get(file: string, text: string): CachedResult | undefined {
    const sha256 = sha(text);
    const entryFile = this.entryPath(file, sha256);
    let raw: string;
    try {
      raw = fs.readFileSync(entryFile, 'utf8');
    } catch {
      this.stats.misses++;
      return undefined;
    }
    const entry = parseEntry(raw);
    if (!entry || entry.file !== file || entry.sha256 !== sha256 || !entry.pathsChecked.every(([p, exists]) => fs.existsSync(p) === exists) || !entry.fileStamps.every(([p, stamp]) => fileStamp(p) === stamp)) {
      this.stats.rejected++;
      this.stats.misses++;
      return undefined;
    }
    this.stats.hits++;
    return { findings: entry.findings, problems: entry.problems, pathsChecked: entry.pathsChecked, fileStamps: entry.fileStamps };
  }

  put(file: string, text: string, result: CachedResult): void {
    if (!this.writable) return;
    const sha256 = sha(text);
    const entryFile = this.entryPath(file, sha256);
    const entry: Entry = { format: FORMAT, file, sha256, ...result };
    const temporary = `${entryFile}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      const dir = path.dirname(entryFile);
      if (!this.madeDirs.has(dir)) {
        this.ensureRoot();
        fs.mkdirSync(dir, { recursive: true });
        this.madeDirs.add(dir);
      }
      fs.writeFileSync(temporary, JSON.stringify(entry));
      fs.renameSync(temporary, entryFile);
      this.stats.writes++;
    } catch {
      // A read-only tree or a full disk: scan on without the cache.
      this.writable = false;
      try {
        fs.rmSync(temporary, { force: true });
      } catch {
        // nothing was written
      }
    }
  }

  /** Removes the entries of other fingerprints (older rule sets or settings). */
  prune(): void {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir);
    } catch {
      return;
    }
    const keep = path.basename(this.folder);
    for (const name of names) {
      if (name !== keep && /^[0-9a-f]{32}$/.test(name)) fs.rmSync(path.join(this.dir, name), { recursive: true, force: true });
    }
  }

  private ensureRoot(): void {
    if (this.madeDirs.has(this.dir)) return;
    fs.mkdirSync(this.dir, { recursive: true });
    // Like other tools' caches, the folder keeps itself out of git.
    const ignore = path.join(this.dir, '.gitignore');
    if (!fs.existsSync(ignore)) fs.writeFileSync(ignore, '# Written by ATLAS Lens: its cache of per-file results.\n*\n');
    this.madeDirs.add(this.dir);
  }

  private entryPath(file: string, sha256: string): string {
    const key = createHash('sha256').update(file).update('\0').update(sha256).digest('hex');
    return path.join(this.folder, key.slice(0, 2), `${key}.json`);
  }
}

function sha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

function parseEntry(raw: string): Entry | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const entry = value as Partial<Entry>;
  if (entry.format !== FORMAT || typeof entry.file !== 'string' || typeof entry.sha256 !== 'string') return undefined;
  if (!Array.isArray(entry.findings) || !Array.isArray(entry.problems) || !Array.isArray(entry.pathsChecked)) return undefined;
  if (!entry.pathsChecked.every((item) => Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'boolean')) return undefined;
  if (!Array.isArray(entry.fileStamps) || !entry.fileStamps.every((item) => Array.isArray(item) && typeof item[0] === 'string' && typeof item[1] === 'string')) return undefined;
  if (!entry.findings.every(isFindingShaped) || !entry.problems.every((p) => typeof p === 'object' && p !== null && typeof (p as InputProblem).message === 'string')) return undefined;
  return entry as Entry;
}

function isFindingShaped(value: unknown): boolean {
  const finding = value as Finding;
  return (
    typeof finding === 'object' &&
    finding !== null &&
    typeof finding.ruleId === 'string' &&
    typeof finding.message === 'string' &&
    typeof finding.file === 'string' &&
    typeof finding.range?.start?.line === 'number' &&
    typeof finding.range?.end?.character === 'number' &&
    Array.isArray(finding.techniques)
  );
}

/** What besides a file's text decides its result, as one hash. */
export function fingerprintOf(parts: { engineVersion: string; rules: unknown; settings: unknown; atlas: unknown }): string {
  const hash = createHash('sha256');
  hash.update(`format ${FORMAT}\n`);
  hash.update(`engine ${parts.engineVersion}\n`);
  hash.update(`rules ${JSON.stringify(parts.rules)}\n`);
  hash.update(`settings ${JSON.stringify(parts.settings)}\n`);
  hash.update(`atlas ${JSON.stringify(parts.atlas)}\n`);
  return hash.digest('hex');
}
