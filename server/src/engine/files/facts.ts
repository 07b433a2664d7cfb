/**
 * Facts about the non-Python files (requirements, pyproject.toml, Dockerfiles, YAML configs,
 * notebook shell lines): what they install, download, run and publish, each with its range.
 * The analyzers build them; the file checks (checks/files) read them; no check reads text itself
 * where a fact does the job, so one rule covers a requirement whether it is written in
 * requirements.txt, pyproject.toml, `RUN pip install` or a notebook's `%pip install`.
 */
import type { Range, TextEdit } from '../types';
import type { YamlNode } from './yaml-tree';

/** One package requirement: `torch>=2.1`, `transformers[torch]`, `pytorch=2.1` (conda). */
export interface DependencyFact {
  /** As written. */
  name: string;
  /** Normalised (lower case, runs of -_. as -). */
  normalised: string;
  /** The whole requirement as written (without markers and comments). */
  range: Range;
  nameRange: Range;
  /** The version specifier text, '' when none. */
  specifier: string;
  /** exact: `==1.2` / `===1.2` (or a conda `=1.2`); range: other operators; none: no version at all. */
  pin: 'exact' | 'range' | 'none';
  /** Carries `--hash=` (or the file/command requires hashes). */
  hashed: boolean;
  /** Where `==<version>` would be inserted to pin it (undefined when no clean edit exists). */
  pinInsert?: { range: Range; prefix: string; suffix: string };
  /** Lines of the statement (for suppressions). */
  statementLines: { first: number; last: number };
}

/** `git+https://github.com/org/repo@ref#egg=x`, in any of the dependency sources. */
export interface VcsDependencyFact {
  url: string;
  range: Range;
  /** The ref after `@` (undefined when absent). */
  ref?: string;
  statementLines: { first: number; last: number };
}

/** A pip index option: `--extra-index-url`, `--index-url`/`-i`, `--trusted-host`, `-f`/`--find-links`. */
export interface IndexOptionFact {
  option: 'extra-index-url' | 'index-url' | 'trusted-host' | 'find-links';
  value: string;
  /** The option together with its value. */
  range: Range;
  valueRange: Range;
  statementLines: { first: number; last: number };
}

/** A download by a shell tool or instruction: `wget URL`, `curl URL`, Dockerfile `ADD URL`. */
export interface DownloadFact {
  tool: string;
  url: string;
  urlRange: Range;
  /** The download's output goes straight into a shell (`curl … | sh`). */
  pipedToShell?: { range: Range; shell: string };
  statementLines: { first: number; last: number };
}

/** `huggingface-cli download org/name [files] [--revision sha]` / `hf download …`. */
export interface HubDownloadFact {
  tool: string;
  repo: string;
  repoRange: Range;
  revision?: string;
  repoType: 'model' | 'dataset' | 'space';
  statementLines: { first: number; last: number };
}

/** A container image reference: Dockerfile `FROM`, compose/k8s/KServe `image:`. */
export interface ImageFact {
  reference: string;
  range: Range;
  /** Repository without tag/digest, lower case: `pytorch/pytorch`, `nvcr.io/nvidia/pytorch`. */
  repository: string;
  tag?: string;
  digest?: string;
  /** Where it came from, for messages. */
  source: 'dockerfile' | 'compose' | 'kubernetes';
  /** The image serves models whatever its name (a KServe InferenceService container). */
  servesModels?: boolean;
  statementLines: { first: number; last: number };
}

/** An environment variable set by the file (Dockerfile ENV, compose `environment`). */
export interface EnvironmentFact {
  name: string;
  value: string;
  /** The value as written (where a fix would edit). */
  range: Range;
  statementLines: { first: number; last: number };
}

export interface YamlDocumentFact {
  /** Which file this is, by name and content (decides which YAML checks look at it). */
  role: 'compose' | 'kubernetes' | 'github-workflow' | 'dvc' | 'mlproject' | 'conda' | 'other';
  root: YamlNode;
  /** File range of text offsets. */
  range: (start: number, end: number) => Range;
}

export interface FileFacts {
  dependencies: DependencyFact[];
  vcsDependencies: VcsDependencyFact[];
  indexOptions: IndexOptionFact[];
  downloads: DownloadFact[];
  hubDownloads: HubDownloadFact[];
  images: ImageFact[];
  environment: EnvironmentFact[];
  yaml: YamlDocumentFact[];
  /** Whole-file: pip runs with `--require-hashes` (every requirement must then carry a hash). */
  requireHashes: boolean;
}

export function emptyFacts(): FileFacts {
  return { dependencies: [], vcsDependencies: [], indexOptions: [], downloads: [], hubDownloads: [], images: [], environment: [], yaml: [], requireHashes: false };
}

/** Merges b into a (notebooks gather facts cell by cell). */
export function mergeFacts(a: FileFacts, b: FileFacts): FileFacts {
  return {
    dependencies: [...a.dependencies, ...b.dependencies],
    vcsDependencies: [...a.vcsDependencies, ...b.vcsDependencies],
    indexOptions: [...a.indexOptions, ...b.indexOptions],
    downloads: [...a.downloads, ...b.downloads],
    hubDownloads: [...a.hubDownloads, ...b.hubDownloads],
    images: [...a.images, ...b.images],
    environment: [...a.environment, ...b.environment],
    yaml: [...a.yaml, ...b.yaml],
    requireHashes: a.requireHashes || b.requireHashes,
  };
}

export type { TextEdit };
