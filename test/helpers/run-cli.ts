/** The built CLI (server/dist/cli.js, as users run it), run to completion for the CLI tests. */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.resolve(__dirname, '../../server/dist/cli.js');

/** `atlas-lens ARGS` in `cwd` (default: the repository), without colours. */
export function runCli(args: string[], cwd: string = path.resolve(__dirname, '../..')): { code: number | null; stdout: string; stderr: string } {
  const result = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}
