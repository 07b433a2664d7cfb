/**
 * The code connection: a load call (torch.load, pickle.load, joblib.load, numpy.load, …, listed in
 * the rule's `options.loaders`) whose path argument resolves to an artifact file gets a finding
 * whose severity follows that file's verdict, and whose message says what was found.
 *
 * The path resolves when it is fixed in the code: a literal or constant, string concatenation,
 * os.path.join / pathlib.Path / `/` over such parts, `__file__` and os.path.dirname / `.parent`,
 * and an open(...) of such a path, directly or through `with open(...) as f`. A relative path is
 * tried against the file's folder, then the project root. The verdict comes from the cached
 * inspector (artifacts/verdicts.ts), keyed by path, mtime and size.
 *
 * Only files inside the project root (the source file's folder when there is none) are read:
 * an absolute path elsewhere (`torch.load("/etc/x")`), a `..` that climbs out, or a symlink
 * whose target lies outside is not inspected. Without a source file on disk (bare text in tests,
 * an untitled editor) nothing is resolved.
 *
 * Severity: dangerous → error whatever the call's arguments (weights_only=True included: the
 * file itself is malware, and weights_only has had bypasses, CVE-2025-32434); suspicious or not
 * inspectable → warning; clean → no finding (the editor shows the clean verdict in the hover:
 * every resolved call is recorded as an artifact reference, see artifacts/references.ts).
 *
 * One finding per call: the finding of a rule listed in `options.absorbs` on the same call
 * (torch-load-unsafe, pickle-deserialization, …) is folded into this one (mergeLoadFindings):
 * the higher severity wins; for a dangerous file its message is dropped (the verdict says
 * more), otherwise it is kept after the verdict, with its fix.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { z } from 'zod';
import { ArtifactRecorder, fileStamp } from '../artifacts/references';
import { artifactVerdictFor, configFileForArtifact, verdictMarkdown } from '../artifacts/verdicts';
import type { ArtifactInspection } from '../artifacts/inspect';
import { argumentNode, normaliseSelector } from '../python/arguments';
import type { ConditionContext } from '../python/conditions';
import type { CallFact, PythonFacts, Scope } from '../python/facts';
import { nodeRange } from '../python/fixes';
import { displayCallee, type RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import { compileNamePattern } from '../rules/name-pattern';
import { lazily, zodLibrary } from '../lazily';
import { sharedSchemas } from '../rules/schema-parts';
import { readOptions } from '../rules/validated-options';
import { SEVERITY_RANK, type Range } from '../types';
import { isInside } from '../paths';

/** The check's options, validated when the rule is loaded. */
export const artifactCheckOptionsSchema = lazily(() => {
  const { z } = zodLibrary();
  const LoaderSchema = z.strictObject({ calls: z.array(z.string().min(1)).min(1), path: sharedSchemas().ArgumentSelectorSchema });
  return z.strictObject({ loaders: z.array(LoaderSchema).min(1), absorbs: z.array(z.string().min(1)).default([]) });
});

interface CompiledLoader {
  matches: Array<(name: string) => boolean>;
  path: ReturnType<typeof normaliseSelector>;
}

interface CompiledOptions {
  loaders: CompiledLoader[];
  absorbs: ReadonlySet<string>;
}

const compiledOptions = new WeakMap<object, CompiledOptions>();

function compile(options: Readonly<Record<string, unknown>>): CompiledOptions {
  let compiled = compiledOptions.get(options);
  if (!compiled) {
    const parsed = readOptions(options, artifactCheckOptionsSchema);
    compiled = parsed
      ? { loaders: parsed.loaders.map((loader) => ({ matches: loader.calls.map(compileNamePattern), path: normaliseSelector(loader.path) })), absorbs: new Set(parsed.absorbs) }
      : { loaders: [], absorbs: new Set() };
    compiledOptions.set(options, compiled);
  }
  return compiled;
}

export interface ArtifactLoad {
  call: CallFact;
  /** The path argument as written (what to underline). */
  argument: Node;
  range: Range;
  /** Absolute path of the artifact. */
  artifact: string;
  /** The artifact's path relative to the project root. */
  shown: string;
  inspection: ArtifactInspection;
}

/**
 * Every load call in a Python file whose path resolves to an inspected artifact, with its verdict
 * (clean ones included). Each path looked at is recorded as a dependency in `recorder`.
 */
export function findArtifactLoads(facts: PythonFacts, context: ConditionContext, options: Readonly<Record<string, unknown>>, recorder?: ArtifactRecorder): ArtifactLoad[] {
  const { loaders } = compile(options);
  const out: ArtifactLoad[] = [];
  let where: { file: string; root: string } | null | undefined;
  for (const call of facts.calls) {
    const name = call.qualifiedName;
    if (!name) continue;
    const loader = loaders.find((candidate) => candidate.matches.some((matches) => matches(name)));
    if (!loader) continue;
    const argument = argumentNode(call, loader.path);
    if (!argument) continue;
    where ??= fileSystemContext(context) ?? null;
    if (!where) return out;
    const written = resolvePath(argument, facts, call.scope, where.file, 0);
    if (written === undefined) continue;
    const artifact = locate(written, where, (candidate, stamp) => recorder?.depend(call.node.startPosition.row, candidate, stamp));
    if (!artifact) continue;
    const inspection = artifactVerdictFor(artifact);
    // The verdict also depends on the artifacts: lists of the config above the file.
    const config = recorder && configFileForArtifact(artifact);
    if (config) recorder!.depend(call.node.startPosition.row, config);
    if (inspection) out.push({ call, argument, range: nodeRange(argument), artifact, shown: path.relative(where.root, artifact), inspection });
  }
  return out;
}

export function loadedArtifact(rule: LoadedRule, options: Readonly<Record<string, unknown>>, facts: PythonFacts, context: ConditionContext): RawFinding[] {
  const findings: RawFinding[] = [];
  const { absorbs } = compile(options);
  for (const load of findArtifactLoads(facts, context, options, context.artifacts)) {
    const { inspection, shown } = load;
    const callee = displayCallee(load.call.callee);
    const callRange = nodeRange(load.call.node);
    context.artifacts?.references.push({
      range: callRange,
      pathRange: load.range,
      callee,
      file: load.artifact,
      shown,
      verdict: inspection.verdict,
      ...(inspection.format ? { format: inspection.format } : {}),
      summary: inspection.summary,
      markdown: verdictMarkdown(inspection, shown),
    });
    if (inspection.verdict === 'clean') continue;
    const tail =
      inspection.verdict === 'dangerous'
        ? ' Do not load this file, whatever the arguments: it is built to run code.'
        : inspection.verdict === 'suspicious'
          ? ' Loading it calls that code; make sure you trust where the file came from.'
          : ' What loading it would run is unknown.';
    const finding: RawFinding = {
      ruleId: rule.id,
      severity: inspection.verdict === 'dangerous' ? 'error' : 'warning',
      message: `${callee}() loads ${shown}, inspected by ATLAS Lens: ${inspection.summary}.${tail}`,
      range: load.range,
      statementLines: load.call.statementLines,
      techniques: inspection.verdict === 'dangerous' ? rule.atlas.techniques : rule.atlas.techniques.filter((id) => id !== 'AML.T0018.002'),
      mitigations: rule.atlas.mitigations,
      related: [{ file: load.artifact, message: `The model file ${callee}() loads: ${inspection.summary}.` }],
    };
    findings.push(finding);
    context.artifacts?.loadFindings.push({ finding, call: callRange, absorbs, dangerous: inspection.verdict === 'dangerous' });
  }
  return findings;
}

function within(outer: Range, inner: Range): boolean {
  const before = (a: Range['start'], b: Range['start']) => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/**
 * One finding per load call: a finding of an absorbed rule (torch-load-unsafe, …) on a call that
 * also has an artifact finding is folded into the artifact finding. The higher severity wins and
 * the techniques are merged; unless the file is dangerous (error, the verdict says it all), the
 * absorbed message follows the verdict and its fix is kept. Other findings pass unchanged.
 */
export function mergeLoadFindings(findings: RawFinding[], recorder: ArtifactRecorder | undefined): RawFinding[] {
  if (!recorder || recorder.loadFindings.length === 0) return findings;
  const replaced = new Map<RawFinding, RawFinding>();
  const dropped = new Set<RawFinding>();
  for (const { finding, call, absorbs, dangerous } of recorder.loadFindings) {
    let merged = finding;
    for (const other of findings) {
      if (other === finding || dropped.has(other) || !absorbs.has(other.ruleId) || !within(call, other.range)) continue;
      dropped.add(other);
      merged = {
        ...merged,
        severity: SEVERITY_RANK[other.severity] > SEVERITY_RANK[merged.severity] ? other.severity : merged.severity,
        message: dangerous ? merged.message : `${merged.message} ${other.message}`,
        techniques: [...new Set([...merged.techniques, ...other.techniques])],
        mitigations: [...new Set([...merged.mitigations, ...other.mitigations])],
        ...(!dangerous && other.fix && !merged.fix ? { fix: other.fix } : {}),
      };
    }
    if (merged !== finding) replaced.set(finding, merged);
  }
  if (dropped.size === 0) return findings;
  return findings.filter((finding) => !dropped.has(finding)).map((finding) => replaced.get(finding) ?? finding);
}

/** The source file and the root paths may not leave; undefined when the file is not on disk. */
function fileSystemContext(context: ConditionContext): { file: string; root: string } | undefined {
  const file = context.file;
  if (!file || !path.isAbsolute(file) || !fs.statSync(file, { throwIfNoEntry: false })?.isFile()) return undefined;
  const root = context.projectRoot && path.isAbsolute(context.projectRoot) ? path.resolve(context.projectRoot) : path.dirname(file);
  return { file, root };
}

function realpath(file: string): string | undefined {
  try {
    return fs.realpathSync(file);
  } catch {
    return undefined;
  }
}

/**
 * The artifact a written path names: against the source file's folder, then the project root;
 * only inside the root, also after following symlinks. `seen` gets each candidate looked at.
 */
function locate(written: string, where: { file: string; root: string }, seen: (candidate: string, stamp: string) => void): string | undefined {
  const candidates = path.isAbsolute(written) ? [path.resolve(written)] : [path.resolve(path.dirname(where.file), written), path.resolve(where.root, written)];
  for (const candidate of new Set(candidates)) {
    if (!isInside(where.root, candidate)) continue;
    const stamp = fileStamp(candidate);
    seen(candidate, stamp);
    if (stamp === 'missing' || stamp === 'other') continue;
    const real = realpath(candidate);
    const realRoot = realpath(where.root);
    if (real && realRoot && isInside(realRoot, real)) return candidate;
  }
  return undefined;
}

const OPENERS = ['builtins.open', 'io.open', 'gzip.open', 'bz2.open', 'lzma.open', 'open'].map(compileNamePattern);
const JOINERS = ['os.path.join', 'posixpath.join', 'pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'os.fspath', 'builtins.str', 'str', 'os.path.abspath', 'os.path.realpath', 'os.path.normpath', 'os.path.expanduser'].map(compileNamePattern);
const DIRNAME = compileNamePattern('os.path.dirname');
const KEEPING_METHODS = new Set(['resolve', 'absolute', 'expanduser', 'open', '__fspath__']);

/** The path a node stands for, when it is fixed in the code; undefined otherwise. */
export function resolvePath(node: Node, facts: PythonFacts, scope: Scope, file: string | undefined, depth: number): string | undefined {
  if (depth > 8) return undefined;
  const value = facts.evaluate(node, scope);
  if (value.kind === 'string') return value.value;
  const again = (child: Node | null | undefined): string | undefined => (child ? resolvePath(child, facts, facts.scopeAt(child), file, depth + 1) : undefined);
  switch (node.type) {
    case 'identifier': {
      if (node.text === '__file__') return file;
      const binding = facts.lookup(node.text, scope, node.startIndex);
      if (binding?.kind === 'with') return again(binding.value);
      const constant = facts.constantDefinition(node, scope);
      return constant ? resolvePath(constant.value, facts, constant.scope, file, depth + 1) : undefined;
    }
    case 'parenthesized_expression':
      return again(node.namedChildren[0]);
    case 'binary_operator': {
      if (node.childForFieldName('operator')?.text !== '/') return undefined;
      const left = again(node.childForFieldName('left'));
      const right = again(node.childForFieldName('right'));
      return left !== undefined && right !== undefined ? path.join(left, right) : undefined;
    }
    case 'attribute': {
      if (node.childForFieldName('attribute')?.text !== 'parent') return undefined;
      const base = again(node.childForFieldName('object'));
      return base !== undefined ? path.dirname(base) : undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const list = node.childForFieldName('arguments');
      if (!callee || list?.type !== 'argument_list') return undefined;
      const args = list.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment' && child.type !== 'keyword_argument');
      const qualified = facts.qualifiedNameOf(callee, scope) ?? (callee.type === 'identifier' ? callee.text : undefined);
      if (qualified && OPENERS.some((matches) => matches(qualified))) return again(args[0]);
      if (qualified && DIRNAME(qualified)) {
        const inner = again(args[0]);
        return inner !== undefined ? path.dirname(inner) : undefined;
      }
      if (qualified && JOINERS.some((matches) => matches(qualified))) {
        const parts = args.map((arg) => again(arg));
        return parts.length > 0 && parts.every((part): part is string => part !== undefined) ? path.join(...parts) : undefined;
      }
      // Methods of a path: Path("m.pt").resolve(), HERE.joinpath("m.pt"), Path(p).open("rb").
      if (callee.type === 'attribute') {
        const method = callee.childForFieldName('attribute')?.text ?? '';
        const base = again(callee.childForFieldName('object'));
        if (base === undefined) return undefined;
        if (KEEPING_METHODS.has(method)) return base;
        if (method === 'joinpath') {
          const parts = args.map((arg) => again(arg));
          return parts.every((part): part is string => part !== undefined) ? path.join(base, ...parts) : undefined;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
