import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import { buildMarkdownModel, encodePath, escapeHtml, escapeMarkdown, formatHtml, formatMarkdown } from '../../server/src/engine/report/markdown';
import type { Finding } from '../../server/src/engine/types';
import { ROOT, finding } from './fixtures';

const catalog = loadBundledCatalog();

const FINDINGS: Finding[] = [
  finding({ file: path.join(ROOT, 'src/train.py'), line: 11, character: 4 }),
  finding({ file: path.join(ROOT, 'src/data.py'), line: 4, character: 0, ruleId: 'hf-dataset-unpinned', severity: 'warning', message: 'load_dataset without a pinned revision.', techniques: ['AML.T0010.002', 'AML.T0020'] }),
  finding({ file: path.join(ROOT, 'src/data.py'), line: 8, character: 0, ruleId: 'hf-dataset-unpinned', severity: 'info', message: 'load_dataset without a pinned revision.', techniques: ['AML.T0020', 'AML.T0020'] }),
  finding({ file: path.join(ROOT, 'nb/explore.ipynb'), line: 40, character: 6, cell: { index: 2, line: 3 } }),
  finding({ file: path.join(ROOT, 'x.py'), line: 0, character: 0, ruleId: 'my-rule', severity: 'info', message: 'Custom.', techniques: ['AML.T9999'] }),
  finding({ file: path.join(ROOT, 'x.py'), line: 1, character: 0, ruleId: 'my-other-rule', severity: 'warning', message: 'No technique.', techniques: [] }),
];

const OPTIONS = { cwd: ROOT, toolVersion: '0.1.0', filesScanned: 4, durationMs: 87.6 };

test('exact Markdown for a small set of findings', () => {
  assert.equal(
    formatMarkdown(FINDINGS, catalog, OPTIONS),
    [
      '### ATLAS Lens: 6 findings (2 errors, 2 warnings, 2 info)',
      '',
      '| Tactic | Technique | Errors | Warnings | Info |',
      '| --- | --- | ---: | ---: | ---: |',
      '| Resource Development | [AML.T0020](https://atlas.mitre.org/techniques/AML.T0020) Poison Training Data | 0 | 1 | 1 |',
      '| Initial Access | [AML.T0010.002](https://atlas.mitre.org/techniques/AML.T0010.002) AI Supply Chain Compromise: Data | 0 | 1 | 0 |',
      '| Execution | [AML.T0011.000](https://atlas.mitre.org/techniques/AML.T0011.000) User Execution: Unsafe AI Artifacts | 2 | 0 | 0 |',
      '| Persistence | [AML.T0020](https://atlas.mitre.org/techniques/AML.T0020) Poison Training Data | 0 | 1 | 1 |',
      '| — | AML.T9999 (not in ATLAS 5.6.0) | 0 | 0 | 1 |',
      '| — | no ATLAS technique | 0 | 1 | 0 |',
      '',
      '<sub>A finding can cite several techniques and a technique can serve several tactics, so rows overlap.</sub>',
      '',
      '#### Findings (most severe first)',
      '',
      '| Severity | Location | Rule | Message |',
      '| --- | --- | --- | --- |',
      '| error | [nb/explore.ipynb:41 (cell 3, line 4)](nb/explore.ipynb#L41) | torch-load-unsafe | torch.load without weights\\_only=True can run arbitrary code from the file. |',
      '| error | [src/train.py:12](src/train.py#L12) | torch-load-unsafe | torch.load without weights\\_only=True can run arbitrary code from the file. |',
      '| warning | [src/data.py:5](src/data.py#L5) | hf-dataset-unpinned | load\\_dataset without a pinned revision. |',
      '| warning | [x.py:2](x.py#L2) | my-other-rule | No technique. |',
      '| info | [src/data.py:9](src/data.py#L9) | hf-dataset-unpinned | load\\_dataset without a pinned revision. |',
      '| info | [x.py:1](x.py#L1) | my-rule | Custom. |',
      '',
      '<sub>4 files scanned in 88 ms · ATLAS Lens 0.1.0 · MITRE ATLAS 5.6.0</sub>',
      '',
    ].join('\n'),
  );
  // Stable: the input order does not matter.
  assert.equal(formatMarkdown([...FINDINGS].reverse(), catalog, OPTIONS), formatMarkdown(FINDINGS, catalog, OPTIONS));
});

test('exact HTML for one finding; the same model as the Markdown', () => {
  const html = formatHtml([FINDINGS[0]!], catalog, { cwd: ROOT, toolVersion: '0.1.0', filesScanned: 1, durationMs: 1500 });
  const lines = html.split('\n');
  assert.equal(lines[0], '<!DOCTYPE html>');
  assert.equal(lines[4], '<title>ATLAS Lens: 1 finding (1 error, 0 warnings, 0 info)</title>');
  assert.deepEqual(lines.slice(8), [
    '<h1>ATLAS Lens: 1 finding (1 error, 0 warnings, 0 info)</h1>',
    '<table>',
    '<thead><tr><th>Tactic</th><th>Technique</th><th>Errors</th><th>Warnings</th><th>Info</th></tr></thead>',
    '<tbody>',
    '<tr><td>Execution</td><td><a href="https://atlas.mitre.org/techniques/AML.T0011.000">AML.T0011.000</a> User Execution: Unsafe AI Artifacts</td><td class="n">1</td><td class="n">0</td><td class="n">0</td></tr>',
    '</tbody>',
    '</table>',
    '<p><small>A finding can cite several techniques and a technique can serve several tactics, so rows overlap.</small></p>',
    '<h2>Findings (most severe first)</h2>',
    '<table>',
    '<thead><tr><th>Severity</th><th>Location</th><th>Rule</th><th>Message</th></tr></thead>',
    '<tbody>',
    '<tr><td class="error">error</td><td><a href="src/train.py#L12">src/train.py:12</a></td><td><code>torch-load-unsafe</code></td><td>torch.load without weights_only=True can run arbitrary code from the file.</td></tr>',
    '</tbody>',
    '</table>',
    '<footer>1 file scanned in 1.5 s · ATLAS Lens 0.1.0 · MITRE ATLAS 5.6.0</footer>',
    '</body>',
    '</html>',
    '',
  ]);
  assert.doesNotMatch(html, /<script|https?:\/\/(?!atlas\.mitre\.org)/);
});

test('special characters in messages, paths and rule ids are escaped', () => {
  const nasty = finding({
    file: path.join(ROOT, 'src/we ird|(name)_[1].py'),
    line: 2,
    character: 0,
    ruleId: 'x|rule*',
    message: 'Use <script>alert(1)</script> & `code` | *bold* _it_ ~del~ $x$ [l](u) \\ @app.route\n  next line',
  });
  const md = formatMarkdown([nasty], catalog, { cwd: ROOT, toolVersion: '0.1.0' });
  const row = md.split('\n').find((line) => line.startsWith('| error |'))!;
  assert.equal(
    row,
    '| error | [src/we ird\\|(name)\\_\\[1\\].py:3](src/we%20ird%7C%28name%29_%5B1%5D.py#L3) | x\\|rule\\* | ' +
      'Use &lt;script&gt;alert(1)&lt;/script&gt; &amp; \\`code\\` \\| \\*bold\\* \\_it\\_ \\~del\\~ \\$x\\$ \\[l\\](u) \\\\ @\u200bapp.route next line |',
  );
  // Exactly five unescaped cell separators: the row has four cells.
  assert.equal(row.replace(/\\\\/g, '').replace(/\\\|/g, '').split('|').length - 1, 5);
  const html = formatHtml([nasty], catalog, { cwd: ROOT, toolVersion: '0.1.0' });
  assert.match(html, /<td>Use &lt;script&gt;alert\(1\)&lt;\/script&gt; &amp; `code` \| \*bold\* _it_ ~del~ \$x\$ \[l\]\(u\) \\ @app\.route next line<\/td>/);
  assert.match(html, /<a href="src\/we%20ird%7C%28name%29_%5B1%5D\.py#L3">src\/we ird\|\(name\)_\[1\]\.py:3<\/a>/);
  assert.equal(escapeHtml(`"'<>&`), '&quot;&#39;&lt;&gt;&amp;');
  assert.equal(escapeMarkdown('a\r\n  b'), 'a b');
  assert.equal(encodePath('../a b/c#d.py'), '../a%20b/c%23d.py');
});

test('top findings bounded, most severe first, stable; links under linkBase', () => {
  const many = Array.from({ length: 30 }, (_, i) =>
    finding({ file: path.join(ROOT, `m${String(i % 7)}.py`), line: i, character: 0, severity: i % 5 === 0 ? 'error' : i % 2 === 0 ? 'warning' : 'info', message: 'y'.repeat(400) }),
  );
  const model = buildMarkdownModel(many, catalog, { cwd: ROOT, toolVersion: '0.1.0' });
  assert.equal(model.top.length, 20);
  assert.deepEqual(
    model.top.map((f) => `${f.severity} ${f.path}:${f.line}`).slice(0, 8),
    ['error m0.py:1', 'error m1.py:16', 'error m3.py:11', 'error m4.py:26', 'error m5.py:6', 'error m6.py:21', 'warning m0.py:15', 'warning m0.py:29'],
  );
  assert.ok(model.top.every((f) => f.message.length === 300 && f.message.endsWith('…')));
  const md = formatMarkdown(many, catalog, { cwd: ROOT, toolVersion: '0.1.0', maxFindings: 3, linkBase: 'https://github.com/o/r/blob/abc123/' });
  assert.match(md, /^#### Findings \(3 of 30, most severe first\)$/m);
  assert.match(md, /^\| error \| \[m0\.py:1\]\(https:\/\/github\.com\/o\/r\/blob\/abc123\/m0\.py#L1\) \|/m);
  assert.equal(md.split('\n').filter((line) => /^\| (error|warning|info) \|/.test(line)).length, 3);
});

test('no findings: a heading and the footer only', () => {
  assert.equal(
    formatMarkdown([], catalog, { cwd: ROOT, toolVersion: '0.1.0', filesScanned: 12, durationMs: 40, problems: 2 }),
    '### ATLAS Lens: no findings\n\n<sub>12 files scanned in 40 ms · 2 configuration problems (see the text output) · ATLAS Lens 0.1.0 · MITRE ATLAS 5.6.0</sub>\n',
  );
});
