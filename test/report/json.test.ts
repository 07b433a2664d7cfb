import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatJson } from '../../server/src/engine/report/json';
import { ROOT, finding } from './fixtures';

test('JSON report: documented shape, zero-based positions, relative sorted paths', () => {
  const withFix = finding({
    file: path.join(ROOT, 'src/train.py'),
    line: 11,
    character: 4,
    fix: { title: 'Set weights_only=True', safe: true, edits: [{ range: { start: { line: 11, character: 20 }, end: { line: 11, character: 20 } }, newText: ', weights_only=True' }] },
  });
  const notebook = finding({ file: path.join(ROOT, 'a/nb.ipynb'), line: 3, character: 1, severity: 'warning', cell: { index: 0, line: 2 }, mitigations: [] });
  const report = formatJson([withFix, notebook], [{ file: path.join(ROOT, '.atlas-lens.yaml'), line: 0, character: 4, field: 'x', message: 'bad', severity: 'warning' }], {
    cwd: ROOT,
    toolVersion: '0.1.0',
    atlasVersion: '5.6.0',
    filesScanned: 2,
    durationMs: 10.2,
  });
  assert.deepEqual(JSON.parse(JSON.stringify(report)), {
    version: 1,
    positionEncoding: 'zero-based lines, UTF-16 columns',
    tool: { name: 'ATLAS Lens', version: '0.1.0' },
    atlasVersion: '5.6.0',
    summary: { findings: 2, error: 1, warning: 1, info: 0, problems: 1, filesScanned: 2, durationMs: 10 },
    findings: [
      {
        ruleId: 'torch-load-unsafe',
        severity: 'warning',
        message: notebook.message,
        path: 'a/nb.ipynb',
        range: { start: { line: 3, character: 1 }, end: { line: 3, character: 11 } },
        statementLines: { first: 3, last: 3 },
        techniques: ['AML.T0011.000'],
        mitigations: [],
        cell: { index: 0, line: 2 },
      },
      {
        ruleId: 'torch-load-unsafe',
        severity: 'error',
        message: withFix.message,
        path: 'src/train.py',
        range: { start: { line: 11, character: 4 }, end: { line: 11, character: 14 } },
        statementLines: { first: 11, last: 11 },
        techniques: ['AML.T0011.000'],
        mitigations: ['AML.M0011'],
        fix: { title: 'Set weights_only=True', safe: true, edits: [{ range: { start: { line: 11, character: 20 }, end: { line: 11, character: 20 } }, newText: ', weights_only=True' }] },
      },
    ],
    problems: [{ path: '.atlas-lens.yaml', line: 0, character: 4, field: 'x', severity: 'warning', message: 'bad' }],
  });
});

test('JSON report: optional fields absent, atlasVersion null when unknown, input not aliased', () => {
  const input = finding({ file: path.join(ROOT, 'x.py'), line: 0, character: 0 });
  const report = formatJson([input], [{ file: path.join(ROOT, 'r.yaml'), message: 'm', severity: 'error' }], { cwd: ROOT, toolVersion: '1.2.3' });
  assert.equal(report.atlasVersion, null);
  assert.deepEqual(Object.keys(report), ['version', 'positionEncoding', 'tool', 'atlasVersion', 'summary', 'findings', 'problems']);
  assert.deepEqual(report.summary, { findings: 1, error: 1, warning: 0, info: 0, problems: 1 });
  assert.deepEqual(report.problems, [{ path: 'r.yaml', severity: 'error', message: 'm' }]);
  assert.equal('cell' in report.findings[0]!, false);
  assert.equal('fix' in report.findings[0]!, false);
  report.findings[0]!.range.start.line = 99;
  assert.equal(input.range.start.line, 0);
});
