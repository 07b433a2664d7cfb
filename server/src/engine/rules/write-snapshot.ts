/**
 * Build step (scripts/build.mjs): validates the bundled rules and catalog with the same code as
 * at run time and writes what they parse to, keyed by their text, next to the bundles
 * (validated-snapshot.ts). Fails the build when a bundled file is invalid.
 *   node write-snapshot.js <rules dir> <catalog file> <global lists file> <output file>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validatedGlobalLists } from '../artifacts/lists';
import { AtlasCatalogSchema } from '../atlas/catalog';
import { listYamlFiles, parseRuleFileUncached, parseValidatedYaml } from './loader';
import { snapshotKey, type SnapshotKind } from './validated-snapshot';

const [rulesDir, catalogFile, listsFile, output] = process.argv.slice(2);
if (!rulesDir || !catalogFile || !listsFile || !output) throw new Error('usage: write-snapshot <rules dir> <catalog file> <global lists file> <output file>');

const entries: Record<string, unknown> = {};
const problems: string[] = [];
const record = (kind: SnapshotKind, text: string, value: unknown) => {
  entries[snapshotKey(kind, text)] = value;
};
for (const file of listYamlFiles(rulesDir)) {
  const text = fs.readFileSync(file, 'utf8');
  const { rule, problems: found } = parseRuleFileUncached(file, text);
  problems.push(...found.map((p) => `${file}:${(p.line ?? 0) + 1}: ${p.message}`));
  if (rule) {
    const { source: _source, ...spec } = rule;
    record('rule', text, spec);
  }
}
const catalogText = fs.readFileSync(catalogFile, 'utf8');
const catalog = parseValidatedYaml(catalogFile, catalogText, AtlasCatalogSchema);
if (catalog.data === undefined) problems.push(...catalog.problems.map((p) => `${catalogFile}:${(p.line ?? 0) + 1}: ${p.message}`));
else record('catalog', catalogText, catalog.data);
const listsText = fs.readFileSync(listsFile, 'utf8');
const lists = validatedGlobalLists(listsFile, listsText);
if (lists === undefined) problems.push(`${listsFile}: invalid (run the tests for the located problems)`);
else record('global-lists', listsText, lists);
if (problems.length > 0) {
  console.error(`invalid bundled data:\n${problems.join('\n')}`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, JSON.stringify({ version: 1, entries }));
console.log(`${path.relative(process.cwd(), output)}: ${Object.keys(entries).length} validated files`);
