/**
 * The build validates the bundled rules, catalog and global lists once and records the result by
 * the text's hash (server/dist/validated-data.json). What the snapshot gives must be exactly
 * what parsing gives, and any other text must still be parsed and validated.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, test } from 'node:test';
import { globalListSchemas } from '../../server/src/engine/artifacts/lists';
import { atlasCatalogSchema, parseCatalog } from '../../server/src/engine/atlas/catalog';
import { listYamlFiles, parseRuleFile, parseRuleFileUncached, parseValidatedYaml } from '../../server/src/engine/rules/loader';
import { fromSnapshot, snapshotKey, useSnapshotFile } from '../../server/src/engine/rules/validated-snapshot';

const ROOT = path.join(__dirname, '../..');
const BUILT = path.join(ROOT, 'server/dist/validated-data.json');

after(() => useSnapshotFile(undefined));

test('the built snapshot holds every bundled file, exactly as parsing and validating it gives', () => {
  const entries = (JSON.parse(fs.readFileSync(BUILT, 'utf8')) as { entries: Record<string, unknown> }).entries;
  const ruleFiles = listYamlFiles(path.join(ROOT, 'rules'));
  for (const file of ruleFiles) {
    const text = fs.readFileSync(file, 'utf8');
    const { source: _source, ...spec } = parseRuleFileUncached(file, text).rule!;
    // Through JSON, as the snapshot stores it (no undefined fields).
    assert.deepEqual(entries[snapshotKey('rule', text)], JSON.parse(JSON.stringify(spec)), path.relative(ROOT, file));
  }
  const catalogText = fs.readFileSync(path.join(ROOT, 'data/atlas/catalog.yaml'), 'utf8');
  assert.deepEqual(entries[snapshotKey('catalog', catalogText)], JSON.parse(JSON.stringify(parseValidatedYaml('c', catalogText, atlasCatalogSchema()).data)));
  const listsFile = path.join(ROOT, 'data/artifacts/globals.yaml');
  const listsText = fs.readFileSync(listsFile, 'utf8');
  assert.deepEqual(entries[snapshotKey('global-lists', listsText)], JSON.parse(JSON.stringify(parseValidatedYaml(listsFile, listsText, globalListSchemas().GlobalListsFileSchema).data)));
  assert.equal(Object.keys(entries).length, ruleFiles.length + 2, 'nothing else');
});

test('a rule from the snapshot is the parsed rule, with the path it was read from', () => {
  useSnapshotFile(BUILT);
  const file = path.join(ROOT, 'rules/python/torch-load-unsafe.yaml');
  const text = fs.readFileSync(file, 'utf8');
  assert.ok(fromSnapshot('rule', text), 'found in the snapshot');
  assert.deepEqual(JSON.parse(JSON.stringify(parseRuleFile('/elsewhere/rule.yaml', text))), JSON.parse(JSON.stringify({ ...parseRuleFileUncached('/elsewhere/rule.yaml', text) })));
  // Each caller gets its own copy: changing one does not change the next.
  (parseRuleFile(file, text).rule as { title: string }).title = 'changed';
  assert.notEqual(parseRuleFile(file, text).rule!.title, 'changed');
});

test('a text the build did not see is parsed and validated, with located problems', () => {
  useSnapshotFile(BUILT);
  const file = path.join(ROOT, 'rules/python/torch-load-unsafe.yaml');
  const edited = fs.readFileSync(file, 'utf8').replace('severity: warning', 'severity: loud');
  assert.equal(fromSnapshot('rule', edited), undefined);
  const { rule, problems } = parseRuleFile(file, edited);
  assert.equal(rule, undefined);
  assert.equal(problems[0]?.field, 'severity');
  assert.equal(problems[0]?.line, 2);
  const catalogText = fs.readFileSync(path.join(ROOT, 'data/atlas/catalog.yaml'), 'utf8');
  assert.ok(parseCatalog('/x/catalog.yaml', catalogText).catalog, 'the bundled catalog');
  assert.ok(parseCatalog('/x/catalog.yaml', `${catalogText}\n# a comment\n`).catalog, 'parsed again');
  assert.equal(parseCatalog('/x/catalog.yaml', 'tactics: 3\n').catalog, undefined);
});

test('a missing or corrupt snapshot only means parsing everything', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-snapshot-'));
  const text = fs.readFileSync(path.join(ROOT, 'rules/python/torch-load-unsafe.yaml'), 'utf8');
  for (const content of [undefined, '{not json', '{"version": 2, "entries": {}}', 'null']) {
    const file = path.join(dir, 'validated-data.json');
    if (content === undefined) fs.rmSync(file, { force: true });
    else fs.writeFileSync(file, content);
    useSnapshotFile(file);
    assert.equal(fromSnapshot('rule', text), undefined, String(content));
    assert.equal(parseRuleFile('/r.yaml', text).rule?.id, 'torch-load-unsafe');
  }
});
