/**
 * The local Hugging Face cache, read-only and offline: which commit a repository's ref (a branch
 * or tag such as `main`) points to on this machine. `huggingface_hub` keeps it in
 * `<hub cache>/<type>s--<org>--<name>/refs/<ref>`, a file holding the 40-hex commit. This is the
 * best pin a quick fix can offer without the network: exactly the files the code already loads.
 *
 * The hub cache is `$HF_HUB_CACHE`, else `$HUGGINGFACE_HUB_CACHE`, else `$HF_HOME/hub`, else
 * `$XDG_CACHE_HOME/huggingface/hub`, else `~/.cache/huggingface/hub` (huggingface_hub's order).
 * Answers, hits and misses alike, are kept for a minute so a language server does not stat the
 * disk on every keystroke but still notices a model downloaded meanwhile.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export type HfRepoType = 'model' | 'dataset' | 'space';

const COMMIT = /^[0-9a-f]{40}$/;
/** Repository ids as the hub allows them: `name` or `org/name`, no `..`. */
const REPO_ID = /^(?:[A-Za-z0-9][\w.-]*\/)?[A-Za-z0-9][\w.-]*$/;
/** Refs are branch or tag names (`main`, `v1.0`, `refs/pr/1`); nothing that climbs out of the folder. */
const REF = /^[\w.-]+(?:\/[\w.-]+)*$/;
const TTL_MS = 60_000;

const answers = new Map<string, { commit: string | undefined; at: number }>();

export function hfHubCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HF_HUB_CACHE) return env.HF_HUB_CACHE;
  if (env.HUGGINGFACE_HUB_CACHE) return env.HUGGINGFACE_HUB_CACHE;
  if (env.HF_HOME) return path.join(env.HF_HOME, 'hub');
  const cacheHome = env.XDG_CACHE_HOME || path.join(os.homedir(), '.cache');
  return path.join(cacheHome, 'huggingface', 'hub');
}

/**
 * The commit the local cache records for `repoId` at `ref`, or undefined. A ref that is already a
 * commit is returned only when that snapshot is in the cache.
 */
export function cachedHfCommit(repoType: HfRepoType, repoId: string, ref = 'main', hubDir = hfHubCacheDir()): string | undefined {
  if (!REPO_ID.test(repoId) || repoId.includes('..') || !REF.test(ref) || ref.split('/').includes('..')) return undefined;
  const key = `${hubDir}\0${repoType}\0${repoId}\0${ref}`;
  const now = Date.now();
  const known = answers.get(key);
  if (known && now - known.at < TTL_MS) return known.commit;
  const repoDir = path.join(hubDir, `${repoType}s--${repoId.replace('/', '--')}`);
  let commit: string | undefined;
  try {
    if (COMMIT.test(ref)) commit = fs.existsSync(path.join(repoDir, 'snapshots', ref)) ? ref : undefined;
    else {
      const text = fs.readFileSync(path.join(repoDir, 'refs', ref), 'utf8').trim();
      commit = COMMIT.test(text) ? text : undefined;
    }
  } catch {
    commit = undefined;
  }
  answers.set(key, { commit, at: now });
  return commit;
}

/** Forgets every answer (tests, or a client that knows the cache changed). */
export function clearHfCacheAnswers(): void {
  answers.clear();
}
