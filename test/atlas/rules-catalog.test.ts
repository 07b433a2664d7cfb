/**
 * Every ATLAS id the rule catalog (../shared/docs/rules-catalog.md) cites exists in the bundled
 * catalog with our own summary, and the names written next to the ids are ATLAS's names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';

const repoRoot = path.resolve(__dirname, '..', '..');
const doc = fs.readFileSync(path.resolve(repoRoot, '..', 'shared', 'docs', 'rules-catalog.md'), 'utf8');
const catalog = loadBundledCatalog();

const ID = /AML\.(?:T\d{4}(?:\.\d{3})?|M\d{4})/g;

/** Ids written out, plus "AML.T0024 … (.002 Extract AI Model)" style sub-technique references. */
function citedIds(): Set<string> {
  const ids = new Set(doc.match(ID) ?? []);
  for (const match of doc.matchAll(/(AML\.T\d{4})\b[^\n(]*\((\.\d{3}) /g)) ids.add(`${match[1]}${match[2]}`);
  return ids;
}

test('the rule catalog cites the expected set of ids', () => {
  const ids = citedIds();
  assert.equal([...ids].filter((id) => id.startsWith('AML.T')).length, 29);
  assert.equal([...ids].filter((id) => id.startsWith('AML.M')).length, 14);
  assert.ok(ids.has('AML.T0024.002'));
});

test('every cited technique (and its parent) exists with a summary and a codeRisk', () => {
  const techniques = [...citedIds()].filter((id) => id.startsWith('AML.T'));
  for (const id of techniques) {
    const technique = catalog.technique(id);
    assert.ok(technique, `${id} is not in the catalog`);
    const ids = technique.parent ? [id, technique.parent] : [id];
    for (const each of ids) {
      const t = catalog.technique(each)!;
      assert.ok((t.summary ?? '').length >= 80, `${each} needs a 2-3 sentence summary`);
      assert.ok((t.codeRisk ?? '').length >= 40, `${each} needs a codeRisk`);
    }
  }
  assert.equal(catalog.allTechniques().filter((t) => t.summary).length, 32);
  assert.equal(catalog.allTechniques().filter((t) => t.codeRisk).length, 32);
});

test('every cited mitigation exists with a one-sentence summary', () => {
  const mitigations = [...citedIds()].filter((id) => id.startsWith('AML.M'));
  for (const id of mitigations) {
    const summary = catalog.mitigation(id)?.summary ?? '';
    assert.ok(summary.length >= 40, `${id} needs a summary`);
    assert.equal(summary.split(/\.\s/).length, 1, `${id}: one sentence`);
  }
  assert.equal(catalog.allMitigations().filter((m) => m.summary).length, 14);
});

/** Ids followed by a capitalised phrase that is not their name; also counts the names that matched. */
function wrongNames(text: string): { wrong: string[]; checked: number } {
  const flat = text.replace(/\s+/g, ' ');
  const wrong: string[] = [];
  let checked = 0;
  for (const match of flat.matchAll(ID)) {
    const id = match[0];
    const after = flat.slice(match.index + id.length);
    const names = [...new Set([catalog.fullName(id), catalog.technique(id)?.name])].filter((n): n is string => Boolean(n));
    if (names.some((name) => new RegExp(`^ ${escape(name)}(?:$|[ ,.;:|()])`).test(after))) {
      checked++;
      continue;
    }
    // Not followed by a name (", AML…", " |", " (info)", " + …"): fine. A capitalised word is a wrong name.
    const next = /^ ?([A-Z][A-Za-z-]+(?: [A-Za-z-]+){0,3})/.exec(after)?.[1];
    if (next !== undefined) wrong.push(`${id} is followed by "${next}…", expected one of: ${names.join(' / ')}`);
  }
  return { wrong, checked };
}

test('names next to ids are the ATLAS name or full name', () => {
  const { wrong, checked } = wrongNames(doc);
  assert.deepEqual(wrong, []);
  assert.ok(checked >= 40, `only ${checked} names checked`);
  // "(.002 Extract AI Model)" after AML.T0024
  assert.match(doc, /AML\.T0024 Exfiltration via AI Inference API \(\.002 Extract AI Model\)/);
  assert.equal(catalog.technique('AML.T0024.002')?.name, 'Extract AI Model');
});

test('the name check catches a wrong name', () => {
  const { wrong, checked } = wrongNames('AML.T0010 AI Supply Chain Compromised, AML.M0011 Restrict Library Loading |');
  assert.equal(checked, 1);
  assert.deepEqual(wrong, ['AML.T0010 is followed by "AI Supply Chain Compromised…", expected one of: AI Supply Chain Compromise']);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
