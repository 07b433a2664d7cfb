/**
 * The bundled rule files, ATLAS catalog and model-file global lists, validated once at build time (scripts/build.mjs runs
 * write-snapshot.ts) instead of on every start: parsing ~80 YAML files with positions and
 * validating them with zod took about a third of a second, longer than scanning a small project.
 *
 * Entries are keyed by what the text was parsed as and the SHA-256 of the text, so a rule file
 * edited after the build (or any other text) is simply not found and is parsed and validated as
 * before. The snapshot sits next to the bundles (server/dist); run from the sources there is
 * none, and everything is parsed.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const SNAPSHOT_FILE = 'validated-data.json';

export type SnapshotKind = 'rule' | 'catalog' | 'global-lists';

interface SnapshotFile {
  version: 1;
  entries: Record<string, unknown>;
}

let entries: Map<string, unknown> | undefined;

export function snapshotKey(kind: SnapshotKind, text: string): string {
  return `${kind}:${createHash('sha256').update(text).digest('hex')}`;
}

/** The validated value for exactly this text, when the build recorded one. */
export function fromSnapshot(kind: SnapshotKind, text: string): unknown {
  entries ??= readSnapshot(path.join(typeof __dirname === 'string' ? __dirname : process.cwd(), SNAPSHOT_FILE));
  if (entries.size === 0) return undefined;
  const value = entries.get(snapshotKey(kind, text));
  // Callers keep and may extend what they get: each gets its own copy.
  return value === undefined ? undefined : structuredClone(value);
}

/** A missing or unreadable snapshot only means parsing everything. */
function readSnapshot(file: string): Map<string, unknown> {
  try {
    const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as SnapshotFile;
    return parsed?.version === 1 && parsed.entries && typeof parsed.entries === 'object' ? new Map(Object.entries(parsed.entries)) : new Map();
  } catch {
    return new Map();
  }
}

/** For tests: forget what was read, and read `file` instead of the snapshot next to this module. */
export function useSnapshotFile(file: string | undefined): void {
  entries = file === undefined ? undefined : readSnapshot(file);
}
