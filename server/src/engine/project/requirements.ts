/**
 * What the project declares it depends on, read from requirements*.txt and pyproject.toml at the
 * project root. Rules use it where a library's defaults changed between versions (torch.load's
 * weights_only default became True in torch 2.6).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface VersionBound {
  /** The lowest version the specifiers allow, as numbers ([2, 6] for ">=2.6"). */
  lowest: number[];
}

/** Normalised package name → lowest allowed version (absent when the requirement has no lower bound). */
export type Requirements = Map<string, VersionBound | undefined>;

const REFRESH_MS = 2000;
const MAX_DECLARATION_BYTES = 1024 * 1024;
const cache = new Map<string, { read: number; requirements: Requirements }>();

export function normalisePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function parseVersion(text: string): number[] | undefined {
  const parts = text.trim().replace(/^v/, '').split('.');
  const numbers: number[] = [];
  for (const part of parts) {
    const digits = /^\d+/.exec(part)?.[0];
    if (digits === undefined) break;
    numbers.push(Number(digits));
  }
  return numbers.length > 0 ? numbers : undefined;
}

export function compareVersions(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** `torch[cuda]>=2.6,<3 ; python_version>"3.8"` → ['torch', { lowest: [2, 6] }]. */
export function parseRequirement(line: string): [string, VersionBound | undefined] | undefined {
  const spec = line.split(';')[0]!.split('#')[0]!.trim();
  const nameMatch = /^[A-Za-z0-9][A-Za-z0-9._-]*/.exec(spec);
  if (!nameMatch) return undefined;
  const rest = spec.slice(nameMatch[0].length).replace(/^\s*\[[^\]]*\]/, '').trim();
  let lowest: number[] | undefined;
  for (const clause of rest.split(',')) {
    const match = /^\s*(===|==|>=|~=|\^|>)\s*([0-9][^\s,]*)/.exec(clause);
    if (!match) continue;
    const version = parseVersion(match[2] ?? '');
    if (!version) continue;
    // ">2.5" allows 2.5.1: its lowest bound is not 2.6, so only inclusive operators count exactly.
    if (match[1] === '>') continue;
    if (!lowest || compareVersions(version, lowest) > 0) lowest = version;
  }
  return [normalisePackageName(nameMatch[0]), lowest ? { lowest } : undefined];
}

function readRequirementsTxt(file: string, into: Requirements): void {
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('-')) continue;
    const parsed = parseRequirement(line);
    if (parsed) merge(into, parsed);
  }
}

/** pyproject.toml: PEP 621 strings ("torch>=2.6") and Poetry tables (torch = "^2.6"). */
function readPyproject(file: string, into: Requirements): void {
  let section = '';
  for (const raw of fs.readFileSync(file, 'utf8').split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith('[')) {
      section = line;
      continue;
    }
    for (const quoted of line.matchAll(/"([^"]+)"|'([^']+)'/g)) {
      const text = quoted[1] ?? quoted[2] ?? '';
      const parsed = parseRequirement(text);
      if (parsed && /[<>=~^]/.test(text)) merge(into, parsed);
    }
    const poetry = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*=\s*["']([^"']+)["']/.exec(line);
    if (poetry && /dependencies/.test(section)) {
      const parsed = parseRequirement(`${poetry[1]}${/^[0-9]/.test(poetry[2]!) ? '==' : ''}${poetry[2]}`);
      if (parsed) merge(into, parsed);
    }
  }
}

function merge(into: Requirements, [name, bound]: [string, VersionBound | undefined]): void {
  const previous = into.get(name);
  // Several files may pin the same package; the weakest lower bound is what the project guarantees.
  if (!into.has(name)) into.set(name, bound);
  else if (previous && (!bound || compareVersions(bound.lowest, previous.lowest) < 0)) into.set(name, bound);
}

/** Whether a file name is one of the requirements files a project root declares its dependencies in. */
export function isRequirementsFileName(name: string): boolean {
  return /^requirements.*\.txt$/i.test(name);
}

export function projectRequirements(root: string): Requirements {
  const cached = cache.get(root);
  if (cached && Date.now() - cached.read < REFRESH_MS) return cached.requirements;
  const requirements: Requirements = new Map();
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(root);
  } catch {
    // No readable root: nothing declared.
  }
  for (const entry of entries.sort()) {
    const file = path.join(root, entry);
    try {
      // Only regular files of a sane size: a link could point outside the project, a FIFO would block.
      const stat = fs.lstatSync(file);
      if (!stat.isFile() || stat.size > MAX_DECLARATION_BYTES) continue;
      if (isRequirementsFileName(entry)) readRequirementsTxt(file, requirements);
      else if (entry === 'pyproject.toml') readPyproject(file, requirements);
    } catch {
      // An unreadable requirements file declares nothing.
    }
  }
  cache.set(root, { read: Date.now(), requirements });
  return requirements;
}

/** Whether the project requires `name` at `version` or later (every allowed version is at least it). */
export function requiresAtLeast(root: string | undefined, name: string, version: string): boolean {
  if (!root) return false;
  const bound = projectRequirements(root).get(normalisePackageName(name));
  const wanted = parseVersion(version);
  return bound !== undefined && wanted !== undefined && compareVersions(bound.lowest, wanted) >= 0;
}
