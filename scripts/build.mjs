// Builds the bundles: the CLI and the language server (server/dist), the VS Code extension
// (client/dist). The wasm parser files are copied next to the server bundles; data/ and rules/
// are read from the package root at run time.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

// zod re-exports its 60-odd message locales, which made up a third of the CLI bundle; only the
// English messages (zod's default) are ever used, so the others are left out of the bundles.
const zodEnglishOnly = {
  name: 'zod-english-only',
  setup(build) {
    build.onLoad({ filter: /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/ }, () => ({ contents: 'export { default as en } from "./en.js";', resolveDir: path.join(root, 'node_modules/zod/v4/locales'), loader: 'js' }));
  },
};

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: !production,
  minify: production,
  logLevel: 'info',
  // web-tree-sitter's ESM build reads import.meta.url, which a CommonJS bundle does not have.
  define: { 'import.meta.url': '__atlasLensImportMetaUrl' },
  banner: { js: 'var __atlasLensImportMetaUrl = require("url").pathToFileURL(__filename).href;' },
  plugins: [zodEnglishOnly],
};

// The TS/JS analysis (ts-morph and the TypeScript compiler, ~14 MB) is its own bundle, required
// on the first TS/JS file: the CLI and the server start without parsing it.
const TYPESCRIPT_ANALYSIS = 'typescript-analysis.js';
const lazyTypeScriptAnalysis = {
  name: 'lazy-typescript-analysis',
  setup(build) {
    build.onResolve({ filter: /\/typescript\/analyze$/ }, () => ({ path: `./${TYPESCRIPT_ANALYSIS}`, external: true }));
  },
};

const server = { ...common, plugins: [...common.plugins, lazyTypeScriptAnalysis] };

// `atlas-lens lsp` requires the language server's own bundle (server.js, next to cli.js): a scan
// does not load or compile the LSP libraries.
const lazyLanguageServer = {
  name: 'lazy-language-server',
  setup(build) {
    build.onResolve({ filter: /^\.\/server$/ }, (args) => (args.importer.endsWith(path.join('server', 'src', 'cli.ts')) ? { path: './server.js', external: true } : undefined));
  },
};

const builds = [
  { ...server, plugins: [...server.plugins, lazyLanguageServer], entryPoints: [path.join(root, 'server/src/cli.ts')], outfile: path.join(root, 'server/dist/cli.js') },
  { ...common, entryPoints: [path.join(root, 'server/src/engine/typescript/analyze.ts')], outfile: path.join(root, 'server/dist', TYPESCRIPT_ANALYSIS) },
  // The scan pool's worker thread (server/src/engine/batch/pool.ts finds it next to the bundle).
  { ...server, entryPoints: [path.join(root, 'server/src/engine/batch/scan-worker.ts')], outfile: path.join(root, 'server/dist/scan-worker.js') },
];
for (const [entry, outfile, extra] of [
  ['server/src/server.ts', 'server/dist/server.js', { plugins: [...common.plugins, lazyTypeScriptAnalysis] }],
  ['client/src/extension.ts', 'client/dist/extension.js', { external: ['vscode'] }],
]) {
  if (fs.existsSync(path.join(root, entry))) builds.push({ ...common, ...extra, entryPoints: [path.join(root, entry)], outfile: path.join(root, outfile) });
}

function copyWasm() {
  const dist = path.join(root, 'server/dist');
  fs.mkdirSync(dist, { recursive: true });
  fs.copyFileSync(path.join(root, 'node_modules/web-tree-sitter/tree-sitter.wasm'), path.join(dist, 'tree-sitter.wasm'));
  fs.copyFileSync(path.join(root, 'node_modules/tree-sitter-python/tree-sitter-python.wasm'), path.join(dist, 'tree-sitter-python.wasm'));
}

// The bundled rules and catalog, validated now rather than at every start
// (server/src/engine/rules/validated-snapshot.ts). The step's own bundle is not shipped.
async function writeValidatedSnapshot() {
  const step = path.join(root, '.cache/build/write-snapshot.js');
  await esbuild.build({ ...common, logLevel: 'warning', sourcemap: false, entryPoints: [path.join(root, 'server/src/engine/rules/write-snapshot.ts')], outfile: step });
  execFileSync(process.execPath, [step, path.join(root, 'rules'), path.join(root, 'data/atlas/catalog.yaml'), path.join(root, 'data/artifacts/globals.yaml'), path.join(root, 'server/dist/validated-data.json')], { stdio: 'inherit' });
}

copyWasm();
if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
  fs.chmodSync(path.join(root, 'server/dist/cli.js'), 0o755);
  await writeValidatedSnapshot();
}
