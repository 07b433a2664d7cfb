/**
 * What must hold for every fuzz input, and the harness that checks it:
 * - no crash: nothing thrown out of the engine's analyze, the config and rule parsers, the model
 *   file inspector or a scan, and no "internal error" or "rule … failed" problem either (the
 *   engine turns exceptions into those: for the fuzz they are crashes);
 * - no hang: each analysis ends within its time budget (plus slack for the check-point gaps);
 *   one that ran out of time says so;
 * - findings and problems well formed: ranges inside the text, start before end;
 * - config and rule files: every problem located (line and column), validation problems name
 *   the field; a file with every field wrong gets at least one error;
 * - the other files' findings unchanged: a sample of inputs is scanned in a folder beside control
 *   files, whose findings must equal those of the control files scanned alone.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseProjectConfig } from '../../server/src/engine/config/project-config';
import { Engine, type AnalysisSettings } from '../../server/src/engine/engine';
import { inspectArtifact } from '../../server/src/engine/artifacts/inspect';
import { ArtifactError } from '../../server/src/engine/artifacts/bytes';
import { parseRuleFile } from '../../server/src/engine/rules/loader';
import { scanFiles, setUpScan, type ScanSetup } from '../../server/src/engine/scan';
import type { Finding, InputProblem } from '../../server/src/engine/types';
import { contentBytes, contentText, inputAt, loadCorpus, ROOT, specialInputs, type Corpus, type FuzzInput } from './generate';

export interface FuzzFailure {
  input: FuzzInput;
  what: string;
}

export interface FuzzOptions {
  seed: number;
  count: number;
  /** First index (a reproducer runs one index). */
  start?: number;
  /** Per-file time budget given to the engine. */
  timeBudgetMs?: number;
  /** Every n-th input is also scanned beside the control files (0: never). */
  scanEvery?: number;
  /** Include the special inputs (20 MB line, 10,000-deep brackets, …). */
  specials?: boolean;
  onStart?: (input: FuzzInput) => void;
  onInput?: (input: FuzzInput, ms: number) => void;
}

export interface FuzzReport {
  inputs: number;
  scans: number;
  failures: FuzzFailure[];
  ms: number;
  slowest: Array<{ recipe: string; name: string; ms: number }>;
  /** Inputs whose analysis was stopped by the time budget (reported, not failures). */
  stopped: number;
}

/** Control files: one flagged fixture per analyzer kind, scanned beside each sampled fuzz input. */
const CONTROLS: Array<[string, string]> = [
  ['test/fixtures/python/torch-load-unsafe/flagged.py', 'c0.py'],
  ['test/fixtures/python/pickle-deserialization/flagged.py', 'c1.py'],
  ['test/fixtures/requirements/ml-package-unpinned/requirements-flagged.txt', 'requirements-c2.txt'],
  ['test/fixtures/dockerfile/container-image-unpinned/flagged.Dockerfile', 'c3.Dockerfile'],
  ['test/fixtures/notebook/insecure-package-index/flagged.ipynb', 'c4.ipynb'],
  ['test/fixtures/yaml/compose-model-port-published/flagged.yaml', 'docker-compose.yaml'],
  ['test/fixtures/typescript/js-model-server-all-interfaces/flagged.ts', 'c6.ts'],
];

const INTERNAL = /internal error|failed on this file/;

export class FuzzHarness {
  private scanRoot?: string;
  private setup?: ScanSetup;
  private baseline?: string;

  private constructor(
    readonly engine: Engine,
    readonly corpus: Corpus,
  ) {}

  static async create(): Promise<FuzzHarness> {
    return new FuzzHarness(await Engine.create(), loadCorpus());
  }

  /** Runs `count` inputs from `start`; never throws for an input (a thrown error is a failure). */
  async run(options: FuzzOptions): Promise<FuzzReport> {
    const started = performance.now();
    const failures: FuzzFailure[] = [];
    const slowest: FuzzReport['slowest'] = [];
    let scans = 0;
    let stopped = 0;
    const inputs: FuzzInput[] = [];
    if (options.specials) inputs.push(...specialInputs());
    const start = options.start ?? 0;
    for (let index = start; index < start + options.count; index++) inputs.push(inputAt(options.seed, index, this.corpus));
    for (const input of inputs) {
      options.onStart?.(input);
      const t0 = performance.now();
      let found: string[];
      try {
        const outcome = await this.check(input, options);
        found = outcome.failures;
        if (outcome.stopped) stopped++;
        if (options.scanEvery && input.index >= 0 && input.index % options.scanEvery === 0) {
          scans++;
          found.push(...(await this.checkScan(input)));
        }
      } catch (error) {
        found = [`threw: ${(error as Error)?.stack ?? String(error)}`];
      }
      const ms = performance.now() - t0;
      for (const what of found) failures.push({ input, what });
      slowest.push({ recipe: input.recipe, name: input.name, ms });
      slowest.sort((a, b) => b.ms - a.ms);
      slowest.length = Math.min(slowest.length, 5);
      options.onInput?.(input, ms);
    }
    return { inputs: inputs.length, scans, failures, ms: performance.now() - started, slowest, stopped };
  }

  /** The checks on one input alone. */
  async check(input: FuzzInput, options: Pick<FuzzOptions, 'timeBudgetMs'>): Promise<{ failures: string[]; stopped: boolean }> {
    const budget = options.timeBudgetMs ?? 2000;
    const failures: string[] = [];
    let stopped = false;
    const file = path.join(ROOT, 'fuzz-virtual', input.name);
    if (input.kind === 'source') {
      const text = contentText(input);
      const settings: AnalysisSettings = { timeBudgetMs: budget, projectRoot: path.dirname(file) };
      const cpu0 = process.cpuUsage();
      const result = this.engine.analyze(file, text, settings);
      const ms = cpuMs(cpu0);
      // The budget is checked between rules and while parsing; a single rule's run is the gap.
      // CPU time, not wall time: a loaded machine (CI, parallel tests) must not look like a hang.
      if (ms > budget * 2 + 2000) failures.push(`hang: analysis took ${Math.round(ms)} ms of CPU with a budget of ${budget} ms`);
      stopped = result.problems.some((p) => p.message.includes('over the time budget'));
      failures.push(...problemFailures(result.problems, file));
      failures.push(...findingFailures(result.findings, text, file));
    } else if (input.kind === 'artifact') {
      const cpu0 = process.cpuUsage();
      try {
        const inspection = inspectArtifact(file, contentBytes(input));
        if (typeof inspection.verdict !== 'string') failures.push('inspection without a verdict');
      } catch (error) {
        if (!(error instanceof ArtifactError)) failures.push(`model file inspector threw: ${(error as Error)?.stack ?? String(error)}`);
      }
      const ms = cpuMs(cpu0);
      if (ms > budget * 2 + 2000) failures.push(`hang: inspection took ${Math.round(ms)} ms of CPU`);
    } else {
      const text = contentText(input);
      const problems = input.kind === 'config' ? parseProjectConfig(path.join(ROOT, 'fuzz-virtual', '.atlas-lens.yaml'), text).problems : parseRuleFile(file, text).problems;
      for (const problem of problems) {
        if (problem.line === undefined || problem.character === undefined || problem.line < 0 || problem.character < 0) failures.push(`problem not located: ${JSON.stringify(problem)}`);
        // Syntax errors are located only; validation errors also name the field.
        if (!/^invalid YAML|must be a mapping/.test(problem.message) && !problem.field) failures.push(`problem without a field: ${JSON.stringify(problem)}`);
      }
      if (input.mustReport && !problems.some((problem) => problem.severity === 'error')) failures.push('every field wrong, yet no error reported');
    }
    return { failures, stopped };
  }

  /**
   * The input in a folder beside the control files: no crash, and the controls' findings equal
   * their findings scanned alone (configs are not put there: they may rightly change findings).
   */
  async checkScan(input: FuzzInput): Promise<string[]> {
    if (input.kind === 'config' || input.kind === 'rule') return [];
    const setup = await this.scanSetup();
    const fuzzedDir = path.join(this.scanRoot!, 'fuzzed');
    fs.rmSync(fuzzedDir, { recursive: true, force: true });
    fs.mkdirSync(fuzzedDir);
    const fuzzedFile = path.join(fuzzedDir, input.name);
    fs.writeFileSync(fuzzedFile, contentBytes(input));
    try {
      const result = scanFiles(setup, [this.scanRoot!]);
      const failures: string[] = [];
      const controls = this.render(result.findings.filter((finding) => !finding.file.startsWith(fuzzedDir + path.sep)));
      if (controls !== this.baseline) failures.push(`control files' findings changed:\n--- alone\n${this.baseline}\n--- beside the input\n${controls}`);
      failures.push(...problemFailures(result.fileProblems, fuzzedFile));
      if (result.fileProblems.some((problem) => problem.file !== fuzzedFile)) failures.push(`problems on the control files: ${JSON.stringify(result.fileProblems.filter((p) => p.file !== fuzzedFile))}`);
      return failures;
    } finally {
      fs.rmSync(fuzzedDir, { recursive: true, force: true });
    }
  }

  private async scanSetup(): Promise<ScanSetup> {
    if (this.setup) return this.setup;
    this.scanRoot = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-fuzz-')));
    const controlDir = path.join(this.scanRoot, 'control');
    fs.mkdirSync(controlDir);
    for (const [relative, name] of CONTROLS) fs.copyFileSync(path.join(ROOT, relative), path.join(controlDir, name));
    this.setup = await setUpScan({ paths: [this.scanRoot] });
    const alone = scanFiles(this.setup, [this.scanRoot]);
    this.baseline = this.render(alone.findings);
    if (alone.findings.length < CONTROLS.length) throw new Error(`the control files should each have findings; got ${this.baseline}`);
    return this.setup;
  }

  private render(findings: readonly Finding[]): string {
    return findings.map((f) => `${path.relative(this.scanRoot!, f.file)}:${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character} ${f.ruleId} ${f.severity}`).join('\n');
  }

  dispose(): void {
    if (this.scanRoot) fs.rmSync(this.scanRoot, { recursive: true, force: true });
  }
}

/** CPU milliseconds (user + system) of this process since `start`. */
function cpuMs(start: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
}

function problemFailures(problems: readonly InputProblem[], file: string): string[] {
  const failures: string[] = [];
  for (const problem of problems) {
    if (INTERNAL.test(problem.message)) failures.push(`crash reported as a problem: ${problem.message}`);
    if (problem.file !== file) failures.push(`problem names another file: ${problem.file}`);
  }
  return failures;
}

function findingFailures(findings: readonly Finding[], text: string, file: string): string[] {
  const failures: string[] = [];
  const lines = text.split(/\r\n|\r|\n/).length;
  for (const finding of findings) {
    const { start, end } = finding.range;
    if (finding.file !== file) failures.push(`finding names another file: ${finding.file}`);
    if (!finding.ruleId) failures.push('finding without a rule id');
    if (![start.line, start.character, end.line, end.character].every((n) => Number.isInteger(n) && n >= 0)) failures.push(`finding with a bad range: ${JSON.stringify(finding.range)}`);
    else if (start.line >= lines || end.line >= lines) failures.push(`finding past the end of the file (${lines} lines): ${finding.ruleId} ${JSON.stringify(finding.range)}`);
    else if (start.line > end.line || (start.line === end.line && start.character > end.character)) failures.push(`finding whose range ends before it starts: ${finding.ruleId} ${JSON.stringify(finding.range)}`);
  }
  return failures;
}
