/**
 * Regenerates data/atlas/catalog.yaml from an official MITRE ATLAS data file plus our own
 * hand-written summaries.
 *
 *   node --import tsx scripts/generate-atlas-catalog.ts [--atlas FILE] [--check]
 *
 * - Facts (ids, names, tactic order, tactics, parents, mitigation links, urls) are extracted from
 *   the official ATLAS.yaml (default: ../shared/atlas/ATLAS.yaml next to the repo) with the same
 *   reader the tool uses for --atlas-data (server/src/engine/atlas/official.ts). No description
 *   text is copied from it.
 * - Summaries live in data/atlas/summaries.yaml, written by hand and never touched by this
 *   script; it merges them into the output, so re-running it keeps them. A summary whose id is
 *   not in the official file is an error (stale summaries must be removed by hand).
 * - --check: exit 1 when catalog.yaml differs from what would be generated (for CI).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';
import { z } from 'zod';
import { atlasCatalogSchema, type AtlasCatalogData } from '../server/src/engine/atlas/catalog';
import { loadOfficialAtlas } from '../server/src/engine/atlas/official';
import { zodIssuesToProblems } from '../server/src/engine/rules/loader';
import type { InputProblem } from '../server/src/engine/types';
import { parseLocatedYaml } from '../server/src/engine/yaml/located-yaml';

const repoRoot = path.resolve(__dirname, '..');
const dataDir = path.join(repoRoot, 'data', 'atlas');
const catalogFile = path.join(dataDir, 'catalog.yaml');
const summariesFile = path.join(dataDir, 'summaries.yaml');

const Sentence = z.string().trim().min(20);
export const SummariesSchema = z.strictObject({
  techniques: z.record(z.string().regex(/^AML\.T\d{4}(\.\d{3})?$/), z.strictObject({ summary: Sentence, codeRisk: Sentence })),
  mitigations: z.record(z.string().regex(/^AML\.M\d{4}$/), z.strictObject({ summary: Sentence })),
});

const HEADER = `# MITRE ATLAS catalog bundled with ATLAS Lens. GENERATED: do not edit by hand.
#
# Regenerate with: node --import tsx scripts/generate-atlas-catalog.ts [--atlas FILE]
# - Facts (ids, names, tactic order, technique tactics, sub-technique parents, mitigation ->
#   technique links) are extracted from the official ATLAS data file, (c) MITRE, Apache-2.0
#   (https://github.com/mitre-atlas/atlas-data). A sub-technique repeats its parent's tactics.
# - summary / codeRisk are our own words, kept in data/atlas/summaries.yaml (edit them there);
#   the generator merges them in, so re-running it never loses them.
`;

function print(problems: readonly InputProblem[]): void {
  for (const p of problems) {
    const where = p.line === undefined ? p.file : `${p.file}:${p.line + 1}:${(p.character ?? 0) + 1}`;
    console.error(`${where}: ${p.severity}: ${p.message}`);
  }
}

function main(argv: readonly string[]): number {
  const atlasIndex = argv.indexOf('--atlas');
  const atlasFile = path.resolve(atlasIndex >= 0 && argv[atlasIndex + 1] ? argv[atlasIndex + 1]! : path.join(repoRoot, '..', 'shared', 'atlas', 'ATLAS.yaml'));

  const official = loadOfficialAtlas(atlasFile);
  print(official.problems);
  if (!official.catalog) return 1;
  const data: AtlasCatalogData = structuredClone(official.catalog.data);

  const located = parseLocatedYaml(fs.readFileSync(summariesFile, 'utf8'), summariesFile);
  const summaries = SummariesSchema.safeParse(located.value);
  if (!summaries.success) {
    print(zodIssuesToProblems(summariesFile, located, summaries.error));
    return 1;
  }
  const stale: InputProblem[] = [];
  for (const [id, text] of Object.entries(summaries.data.techniques)) {
    const technique = data.techniques.find((t) => t.id === id);
    if (!technique) stale.push({ file: summariesFile, ...located.locate(['techniques', `${id}:key`]), message: `${id} is not a technique of ATLAS ${data.version}`, severity: 'error' });
    else Object.assign(technique, text);
  }
  for (const [id, text] of Object.entries(summaries.data.mitigations)) {
    const mitigation = data.mitigations.find((m) => m.id === id);
    if (!mitigation) stale.push({ file: summariesFile, ...located.locate(['mitigations', `${id}:key`]), message: `${id} is not a mitigation of ATLAS ${data.version}`, severity: 'error' });
    else Object.assign(mitigation, text);
  }
  if (stale.length > 0) {
    print(stale);
    return 1;
  }

  const output = HEADER + jsYaml.dump(atlasCatalogSchema().parse(data), { lineWidth: 100, flowLevel: 3, noRefs: true });
  const relative = path.relative(repoRoot, catalogFile);
  if (argv.includes('--check')) {
    const current = fs.existsSync(catalogFile) ? fs.readFileSync(catalogFile, 'utf8') : '';
    if (current !== output) {
      console.error(`${relative} is out of date; run node --import tsx scripts/generate-atlas-catalog.ts`);
      return 1;
    }
    console.log(`${relative} is up to date`);
    return 0;
  }
  fs.writeFileSync(catalogFile, output);
  console.log(`wrote ${relative}: ATLAS ${data.version}, ${data.tactics.length} tactics, ${data.techniques.length} techniques, ${data.mitigations.length} mitigations`);
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
