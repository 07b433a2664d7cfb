import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { formatText, formatSummary } from '../../server/src/engine/report/text';
import { ROOT, finding } from './fixtures';

const findings = [
  finding({ file: path.join(ROOT, 'src/train.py'), line: 11, character: 4 }),
  finding({ file: path.join(ROOT, 'src/a.py'), line: 2, character: 0, ruleId: 'hf-remote-code', severity: 'warning', message: 'trust_remote_code=True runs\n  code from the Hub.', techniques: ['AML.T0010.003', 'AML.T0011.000'] }),
  finding({ file: path.join(ROOT, 'src/train.py'), line: 1, character: 8, severity: 'info', message: 'Info here.', techniques: [] }),
  finding({ file: path.join(ROOT, 'nb/explore.ipynb'), line: 40, character: 6, cell: { index: 2, line: 3 } }),
];

const problems = [
  { file: path.join(ROOT, '.atlas-lens.yaml'), line: 4, character: 2, field: 'rules.foo', message: 'rules.foo: unknown rule', severity: 'error' as const },
  { file: path.join(ROOT, 'rules/bad.yaml'), message: 'cannot read rule file: EACCES', severity: 'error' as const },
];

test('plain text: problems first, findings sorted by path/line/col, one-based, summary', () => {
  const out = formatText(findings, { cwd: ROOT, color: false, problems, filesScanned: 7, durationMs: 123.4 });
  assert.equal(
    out,
    [
      '.atlas-lens.yaml:5:3: error rules.foo: unknown rule',
      'rules/bad.yaml: error cannot read rule file: EACCES',
      'nb/explore.ipynb:41:7: error [torch-load-unsafe] torch.load without weights_only=True can run arbitrary code from the file. (AML.T0011.000) [cell 3, line 4]',
      'src/a.py:3:1: warning [hf-remote-code] trust_remote_code=True runs code from the Hub. (AML.T0010.003, AML.T0011.000)',
      'src/train.py:2:9: info [torch-load-unsafe] Info here.',
      'src/train.py:12:5: error [torch-load-unsafe] torch.load without weights_only=True can run arbitrary code from the file. (AML.T0011.000)',
      '4 findings (2 errors, 1 warning, 1 info) in 7 files, 123 ms',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(out, /\u001b/);
});

test('colour: severity coloured, path bold, techniques dim', () => {
  const out = formatText([findings[0]!], { cwd: ROOT, color: true, filesScanned: 1, durationMs: 5 });
  const lines = out.split('\n');
  assert.equal(
    lines[0],
    '\u001b[1msrc/train.py:12:5\u001b[22m: \u001b[31merror\u001b[39m [torch-load-unsafe] torch.load without weights_only=True can run arbitrary code from the file. \u001b[2m(AML.T0011.000)\u001b[22m',
  );
  assert.equal(lines[1], '1 finding (1 error, 0 warnings, 0 info) in 1 file, 5 ms');
  const warn = formatText([findings[1]!], { cwd: ROOT, color: true, filesScanned: 1, durationMs: 5 });
  assert.match(warn, /\u001b\[33mwarning\u001b\[39m/);
  const problem = formatText([], { cwd: ROOT, color: true, problems: [problems[0]!], filesScanned: 0, durationMs: 0 });
  assert.equal(problem.split('\n')[0], '\u001b[1m.atlas-lens.yaml:5:3\u001b[22m: \u001b[31merror\u001b[39m rules.foo: unknown rule');
});

test('summary without findings, and files outside cwd', () => {
  assert.equal(formatText([], { cwd: ROOT, color: false, filesScanned: 3, durationMs: 12.6 }), 'No findings in 3 files (13 ms)\n');
  assert.equal(formatSummary([], 1, 0), 'No findings in 1 file (0 ms)');
  const outside = formatText([finding({ file: path.resolve(ROOT, '../other/x.py'), line: 0, character: 0 })], { cwd: ROOT, color: false, filesScanned: 1, durationMs: 1 });
  assert.match(outside, /^\.\.\/other\/x\.py:1:1: error /);
});
