// Bundles the extension tests (client/test/suite/*.ts) to client/test/dist/*.js for the runners:
// `vscode` is the editor's, mocha is loaded at run time from .tools/drv.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const suite = path.join(root, 'client/test/suite');
const outdir = path.join(root, 'client/test/dist');
fs.rmSync(outdir, { recursive: true, force: true });
await esbuild.build({
  entryPoints: fs.readdirSync(suite).filter((name) => name === 'index.ts' || name.endsWith('.test.ts')).map((name) => path.join(suite, name)),
  outdir,
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: 'inline',
  external: ['vscode', 'mocha'],
  logLevel: 'warning',
});
