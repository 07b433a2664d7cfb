#!/usr/bin/env node
/**
 * The `atlas-lens` command line, on the same engine as the language server.
 *   atlas-lens scan [PATH…]      exit 0 clean, 1 findings at or above --fail-on, 2 usage/config error
 *   atlas-lens rules             list the rules
 *   atlas-lens explain ID        a rule's or an ATLAS technique's documentation
 *   atlas-lens lsp [--stdio]     the language server on stdio
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { formatExplanation, formatRuleList } from './cli-explain';
import { atlasLookupFromCatalog } from './engine/report/atlas-lookup';
import { formatJson } from './engine/report/json';
import { formatHtml, formatMarkdown } from './engine/report/markdown';
import { formatNavigator } from './engine/report/navigator';
import { newSinceBaseline, readBaseline } from './engine/report/baseline';
import { formatSarif } from './engine/report/sarif';
import { formatProblemLine, formatText } from './engine/report/text';
import { setUpScan } from './engine/scan';
import { openCache, scanPaths } from './engine/batch/scan-files';
import { isArtifactPath } from './engine/artifacts/inspect';
import { artifactSummaryLine } from './engine/artifacts/scan-artifacts';
import { SEVERITY_RANK, type Severity } from './engine/types';
import packageJson from '../../package.json';

const VERSION: string = packageJson.version;

const USAGE = `ATLAS Lens ${VERSION} — security review of ML code, mapped to MITRE ATLAS

Usage:
  atlas-lens scan [PATH...]        scan files and directories (default: .)
  atlas-lens rules                 list the rules
  atlas-lens explain <RULE|AML-ID> show a rule's or an ATLAS technique's documentation
  atlas-lens lsp [--stdio]         run the language server on stdio (for editors)

Options for scan:
  --format text|json|sarif|navigator|markdown|html
                                   output format (default: text); navigator: an ATLAS
                                   Navigator layer; markdown/html: a pull-request report
  --output FILE                    write the report to FILE instead of stdout
  --fail-on error|warning|info|never
                                   exit 1 when a finding is at least this severe (default: error)
  --config FILE                    project config (default: .atlas-lens.yaml found upwards)
  --rules DIR                      extra rule directory (repeatable)
  --atlas-data FILE                use this official ATLAS.yaml instead of the bundled ATLAS 5.6.0
  --exclude GLOB                   exclude files (repeatable)
  --baseline FILE                  report only findings that are not in FILE, a SARIF
                                   report of an earlier scan (--format sarif, run from
                                   the same directory); --fail-on counts only those
  --jobs N                         threads (default: one per idle core, from 8 MB of source; 1: no workers)
  --cache, --no-cache              reuse per-file results of earlier scans (default: off)
  --cache-dir DIR                  where (default: .atlas-lens-cache/ in the project root)
  --stats                          print files, worker threads, cache hits and time to stderr
  --no-color                       never colour the output
  -h, --help, --version

Exit status: 0 no findings at or above --fail-on, 1 findings, 2 usage or configuration error.
`;

class UsageError extends Error {}

const FORMATS = ['text', 'json', 'sarif', 'navigator', 'markdown', 'html'] as const;
type Format = (typeof FORMATS)[number];

function parseCommandLine(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      format: { type: 'string', default: 'text' },
      output: { type: 'string' },
      'fail-on': { type: 'string', default: 'error' },
      config: { type: 'string' },
      rules: { type: 'string', multiple: true },
      'atlas-data': { type: 'string' },
      exclude: { type: 'string', multiple: true },
      baseline: { type: 'string' },
      jobs: { type: 'string' },
      cache: { type: 'boolean', default: false },
      'no-cache': { type: 'boolean', default: false },
      'cache-dir': { type: 'string' },
      stats: { type: 'boolean', default: false },
      'no-color': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
      stdio: { type: 'boolean', default: false },
    },
  });
  const format = values.format;
  if (!FORMATS.includes(format as Format)) throw new UsageError(`--format must be text, json, sarif, navigator, markdown or html, not "${format}"`);
  const failOn = values['fail-on'];
  if (!['error', 'warning', 'info', 'never'].includes(failOn)) throw new UsageError(`--fail-on must be error, warning, info or never, not "${failOn}"`);
  const jobs = values.jobs === undefined ? undefined : Number(values.jobs);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a whole number of at least 1, not "${values.jobs}"`);
  return { values: { ...values, format: format as Format, failOn: failOn as Severity | 'never', jobs }, positionals };
}

async function runScan(paths: string[], options: ReturnType<typeof parseCommandLine>['values']): Promise<number> {
  for (const p of paths) if (!fs.existsSync(p)) throw new UsageError(`no such file or directory: ${p}`);
  // Read before scanning: a wrong path fails at once, with where.
  const baselineLoad = options.baseline !== undefined ? readBaseline(path.resolve(options.baseline)) : undefined;
  if (baselineLoad?.problem) {
    process.stderr.write(`${formatProblemLine(baselineLoad.problem, process.cwd())}\n`);
    process.stderr.write('atlas-lens: cannot use the baseline, nothing scanned\n');
    return 2;
  }
  const setup = await setUpScan({ paths, configFile: options.config, ruleDirs: options.rules, atlasDataFile: options['atlas-data'] });
  const cwd = process.cwd();
  if (setup.fatal) {
    process.stderr.write(formatText([], { cwd, color: false, problems: setup.problems, filesScanned: 0, durationMs: 0 }));
    process.stderr.write('atlas-lens: configuration error, nothing scanned\n');
    return 2;
  }

  const showProgress = process.stderr.isTTY === true && options.format === 'text' && !options.output;
  const started = Date.now();
  let lastProgress = 0;
  const cache = (options.cache || options['cache-dir'] !== undefined) && !options['no-cache'] ? openCache(setup, options['cache-dir']) : undefined;
  const result = await scanPaths(setup, paths, {
    exclude: options.exclude,
    jobs: options.jobs,
    cache,
    onProgress: showProgress
      ? (done, total) => {
          const now = Date.now();
          if (now - started < 1000 || now - lastProgress < 100) return;
          lastProgress = now;
          process.stderr.write(`\rscanning ${done}/${total} files…`);
        }
      : undefined,
  });
  if (showProgress && lastProgress > 0) process.stderr.write('\r\x1b[K');
  const readSource = (file: string): string | undefined => {
    if (isArtifactPath(file)) return undefined; // binary model files: fingerprint the message
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  if (baselineLoad?.baseline) {
    // Fingerprints as the SARIF report computes them (relative to the working directory).
    const fresh = newSinceBaseline(result.findings, baselineLoad.baseline, cwd, readSource);
    const known = result.findings.length - fresh.size;
    result.findings = result.findings.filter((finding) => fresh.has(finding));
    process.stderr.write(`baseline ${path.relative(cwd, baselineLoad.baseline.file) || baselineLoad.baseline.file}: ${known} known finding${known === 1 ? '' : 's'} not reported\n`);
  }
  if (options.stats) {
    const cacheNote = cache ? `, cache ${result.cacheHits} hits in ${cache.dir}` : '';
    process.stderr.write(`atlas-lens: ${result.filesScanned} files, ${(result.bytesScanned / 1e6).toFixed(2)} MB in ${Math.round(result.durationMs)} ms, ${result.workers > 0 ? `${result.workers + 1} threads (${result.workers} worker${result.workers > 1 ? 's' : ''})` : '1 thread'}${cacheNote}\n`);
  }

  const problems = [...setup.problems, ...result.fileProblems];
  if (options.format === 'navigator' || options.format === 'markdown' || options.format === 'html') {
    // These reports have no place for input problems (the Markdown gives their number): they go to stderr.
    for (const problem of problems) process.stderr.write(`${formatProblemLine(problem, cwd)}\n`);
  }
  let report: string;
  if (options.format === 'json') {
    const json = formatJson(result.findings, problems, { cwd, toolVersion: VERSION, atlasVersion: setup.catalog.version, filesScanned: result.filesScanned, durationMs: result.durationMs });
    // Model files' verdicts, clean ones included (those are not findings).
    const artifacts = (result.artifacts ?? []).map((a) => ({ path: path.relative(cwd, a.file) || a.file, format: a.format, verdict: a.verdict, summary: a.summary }));
    report = JSON.stringify(artifacts.length > 0 ? { ...json, artifacts } : json, null, 2) + '\n';
  } else if (options.format === 'sarif') {
    const sarif = formatSarif(result.findings, setup.engine.rules, atlasLookupFromCatalog(setup.catalog), {
      baseDir: cwd,
      toolVersion: VERSION,
      problems,
      readSource,
    });
    report = JSON.stringify(sarif, null, 2) + '\n';
  } else if (options.format === 'navigator') {
    const layer = formatNavigator(result.findings, setup.catalog, { cwd, toolVersion: VERSION, filesScanned: result.filesScanned, generatedAt: new Date() });
    report = JSON.stringify(layer, null, 2) + '\n';
  } else if (options.format === 'markdown' || options.format === 'html') {
    const format = options.format === 'html' ? formatHtml : formatMarkdown;
    report = format(result.findings, setup.catalog, { cwd, toolVersion: VERSION, filesScanned: result.filesScanned, durationMs: result.durationMs, problems: problems.length });
  } else {
    const color = !options['no-color'] && !options.output && process.stdout.isTTY === true && !process.env.NO_COLOR;
    report = formatText(result.findings, { cwd, color, problems, filesScanned: result.filesScanned, durationMs: result.durationMs }) + artifactSummaryLine(result.artifacts, cwd);
  }
  if (options.output) fs.writeFileSync(options.output, report);
  else process.stdout.write(report);

  if (options.failOn === 'never') return 0;
  const threshold = SEVERITY_RANK[options.failOn];
  return result.findings.some((finding) => SEVERITY_RANK[finding.severity] >= threshold) ? 1 : 0;
}

export async function main(argv: string[]): Promise<number> {
  try {
    const [command, ...rest] = argv;
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      process.stdout.write(`${VERSION}\n`);
      return 0;
    }
    if (command === 'lsp') {
      // The language server, on stdio unless another transport is named (--node-ipc, --socket=…);
      // editors' own flags (--stdio, --clientProcessId=…) are accepted. It runs until the client says exit.
      const { createServerConnection, startServer } = await import('./server');
      (await import('./lsp/heap-tuning')).tuneHeapForEditing();
      startServer(createServerConnection(rest));
      return await new Promise<number>(() => {});
    }
    const { values, positionals } = parseCommandLine(rest);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    switch (command) {
      case 'scan':
        return await runScan(positionals.length > 0 ? positionals : ['.'], values);
      case 'rules': {
        const setup = await setUpScan({ paths: ['.'], configFile: values.config, ruleDirs: values.rules, atlasDataFile: values['atlas-data'] });
        process.stdout.write(formatRuleList(setup.engine.rules, setup.catalog));
        return 0;
      }
      case 'explain': {
        const id = positionals[0];
        if (!id) throw new UsageError('explain needs a rule id or an ATLAS id, e.g. atlas-lens explain torch-load-unsafe');
        const setup = await setUpScan({ paths: ['.'], configFile: values.config, ruleDirs: values.rules, atlasDataFile: values['atlas-data'] });
        const text = formatExplanation(id, setup.engine.rules, setup.catalog);
        if (!text) {
          process.stderr.write(`atlas-lens: no rule or ATLAS technique/mitigation "${id}"\n`);
          return 2;
        }
        process.stdout.write(text);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`atlas-lens: ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    process.stderr.write(`atlas-lens: ${(error as Error).stack ?? String(error)}\n`);
    return 2;
  }
}

if (require.main === module) {
  void main(process.argv.slice(2)).then((code) => {
    process.exitCode = code;
  });
}


