// Runs every test/**/*.test.ts with Node's test runner through tsx (Node 20's --test takes no globs).
// Extra arguments are passed on, e.g. `npm test -- --test-name-pattern=sarif`.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const skip = new Set(['node_modules', 'fixtures', 'bench', '.tools']);

function find(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory() && !skip.has(entry.name)) out.push(...find(full));
    else if (entry.isFile() && entry.name.endsWith('.test.ts')) out.push(full);
  }
  return out.sort();
}

const files = find(path.join(root, 'test')).map((file) => path.relative(root, file));
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...process.argv.slice(2), ...files], { cwd: root, stdio: 'inherit' });
process.exit(result.status ?? 1);
