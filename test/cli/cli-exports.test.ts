/**
 * The built CLI's export formats (npm test builds it first): `--format navigator` gives a file that
 * loads as an ATLAS Navigator layer (format 4.5 schema) citing (technique, tactic) pairs that exist
 * in the official ATLAS 5.6.0 data, scored from the same scan's findings; `--format markdown` and
 * `--format html` give the pull-request report.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, runCli as run } from '../helpers/run-cli';
import { loadOfficialAtlas } from '../../server/src/engine/atlas/official';
import { parseNavigatorLayer } from '../helpers/navigator-schema';

const ROOT = path.resolve(__dirname, '../..');
const OFFICIAL_ATLAS = path.resolve(ROOT, '../shared/atlas/ATLAS.yaml');

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-exports-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const RISKY = 'import torch\nimport yaml\n\nstate = torch.load("m.pt")\ncfg = yaml.load(open("c.yaml"), Loader=yaml.Loader)\n';
const SUPPLY = 'from transformers import AutoModel\nmodel = AutoModel.from_pretrained("org/model", trust_remote_code=True)\n';

test('--format navigator writes a layer the Navigator loads, citing ATLAS 5.6.0 techniques', () => {
  const dir = project({ 'src/train.py': RISKY, 'src/hub.py': SUPPLY, 'src/clean.py': 'print(1)\n' });
  const out = path.join(dir, 'layer.json');
  const { code } = run(['scan', 'src', '--format', 'navigator', '--output', out, '--fail-on', 'never'], dir);
  assert.equal(code, 0);
  const layer = parseNavigatorLayer(JSON.parse(fs.readFileSync(out, 'utf8')));
  assert.equal(layer.domain, 'atlas-atlas');
  assert.deepEqual(layer.versions, { layer: '4.5', navigator: '4.9.0' });
  assert.deepEqual(layer.metadata?.[0], { name: 'atlas_data_version', value: '5.6.0' });
  assert.ok(layer.metadata?.some((m) => 'name' in m && m.name === 'files_scanned' && m.value === '3'));

  // Every (technique, tactic) pair exists in the official ATLAS 5.6.0 file.
  const { catalog } = loadOfficialAtlas(OFFICIAL_ATLAS);
  assert.ok(catalog);
  assert.equal(catalog.version, '5.6.0');
  const tacticIds = new Map(catalog.tactics.map((t) => [t.name.toLowerCase().replace(/ /g, '-'), t.id]));
  const techniques = layer.techniques ?? [];
  assert.ok(techniques.length > 0);
  for (const entry of techniques) {
    const technique = catalog.technique(entry.techniqueID);
    assert.ok(technique, `${entry.techniqueID} is not an ATLAS 5.6.0 technique`);
    assert.ok(entry.tactic && technique.tactics.includes(tacticIds.get(entry.tactic) ?? ''), `${entry.techniqueID} is not under ${entry.tactic}`);
  }

  // Scores are the severity-weighted counts of the same scan's findings.
  const json = JSON.parse(run(['scan', 'src', '--format', 'json', '--fail-on', 'never'], dir).stdout) as { findings: Array<{ severity: 'error' | 'warning' | 'info'; techniques: string[] }> };
  const weight = { error: 10, warning: 3, info: 1 };
  const expected = new Map<string, number>();
  for (const finding of json.findings) {
    for (const id of new Set(finding.techniques)) expected.set(id, (expected.get(id) ?? 0) + weight[finding.severity]);
  }
  assert.ok(expected.has('AML.T0011.000') && expected.has('AML.T0010.003'), JSON.stringify([...expected]));
  const scored = new Map(techniques.filter((t) => t.score !== undefined).map((t) => [t.techniqueID, t.score]));
  assert.deepEqual(scored, expected);
  const torch = techniques.find((t) => t.techniqueID === 'AML.T0011.000')!;
  assert.match(torch.comment ?? '', /Rules: .*torch-load-unsafe.*\. Files: .*src\/train\.py/);
  assert.ok(techniques.some((t) => t.techniqueID === 'AML.T0011' && t.showSubtechniques === true && t.score === undefined));
});

test('--format markdown and html: the pull-request report; exit status still follows --fail-on', () => {
  const dir = project({ 'train.py': RISKY });
  const md = run(['scan', '.', '--format', 'markdown'], dir);
  assert.equal(md.code, 1);
  const lines = md.stdout.split('\n');
  assert.match(lines[0]!, /^### ATLAS Lens: 2 findings \(\d errors?, \d warnings?, 0 info\)$/);
  assert.ok(lines.includes('| Tactic | Technique | Errors | Warnings | Info |'));
  assert.match(md.stdout, /^\| Execution \| \[AML\.T0011\.000\]\(https:\/\/atlas\.mitre\.org\/techniques\/AML\.T0011\.000\) User Execution: Unsafe AI Artifacts \| \d \| \d \| 0 \|$/m);
  assert.match(md.stdout, /^\| (error|warning) \| \[train\.py:4\]\(train\.py#L4\) \| torch-load-unsafe \| torch\.load\(\) /m);
  assert.match(md.stdout, /^<sub>1 file scanned in \d+(\.\d)? m?s · (.* · )?ATLAS Lens \d+\.\d+\.\d+ · MITRE ATLAS 5\.6\.0<\/sub>$/m);

  const out = path.join(dir, 'report.html');
  const html = run(['scan', '.', '--format', 'html', '--output', out, '--fail-on', 'never'], dir);
  assert.equal(html.code, 0);
  const page = fs.readFileSync(out, 'utf8');
  assert.match(page, /^<!DOCTYPE html>\n/);
  assert.match(page, /<a href="train\.py#L5">train\.py:5<\/a><\/td><td><code>yaml-unsafe-load<\/code>/);
  assert.doesNotMatch(page, /<script/);
});
