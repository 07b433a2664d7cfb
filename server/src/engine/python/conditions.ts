/**
 * Evaluates a rule's declarative conditions on one call.
 */
import * as path from 'node:path';
import type { Node } from 'web-tree-sitter';
import type { ArtifactRecorder } from '../artifacts/references';
import type { ArgumentTest, Condition } from '../rules/schema';
import { requiresAtLeast } from '../project/requirements';
import { evaluateArgumentTest as evaluateSharedArgumentTest } from '../rules/argument-test';
import { compileNamePattern } from '../rules/name-pattern';
import { readArgument } from './arguments';
import type { CallFact, PythonFacts, Scope, Value } from './facts';

export interface ConditionContext {
  facts: PythonFacts;
  /** Absolute path of the file being analysed, when it is on disk. */
  file?: string;
  /** Whether a directory or file exists (cached by the caller); used for `local-path`. */
  pathExists?: (absolutePath: string) => boolean;
  /** Project root, for paths relative to where the code is run from. */
  projectRoot?: string;
  /** Where the load-inspected-artifact check files the model files it resolved (references for hovers). */
  artifacts?: ArtifactRecorder;
}

export function evaluateCondition(condition: Condition, call: CallFact, context: ConditionContext): boolean {
  if ('all' in condition) return condition.all.every((c) => evaluateCondition(c, call, context));
  if ('any' in condition) return condition.any.some((c) => evaluateCondition(c, call, context));
  if ('not' in condition) return !evaluateCondition(condition.not, call, context);
  if ('project-requires' in condition) {
    const { package: name, 'at-least': version } = condition['project-requires'];
    return requiresAtLeast(context.projectRoot, name, version);
  }
  if ('callee' in condition) return condition.callee.some((pattern) => compileNamePattern(pattern)(call.qualifiedName ?? ''));
  return evaluateArgumentTest(condition, call, context);
}

function evaluateArgumentTest(test: ArgumentTest, call: CallFact, context: ConditionContext): boolean {
  return evaluateSharedArgumentTest(test, readArgument(context.facts, call, test.arg), {
    isLocalPath: (node, value) => isLocalPath(node, value, context),
    isFixedPath: (node) => isFixedPath(node, context.facts),
  });
}

const PATH_CALLS = [
  'os.path.join', 'os.path.abspath', 'os.path.expanduser', 'os.path.realpath', 'os.path.dirname', 'os.path.normpath',
  'os.getcwd', 'os.path.expandvars', 'pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.WindowsPath',
  'pathlib.Path.home', 'pathlib.Path.cwd', 'tempfile.mkdtemp', 'tempfile.gettempdir',
].map(compileNamePattern);

const LOCAL_PREFIXES = ['./', '../', '/', '~', '.\\', '..\\'];

/** Whether a model/data argument names something on the local disk rather than a hub repository. */
export function isLocalPath(node: Node, value: Value, context: ConditionContext, depth = 0): boolean {
  if (value.kind === 'string') return isLocalPathString(value.value, context);
  // str(p), os.fspath(p): the same path as text.
  if (value.kind === 'call' && (value.qualified === 'builtins.str' || value.qualified === 'os.fspath') && depth < 4) {
    const inner = value.node.childForFieldName('arguments')?.namedChildren.find((child) => child !== null && child.type !== 'comment');
    if (inner) return isLocalPath(inner, context.facts.evaluate(inner, context.facts.scopeAt(inner)), context, depth + 1);
  }
  if (value.kind === 'call' || value.kind === 'name') {
    // os.path.join(...), Path(...), and attributes or methods of a Path (Path(x).parent, .resolve()).
    const base = value.qualified.replace(/\(\)(\..*)?$/, '');
    if (base !== value.qualified || value.kind === 'call') return PATH_CALLS.some((matches) => matches(base));
  }
  // A constant: look at how it was built (`CKPT = Path(__file__).parent / "ckpt"`).
  if (node.type === 'identifier' && depth < 4) {
    const constant = context.facts.constantDefinition(node);
    if (constant) return isLocalPath(constant.value, context.facts.evaluate(constant.value, constant.scope), context, depth + 1);
  }
  // An f-string whose literal head is a local prefix: f"./runs/{name}".
  if (node.type === 'string') {
    const head = node.namedChildren.find((child) => child?.type === 'string_content');
    const first = node.namedChildren.find((child) => child?.type === 'string_content' || child?.type === 'interpolation');
    if (head && first === head && LOCAL_PREFIXES.some((prefix) => head.text.startsWith(prefix))) return true;
  }
  // Path(x) / "sub": the `/` operator on a path.
  if (node.type === 'binary_operator' && node.childForFieldName('operator')?.text === '/') {
    const left = node.childForFieldName('left');
    if (left) return isLocalPath(left, context.facts.evaluate(left, context.facts.scopeAt(left)), context, depth + 1);
  }
  return false;
}

/** Helpers that build a path from their arguments only. */
const PATH_BUILDERS = [
  'os.path.join', 'os.path.abspath', 'os.path.dirname', 'os.path.realpath', 'os.path.normpath', 'os.path.expanduser',
  'os.fspath', 'builtins.str', 'pathlib.Path', 'pathlib.PurePath', 'pathlib.PosixPath', 'pathlib.WindowsPath',
  'tensorflow.python.platform.resource_loader.get_path_to_datafile', 'importlib.resources.files',
].map(compileNamePattern);

/** Methods and properties of a path object that keep it fixed. */
const PATH_METHODS = new Set(['resolve', 'absolute', 'joinpath', 'with_name', 'with_suffix', 'with_stem', 'expanduser', '__fspath__']);
const PATH_PROPERTIES = new Set(['parent']);

/**
 * Whether a path is fixed when the code is written: literals (through constants), `__file__` and
 * `module.__file__`, and path helpers, `/`, `+` and f-strings over such parts. What the program is
 * given at run time (parameters, environment, input) is not fixed.
 */
export function isFixedPath(node: Node, facts: PythonFacts, depth = 0): boolean {
  if (depth > 8) return false;
  const scope = facts.scopeAt(node);
  const value = facts.evaluate(node, scope);
  if (value.kind === 'string') return true;
  const fixed = (child: Node | null | undefined): boolean => child !== null && child !== undefined && isFixedPath(child, facts, depth + 1);
  switch (node.type) {
    case 'identifier': {
      if (node.text === '__file__') return true;
      // A constant: a name assigned once in its scope, e.g. HERE = os.path.dirname(__file__).
      const binding = facts.lookup(node.text, scope, node.startIndex);
      return binding?.kind === 'assign' && bindingCount(node.text, scope) === 1 && fixed(binding.value);
    }
    case 'parenthesized_expression':
      return fixed(node.namedChildren[0]);
    case 'binary_operator': {
      const operator = node.childForFieldName('operator')?.text;
      return (operator === '/' || operator === '+') && fixed(node.childForFieldName('left')) && fixed(node.childForFieldName('right'));
    }
    case 'string':
      // An f-string: every interpolated expression must be fixed.
      return node.namedChildren.every((part) => part?.type !== 'interpolation' || fixed(part.namedChildren[0]));
    case 'attribute': {
      const attribute = node.childForFieldName('attribute')?.text ?? '';
      // mypackage.__file__: where an installed or project module lives.
      if (attribute === '__file__') return facts.qualifiedNameOf(node, scope) !== undefined || fixed(node.childForFieldName('object'));
      return PATH_PROPERTIES.has(attribute) && fixed(node.childForFieldName('object'));
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const list = node.childForFieldName('arguments');
      if (!callee || list?.type !== 'argument_list') return false;
      const args = list.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
      if (args.some((arg) => arg.type !== 'keyword_argument' ? !fixed(arg) : !fixed(arg.childForFieldName('value')))) return false;
      const qualified = facts.qualifiedNameOf(callee, scope);
      if (qualified && PATH_BUILDERS.some((matches) => matches(qualified))) return true;
      // A method on a fixed path: Path(__file__).resolve(), HERE.joinpath("ops.so").
      return callee.type === 'attribute' && PATH_METHODS.has(callee.childForFieldName('attribute')?.text ?? '') && fixed(callee.childForFieldName('object'));
    }
    default:
      return false;
  }
}

/** How many times a name is bound in the scope that owns it (1 for a constant). */
function bindingCount(name: string, scope: Scope): number {
  let first = true;
  for (let current: Scope | undefined = scope; current; current = current.parent) {
    const bindings = first || current.kind !== 'class' ? current.bindings.get(name) : undefined;
    if (bindings) return bindings.length;
    first = false;
  }
  return 0;
}

function isLocalPathString(text: string, context: ConditionContext): boolean {
  if (text === '.' || text === '..') return true;
  if (LOCAL_PREFIXES.some((prefix) => text.startsWith(prefix))) return true;
  if (/^[A-Za-z]:[\\/]/.test(text) || text.includes('\\')) return true;
  // "checkpoints/best" looks like a hub id ("org/name"); it is local if it exists on disk.
  if (!context.pathExists) return false;
  const candidates = [context.file ? path.resolve(path.dirname(context.file), text) : undefined, context.projectRoot ? path.resolve(context.projectRoot, text) : undefined];
  return candidates.some((candidate) => candidate !== undefined && context.pathExists!(candidate));
}
