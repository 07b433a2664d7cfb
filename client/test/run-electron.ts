/**
 * Runs the extension tests in VS Code desktop with @vscode/test-electron, for machines that can
 * download VS Code (`npm run test:electron`; needs mocha in .tools/: test/editors/install-tools.sh).
 * Where VS Code cannot be downloaded, `npm run test:editors` runs the same bundle in code-server.
 */
import { runTests } from '@vscode/test-electron';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

async function main(): Promise<void> {
  const root = path.resolve(__dirname, '../..');
  const workspace = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-ws-'));
  fs.cpSync(path.join(root, 'client/test/fixture-workspace'), workspace, { recursive: true });
  try {
    await runTests({
      extensionDevelopmentPath: root,
      extensionTestsPath: path.join(root, 'client/test/dist/index.js'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
    });
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`extension tests failed: ${(error as Error).message}`);
  process.exit(1);
});
