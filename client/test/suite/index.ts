/**
 * The extension tests' entry (`extensionTestsPath`): runs every *.test.js bundled next to this
 * file with mocha (TDD interface). The same bundle runs under @vscode/test-electron
 * (client/test/run-electron.ts) and inside code-server (test/editors/run-ext-tests.mjs).
 * mocha comes from .tools/drv (test/editors/install-tools.sh), or from $ATLAS_LENS_MOCHA.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

interface MochaInstance {
  addFile(file: string): void;
  run(done: (failures: number) => void): void;
}
type MochaConstructor = new (options: Record<string, unknown>) => MochaInstance;

function findMocha(): string {
  if (process.env.ATLAS_LENS_MOCHA) return process.env.ATLAS_LENS_MOCHA;
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, '.tools/drv/node_modules/mocha');
    if (fs.existsSync(candidate)) return candidate;
    if (path.dirname(dir) === dir) throw new Error('mocha not found: run test/editors/install-tools.sh or set ATLAS_LENS_MOCHA');
  }
}

export async function run(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Mocha = require(findMocha()) as MochaConstructor;
  const mocha = new Mocha({ ui: 'tdd', color: false, timeout: 120_000, reporter: 'spec' });
  const grep = process.env.ATLAS_LENS_TEST_GREP;
  if (grep) (mocha as unknown as { grep(pattern: string): void }).grep(grep);
  for (const file of fs.readdirSync(__dirname).filter((name) => name.endsWith('.test.js')).sort()) mocha.addFile(path.join(__dirname, file));
  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} extension test(s) failed`);
}
