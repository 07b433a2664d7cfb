/**
 * Facts about one Python file, computed once and shared by every rule: scopes with their
 * bindings (imports, aliases, constants, definitions, parameters), every call with its callee
 * resolved to a qualified name through those bindings, its arguments, and the comments.
 *
 * Resolution is deliberately conservative: a name is resolved only when every step is known
 * (`import torch as t; t.load` → `torch.load`), so a method called `load` on an unknown object
 * is never `torch.load`. A name rebound by `def`, a parameter or a loop is not an import any more.
 */
import { checkpoint } from '../guard';
import type { Node, Tree } from 'web-tree-sitter';
import { decodeEscape } from './string-escapes';

export type ScopeKind = 'module' | 'function' | 'class';

export type Binding =
  | { kind: 'import'; qualified: string; at: number }
  /** An assignment; what it means is decided on demand from its right-hand side. */
  | { kind: 'assign'; value: Node; at: number }
  /** `with X() as name`: the context manager call's result. */
  | { kind: 'with'; value: Node; at: number }
  /** A parameter annotated with a class (`df: pd.DataFrame`): an instance of it. */
  | { kind: 'annotated'; type: Node; at: number }
  /** def, class, parameter, loop target, except alias, tuple unpacking…: nothing we can know. */
  | { kind: 'opaque'; at: number };

export interface Scope {
  kind: ScopeKind;
  parent?: Scope;
  /** The function or class node; undefined for the module. */
  node?: Node;
  bindings: Map<string, Binding[]>;
}

export interface KeywordArgument {
  name: string;
  /** The whole `name=value` node. */
  node: Node;
  value: Node;
}

export interface CallFact {
  node: Node;
  callee: Node;
  /** The callee resolved through imports, e.g. `torch.load`; undefined when unknown. */
  qualifiedName?: string;
  positional: Node[];
  keywords: Map<string, KeywordArgument>;
  /** `*args` present: any positional slot may be filled. */
  hasStarArgs: boolean;
  /** `**kwargs` present: any keyword may be passed. */
  hasKeywordSplat: boolean;
  scope: Scope;
  /** First and last line of the statement holding the call (header only for compound statements). */
  statementLines: { first: number; last: number };
}

/** What the engine knows of an expression's value. */
export type Value =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'sequence'; items: Value[] }
  /** A dict literal; only entries with string-literal keys are kept. */
  | { kind: 'mapping'; entries: Map<string, Value> }
  /** A dotted name resolved through imports, e.g. `yaml.SafeLoader`. */
  | { kind: 'name'; qualified: string }
  /** The result of a call whose callee resolved, e.g. `os.path.join(...)`. */
  | { kind: 'call'; qualified: string; node: Node }
  | { kind: 'unknown' };

const PYTHON_BUILTINS = new Set([
  'eval', 'exec', 'compile', 'open', '__import__', 'getattr', 'input', 'print', 'str', 'int', 'float', 'bool',
  'dict', 'list', 'tuple', 'set', 'len', 'range', 'isinstance', 'type', 'object', 'super', 'map', 'filter',
]);

const SIMPLE_STATEMENTS = new Set([
  'expression_statement', 'return_statement', 'assert_statement', 'delete_statement', 'raise_statement',
  'print_statement', 'exec_statement', 'type_alias_statement', 'pass_statement', 'import_statement',
  'import_from_statement', 'global_statement', 'nonlocal_statement',
]);

const COMPOUND_STATEMENTS = new Set([
  'if_statement', 'elif_clause', 'for_statement', 'while_statement', 'with_statement', 'try_statement',
  'function_definition', 'class_definition', 'decorated_definition', 'match_statement', 'case_clause',
]);

const MAX_EVALUATION_DEPTH = 8;

const INTERESTING_TYPES = [
  'decorated_definition', 'import_statement', 'import_from_statement', 'function_definition', 'class_definition', 'assignment',
  'augmented_assignment', 'named_expression', 'for_statement', 'for_in_clause', 'with_item', 'except_clause', 'call',
];

export class PythonFacts {
  readonly module: Scope = { kind: 'module', bindings: new Map() };
  readonly calls: CallFact[] = [];
  /** Function and class definitions with decorators, in document order (routes, hooks). */
  readonly decoratedDefinitions: Node[] = [];
  private commentsByLine?: Map<number, string>;
  /** Every string literal node's decoded value is computed lazily; this caches it. */
  private readonly valueCache = new Map<number, Value>();
  private readonly scopeOfNode = new Map<number, Scope>();

  private topLevelNodes?: ReadonlyArray<Node | null>;
  private topLevelKept?: readonly Node[];
  /** Top-level definitions parsed on their own (python/document-tree.ts), in document order: `tree`'s nodes in each [start, end) are stale, `root`'s stand for them. */
  private readonly replaced: ReadonlyArray<{ start: number; end: number; root: Node }>;
  /** The reused top-level definitions (see the constructor): no rule looks inside them. */
  private readonly reuse?: (definition: Node) => ReusedDefinition | undefined;

  /**
   * `reuse`: the top-level definitions (functions, classes) whose findings the caller already has
   * (incremental analysis, see analyzers/python.ts), given with the name they bind and where
   * (as a full walk would bind it); nothing inside them is collected. `topLevel`: the root's
   * named children, when the caller has them already (with definitions parsed on their own in
   * place: `replaced`).
   */
  constructor(
    readonly tree: Tree,
    options: { reuse?: (definition: Node) => ReusedDefinition | undefined; topLevel?: ReadonlyArray<Node | null>; replaced?: ReadonlyArray<{ start: number; end: number; root: Node }> } = {},
  ) {
    this.replaced = options.replaced ?? [];
    this.topLevelNodes = options.topLevel;
    this.reuse = options.reuse;
    this.collect(tree.rootNode, this.module, options.reuse);
    for (const call of this.calls) call.qualifiedName = this.qualifiedNameOf(call.callee, call.scope);
  }

  /**
   * The calls inside `node` (a function, its body), in document order. The calls are collected in
   * document order, so those inside a node are the ones starting in its stretch: found by
   * bisection on their start, a field of the node object, where filtering every call read each
   * one's end from the parser (per route handler of a large app, that was most of its analysis).
   */
  callsWithin(node: Node): CallFact[] {
    const calls = this.calls;
    const start = node.startIndex;
    const end = node.endIndex;
    let low = 0;
    let high = calls.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (calls[middle]!.node.startIndex < start) low = middle + 1;
      else high = middle;
    }
    const within: CallFact[] = [];
    for (let i = low; i < calls.length; i++) {
      const call = calls[i]!;
      if (call.node.startIndex >= end) break;
      // Only a call starting where the node starts can reach past its end (the node is its callee's part).
      if (call.node.startIndex === start && call.node.endIndex > end) continue;
      within.push(call);
    }
    return within;
  }

  /** The module's statements (its named children, comments included), in order. */
  get topLevel(): readonly Node[] {
    const nodes = (this.topLevelNodes ??= this.tree.rootNode.namedChildren);
    // Kept once without gaps: a file of hundreds of statements is not copied again at each use.
    if (!this.topLevelKept) this.topLevelKept = nodes.includes(null) ? nodes.filter((node): node is Node => node !== null) : (nodes as readonly Node[]);
    return this.topLevelKept;
  }

  // ---------------------------------------------------------------- collection (one tree walk)

  /**
   * The wasm parser picks out the node types we care about (descendantsOfType, in document
   * order): materialising every node as a JS object is what made a JS-side tree walk slow, and
   * this measured faster than a tree-sitter query. Scopes are tracked with a stack of open
   * function/class nodes by their end offsets.
   */
  private collect(root: Node, rootScope: Scope, reuse?: (definition: Node) => ReusedDefinition | undefined): void {
    const scopes: Array<{ scope: Scope; end: number }> = [{ scope: rootScope, end: Number.POSITIVE_INFINITY }];
    let skipUntil = -1;
    let visited = 0;
    // With definitions parsed on their own, the root's nodes are stale there: walk the module's statements.
    const walkStatements = reuse !== undefined || this.replaced.length > 0;
    for (const node of walkStatements ? this.nodesOutsideReused(this.topLevel, rootScope, reuse) : root.descendantsOfType(INTERESTING_TYPES)) {
      if (!node) continue;
      if ((++visited & 1023) === 0) checkpoint('while reading the code');
      const start = node.startIndex;
      if (start < skipUntil) continue;
      while (scopes.length > 1 && scopes[scopes.length - 1]!.end <= start) scopes.pop();
      const opened = this.visit(node, node.type, scopes[scopes.length - 1]!.scope);
      if (opened === 'skip') skipUntil = node.endIndex;
      else if (opened) scopes.push({ scope: opened, end: node.endIndex });
    }
  }

  /** The interesting nodes of every top-level statement except reused definitions, whose names are bound. */
  private nodesOutsideReused(topLevel: ReadonlyArray<Node | null>, rootScope: Scope, reuse: ((definition: Node) => ReusedDefinition | undefined) | undefined): Node[] {
    return this.descendantsOfStatements(topLevel, INTERESTING_TYPES, (child) => {
      const reused = reuse?.(child);
      if (reused?.name !== undefined) bind(rootScope, reused.name, { kind: 'opaque', at: child.startIndex + reused.nameOffset });
      return reused !== undefined;
    });
  }

  /**
   * The nodes of these types in the top-level statements `skip` does not leave out, in document
   * order. Consecutive statements of the whole tree are read with one call over their stretch:
   * web-tree-sitter's descendantsOfType compares the types asked for with every type of the
   * grammar at each call, which, once per statement of a script or a notebook of top-level code,
   * was most of the facts' time. A definition parsed alone is read from its own tree.
   */
  private descendantsOfStatements(topLevel: ReadonlyArray<Node | null>, types: string | string[], skip: (child: Node) => boolean): Node[] {
    const nodes: Node[] = [];
    let first: Node | undefined;
    let last: Node | undefined;
    const flush = (): void => {
      if (!first) return;
      for (const node of this.tree.rootNode.descendantsOfType(types, first.startPosition, last!.endPosition)) if (node) nodes.push(node);
      first = last = undefined;
    };
    for (const child of topLevel) {
      if (!child) continue;
      if (skip(child)) {
        flush();
      } else if (child.tree !== this.tree) {
        flush();
        for (const node of child.descendantsOfType(types)) if (node) nodes.push(node);
      } else {
        first ??= child;
        last = child;
      }
    }
    flush();
    return nodes;
  }

  /** Records what a node binds or calls; returns a new scope it opens, or 'skip' to not descend. */
  private visit(node: Node, type: string, scope: Scope): Scope | 'skip' | undefined {
    switch (type) {
      case 'decorated_definition':
        this.decoratedDefinitions.push(node);
        return undefined;
      case 'import_statement':
        this.collectImport(node, scope);
        return 'skip';
      case 'import_from_statement':
        this.collectFromImport(node, scope);
        return 'skip';
      case 'function_definition':
      case 'class_definition': {
        const name = node.childForFieldName('name');
        if (name) bind(scope, name.text, { kind: 'opaque', at: node.startIndex });
        const inner: Scope = { kind: type === 'function_definition' ? 'function' : 'class', parent: scope, node, bindings: new Map() };
        this.scopeOfNode.set(node.id, inner);
        if (type === 'function_definition') this.bindParameters(node, inner);
        // Default values are evaluated in the enclosing scope; walking them inside is close enough.
        return inner;
      }
      case 'assignment':
        this.collectAssignment(node, scope);
        return undefined;
      case 'augmented_assignment': {
        const left = node.childForFieldName('left');
        if (left?.type === 'identifier') bind(scope, left.text, { kind: 'opaque', at: node.startIndex });
        return undefined;
      }
      case 'named_expression': {
        const name = node.childForFieldName('name');
        const value = node.childForFieldName('value');
        if (name && value) bind(scope, name.text, { kind: 'assign', value, at: node.startIndex });
        return undefined;
      }
      case 'for_statement':
      case 'for_in_clause': {
        const left = node.childForFieldName('left');
        if (left) for (const name of targetNames(left)) bind(scope, name, { kind: 'opaque', at: node.startIndex });
        return undefined;
      }
      case 'with_item':
        this.collectWithItem(node, scope);
        return undefined;
      case 'except_clause':
        for (const child of node.namedChildren) {
          if (child?.type === 'as_pattern') {
            const alias = child.childForFieldName('alias');
            for (const name of alias ? targetNames(alias) : []) bind(scope, name, { kind: 'opaque', at: node.startIndex });
          }
        }
        return undefined;
      case 'call':
        this.collectCall(node, scope);
        return undefined;
      default:
        return undefined;
    }
  }

  private collectImport(node: Node, scope: Scope): void {
    for (const child of node.namedChildren) {
      if (!child) continue;
      if (child.type === 'dotted_name') {
        // `import torch.serialization` binds `torch` to the package `torch`.
        const first = child.namedChildren[0];
        if (first) bind(scope, first.text, { kind: 'import', qualified: first.text, at: node.startIndex });
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) bind(scope, alias.text, { kind: 'import', qualified: dottedText(name), at: node.startIndex });
      }
    }
  }

  private collectFromImport(node: Node, scope: Scope): void {
    const moduleNode = node.childForFieldName('module_name');
    if (!moduleNode) return;
    // Relative imports name the project's own modules; keep them apart from installed packages.
    const moduleName = moduleNode.type === 'relative_import' ? `<local>${moduleNode.text}` : dottedText(moduleNode);
    for (const child of node.childrenForFieldName('name')) {
      if (!child) continue;
      if (child.type === 'dotted_name') {
        bind(scope, child.text, { kind: 'import', qualified: `${moduleName}.${dottedText(child)}`, at: node.startIndex });
      } else if (child.type === 'aliased_import') {
        const name = child.childForFieldName('name');
        const alias = child.childForFieldName('alias');
        if (name && alias) bind(scope, alias.text, { kind: 'import', qualified: `${moduleName}.${dottedText(name)}`, at: node.startIndex });
      }
    }
    // `from x import *` binds names we cannot know; we leave them unresolved.
  }

  private bindParameters(definition: Node, scope: Scope): void {
    const parameters = definition.childForFieldName('parameters');
    if (!parameters) return;
    for (const parameter of parameters.namedChildren) {
      if (!parameter) continue;
      const nameNode =
        parameter.type === 'identifier' ? parameter : parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier');
      if (nameNode?.type !== 'identifier') continue;
      // `df: pd.DataFrame` — a plain class annotation makes the parameter an instance of it.
      const type = parameter.childForFieldName('type')?.namedChildren[0];
      if (type && (type.type === 'identifier' || type.type === 'attribute')) bind(scope, nameNode.text, { kind: 'annotated', type, at: parameter.startIndex });
      else bind(scope, nameNode.text, { kind: 'opaque', at: parameter.startIndex });
    }
  }

  private collectAssignment(node: Node, scope: Scope): void {
    const left = node.childForFieldName('left');
    const right = node.childForFieldName('right');
    if (!left) return;
    if (left.type === 'identifier' && right) {
      bind(scope, left.text, { kind: 'assign', value: right, at: node.startIndex });
      return;
    }
    // Chained `a = b = value` is nested as assignment(right: assignment); tuple targets are opaque.
    for (const name of targetNames(left)) bind(scope, name, { kind: 'opaque', at: node.startIndex });
  }

  private collectWithItem(node: Node, scope: Scope): void {
    const value = node.childForFieldName('value');
    if (value?.type !== 'as_pattern') return;
    const target = value.childForFieldName('alias');
    const expression = value.namedChildren[0];
    const names = target ? targetNames(target) : [];
    if (names.length === 1 && expression && names[0]) bind(scope, names[0], { kind: 'with', value: expression, at: node.startIndex });
    else for (const name of names) bind(scope, name, { kind: 'opaque', at: node.startIndex });
  }

  private collectCall(node: Node, scope: Scope): void {
    const callee = node.childForFieldName('function');
    if (callee) this.calls.push(new LazyCallFact(node, callee, scope));
  }

  /** Comment text by zero-based line; read from the tree on first use (only files with findings need it). */
  get comments(): ReadonlyMap<number, string> {
    this.commentsByLine ??= commentsByLine(this);
    return this.commentsByLine;
  }

  /**
   * The nodes of these types a rule looks at, in document order: the module's, leaving out reused
   * definitions, whose findings the caller has (incremental analysis). Rules read the module
   * through this, never through `tree.rootNode`, whose nodes are stale where a definition was
   * parsed alone.
   */
  analysedDescendantsOfType(types: string | string[]): Node[] {
    const reuse = this.reuse;
    if (!reuse) return this.descendantsOfType(types);
    return this.descendantsOfStatements(this.topLevel, types, (child) => reuse(child) !== undefined);
  }

  /**
   * The module's nodes of these types, in document order (what `tree.rootNode.descendantsOfType`
   * gives, with a definition parsed on its own read from its own tree).
   */
  descendantsOfType(types: string | string[]): Node[] {
    const found = this.tree.rootNode.descendantsOfType(types);
    const replaced = this.replaced;
    if (replaced.length === 0) return found.filter((node): node is Node => node !== null);
    const nodes: Node[] = [];
    let next = 0; // the next stretch whose own nodes are still to be put in
    for (const node of found) {
      if (!node) continue;
      const start = node.startIndex;
      while (next < replaced.length && start >= replaced[next]!.end) {
        for (const own of replaced[next++]!.root.descendantsOfType(types)) if (own) nodes.push(own);
      }
      if (next < replaced.length && start >= replaced[next]!.start) continue; // stale
      nodes.push(node);
    }
    while (next < replaced.length) for (const own of replaced[next++]!.root.descendantsOfType(types)) if (own) nodes.push(own);
    return nodes;
  }

  // ---------------------------------------------------------------- resolution

  /** The binding a name refers to at a given point, walking out through enclosing scopes. */
  lookup(name: string, scope: Scope, at: number): Binding | undefined {
    let current: Scope | undefined = scope;
    let first = true;
    while (current) {
      // Names in a class body are not visible from its methods.
      if (first || current.kind !== 'class') {
        const bindings = current.bindings.get(name);
        if (bindings && bindings.length > 0) {
          // In a function, a binding made later in the enclosing scope is still visible when it runs.
          const before = bindings.filter((binding) => binding.at < at);
          return before.length > 0 ? before[before.length - 1] : bindings[0];
        }
      }
      first = false;
      current = current.parent;
    }
    return undefined;
  }

  /** The scope a node is in. */
  scopeAt(node: Node): Scope {
    for (let current: Node | null = node.parent; current; current = current.parent) {
      const scope = this.scopeOfNode.get(current.id);
      if (scope) return scope;
    }
    return this.module;
  }

  /** `t.load` → `torch.load` when `t` is `import torch as t`; undefined when any step is unknown. */
  qualifiedNameOf(expression: Node, scope: Scope, depth = 0): string | undefined {
    if (depth > MAX_EVALUATION_DEPTH) return undefined;
    if (expression.type === 'identifier') {
      const binding = this.lookup(expression.text, scope, expression.startIndex);
      if (!binding) return PYTHON_BUILTINS.has(expression.text) ? `builtins.${expression.text}` : undefined;
      switch (binding.kind) {
        case 'import':
          return binding.qualified;
        case 'annotated': {
          const type = this.qualifiedNameOf(binding.type, scope, depth + 1);
          return type ? `${type}()` : undefined;
        }
        case 'assign':
        case 'with': {
          // `load = torch.load` is an alias; `app = Flask(__name__)` is an instance, so `app.run`
          // resolves to `flask.Flask().run` — and calling `data = pickle.load(f)` is not pickle.load.
          const value = binding.value;
          if (value.type === 'identifier' || value.type === 'attribute' || value.type === 'call') return this.qualifiedNameOf(value, scope, depth + 1);
          return undefined;
        }
        default:
          return undefined;
      }
    }
    if (expression.type === 'attribute') {
      const object = expression.childForFieldName('object');
      const attribute = expression.childForFieldName('attribute');
      if (!object || !attribute) return undefined;
      const base = this.qualifiedNameOf(object, scope, depth + 1);
      return base ? `${base}.${attribute.text}` : undefined;
    }
    if (expression.type === 'call') {
      // `Flask(__name__).run(...)`: a method on a fresh instance, written `flask.Flask().run`.
      const callee = expression.childForFieldName('function');
      const base = callee ? this.qualifiedNameOf(callee, scope, depth + 1) : undefined;
      return base ? `${base}()` : undefined;
    }
    if (expression.type === 'parenthesized_expression') {
      const inner = expression.namedChildren[0];
      return inner ? this.qualifiedNameOf(inner, scope, depth + 1) : undefined;
    }
    return undefined;
  }

  /**
   * The value of an expression, following names to their single assignment in scope
   * (`REV = "3f2a…"` is a constant; a name assigned twice is not).
   */
  evaluate(expression: Node, scope: Scope, depth = 0): Value {
    if (depth > MAX_EVALUATION_DEPTH) return { kind: 'unknown' };
    const cached = depth === 0 ? this.valueCache.get(expression.id) : undefined;
    if (cached) return cached;
    const value = this.evaluateUncached(expression, scope, depth);
    if (depth === 0) this.valueCache.set(expression.id, value);
    return value;
  }

  private evaluateUncached(expression: Node, scope: Scope, depth: number): Value {
    switch (expression.type) {
      case 'string':
        return stringValue(expression);
      case 'concatenated_string': {
        let text = '';
        for (const part of expression.namedChildren) {
          if (!part) continue;
          const value = stringValue(part);
          if (value.kind !== 'string') return { kind: 'unknown' };
          text += value.value;
        }
        return { kind: 'string', value: text };
      }
      case 'integer':
      case 'float': {
        const number = Number(expression.text.replace(/_/g, ''));
        return Number.isNaN(number) ? { kind: 'unknown' } : { kind: 'number', value: number };
      }
      case 'true':
        return { kind: 'bool', value: true };
      case 'false':
        return { kind: 'bool', value: false };
      case 'none':
        return { kind: 'none' };
      case 'unary_operator': {
        const operand = expression.childForFieldName('argument');
        const operator = expression.childForFieldName('operator')?.text;
        const value = operand ? this.evaluate(operand, scope, depth + 1) : { kind: 'unknown' as const };
        if (value.kind === 'number' && operator === '-') return { kind: 'number', value: -value.value };
        return value.kind === 'number' && operator === '+' ? value : { kind: 'unknown' };
      }
      case 'parenthesized_expression': {
        const inner = expression.namedChildren[0];
        return inner ? this.evaluate(inner, scope, depth + 1) : { kind: 'unknown' };
      }
      case 'tuple':
      case 'list':
        return { kind: 'sequence', items: expression.namedChildren.filter((c): c is Node => c !== null && c.type !== 'comment').map((c) => this.evaluate(c, scope, depth + 1)) };
      case 'dictionary': {
        const entries = new Map<string, Value>();
        for (const pair of expression.namedChildren) {
          if (pair?.type !== 'pair') continue;
          const key = pair.childForFieldName('key');
          const value = pair.childForFieldName('value');
          const keyValue = key ? this.evaluate(key, scope, depth + 1) : undefined;
          if (keyValue?.kind === 'string' && value) entries.set(keyValue.value, this.evaluate(value, scope, depth + 1));
        }
        return { kind: 'mapping', entries };
      }
      case 'binary_operator': {
        if (expression.childForFieldName('operator')?.text !== '+') return { kind: 'unknown' };
        const left = expression.childForFieldName('left');
        const right = expression.childForFieldName('right');
        if (!left || !right) return { kind: 'unknown' };
        const a = this.evaluate(left, scope, depth + 1);
        const b = this.evaluate(right, scope, depth + 1);
        return a.kind === 'string' && b.kind === 'string' ? { kind: 'string', value: a.value + b.value } : { kind: 'unknown' };
      }
      case 'identifier': {
        const binding = this.lookup(expression.text, scope, expression.startIndex);
        if (binding?.kind === 'import') return { kind: 'name', qualified: binding.qualified };
        const constant = this.constantDefinition(expression, scope);
        return constant ? this.evaluate(constant.value, constant.scope, depth + 1) : { kind: 'unknown' };
      }
      case 'attribute': {
        const qualified = this.qualifiedNameOf(expression, scope);
        return qualified ? { kind: 'name', qualified } : { kind: 'unknown' };
      }
      case 'call': {
        const callee = expression.childForFieldName('function');
        const qualified = callee ? this.qualifiedNameOf(callee, scope) : undefined;
        return qualified ? { kind: 'call', qualified, node: expression } : { kind: 'unknown' };
      }
      default:
        return { kind: 'unknown' };
    }
  }

  /** The right-hand side of a name bound exactly once, by an assignment, in its scope (a constant). */
  constantDefinition(identifier: Node, scope: Scope = this.scopeAt(identifier)): { value: Node; scope: Scope } | undefined {
    const owner = this.ownerScope(identifier.text, scope);
    const bindings = owner?.bindings.get(identifier.text);
    if (!owner || bindings?.length !== 1) return undefined;
    const binding = bindings[0];
    return binding?.kind === 'assign' ? { value: binding.value, scope: owner } : undefined;
  }

  private ownerScope(name: string, scope: Scope): Scope | undefined {
    let first = true;
    for (let current: Scope | undefined = scope; current; current = current.parent) {
      if ((first || current.kind !== 'class') && current.bindings.has(name)) return current;
      first = false;
    }
    return undefined;
  }
}

/**
 * Most calls in a file match no rule, so their arguments and statement lines are only read
 * from the tree when a rule asks (each read crosses into the wasm parser).
 */
class LazyCallFact implements CallFact {
  qualifiedName?: string;
  private args?: Pick<CallFact, 'positional' | 'keywords' | 'hasStarArgs' | 'hasKeywordSplat'>;
  private lines?: { first: number; last: number };

  constructor(
    readonly node: Node,
    readonly callee: Node,
    readonly scope: Scope,
  ) {}

  get positional(): Node[] {
    return this.arguments().positional;
  }

  get keywords(): Map<string, KeywordArgument> {
    return this.arguments().keywords;
  }

  get hasStarArgs(): boolean {
    return this.arguments().hasStarArgs;
  }

  get hasKeywordSplat(): boolean {
    return this.arguments().hasKeywordSplat;
  }

  get statementLines(): { first: number; last: number } {
    this.lines ??= statementLines(this.node);
    return this.lines;
  }

  private arguments(): Pick<CallFact, 'positional' | 'keywords' | 'hasStarArgs' | 'hasKeywordSplat'> {
    if (this.args) return this.args;
    const positional: Node[] = [];
    const keywords = new Map<string, KeywordArgument>();
    let hasStarArgs = false;
    let hasKeywordSplat = false;
    const argumentList = this.node.childForFieldName('arguments');
    if (argumentList?.type === 'argument_list') {
      for (const argument of argumentList.namedChildren) {
        if (!argument || argument.type === 'comment') continue;
        if (argument.type === 'keyword_argument') {
          const name = argument.childForFieldName('name');
          const value = argument.childForFieldName('value');
          if (name && value) keywords.set(name.text, { name: name.text, node: argument, value });
        } else if (argument.type === 'list_splat') hasStarArgs = true;
        else if (argument.type === 'dictionary_splat') hasKeywordSplat = true;
        else positional.push(argument);
      }
    } else if (argumentList) {
      positional.push(argumentList); // a generator expression argument: f(x for x in y)
    }
    this.args = { positional, keywords, hasStarArgs, hasKeywordSplat };
    return this.args;
  }
}

/** Comment text by zero-based line. */
export function commentsByLine(facts: PythonFacts): Map<number, string> {
  const comments = new Map<number, string>();
  for (const comment of facts.descendantsOfType('comment')) comments.set(comment.startPosition.row, comment.text);
  return comments;
}

/** Top-level functions and classes: the units incremental analysis reuses. */
export function isTopLevelDefinition(node: Node): boolean {
  return node.type === 'function_definition' || node.type === 'class_definition' || node.type === 'decorated_definition';
}

export function definitionName(node: Node): string | undefined {
  const definition = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  return definition?.childForFieldName('name')?.text;
}

/** A reused top-level definition as the module sees it: the name it binds, at what offset from its start. */
export interface ReusedDefinition {
  name: string | undefined;
  nameOffset: number;
}

/** What a full walk binds for a top-level definition (the `def`/`class` itself binds, after any decorators). */
export function reusedDefinitionOf(node: Node): ReusedDefinition {
  const definition = node.type === 'decorated_definition' ? node.childForFieldName('definition') : node;
  return { name: definition?.childForFieldName('name')?.text, nameOffset: definition ? definition.startIndex - node.startIndex : 0 };
}

function bind(scope: Scope, name: string, binding: Binding): void {
  const list = scope.bindings.get(name);
  if (list) list.push(binding);
  else scope.bindings.set(name, [binding]);
}

/** Names bound by an assignment target: `a`, `a, b`, `(a, [b, *c])`; attributes and subscripts bind nothing. */
function targetNames(target: Node): string[] {
  if (target.type === 'identifier') return [target.text];
  if (['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'list_splat_pattern', 'parenthesized_expression', 'as_pattern_target'].includes(target.type)) {
    return target.namedChildren.flatMap((child) => (child ? targetNames(child) : []));
  }
  return [];
}

function dottedText(node: Node): string {
  return node.namedChildren.map((child) => child?.text ?? '').join('.') || node.text;
}

function statementLines(node: Node): { first: number; last: number } {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (SIMPLE_STATEMENTS.has(current.type)) return { first: current.startPosition.row, last: current.endPosition.row };
    if (COMPOUND_STATEMENTS.has(current.type) || current.type === 'block' || current.type === 'module') {
      // A call in an `if` or `with` header: from the header's first line to the end of the call.
      const first = current.type === 'block' || current.type === 'module' ? node.startPosition.row : current.startPosition.row;
      return { first, last: node.endPosition.row };
    }
  }
  return { first: node.startPosition.row, last: node.endPosition.row };
}

/** The value of a string literal; f-strings with interpolations and bytes are not literals we judge. */
export function stringValue(node: Node): Value {
  if (node.type !== 'string') return { kind: 'unknown' };
  const start = node.namedChildren.find((c) => c?.type === 'string_start')?.text ?? '"';
  const prefix = start.replace(/['"]/g, '').toLowerCase();
  const raw = prefix.includes('r');
  let text = '';
  for (const part of node.namedChildren) {
    if (!part) continue;
    if (part.type === 'interpolation') return { kind: 'unknown' };
    if (part.type === 'string_content') text += raw ? part.text : decodedContent(part);
  }
  return { kind: 'string', value: text };
}

/** A string_content's text with its escape sequences (its children) decoded. */
function decodedContent(content: Node): string {
  const whole = content.text;
  let decoded = '';
  let at = 0;
  for (const escape of content.namedChildren) {
    if (escape?.type !== 'escape_sequence') continue;
    decoded += whole.slice(at, escape.startIndex - content.startIndex) + decodeEscape(escape.text);
    at = escape.endIndex - content.startIndex;
  }
  return at === 0 ? whole : decoded + whole.slice(at);
}

