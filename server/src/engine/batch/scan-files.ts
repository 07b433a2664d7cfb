/**
 * Whole scans over many files, for the CLI and the language server's workspace scan: discovery,
 * then each file analysed in this thread or in a pool of workers, optionally through the
 * content-hash cache, then the outcomes merged in discovery order. Every way gives the same
 * findings in the same order as the single-threaded scan.
 */
import * as fs from 'node:fs';
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import type { AnalysisSettings, Engine } from '../engine';
import type { FileTiming, ScanOptions, ScanResult, ScanSetup } from '../scan';
import type { Finding, InputProblem } from '../types';
import { discoverFiles } from '../workspace/discover';
import { createArtifactScanner, type ArtifactSummary } from '../artifacts/scan-artifacts';
import { readAndAnalyze, type FileOutcome } from './analyze-file';
import { ResultCache, fingerprintOf, DEFAULT_CACHE_DIR_NAME } from './cache';
import { analyzeInPool, defaultJobs } from './pool';

/**
 * Below this many source files one thread is faster: a worker needs ~0.3 s to load the rules and
 * the parser before its first file (measured on 2 cores with test/bench/pool-bench.ts).
 */
export const POOL_MIN_FILES = 40;

/**
 * Unless a number of threads is asked for, the pool is used only from this many bytes of source
 * on. A worker's own start and its cold JIT cost about as much as it then takes off this thread
 * on scikit-learn's 6 MB (1.27 s on one thread, 1.31 s on two, 0.5 s more CPU); on 10 MB the
 * pool saves 19% (2.75 -> 2.23 s), on 36 MB 25% (2 cores, idle).
 */
export const POOL_MIN_BYTES = 8 * 1024 * 1024;

export interface FileListOptions {
  /** Worker threads: undefined = one per idle core when there is enough work (POOL_MIN_BYTES); 1 = this thread only. */
  jobs?: number;
  /** Use the pool only from this many files on (default POOL_MIN_FILES). */
  poolMinFiles?: number;
  /** Use the pool only from this many bytes of source on (default POOL_MIN_BYTES when `jobs` is not given, else 0). */
  poolMinBytes?: number;
  cache?: ResultCache;
  onOutcome?: (done: number, total: number) => void;
  /** The worker's script (default: scan-worker.js next to this code, or the source under tsx). */
  workerFile?: string;
}

export interface FileListResult {
  /** One outcome per file, in the files' order. */
  outcomes: FileOutcome[];
  /** Worker threads started besides this one (0: this thread only). */
  workers: number;
  /** Files analysed in this thread because a worker failed. */
  fallbackFiles: number;
}

/**
 * Analyses source files (not model files) as the single-threaded scan would, one outcome per
 * file in the given order. The reusable core for any whole scan.
 */
export async function scanFileList(engine: Engine, settings: AnalysisSettings, files: readonly string[], options: FileListOptions = {}): Promise<FileListResult> {
  const jobs = Math.max(1, Math.floor(options.jobs ?? defaultJobs()));
  const outcomes: FileOutcome[] = new Array(files.length);
  let done = 0;
  const finished = (): void => options.onOutcome?.(++done, files.length);
  // Cache hits first, here: a warm scan then needs no worker (each costs a parser and ~0.1 s).
  let todo = files.map((_, index) => index);
  if (options.cache) {
    todo = [];
    files.forEach((file, index) => {
      const hit = cachedOutcome(file, options.cache!);
      if (hit) {
        outcomes[index] = hit;
        finished();
      } else todo.push(index);
    });
  }
  const sizes = jobs > 1 ? todo.map((index) => sizeOf(files[index]!)) : [];
  // Asked for threads: only poolMinBytes, when given, holds the pool back.
  const minBytes = options.poolMinBytes ?? (options.jobs === undefined ? POOL_MIN_BYTES : 0);
  const enoughWork = sizes.reduce((sum, size) => sum + size, 0) >= minBytes;
  const usePool = jobs > 1 && todo.length >= (options.poolMinFiles ?? POOL_MIN_FILES) && enoughWork;
  if (!usePool) {
    for (const index of todo) {
      outcomes[index] = readAndAnalyze(engine, files[index]!, settings, options.cache, false);
      finished();
    }
    return { outcomes, workers: 0, fallbackFiles: 0 };
  }
  const cache = options.cache ? { dir: options.cache.dir, fingerprint: options.cache.fingerprint } : undefined;
  const run = await analyzeInPool(
    { rules: engine.rules, settings, cache },
    todo.map((index) => files[index]!),
    jobs,
    (file) => readAndAnalyze(engine, file, settings, options.cache, false),
    () => finished(),
    options.workerFile,
    sizes,
  );
  run.outcomes.forEach((outcome, position) => (outcomes[todo[position]!] = outcome));
  return { outcomes, workers: run.workers, fallbackFiles: run.fallbackFiles };
}

/** Bytes on disk, for handing out the largest files first; 0 when unknown (the analysis reports unreadable files). */
function sizeOf(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}

/** A file's outcome from the cache, or undefined (unreadable files are left to the analysis). */
function cachedOutcome(file: string, cache: ResultCache): FileOutcome | undefined {
  const started = performance.now();
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const hit = cache.get(file, text);
  if (!hit) return undefined;
  return { findings: hit.findings, problems: hit.problems, bytes: Buffer.byteLength(text), timing: { chars: text.length, ms: performance.now() - started }, cached: true };
}

export interface WholeScanOptions extends ScanOptions {
  jobs?: number;
  poolMinFiles?: number;
  /** Per-file results cache; see openCache. */
  cache?: ResultCache;
}

export interface WholeScanResult extends ScanResult {
  workers: number;
  cacheHits: number;
}

/** `scanFiles` of scan.ts with a pool and a cache: same result, same order. */
export async function scanPaths(setup: ScanSetup, paths: readonly string[], options: WholeScanOptions = {}): Promise<WholeScanResult> {
  const started = performance.now();
  const plan = planScan(setup, paths, options);
  const sources = plan.files.filter((file) => !plan.artifacts.isArtifact(file));
  let artifactsDone = 0;
  let sourcesDone = 0;
  const progress = (): void => options.onProgress?.(artifactsDone + sourcesDone, plan.files.length);
  // A rule found over its budget on one file is not run on the rest (reported once, on that file; per thread).
  const settings: AnalysisSettings = { ...setup.settings, slowRules: new Set() };
  const listing = scanFileList(setup.engine, settings, sources, {
    jobs: options.jobs,
    poolMinFiles: options.poolMinFiles,
    cache: options.cache,
    onOutcome: (done) => {
      sourcesDone = done;
      progress();
    },
  });
  // Model files are inspected here while the workers parse the sources.
  const artifactOutcomes = new Map<string, ArtifactOutcome>();
  for (const file of plan.files) {
    if (!plan.artifacts.isArtifact(file)) continue;
    artifactOutcomes.set(file, scanArtifactFile(plan.artifacts, file));
    artifactsDone++;
    progress();
  }
  const { outcomes, workers } = await listing;
  let next = 0;
  const ordered = plan.files.map((file) => artifactOutcomes.get(file) ?? outcomes[next++]!);
  const result = mergeOutcomes(plan, ordered, started);
  return { ...result, workers, cacheHits: outcomes.filter((outcome) => outcome.cached).length };
}

/** The single-threaded scan (scan.ts's scanFiles). */
export function scanSequential(setup: ScanSetup, paths: readonly string[], options: ScanOptions & { cache?: ResultCache } = {}): ScanResult {
  const started = performance.now();
  const plan = planScan(setup, paths, options);
  // A rule found over its budget on one file is not run on the rest (reported once, on that file).
  const settings: AnalysisSettings = { ...setup.settings, slowRules: new Set() };
  const outcomes = plan.files.map((file, index) => {
    const outcome = plan.artifacts.isArtifact(file) ? scanArtifactFile(plan.artifacts, file) : readAndAnalyze(setup.engine, file, settings, options.cache);
    options.onProgress?.(index + 1, plan.files.length);
    return outcome;
  });
  return mergeOutcomes(plan, outcomes, started);
}

type ArtifactScanner = ReturnType<typeof createArtifactScanner>;
type ArtifactOutcome = FileOutcome & { summary?: ArtifactSummary };

interface ScanPlan {
  files: string[];
  skipped: ScanResult['skipped'];
  artifacts: ArtifactScanner;
}

function planScan(setup: ScanSetup, paths: readonly string[], options: ScanOptions): ScanPlan {
  const artifacts = createArtifactScanner(setup.engine.rules, setup.config?.config, setup.config?.file, setup.settings);
  const { files, skipped } = discoverFiles(
    paths.map((p) => path.resolve(p)),
    {
      config: setup.config?.config,
      configDir: setup.config?.configDir,
      extraExclude: options.exclude,
      isSupported: (file) => setup.engine.supports(file) || artifacts.isArtifact(file),
      maxBytesFor: (file) => (artifacts.isArtifact(file) ? artifacts.maxBytes : undefined),
    },
  );
  return { files, skipped, artifacts };
}

function scanArtifactFile(artifacts: ArtifactScanner, file: string): ArtifactOutcome {
  const started = performance.now();
  try {
    const result = artifacts.scan(file);
    return { findings: result.findings, problems: [], bytes: result.bytes, timing: { chars: result.bytes, ms: performance.now() - started }, summary: result.summary };
  } catch (error) {
    return { findings: [], problems: [{ file, message: `cannot inspect model file: ${(error as Error).message}`, severity: 'warning' }], bytes: 0 };
  }
}

function mergeOutcomes(plan: ScanPlan, outcomes: readonly ArtifactOutcome[], started: number): ScanResult {
  const findings: Finding[] = [];
  const fileProblems: InputProblem[] = [];
  const timings: FileTiming[] = [];
  const artifactSummaries: ArtifactSummary[] = [];
  let bytesScanned = 0;
  outcomes.forEach((outcome, index) => {
    const file = plan.files[index]!;
    for (const finding of outcome.findings) findings.push(finding);
    for (const problem of outcome.problems) fileProblems.push(problem);
    if (outcome.summary) artifactSummaries.push(outcome.summary);
    bytesScanned += outcome.bytes;
    if (outcome.timing) timings.push({ file, bytes: outcome.timing.chars, ms: outcome.timing.ms });
  });
  return { findings, fileProblems, skipped: plan.skipped, filesScanned: plan.files.length, bytesScanned, durationMs: performance.now() - started, timings, artifacts: artifactSummaries };
}

/**
 * The cache for a scan set up by setUpScan: its folder (default `.atlas-lens-cache/` in the
 * project root) and a fingerprint of everything besides a file's text that decides its result.
 */
export function openCache(setup: ScanSetup, dir?: string): ResultCache {
  const fingerprint = fingerprintOf({
    engineVersion: engineVersion(),
    rules: setup.engine.rules,
    settings: setup.settings,
    atlas: setup.catalog.data,
  });
  const cache = new ResultCache(path.resolve(dir ?? path.join(setup.settings.projectRoot ?? process.cwd(), DEFAULT_CACHE_DIR_NAME)), fingerprint);
  return cache;
}

let cachedEngineVersion: string | undefined;

/** The package version and a hash of the running code: a rebuilt engine never reads old results. */
export function engineVersion(): string {
  if (cachedEngineVersion) return cachedEngineVersion;
  let version = 'unknown';
  for (let dir = __dirname, i = 0; i < 6; i++, dir = path.dirname(dir)) {
    try {
      version = (JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { version?: string }).version ?? version;
      break;
    } catch {
      // not here; look higher
    }
  }
  let code = '';
  try {
    code = createHash('sha256').update(fs.readFileSync(__filename)).digest('hex');
  } catch {
    // code that cannot be read (bundled into something else): the version alone
  }
  cachedEngineVersion = `${version} ${code}`;
  return cachedEngineVersion;
}
