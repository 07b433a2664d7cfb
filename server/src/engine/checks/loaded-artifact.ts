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
 * Severity: dangerous → error whatever the call's arguments (weights_only=True included: the
 * file itself is malware); suspicious or not inspectable → warning; clean → no finding (the
 * editor shows the clean verdict in the hover, see findArtifactLoads).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import { z } from 'zod';
import { artifactVerdictFor } from '../artifacts/verdicts';
import type { ArtifactInspection } from '../artifacts/inspect';
import { argumentNode, normaliseSelector } from '../python/arguments';
import type { ConditionContext } from '../python/conditions';
import type { CallFact, PythonFacts, Scope } from '../python/facts';
import { nodeRange } from '../python/fixes';
import { displayCallee, type RawFinding } from '../python/run-rules';
import type { LoadedRule } from '../rules/loader';
import { compileNamePattern } from '../rules/name-pattern';
import { ArgumentSelectorSchema } from '../rules/schema';
import type { Range } from '../types';

const LoaderSchema = z.strictObject({ calls: z.array(z.string().min(1)).min(1), path: ArgumentSelectorSchema });
const OptionsSchema = z.strictObject({ loaders: z.array(LoaderSchema).min(1) });

interface CompiledLoader {
  matches: Array<(name: string) => boolean>;
  path: ReturnType<typeof normaliseSelector>;
}

const compiledOptions = new WeakMap<object, CompiledLoader[]>();

function loadersOf(options: Readonly<Record<string, unknown>>): CompiledLoader[] {
  let compiled = compiledOptions.get(options);
  if (!compiled) {
    const parsed = OptionsSchema.safeParse(options);
    compiled = parsed.success ? parsed.data.loaders.map((loader) => ({ matches: loader.calls.map(compileNamePattern), path: normaliseSelector(loader.path) })) : [];
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
  inspection: ArtifactInspection;
}

/**
 * Every load call in a Python file whose path resolves to an inspected artifact, with its verdict
 * (clean ones included). For hovers: pass the `load-inspected-artifact` rule's options.
 */
export function findArtifactLoads(facts: PythonFacts, context: ConditionContext, options: Readonly<Record<string, unknown>>): ArtifactLoad[] {
  const loaders = loadersOf(options);
  const out: ArtifactLoad[] = [];
  for (const call of facts.calls) {
    const name = call.qualifiedName;
    if (!name) continue;
    const loader = loaders.find((candidate) => candidate.matches.some((matches) => matches(name)));
    if (!loader) continue;
    const argument = argumentNode(call, loader.path);
    if (!argument) continue;
    const written = resolvePath(argument, facts, call.scope, context.file, 0);
    if (written === undefined) continue;
    const artifact = locate(written, context);
    if (!artifact) continue;
    const inspection = artifactVerdictFor(artifact);
    if (inspection) out.push({ call, argument, range: nodeRange(argument), artifact, inspection });
  }
  return out;
}

export function loadedArtifact(rule: LoadedRule, options: Readonly<Record<string, unknown>>, facts: PythonFacts, context: ConditionContext): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const load of findArtifactLoads(facts, context, options)) {
    const { inspection } = load;
    if (inspection.verdict === 'clean') continue;
    const shown = context.file ? path.relative(path.dirname(context.file), load.artifact) || load.artifact : load.artifact;
    const callee = displayCallee(load.call.callee);
    const tail =
      inspection.verdict === 'dangerous'
        ? ' Do not load this file, whatever the arguments: it is built to run code.'
        : inspection.verdict === 'suspicious'
          ? ' Loading it calls that code; make sure you trust where the file came from.'
          : ' What loading it would run is unknown.';
    findings.push({
      ruleId: rule.id,
      severity: inspection.verdict === 'dangerous' ? 'error' : 'warning',
      message: `${callee}() loads ${shown}, inspected by ATLAS Lens: ${inspection.summary}.${tail}`,
      range: load.range,
      statementLines: load.call.statementLines,
      techniques: inspection.verdict === 'dangerous' ? rule.atlas.techniques : rule.atlas.techniques.filter((id) => id !== 'AML.T0018.002'),
      mitigations: rule.atlas.mitigations,
    });
  }
  return findings;
}

function locate(written: string, context: ConditionContext): string | undefined {
  const expanded = written.startsWith('~/') ? path.join(process.env.HOME ?? '~', written.slice(2)) : written;
  const candidates = path.isAbsolute(expanded)
    ? [expanded]
    : [context.file ? path.resolve(path.dirname(context.file), expanded) : undefined, context.projectRoot ? path.resolve(context.projectRoot, expanded) : undefined];
  // Only files inside the project (the file's folder without one): code in a cloned repository
  // must not make the engine read /etc/passwd or the user's home. Real paths, so links count too.
  const root = context.projectRoot ?? (context.file ? path.dirname(context.file) : undefined);
  if (!root) return undefined;
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      if (fs.statSync(candidate, { throwIfNoEntry: false })?.isFile() && isInside(fs.realpathSync(candidate), fs.realpathSync(root))) return candidate;
    } catch {
      // ENAMETOOLONG, EACCES, …: a path we cannot look at is not inspected
    }
  }
  return undefined;
}

function isInside(file: string, root: string): boolean {
  const relative = path.relative(root, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
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
