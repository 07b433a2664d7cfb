/**
 * Artifact references: the load calls of a source file whose path argument resolved to a model
 * file on disk, each with that file's verdict (clean ones included). The engine returns them with
 * a file's findings (`AnalysisResult.artifacts`) so an editor can show the verdict on the call.
 *
 * They depend on files other than the source: every path a load call was resolved against is a
 * dependency, with its state (mtime and size, or missing) when it was looked at. Incremental
 * analysis reuses what it knew of a definition only while the state of its dependencies is the
 * same, so a model file replaced, created or deleted on disk is seen on the next analysis.
 */
import * as fs from 'node:fs';
import type { RawFinding } from '../python/run-rules';
import type { Range } from '../types';
import type { ArtifactFormat, ArtifactVerdictKind } from './inspect';

export interface ArtifactReference {
  /** The whole load call: where the editor shows the verdict. */
  range: Range;
  /** The path argument as written. */
  pathRange: Range;
  /** The callee as written (`torch.load`). */
  callee: string;
  /** Absolute path of the model file. */
  file: string;
  /** The path shown to the user: relative to the project root (or the source file's folder). */
  shown: string;
  verdict: ArtifactVerdictKind;
  format?: ArtifactFormat;
  /** One sentence: `clean: only known-safe imports (…)`. */
  summary: string;
  /** The verdict as a Markdown card (artifacts/verdicts.ts verdictMarkdown). */
  markdown: string;
}

/** A path a load call was resolved against, and its state then. */
export interface ArtifactDependency {
  /** Zero-based line of the load call (incremental analysis files it under its definition). */
  line: number;
  path: string;
  stamp: string;
}

/** Collects what the load-inspected-artifact check saw while a file is analysed. */
export class ArtifactRecorder {
  readonly references: ArtifactReference[] = [];
  readonly dependencies: ArtifactDependency[] = [];
  /** The check's findings with their call's range, and the rules whose findings on that call they take over. */
  readonly loadFindings: Array<{ finding: RawFinding; call: Range; absorbs: ReadonlySet<string>; dangerous: boolean }> = [];

  depend(line: number, file: string, stamp = fileStamp(file)): void {
    this.dependencies.push({ line, path: file, stamp });
  }
}

/** `mtime:size` of a file, `dir` for anything else that exists, `missing` when nothing is there. */
export function fileStamp(file: string): string {
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(file, { throwIfNoEntry: false });
  } catch {
    return 'other'; // ENAMETOOLONG, EACCES, …: a path we cannot look at is not inspected
  }
  if (!stat) return 'missing';
  return stat.isFile() ? `${stat.mtimeMs}:${stat.size}` : 'other';
}

/** Whether every dependency is still in the state it was recorded in. */
export function dependenciesUnchanged(dependencies: readonly ArtifactDependency[]): boolean {
  return dependencies.every((dependency) => fileStamp(dependency.path) === dependency.stamp);
}

/** The same reference `lines` lines further down (incremental analysis moves definitions as a whole). */
export function shiftReference(reference: ArtifactReference, lines: number): ArtifactReference {
  if (lines === 0) return reference;
  const shift = (range: Range): Range => ({ start: { ...range.start, line: range.start.line + lines }, end: { ...range.end, line: range.end.line + lines } });
  return { ...reference, range: shift(reference.range), pathRange: shift(reference.pathRange) };
}
