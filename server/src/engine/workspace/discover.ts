/**
 * Which files a scan looks at. Walks the roots, skipping tool and environment directories,
 * everything git ignores (every `.gitignore` in the tree, plus those of the enclosing repository
 * above a root, plus `.git/info/exclude`), the project config's include/exclude globs and the
 * caller's extra excludes, and files above the size limit.
 *
 * Decisions:
 * - A root that is a file was named explicitly: it is scanned if supported, whatever the excludes,
 *   .gitignore or skipped directories say. Only the size limit still applies (it protects the
 *   scanner, not the user's intent) and shows up in `skipped`.
 * - A root directory is walked even if its own name is a default-skipped one or gitignored (e.g.
 *   `scan node_modules/foo`); the filters apply to what is inside it. If the root is ignored by a
 *   `.gitignore` above it, those upper `.gitignore` files are not used at all for that root.
 * - Config globs are relative to `configDir` (the config file's directory), matched with
 *   picomatch (`dot: true`), and only apply to paths inside `configDir`. As in ESLint, `*.py`
 *   matches only at the top level; start with a `**` segment for any depth. An exclude glob that matches a directory
 *   prunes it (`build`, `build/**` both prune `build/`). `include` is tested on files only; empty
 *   means everything.
 * - `extraExclude` globs are relative to each root, same matching rules.
 * - Symlinked files are scanned under their link path. Symlinked directories are followed, but a
 *   directory (by real path) is walked at most once: loops and duplicates are cut and reported.
 * - A symbolic link (to a file or a directory) whose target lies outside the root it was found in
 *   is not followed, and is reported: a repository must not make the scan read /etc/passwd or
 *   the user's home through a link. Roots themselves may be links (the user named them).
 * - Output is absolute paths, sorted by plain string order (not locale), without duplicates.
 *
 * Speed: nothing is stat-ed except root paths, symlinks, and files that survived every other
 * filter (for the size). Each `.gitignore` is read once; globs are compiled once.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import type { ProjectConfig } from '../config/project-config';

/** Directory names never descended into (unless named as a root). */
export const DEFAULT_SKIPPED_DIRS: ReadonlySet<string> = new Set([
  '.git',
  '.hg',
  '.svn',
  'node_modules',
  '.venv',
  'venv',
  '__pycache__',
  '.tox',
  '.nox',
  '.mypy_cache',
  '.pytest_cache',
  '.ruff_cache',
  '.ipynb_checkpoints',
  'site-packages',
]);

export const DEFAULT_MAX_FILE_SIZE_KB = 1024;

export interface DiscoverOptions {
  /** The project config; its include/exclude/respectGitignore/maxFileSizeKb are used. */
  config?: ProjectConfig;
  /** Base of the config's globs. Without it, each root is the base. */
  configDir?: string;
  /** More globs to exclude, relative to each root (e.g. from the CLI's --exclude). */
  extraExclude?: string[];
  /** Overrides `config.respectGitignore` (default true). */
  respectGitignore?: boolean;
  /** Overrides `config.maxFileSizeKb` (default 1024). */
  maxFileSizeKb?: number;
  /** Whether the engine can scan this file (usually by extension). Called with absolute paths. */
  isSupported: (file: string) => boolean;
  /** A size limit in bytes for this file instead of maxFileSizeKb (model files have their own); undefined: the default. */
  maxBytesFor?: (file: string) => number | undefined;
  /**
   * Entries (absolute paths) not to look at, before any other filter: a caller that only wants to
   * know whether a few files are in scope prunes everything off their way (the language server's
   * watched files), so only the directories leading to them are read.
   */
  prune?: (entry: string, isDirectory: boolean) => boolean;
}

export interface SkippedFile {
  file: string;
  reason: string;
}

export interface DiscoverResult {
  /** Absolute paths, sorted, unique. */
  files: string[];
  /** Things the user might expect to be scanned and are not, with why; sorted by file. */
  skipped: SkippedFile[];
}

type Matcher = (relativePath: string) => boolean;

/** Maps a path relative to the root to a path relative to some base, or undefined when outside the base. */
type Relativizer = (relFromRoot: string) => string | undefined;

interface GitignoreLayer {
  ignore: Ignore;
  /** Prefix to add (bases above the root) and characters to strip (bases inside the root). */
  prepend: string;
  strip: number;
}

const toPosix = path.sep === '/' ? (p: string): string => p : (p: string): string => p.split(path.sep).join('/');

function compileGlobs(globs: readonly string[] | undefined): Matcher | undefined {
  if (!globs || globs.length === 0) return undefined;
  return picomatch([...globs], { dot: true });
}

/** How paths relative to `root` become paths relative to `base`; undefined when the two never overlap. */
function relativizer(base: string, root: string): Relativizer | undefined {
  const up = toPosix(path.relative(base, root));
  if (up === '') return (rel) => rel;
  if (!up.startsWith('..') && !path.isAbsolute(up)) {
    const prefix = `${up}/`;
    return (rel) => (rel === '' ? up : prefix + rel);
  }
  const down = toPosix(path.relative(root, base));
  if (down.startsWith('..') || path.isAbsolute(down)) return undefined;
  const prefix = `${down}/`;
  return (rel) => (rel.startsWith(prefix) ? rel.slice(prefix.length) : undefined);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function readIgnoreFile(file: string): Ignore | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  return ignore().add(text);
}

/** The nearest directory at or above `dir` holding `.git` (a directory, or a file for worktrees). */
function findGitRoot(dir: string): string | undefined {
  for (let current = dir; ; ) {
    if (fs.statSync(path.join(current, '.git'), { throwIfNoEntry: false })) return current;
    const parent = path.dirname(current);
    if (parent === current) return undefined;
    current = parent;
  }
}

/** Whether git ignores `rel` (relative to the root): the deepest layer with an opinion wins. */
function gitIgnored(layers: readonly GitignoreLayer[], rel: string, isDirectory: boolean): boolean {
  for (let i = layers.length - 1; i >= 0; i--) {
    const layer = layers[i]!;
    const local = layer.prepend + rel.slice(layer.strip);
    if (local === '') continue;
    let result;
    try {
      result = layer.ignore.test(isDirectory ? `${local}/` : local);
    } catch {
      continue; // a name the ignore package refuses (it validates paths); git has no opinion then
    }
    if (result.ignored) return true;
    if (result.unignored) return false;
  }
  return false;
}

/** Why the link `full` may not be followed (its target is outside `realRoot`), or undefined when it may. */
function outsideRoot(full: string, realRoot: string): string | undefined {
  let real: string;
  try {
    real = fs.realpathSync(full);
  } catch (error) {
    return `cannot resolve symbolic link: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`;
  }
  const rel = path.relative(realRoot, real);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) return undefined;
  return `symbolic link to outside the scanned folder (${real}); not followed`;
}

export function discoverFiles(roots: readonly string[], options: DiscoverOptions): DiscoverResult {
  const { config, isSupported } = options;
  const respectGitignore = options.respectGitignore ?? config?.respectGitignore ?? true;
  const maxFileSizeKb = options.maxFileSizeKb ?? config?.maxFileSizeKb ?? DEFAULT_MAX_FILE_SIZE_KB;
  const maxBytes = maxFileSizeKb * 1024;
  const configInclude = compileGlobs(config?.include);
  const configExclude = compileGlobs(config?.exclude);
  const extraExclude = compileGlobs(options.extraExclude);

  const files = new Set<string>();
  const skipped = new Map<string, string>();
  /** Real paths of directories already walked. */
  const visited = new Set<string>();
  /** Parsed .gitignore (and info/exclude) files by path; null when absent. */
  const ignoreCache = new Map<string, Ignore | null>();
  const loadIgnore = (file: string): Ignore | undefined => {
    let cached = ignoreCache.get(file);
    if (cached === undefined) {
      cached = readIgnoreFile(file) ?? null;
      ignoreCache.set(file, cached);
    }
    return cached ?? undefined;
  };

  const tooBig = (file: string, size: number): boolean => {
    const limit = options.maxBytesFor?.(file);
    if (limit !== undefined) {
      if (size <= limit) return false;
      skipped.set(file, `larger than its size limit (${Math.ceil(size / 1048576)} MB > ${Math.floor(limit / 1048576)} MB)`);
      return true;
    }
    if (size <= maxBytes) return false;
    skipped.set(file, `larger than maxFileSizeKb (${Math.ceil(size / 1024)} KB > ${maxFileSizeKb} KB)`);
    return true;
  };

  for (const given of roots) {
    const root = path.resolve(given);
    const rootStat = fs.statSync(root, { throwIfNoEntry: false });
    if (!rootStat) {
      skipped.set(root, 'does not exist');
      continue;
    }
    if (!rootStat.isDirectory()) {
      if (!rootStat.isFile()) skipped.set(root, 'not a regular file');
      else if (!isSupported(root)) skipped.set(root, 'not a supported file type');
      else if (!tooBig(root, rootStat.size)) files.add(root);
      continue;
    }
    let realRoot: string;
    try {
      realRoot = fs.realpathSync(root);
    } catch (error) {
      skipped.set(root, `cannot resolve directory: ${(error as Error).message}`);
      continue;
    }
    if (visited.has(realRoot)) continue;
    visited.add(realRoot);

    const toConfig = relativizer(options.configDir !== undefined ? path.resolve(options.configDir) : root, root);
    const excluded = (rel: string, isDirectory: boolean): boolean => {
      if (extraExclude?.(rel)) return true;
      if (configExclude && toConfig) {
        const local = toConfig(rel);
        if (local !== undefined && local !== '' && configExclude(local)) return true;
      }
      if (!isDirectory && configInclude && toConfig) {
        const local = toConfig(rel);
        if (local !== undefined && !configInclude(local)) return true;
      }
      return false;
    };

    // .gitignore files above the root, up to the enclosing repository, and .git/info/exclude.
    let rootLayers: GitignoreLayer[] = [];
    if (respectGitignore) {
      const gitRoot = findGitRoot(root);
      if (gitRoot !== undefined) {
        const above: GitignoreLayer[] = [];
        const layerFor = (base: string, ig: Ignore): GitignoreLayer => {
          const up = toPosix(path.relative(base, root));
          return { ignore: ig, prepend: up === '' ? '' : `${up}/`, strip: 0 };
        };
        const exclude = loadIgnore(path.join(gitRoot, '.git', 'info', 'exclude'));
        if (exclude) above.push(layerFor(gitRoot, exclude));
        const chain: string[] = []; // gitRoot .. parent of root, outermost first
        for (let dir = root; dir !== gitRoot; ) {
          dir = path.dirname(dir);
          chain.unshift(dir);
        }
        for (const dir of chain) {
          const ig = loadIgnore(path.join(dir, '.gitignore'));
          if (ig) above.push(layerFor(dir, ig));
        }
        // An explicitly named root that git ignores is scanned; then the upper files are dropped.
        const rootIgnored = root !== gitRoot && above.some((layer) => layer.prepend !== '' && layer.ignore.ignores(layer.prepend));
        if (!rootIgnored) rootLayers = above;
      }
    }

    const walk = (dir: string, relDir: string, realDir: string, inherited: GitignoreLayer[]): void => {
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch (error) {
        skipped.set(dir, `cannot read directory: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
        return;
      }
      entries.sort((a, b) => compareStrings(a.name, b.name));
      let layers = inherited;
      if (respectGitignore) {
        const gitignoreEntry = entries.find((entry) => entry.name === '.gitignore');
        if (gitignoreEntry && (gitignoreEntry.isFile() || gitignoreEntry.isSymbolicLink())) {
          const ig = loadIgnore(path.join(dir, '.gitignore'));
          if (ig) layers = [...inherited, { ignore: ig, prepend: '', strip: relDir === '' ? 0 : relDir.length + 1 }];
        }
      }
      const dirPrefix = dir.endsWith(path.sep) ? dir : dir + path.sep;
      const relPrefix = relDir === '' ? '' : `${relDir}/`;

      for (const entry of entries) {
        const name = entry.name;
        const full = dirPrefix + name;
        const rel = relPrefix + name;
        let isDirectory = entry.isDirectory();
        let isFile = entry.isFile();
        let size: number | undefined;
        const isLink = entry.isSymbolicLink();
        if (isLink) {
          const target = fs.statSync(full, { throwIfNoEntry: false });
          if (!target) {
            if (isSupported(full)) skipped.set(full, 'broken symbolic link');
            continue;
          }
          const escape = outsideRoot(full, realRoot);
          if (escape !== undefined) {
            if (target.isDirectory() || isSupported(full)) skipped.set(full, escape);
            continue;
          }
          isDirectory = target.isDirectory();
          isFile = target.isFile();
          size = target.size;
        }

        if (options.prune?.(full, isDirectory)) continue;
        if (isDirectory) {
          if (DEFAULT_SKIPPED_DIRS.has(name)) continue;
          if (excluded(rel, true)) continue;
          if (respectGitignore && gitIgnored(layers, rel, true)) continue;
          let real: string;
          if (isLink) {
            try {
              real = fs.realpathSync(full);
            } catch (error) {
              skipped.set(full, `cannot resolve symbolic link: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
              continue;
            }
          } else {
            real = realDir + (realDir.endsWith(path.sep) ? '' : path.sep) + name;
          }
          if (visited.has(real)) {
            if (isLink) skipped.set(full, `symbolic link to a directory already scanned (${real})`);
            continue;
          }
          visited.add(real);
          walk(full, rel, real, layers);
        } else if (isFile) {
          if (!isSupported(full)) continue;
          if (excluded(rel, false)) continue;
          if (respectGitignore && gitIgnored(layers, rel, false)) continue;
          if (size === undefined) {
            const stat = fs.statSync(full, { throwIfNoEntry: false });
            if (!stat) continue; // deleted while we walked
            size = stat.size;
          }
          if (!tooBig(full, size)) files.add(full);
        }
      }
    };
    walk(root, '', realRoot, rootLayers);
  }

  return {
    files: [...files].sort(compareStrings),
    skipped: [...skipped].map(([file, reason]) => ({ file, reason })).sort((a, b) => compareStrings(a.file, b.file)),
  };
}
