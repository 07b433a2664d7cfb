/**
 * The built `atlas-lens` command, run as users run it (npm test builds it first): exit codes,
 * output formats, configuration errors, explain/rules.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { CLI, runCli as run } from '../helpers/run-cli';
import { loadSarifValidator } from '../helpers/sarif-schema';

const ROOT = path.resolve(__dirname, '../..');

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-cli-'));
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const RISKY = 'import torch\nimport yaml\n\nstate = torch.load("m.pt")\ncfg = yaml.load(open("c.yaml"), Loader=yaml.Loader)\n';

test('the bundle exists (npm test builds it)', () => {
  assert.ok(fs.existsSync(CLI), `${CLI} is missing: run npm run build`);
});

test('text output: compiler-style lines, summary, exit 1 on an error finding', () => {
  const dir = project({ 'train.py': RISKY, 'clean.py': 'print("hello")\n' });
  const { code, stdout } = run(['scan', '.'], dir);
  assert.equal(code, 1);
  const lines = stdout.trimEnd().split('\n');
  assert.match(lines[0]!, /^train\.py:4:9: warning \[torch-load-unsafe\] torch\.load\(\) unpickles the checkpoint.* \(AML\.T0011\.000\)$/);
  assert.match(lines[1]!, /^train\.py:5:7: error \[yaml-unsafe-load\] yaml\.load\(\) without a safe Loader.* \(AML\.T0011\.000\)$/);
  assert.match(lines[2]!, /^2 findings \(1 error, 1 warning, 0 info\) in 2 files, \d+ ms$/);
  assert.equal(lines.length, 3);
});

test('--fail-on decides the exit status', () => {
  const dir = project({ 'train.py': 'import torch\nstate = torch.load("m.pt")\n' });
  assert.equal(run(['scan', '.'], dir).code, 0, 'a warning does not fail the default --fail-on error');
  assert.equal(run(['scan', '.', '--fail-on', 'warning'], dir).code, 1);
  assert.equal(run(['scan', '.', '--fail-on', 'never'], dir).code, 0);
  const clean = project({ 'ok.py': 'import torch\nstate = torch.load("m.pt", weights_only=True)\n' });
  const result = run(['scan', '.', '--fail-on', 'info'], clean);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^No findings in 1 file \(\d+ ms\)$/m);
});

test('usage errors exit 2 with a message', () => {
  const dir = project({});
  const badFormat = run(['scan', '.', '--format', 'xml'], dir);
  assert.equal(badFormat.code, 2);
  assert.match(badFormat.stderr, /--format must be text, json, sarif, navigator, markdown or html, not "xml"/);
  assert.equal(run(['scan', 'no-such-dir'], dir).code, 2);
  assert.equal(run(['frobnicate'], dir).code, 2);
  assert.match(run(['scan', '--bogus'], dir).stderr, /Unknown option '--bogus'/);
});

test('SARIF output validates against the SARIF 2.1.0 schema and carries ATLAS taxa', () => {
  const dir = project({ 'src/train.py': RISKY });
  const out = path.join(dir, 'out.sarif');
  const { code } = run(['scan', 'src', '--format', 'sarif', '--output', out, '--fail-on', 'never'], dir);
  assert.equal(code, 0);
  // A parsed SARIF log, checked field by field below.
  const log = JSON.parse(fs.readFileSync(out, 'utf8'));
  const validate = loadSarifValidator();
  const isValid: boolean = validate(log); // a plain boolean: the validator's type guard would narrow `log` to unknown
  assert.ok(isValid, JSON.stringify(validate.errors, null, 2));
  const run0 = log.runs[0];
  assert.equal(run0.results.length, 2);
  const first = run0.results[0];
  assert.equal(first.ruleId, 'torch-load-unsafe');
  assert.equal(first.locations[0].physicalLocation.artifactLocation.uri, 'src/train.py');
  assert.equal(first.locations[0].physicalLocation.artifactLocation.uriBaseId, '%SRCROOT%');
  assert.deepEqual(
    [first.locations[0].physicalLocation.region.startLine, first.locations[0].physicalLocation.region.startColumn],
    [4, 9],
  );
  const taxonomy = run0.taxonomies[0];
  assert.equal(taxonomy.name, 'MITRE ATLAS');
  assert.equal(taxonomy.version, '5.6.0');
  const taxon = taxonomy.taxa[first.taxa[0].index];
  assert.equal(taxon.id, 'AML.T0011.000');
  assert.equal(run0.tool.driver.rules[first.ruleIndex].id, 'torch-load-unsafe');
  assert.equal(run0.tool.driver.rules[first.ruleIndex].helpUri, 'https://atlas.mitre.org/techniques/AML.T0011.000');
  // Every rule is declared, not only those with results.
  assert.ok(run0.tool.driver.rules.length >= 6);
});

test('JSON output lists findings with zero-based positions and the ATLAS version', () => {
  const dir = project({ 'train.py': RISKY });
  const { stdout } = run(['scan', '.', '--format', 'json', '--fail-on', 'never'], dir);
  const report = JSON.parse(stdout);
  assert.equal(report.atlasVersion, '5.6.0');
  assert.equal(report.findings.length, 2);
  assert.equal(report.findings[0].ruleId, 'torch-load-unsafe');
  assert.equal(report.findings[0].path, 'train.py');
});

test('suppressions: atlas-lens: ignore and nosec', () => {
  const dir = project({
    'a.py': 'import torch\nx = torch.load("m.pt")  # atlas-lens: ignore[torch-load-unsafe]\ny = torch.load("m.pt")  # nosec\nz = torch.load("m.pt")  # atlas-lens: ignore[other-rule]\n',
  });
  const { stdout } = run(['scan', '.', '--fail-on', 'never'], dir);
  assert.match(stdout, /^a\.py:4:5: warning \[torch-load-unsafe\]/m);
  assert.match(stdout, /^1 finding /m);
});

test('project config: rules off, severity override, exclude; invalid config is located', () => {
  const dir = project({
    '.atlas-lens.yaml': 'rules:\n  torch-load-unsafe: error\n  yaml-unsafe-load: off\nexclude:\n  - "vendor/**"\n',
    'train.py': RISKY,
    'vendor/lib.py': RISKY,
  });
  const { stdout, code } = run(['scan', '.'], dir);
  assert.equal(code, 1);
  assert.match(stdout, /^train\.py:4:9: error \[torch-load-unsafe\]/m);
  assert.doesNotMatch(stdout, /yaml-unsafe-load|vendor/);

  const broken = project({ 'cfg.yaml': 'rules:\n  torch-load-unsafe: loud\n', 'train.py': RISKY });
  const result = run(['scan', '.', '--config', 'cfg.yaml'], broken);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /cfg\.yaml:2:22: error rules\.torch-load-unsafe: expected one of off, on, error, warning, info/);
});

test('an invalid custom rule file is reported with its location; the other rules still run', () => {
  const dir = project({
    'my-rules/bad.yaml': 'id: my-rule\ntitle: x\nseverity: critical\n',
    'train.py': RISKY,
  });
  const { stdout } = run(['scan', 'train.py', '--rules', 'my-rules', '--fail-on', 'never'], dir);
  // zod's own English message (the bundles keep only zod's English locale).
  assert.match(stdout, /my-rules\/bad\.yaml:3:11: error severity: Invalid option: expected one of "error"\|"warning"\|"info"/);
  assert.match(stdout, /\[torch-load-unsafe\]/);
});

test('a file with a syntax error still gets findings for the parts that parse', () => {
  const dir = project({ 'broken.py': 'import torch\n\ndef f(:\n    pass\n\nstate = torch.load("m.pt")\n' });
  const { stdout } = run(['scan', '.', '--fail-on', 'never'], dir);
  assert.match(stdout, /^broken\.py:6:9: warning \[torch-load-unsafe\]/m);
});

test('rules and explain', () => {
  const dir = project({});
  const rules = run(['rules'], dir);
  assert.equal(rules.code, 0);
  assert.match(rules.stdout, /^torch-load-unsafe\s+warning\s+python\s+AML\.T0011\.000$/m);
  const rule = run(['explain', 'yaml-unsafe-load'], dir);
  assert.match(rule.stdout, /^yaml-unsafe-load — YAML loaded with a loader that builds arbitrary objects$/m);
  assert.match(rule.stdout, /AML\.T0011\.000 User Execution: Unsafe AI Artifacts/);
  const technique = run(['explain', 'AML.T0010.003'], dir);
  assert.match(technique.stdout, /^AML\.T0010\.003 AI Supply Chain Compromise: Model$/m);
  assert.equal(run(['explain', 'AML.T9999'], dir).code, 2);
});

test('--atlas-data reads an official ATLAS.yaml', () => {
  const dir = project({ 'train.py': RISKY });
  const official = path.resolve(ROOT, '../shared/atlas/ATLAS.yaml');
  const { stdout, code } = run(['scan', '.', '--atlas-data', official, '--format', 'json', '--fail-on', 'never'], dir);
  assert.equal(code, 0);
  assert.equal(JSON.parse(stdout).atlasVersion, '5.6.0');
  const missing = run(['scan', '.', '--atlas-data', 'nope.yaml'], dir);
  assert.equal(missing.code, 2);
});

test('the built `atlas-lens lsp --stdio` answers initialize (the CLI loads the server bundle next to it)', async () => {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, [CLI, 'lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'initialize', params: { processId: null, rootUri: null, capabilities: {} } });
  child.stdin.write(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  let output = '';
  const reply = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply; stderr: ${child.stderr.read() ?? ''}`)), 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const start = output.indexOf('\r\n\r\n');
      const length = Number(/Content-Length: (\d+)/.exec(output)?.[1]);
      if (start >= 0 && Buffer.byteLength(output.slice(start + 4)) >= length) {
        clearTimeout(timer);
        resolve(output.slice(start + 4));
      }
    });
  });
  child.kill();
  const message = JSON.parse(reply) as { id: number; result: { capabilities: { hoverProvider?: boolean; codeActionProvider?: unknown } } };
  assert.equal(message.id, 1);
  assert.equal(message.result.capabilities.hoverProvider, true);
  assert.ok(message.result.capabilities.codeActionProvider);
});
