/**
 * Versions installed in the project's own virtual environment (`.venv/` or `venv/` at the project
 * root), read from `site-packages/*.dist-info` directory names. Offline and read-only: it is where
 * a "pin to the installed version" fix takes its value; without such an environment there is no fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { normalisePackageName } from './requirement-spec';

const REFRESH_MS = 5000;
const cache = new Map<string, { read: number; versions: Map<string, string> }>();

function sitePackagesDirs(root: string): string[] {
  const dirs: string[] = [];
  for (const venv of ['.venv', 'venv']) {
    const lib = path.join(root, venv, 'lib');
    try {
      for (const entry of fs.readdirSync(lib)) if (/^python\d/.test(entry)) dirs.push(path.join(lib, entry, 'site-packages'));
    } catch {
      // no POSIX layout
    }
    dirs.push(path.join(root, venv, 'Lib', 'site-packages'));
  }
  return dirs;
}

export function installedVersions(root: string | undefined): ReadonlyMap<string, string> {
  if (!root) return new Map();
  const cached = cache.get(root);
  if (cached && Date.now() - cached.read < REFRESH_MS) return cached.versions;
  const versions = new Map<string, string>();
  for (const dir of sitePackagesDirs(root)) {
    let entries: string[];
    try {
      entries = fs.readdirSync(dir);
    } catch {
      continue;
    }
    for (const entry of entries) {
      // torch-2.6.0.dist-info, scikit_learn-1.5.2.dist-info (the name never contains '-' here).
      const match = /^([A-Za-z0-9_.]+)-([0-9][A-Za-z0-9_.+!]*)\.dist-info$/.exec(entry);
      if (match) versions.set(normalisePackageName(match[1]!), match[2]!);
    }
  }
  cache.set(root, { read: Date.now(), versions });
  return versions;
}
