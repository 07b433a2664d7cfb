/**
 * Build step (scripts/build.mjs): validates the bundled rules and catalog with the same code as
 * at run time and writes what they parse to, keyed by their text, next to the bundles
 * (validated-snapshot.ts). Fails the build when a bundled file is invalid.
 *   node write-snapshot.js <rules dir> <catalog file> <global lists file> <output file>
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { z } from 'zod';
import { globalListSchemas } from '../artifacts/lists';
import { atlasCatalogSchema } from '../atlas/catalog';
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
/** A data file validated as at run time (parseValidatedYaml), recorded or its problems kept. */
const validateDataFile = (kind: SnapshotKind, file: string, schema: z.ZodType) => {
  const text = fs.readFileSync(file, 'utf8');
  const parsed = parseValidatedYaml(file, text, schema);
  if (parsed.data === undefined) problems.push(...parsed.problems.map((p) => `${file}:${(p.line ?? 0) + 1}: ${p.message}`));
  else record(kind, text, parsed.data);
};
validateDataFile('catalog', catalogFile, atlasCatalogSchema());
validateDataFile('global-lists', listsFile, globalListSchemas().GlobalListsFileSchema);
if (problems.length > 0) {
  console.error(`invalid bundled data:\n${problems.join('\n')}`);
  process.exit(1);
}
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, JSON.stringify({ version: 1, entries }));
console.log(`${path.relative(process.cwd(), output)}: ${Object.keys(entries).length} validated files`);
