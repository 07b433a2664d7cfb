/**
 * Runs a bundle through V8's code cache. Starting the CLI used to spend a fifth of a small scan
 * compiling its 2 MB bundle and then, function by function, the code the scan runs; Node 20 has
 * no module.enableCompileCache (Node 22 does). The build runs each bundle once and keeps V8's
 * cache of what it compiled (written when ATLAS_LENS_WRITE_CODE_CACHE names a file); later starts
 * hand it to vm.Script. A cache from another V8 version or flags is rejected by V8 itself and the
 * bundle is compiled as usual, so the cache only ever saves time.
 */
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** Runs `bundle` as the main module, with `cacheFile` as its code cache when there is one. */
export function runWithCodeCache(bundle: string, cacheFile: string): void {
  const source = fs.readFileSync(bundle, 'utf8').replace(/^#!.*/, '');
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    cachedData = undefined; // none yet: compile as usual
  }
  const script = new vm.Script(Module.wrap(source), { filename: bundle, ...(cachedData ? { cachedData } : {}) });
  const main = new Module(bundle, module);
  main.filename = bundle;
  main.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(path.dirname(bundle));
  main.loaded = true;
  const requireFromBundle = Module.createRequire(bundle) as NodeJS.Require;
  // The bundle checks `require.main === module` to know it is the program, not a library.
  Object.defineProperty(requireFromBundle, 'main', { value: main });
  process.argv[1] = bundle;
  const target = process.env['ATLAS_LENS_WRITE_CODE_CACHE'];
  if (target) process.once('exit', () => fs.writeFileSync(target, script.createCachedData()));
  (script.runInThisContext() as (...args: unknown[]) => void).call(main.exports, main.exports, requireFromBundle, main, bundle, path.dirname(bundle));
}
