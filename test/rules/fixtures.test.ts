/**
 * Runs every rule over its fixtures: the flagged file must give exactly the announced findings
 * (rule, severity, range), the silent file none; every fix, applied, makes its finding go away.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, describe, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { applyEdits } from '../../server/src/engine/text-edits';
import { parseExpectations } from './fixture-format';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const EXTENSIONS: Record<string, string> = { python: 'py', notebook: 'ipynb', requirements: 'txt', toml: 'toml', dockerfile: 'Dockerfile', yaml: 'yaml', typescript: 'ts', javascript: 'js' };

/** `flagged.py`; requirements files are recognised by their name, so theirs are `requirements-flagged.txt`. */
function fixtureName(language: string, kind: string, extension: string): string {
  return language === 'requirements' ? `requirements-${kind}.${extension}` : `${kind}.${extension}`;
}

let engine: Engine;
before(async () => {
  engine = await Engine.create();
});

function summarise(findings: ReturnType<Engine['analyze']>['findings']) {
  return findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    line: f.range.start.line,
    startCharacter: f.range.start.character,
    endLine: f.range.end.line,
    endCharacter: f.range.end.character,
  }));
}

describe('rule fixtures', () => {
  test('the built-in rules load without problems', () => {
    assert.deepEqual(engine.problems, []);
    assert.ok(engine.rules.length >= 3);
  });

  test('every rule has a flagged and a silent fixture', () => {
    for (const rule of engine.rules) {
      for (const language of rule.languages) {
        const extension = EXTENSIONS[language];
        if (!extension) continue;
        // A TS/JS rule's .ts fixtures cover JavaScript; test/fixtures/javascript/ holds .js variants where they matter.
        if (language === 'javascript' && rule.languages.includes('typescript')) continue;
        for (const kind of ['flagged', 'silent']) {
          const file = path.join(FIXTURES, language, rule.id, fixtureName(language, kind, extension));
          assert.ok(fs.existsSync(file), `missing fixture ${path.relative(FIXTURES, file)}`);
        }
      }
    }
  });

  const languages = fs.existsSync(FIXTURES) ? fs.readdirSync(FIXTURES) : [];
  for (const language of languages) {
    const extension = EXTENSIONS[language];
    if (!extension) continue;
    for (const ruleId of fs.readdirSync(path.join(FIXTURES, language)).sort()) {
      const flagged = path.join(FIXTURES, language, ruleId, fixtureName(language, 'flagged', extension));
      const silent = path.join(FIXTURES, language, ruleId, fixtureName(language, 'silent', extension));

      test(`${ruleId}: flagged fixture gives exactly the announced findings`, () => {
        assert.ok(engine.rule(ruleId), `no rule ${ruleId}`);
        const text = fs.readFileSync(flagged, 'utf8');
        const expected = parseExpectations(text);
        assert.ok(expected.some((e) => e.ruleId === ruleId), `${flagged} announces no ${ruleId} finding`);
        const { findings } = engine.analyze(flagged, text, { projectRoot: path.dirname(flagged) });
        assert.deepEqual(summarise(findings), expected);
        for (const finding of findings) {
          const technique = engine.rule(finding.ruleId)?.atlas.techniques[0];
          assert.equal(finding.techniques[0], technique);
          assert.ok(!finding.message.includes('{callee}'), 'message placeholders are filled');
        }
      });

      test(`${ruleId}: silent fixture gives no finding`, () => {
        const text = fs.readFileSync(silent, 'utf8');
        const { findings } = engine.analyze(silent, text, { projectRoot: path.dirname(silent) });
        assert.deepEqual(summarise(findings), []);
      });

      test(`${ruleId}: each fix, applied, removes its finding and keeps the file parseable`, () => {
        const text = fs.readFileSync(flagged, 'utf8');
        const { findings } = engine.analyze(flagged, text, { projectRoot: path.dirname(flagged) });
        // A placeholder fix (a value the user must fill in) leaves its finding by design; hf-pin-fix.test.ts covers it.
        for (const finding of findings.filter((f) => f.fix && !f.fix.placeholder)) {
          const fixed = applyEdits(text, finding.fix!.edits);
          const after = engine.analyze(flagged, fixed, { projectRoot: path.dirname(flagged) });
          const still = after.findings.filter((f) => f.ruleId === finding.ruleId && f.range.start.line === finding.range.start.line);
          assert.deepEqual(still, [], `fix "${finding.fix!.title}" at line ${finding.range.start.line + 1} left a finding`);
          const newErrors = after.problems.filter((p) => p.message.startsWith('syntax error'));
          const oldErrors = engine.analyze(flagged, text).problems.filter((p) => p.message.startsWith('syntax error'));
          assert.equal(newErrors.length, oldErrors.length, 'the fix introduced a syntax error');
        }
      });
    }
  }
});
