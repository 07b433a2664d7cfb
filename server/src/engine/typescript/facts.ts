/**
 * Facts about one TypeScript / JavaScript file, computed once in one walk of the syntax tree and
 * shared by every rule: scopes with their bindings (imports, `require`, destructuring, constants,
 * parameters), every call and `new` with its callee resolved to a qualified name, assignments
 * (for value tracking), property assignments, JSX attributes and the string literals that look
 * like keys.
 *
 * Qualified names are the module specifier followed by the member path:
 *   import * as tf from '@tensorflow/tfjs'; tf.loadLayersModel(u)      → @tensorflow/tfjs.loadLayersModel
 *   const { pipeline: p } = require('@huggingface/transformers'); p()   → @huggingface/transformers.pipeline
 *   import OpenAI from 'openai'; new OpenAI().chat.completions.create   → openai().chat.completions.create
 * A default import (and `require` of a whole module) is the module itself; `()` marks the result
 * of a call or `new` (an instance), as in the Python rules; `node:` prefixes are dropped; relative
 * modules are `<local>./x`; unbound `eval`, `Function`, `window.eval`… are `globalThis.eval`.
 * Resolution is conservative: a name rebound by a parameter, a local function or a second
 * assignment is not an import any more. Scopes are functions (block scopes fold into them).
 * No type checker is used.
 */
import { SyntaxKind, ts } from './compiler';

export type TsScopeKind = 'module' | 'function';

export interface TsScope {
  kind: TsScopeKind;
  id: number;
  parent?: TsScope;
  node?: ts.Node;
  bindings: Map<string, TsBinding[]>;
}

export type TsBinding =
  | { kind: 'import'; qualified: string; at: number }
  /** `const x = value`, `x = value`: decided on demand from the value. */
  | { kind: 'assign'; value: ts.Expression; at: number }
  /** `const { a: { b } } = value`: the member path `a.b` of the value. */
  | { kind: 'destructure'; value: ts.Expression; path: string[]; at: number }
  /** Parameters, functions, classes, loop variables, catch clauses: nothing we can know. */
  | { kind: 'opaque'; at: number };

export interface TsCallFact {
  node: ts.CallExpression | ts.NewExpression;
  callee: ts.Expression;
  isNew: boolean;
  /** The callee resolved through imports; undefined when any step is unknown. */
  qualifiedName?: string;
  /** The callee as written, with an unknown root kept as text: `this.client.chat.completions.create`. */
  writtenName?: string;
  args: readonly ts.Expression[];
  /** A spread argument (`f(...xs)`): any later position may be filled. */
  spreadAt?: number;
  scope: TsScope;
  statementLines: { first: number; last: number };
}

/** A value flowing into a name: `const x = v`, `x = v`, `x += v`, `for (const x of v)`, `v.map((x) => …)`. */
export interface TsFlow {
  scope: TsScope;
  target: ts.BindingName | ts.Expression;
  value: ts.Expression;
  kind: 'init' | 'assign' | 'compound' | 'element';
}

/** `target.member = value` (`env.allowRemoteModels = true`, `el.innerHTML = html`). */
export interface TsPropertyAssignment {
  node: ts.BinaryExpression;
  target: ts.PropertyAccessExpression | ts.ElementAccessExpression;
  member: string;
  value: ts.Expression;
  scope: TsScope;
}

export interface TsJsxAttribute {
  node: ts.JsxAttribute;
  name: string;
  value?: ts.Expression;
  scope: TsScope;
}

/** A string literal or a literal part of a template. */
export type KeyLiteralNode = ts.StringLiteral | ts.NoSubstitutionTemplateLiteral | ts.TemplateHead | ts.TemplateMiddle | ts.TemplateTail;

export type TsValue =
  | { kind: 'string'; value: string }
  | { kind: 'number'; value: number }
  | { kind: 'bool'; value: boolean }
  | { kind: 'none' }
  | { kind: 'sequence'; items: TsValue[] }
  /** An object literal; `open` when a spread or computed key may add entries we cannot see. */
  | { kind: 'mapping'; entries: Map<string, TsValue>; nodes: Map<string, ts.ObjectLiteralElementLike>; open: boolean }
  | { kind: 'name'; qualified: string }
  | { kind: 'call'; qualified: string; node: ts.Node }
  | { kind: 'unknown' };

const GLOBAL_ALIASES = new Set(['globalThis', 'window', 'global', 'self']);
const GLOBALS = new Set(['eval', 'Function', 'JSON', 'String', 'Buffer', 'document', 'process', 'fetch', 'setTimeout', 'setInterval', 'decodeURIComponent', 'atob', 'Object', 'Array']);
const MAX_DEPTH = 10;
/** Cheap pre-filter for literals that may be AI keys (the check decides). */
const KEY_HINT = /sk-|hf_|AIza/;

export function normaliseModule(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier.slice(5);
  if (specifier.startsWith('.') || specifier.startsWith('/')) return `<local>${specifier}`;
  return specifier;
}

export class TsFacts {
  readonly module: TsScope;
  readonly calls: TsCallFact[] = [];
  readonly flows: TsFlow[] = [];
  readonly propertyAssignments: TsPropertyAssignment[] = [];
  readonly jsxAttributes: TsJsxAttribute[] = [];
  /** String literals (and plain templates) whose text may hold a key, with their scope. */
  readonly keyLiterals: Array<{ node: KeyLiteralNode; scope: TsScope }> = [];
  private scopeCount = 0;
  private readonly scopeOfNode = new Map<ts.Node, TsScope>();
  private readonly valueCache = new Map<ts.Node, TsValue>();

  constructor(readonly sourceFile: ts.SourceFile) {
    this.module = this.newScope('module');
    this.visit(sourceFile, this.module);
    for (const call of this.calls) {
      call.qualifiedName = this.qualifiedNameOf(call.callee, call.scope);
      if (!call.qualifiedName) call.writtenName = writtenName(call.callee);
    }
  }

  get text(): string {
    return this.sourceFile.text;
  }

  // ---------------------------------------------------------------- collection (one walk)

  private newScope(kind: TsScopeKind, parent?: TsScope, node?: ts.Node): TsScope {
    const scope: TsScope = { kind, id: this.scopeCount++, parent, node, bindings: new Map() };
    if (node) this.scopeOfNode.set(node, scope);
    return scope;
  }

  private visit(node: ts.Node, scope: TsScope): void {
    switch (node.kind) {
      case SyntaxKind.ImportDeclaration:
        this.collectImport(node as ts.ImportDeclaration, scope);
        return;
      case SyntaxKind.ImportEqualsDeclaration: {
        const declaration = node as ts.ImportEqualsDeclaration;
        const reference = declaration.moduleReference;
        if (!declaration.isTypeOnly && ts.isExternalModuleReference(reference) && ts.isStringLiteralLike(reference.expression)) {
          bind(scope, declaration.name.text, { kind: 'import', qualified: normaliseModule(reference.expression.text), at: node.pos });
        }
        return;
      }
      case SyntaxKind.InterfaceDeclaration:
      case SyntaxKind.TypeAliasDeclaration:
        return; // types hold no calls
      case SyntaxKind.FunctionDeclaration:
      case SyntaxKind.FunctionExpression:
      case SyntaxKind.ArrowFunction:
      case SyntaxKind.MethodDeclaration:
      case SyntaxKind.Constructor:
      case SyntaxKind.GetAccessor:
      case SyntaxKind.SetAccessor: {
        const fn = node as ts.FunctionLikeDeclaration;
        if (ts.isFunctionDeclaration(fn) && fn.name) bind(scope, fn.name.text, { kind: 'opaque', at: fn.pos });
        const inner = this.newScope('function', scope, node);
        if (ts.isFunctionExpression(fn) && fn.name) bind(inner, fn.name.text, { kind: 'opaque', at: fn.pos });
        for (const parameter of fn.parameters) {
          for (const name of bindingNames(parameter.name)) bind(inner, name, { kind: 'opaque', at: parameter.pos });
          if (parameter.initializer) this.visit(parameter.initializer, scope);
        }
        if (fn.body) this.visit(fn.body, inner);
        return;
      }
      case SyntaxKind.ClassDeclaration: {
        const name = (node as ts.ClassDeclaration).name;
        if (name) bind(scope, name.text, { kind: 'opaque', at: node.pos });
        break;
      }
      case SyntaxKind.EnumDeclaration:
        bind(scope, (node as ts.EnumDeclaration).name.text, { kind: 'opaque', at: node.pos });
        break;
      case SyntaxKind.VariableDeclaration:
        this.collectVariable(node as ts.VariableDeclaration, scope);
        break;
      case SyntaxKind.ForOfStatement:
      case SyntaxKind.ForInStatement: {
        const loop = node as ts.ForOfStatement | ts.ForInStatement;
        const initializer = loop.initializer;
        const target = ts.isVariableDeclarationList(initializer) ? initializer.declarations[0]?.name : initializer;
        if (target && ts.isForOfStatement(loop)) this.flows.push({ scope, target, value: loop.expression, kind: 'element' });
        break;
      }
      case SyntaxKind.CatchClause: {
        const variable = (node as ts.CatchClause).variableDeclaration;
        if (variable) for (const name of bindingNames(variable.name)) bind(scope, name, { kind: 'opaque', at: node.pos });
        this.visit((node as ts.CatchClause).block, scope);
        return;
      }
      case SyntaxKind.BinaryExpression:
        this.collectBinary(node as ts.BinaryExpression, scope);
        break;
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression:
        this.collectCall(node as ts.CallExpression | ts.NewExpression, scope);
        break;
      case SyntaxKind.JsxAttribute: {
        const attribute = node as ts.JsxAttribute;
        const initializer = attribute.initializer;
        const value = initializer && ts.isJsxExpression(initializer) ? initializer.expression : initializer && ts.isStringLiteral(initializer) ? initializer : undefined;
        this.jsxAttributes.push({ node: attribute, name: attribute.name.getText(this.sourceFile), value, scope });
        break;
      }
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral: {
        const literal = node as ts.StringLiteral | ts.NoSubstitutionTemplateLiteral;
        if (literal.text.length >= 20 && KEY_HINT.test(literal.text)) this.keyLiterals.push({ node: literal, scope });
        return;
      }
      case SyntaxKind.TemplateExpression: {
        const template = node as ts.TemplateExpression;
        for (const part of [template.head, ...template.templateSpans.map((span) => span.literal)]) {
          if (part.text.length >= 20 && KEY_HINT.test(part.text)) this.keyLiterals.push({ node: part, scope });
        }
        break;
      }
      default:
        break;
    }
    const outer = this.walking;
    this.walking = scope;
    ts.forEachChild(node, this.visitChild);
    this.walking = outer;
  }

  /**
   * The scope of the node whose children are being visited, and the one visitor of children that
   * reads it: a closure made per node over its scope was a few megabytes of garbage per analysis of
   * a 5,000-line file.
   */
  private walking!: TsScope;
  private readonly visitChild = (child: ts.Node): void => this.visit(child, this.walking);

  private collectImport(node: ts.ImportDeclaration, scope: TsScope): void {
    const clause = node.importClause;
    if (!clause || clause.isTypeOnly || !ts.isStringLiteralLike(node.moduleSpecifier)) return;
    const module = normaliseModule(node.moduleSpecifier.text);
    if (clause.name) bind(scope, clause.name.text, { kind: 'import', qualified: module, at: node.pos });
    const named = clause.namedBindings;
    if (!named) return;
    if (ts.isNamespaceImport(named)) {
      bind(scope, named.name.text, { kind: 'import', qualified: module, at: node.pos });
      return;
    }
    for (const element of named.elements) {
      if (element.isTypeOnly) continue;
      const imported = (element.propertyName ?? element.name).text;
      bind(scope, element.name.text, { kind: 'import', qualified: imported === 'default' ? module : `${module}.${imported}`, at: node.pos });
    }
  }

  private collectVariable(node: ts.VariableDeclaration, scope: TsScope): void {
    const name = node.name;
    const value = node.initializer;
    if (value) this.flows.push({ scope, target: name, value, kind: 'init' });
    if (ts.isIdentifier(name)) {
      bind(scope, name.text, value ? { kind: 'assign', value, at: node.pos } : { kind: 'opaque', at: node.pos });
      return;
    }
    if (value && ts.isObjectBindingPattern(name)) {
      this.bindDestructured(name, value, [], scope, node.pos);
      return;
    }
    for (const each of bindingNames(name)) bind(scope, each, { kind: 'opaque', at: node.pos });
  }

  private bindDestructured(pattern: ts.ObjectBindingPattern, value: ts.Expression, path: string[], scope: TsScope, at: number): void {
    for (const element of pattern.elements) {
      const key = element.propertyName ?? (ts.isIdentifier(element.name) ? element.name : undefined);
      const keyText = key && (ts.isIdentifier(key) || ts.isStringLiteral(key)) ? key.text : undefined;
      if (element.dotDotDotToken || keyText === undefined) {
        for (const name of bindingNames(element.name)) bind(scope, name, { kind: 'opaque', at });
      } else if (ts.isIdentifier(element.name)) {
        bind(scope, element.name.text, { kind: 'destructure', value, path: [...path, keyText], at });
      } else if (ts.isObjectBindingPattern(element.name)) {
        this.bindDestructured(element.name, value, [...path, keyText], scope, at);
      } else {
        for (const name of bindingNames(element.name)) bind(scope, name, { kind: 'opaque', at });
      }
    }
  }

  private collectBinary(node: ts.BinaryExpression, scope: TsScope): void {
    const operator = node.operatorToken.kind;
    if (operator < SyntaxKind.FirstAssignment || operator > SyntaxKind.LastAssignment) return;
    const isAssign = operator === SyntaxKind.EqualsToken;
    const isCompound =
      operator === SyntaxKind.PlusEqualsToken || operator === SyntaxKind.QuestionQuestionEqualsToken || operator === SyntaxKind.BarBarEqualsToken || operator === SyntaxKind.AmpersandAmpersandEqualsToken;
    const left = skipOuter(node.left);
    if (ts.isIdentifier(left)) {
      // `x = v` rebinds the variable where it was declared (the module for an undeclared one).
      const owner = this.ownerScope(left.text, scope) ?? this.module;
      bind(owner, left.text, isAssign ? { kind: 'assign', value: node.right, at: node.pos } : { kind: 'opaque', at: node.pos });
      if (isAssign || isCompound) this.flows.push({ scope, target: left, value: node.right, kind: isAssign ? 'assign' : 'compound' });
    } else if (isAssign && (ts.isObjectLiteralExpression(left) || ts.isArrayLiteralExpression(left))) {
      this.flows.push({ scope, target: left, value: node.right, kind: 'assign' });
      for (const name of assignedNames(left)) bind(this.ownerScope(name, scope) ?? this.module, name, { kind: 'opaque', at: node.pos });
    } else if (isAssign && (ts.isPropertyAccessExpression(left) || ts.isElementAccessExpression(left))) {
      const member = ts.isPropertyAccessExpression(left) ? left.name.text : ts.isStringLiteralLike(left.argumentExpression) ? left.argumentExpression.text : undefined;
      if (member !== undefined) this.propertyAssignments.push({ node, target: left, member, value: node.right, scope });
    }
  }

  private collectCall(node: ts.CallExpression | ts.NewExpression, scope: TsScope): void {
    const isNew = ts.isNewExpression(node);
    if (!isNew && node.expression.kind === SyntaxKind.ImportKeyword) return;
    const args = node.arguments ?? ts.factory.createNodeArray<ts.Expression>();
    let spreadAt: number | undefined;
    args.forEach((arg, index) => {
      if (spreadAt === undefined && ts.isSpreadElement(arg)) spreadAt = index;
    });
    this.calls.push(new LazyCall(node, node.expression, isNew, args, spreadAt, scope));
    // `xs.map((x) => …)`, `p.then((r) => …)`: the callback's first parameter receives the receiver's elements.
    const callee = node.expression;
    if (!isNew && ts.isPropertyAccessExpression(callee) && CALLBACK_METHODS.has(callee.name.text)) {
      const index = callee.name.text === 'reduce' ? 1 : 0;
      for (const arg of args) {
        if ((ts.isArrowFunction(arg) || ts.isFunctionExpression(arg)) && arg.parameters[index]) {
          // The flow belongs to the callback's scope, which is created when the walk reaches it.
          this.pendingCallbacks.push({ fn: arg, target: arg.parameters[index]!.name, value: callee.expression });
        }
      }
    }
  }

  private readonly pendingCallbacks: Array<{ fn: ts.Node; target: ts.BindingName; value: ts.Expression }> = [];

  /** Flows into callback parameters, once every scope exists. */
  callbackFlows(): TsFlow[] {
    const flows: TsFlow[] = [];
    for (const pending of this.pendingCallbacks) {
      const scope = this.scopeOfNode.get(pending.fn);
      if (scope) flows.push({ scope, target: pending.target, value: pending.value, kind: 'element' });
    }
    return flows;
  }

  /**
   * The comments that hold one of `words` (the suppression markers), by zero-based line of their
   * start. Found from the places of the words in the text, each looked up in the syntax tree: it is
   * in a comment only where it lies in the text between tokens (around and between a node's
   * children, or before a leaf's token), never inside a string, a template, a regular expression
   * or JSX text, where `//` is not a comment; that stretch alone is scanned. The whole tree is not
   * walked at each keystroke, and no comment is missed after a token that no node ends with
   * (`pipeline(` or `{` ending a line, as the compiler's per-node comment ranges did).
   */
  commentsHolding(words: readonly string[]): Map<number, string> {
    const byLine = new Map<number, string>();
    const read = new Set<number>();
    const text = this.sourceFile.text;
    for (const word of words) {
      for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + word.length)) {
        const comment = this.commentAt(at);
        if (!comment || read.has(comment.start)) continue;
        read.add(comment.start);
        const line = this.sourceFile.getLineAndCharacterOfPosition(comment.start).line;
        const body = text.slice(comment.start, comment.end);
        byLine.set(line, byLine.has(line) ? `${byLine.get(line)} ${body}` : body);
      }
    }
    return byLine;
  }

  /** The comment that holds offset `at`, if any: the stretch between tokens around `at`, found in the tree and scanned. */
  private commentAt(at: number): { start: number; end: number } | undefined {
    let node: ts.Node = this.sourceFile;
    for (;;) {
      let inner: ts.Node | undefined;
      let from = node.pos;
      let to = node.end;
      let children = false;
      ts.forEachChild(node, (child) => {
        children = true;
        if (at < child.pos) {
          to = child.pos; // between the children before it and this one
          return true;
        }
        if (at < child.end) {
          inner = child;
          return true;
        }
        from = child.end;
        return undefined;
      });
      if (inner) {
        node = inner;
        continue;
      }
      if (children) return this.commentIn(from, to, at);
      // A leaf: only the trivia before its token. (JSX text is text; its start is where a `//` in it
      // begins, so no trivia is read before it anyway.)
      if (node.kind === SyntaxKind.JsxText) return undefined;
      return this.commentIn(node.pos, node.getStart(this.sourceFile), at);
    }
  }

  private scanner?: ts.Scanner;

  /** The comment token of [from, to) that holds `at`, scanning that stretch of tokens and trivia. */
  private commentIn(from: number, to: number, at: number): { start: number; end: number } | undefined {
    if (at < from || at >= to) return undefined; // a leaf's token itself
    this.scanner ??= ts.createScanner(ts.ScriptTarget.Latest, false, this.sourceFile.languageVariant, this.sourceFile.text);
    const scanner = this.scanner;
    scanner.resetTokenState(from);
    for (;;) {
      const kind = scanner.scan();
      const start = scanner.getTokenStart();
      if (kind === SyntaxKind.EndOfFileToken || start > at || start >= to) return undefined;
      if (at < scanner.getTokenEnd()) {
        return kind === SyntaxKind.SingleLineCommentTrivia || kind === SyntaxKind.MultiLineCommentTrivia ? { start, end: scanner.getTokenEnd() } : undefined;
      }
    }
  }

  // ---------------------------------------------------------------- resolution

  scopeAt(node: ts.Node): TsScope {
    for (let current = node.parent; current; current = current.parent) {
      const scope = this.scopeOfNode.get(current);
      if (scope) return scope;
    }
    return this.module;
  }

  ownerScope(name: string, scope: TsScope): TsScope | undefined {
    for (let current: TsScope | undefined = scope; current; current = current.parent) if (current.bindings.has(name)) return current;
    return undefined;
  }

  lookup(name: string, scope: TsScope, at: number): TsBinding | undefined {
    const owner = this.ownerScope(name, scope);
    const bindings = owner?.bindings.get(name);
    if (!bindings || bindings.length === 0) return undefined;
    // The last one bound before `at`, else the first (a loop, not a filtered copy: called for every name resolved).
    for (let i = bindings.length - 1; i >= 0; i--) if (bindings[i]!.at < at) return bindings[i];
    return bindings[0];
  }

  /** How many times a name is bound where it is declared (1 for a constant). */
  bindingCount(name: string, scope: TsScope): number {
    return this.ownerScope(name, scope)?.bindings.get(name)?.length ?? 0;
  }

  qualifiedNameOf(expression: ts.Expression, scope: TsScope, depth = 0): string | undefined {
    if (depth > MAX_DEPTH) return undefined;
    const node = skipOuter(expression);
    if (ts.isIdentifier(node)) {
      const binding = this.lookup(node.text, scope, node.pos);
      if (!binding) {
        if (GLOBAL_ALIASES.has(node.text)) return 'globalThis';
        return GLOBALS.has(node.text) ? `globalThis.${node.text}` : undefined;
      }
      switch (binding.kind) {
        case 'import':
          return binding.qualified;
        case 'assign': {
          // Only aliases and instances resolve: `const load = tf.loadLayersModel`, `const client = new OpenAI()`.
          if (this.bindingCount(node.text, scope) !== 1) return undefined;
          const value = skipOuter(binding.value);
          if (ts.isIdentifier(value) || ts.isPropertyAccessExpression(value) || ts.isElementAccessExpression(value) || ts.isCallExpression(value) || ts.isNewExpression(value)) {
            return this.qualifiedNameOf(value, this.scopeAt(binding.value), depth + 1);
          }
          return undefined;
        }
        case 'destructure': {
          const base = this.qualifiedNameOf(binding.value, this.scopeAt(binding.value), depth + 1);
          return base ? [base, ...binding.path].join('.') : undefined;
        }
        default:
          return undefined;
      }
    }
    if (ts.isPropertyAccessExpression(node)) {
      if (!ts.isIdentifier(node.name)) return undefined;
      const base = this.qualifiedNameOf(node.expression, scope, depth + 1);
      return base ? `${base}.${node.name.text}` : undefined;
    }
    if (ts.isElementAccessExpression(node)) {
      if (!ts.isStringLiteralLike(node.argumentExpression)) return undefined;
      const base = this.qualifiedNameOf(node.expression, scope, depth + 1);
      return base ? `${base}.${node.argumentExpression.text}` : undefined;
    }
    if (ts.isCallExpression(node)) {
      const module = moduleOfRequireOrImport(node, (name) => this.lookup(name, scope, node.pos) === undefined);
      if (module) return module;
      const base = this.qualifiedNameOf(node.expression, scope, depth + 1);
      // `promisify(exec)` is exec, asynchronously.
      if (base === 'util.promisify' && node.arguments[0]) return this.qualifiedNameOf(node.arguments[0], scope, depth + 1);
      return base ? `${base}()` : undefined;
    }
    if (ts.isNewExpression(node)) {
      const base = this.qualifiedNameOf(node.expression, scope, depth + 1);
      return base ? `${base}()` : undefined;
    }
    return undefined;
  }

  /** What the engine knows of an expression's value, following constants (names bound once). */
  evaluate(expression: ts.Expression, scope: TsScope, depth = 0): TsValue {
    if (depth > MAX_DEPTH) return { kind: 'unknown' };
    const cached = depth === 0 ? this.valueCache.get(expression) : undefined;
    if (cached) return cached;
    const value = this.evaluateUncached(expression, scope, depth);
    if (depth === 0) this.valueCache.set(expression, value);
    return value;
  }

  private evaluateUncached(expression: ts.Expression, scope: TsScope, depth: number): TsValue {
    const node = skipOuter(expression);
    switch (node.kind) {
      case SyntaxKind.StringLiteral:
      case SyntaxKind.NoSubstitutionTemplateLiteral:
        return { kind: 'string', value: (node as ts.StringLiteral).text };
      case SyntaxKind.TemplateExpression: {
        const template = node as ts.TemplateExpression;
        let text = template.head.text;
        for (const span of template.templateSpans) {
          const part = this.evaluate(span.expression, scope, depth + 1);
          if (part.kind !== 'string' && part.kind !== 'number') return { kind: 'unknown' };
          text += String(part.value) + span.literal.text;
        }
        return { kind: 'string', value: text };
      }
      case SyntaxKind.NumericLiteral:
        return { kind: 'number', value: Number((node as ts.NumericLiteral).text) };
      case SyntaxKind.TrueKeyword:
        return { kind: 'bool', value: true };
      case SyntaxKind.FalseKeyword:
        return { kind: 'bool', value: false };
      case SyntaxKind.NullKeyword:
        return { kind: 'none' };
      case SyntaxKind.PrefixUnaryExpression: {
        const unary = node as ts.PrefixUnaryExpression;
        const operand = this.evaluate(unary.operand, scope, depth + 1);
        if (unary.operator === SyntaxKind.MinusToken && operand.kind === 'number') return { kind: 'number', value: -operand.value };
        if (unary.operator === SyntaxKind.ExclamationToken && (operand.kind === 'number' || operand.kind === 'bool')) return { kind: 'bool', value: !operand.value };
        return { kind: 'unknown' };
      }
      case SyntaxKind.ArrayLiteralExpression: {
        const elements = (node as ts.ArrayLiteralExpression).elements;
        if (elements.some(ts.isSpreadElement)) return { kind: 'unknown' };
        return { kind: 'sequence', items: elements.map((element) => this.evaluate(element, scope, depth + 1)) };
      }
      case SyntaxKind.ObjectLiteralExpression: {
        const entries = new Map<string, TsValue>();
        const nodes = new Map<string, ts.ObjectLiteralElementLike>();
        let open = false;
        for (const property of (node as ts.ObjectLiteralExpression).properties) {
          if (ts.isSpreadAssignment(property)) {
            open = true;
            continue;
          }
          const key = propertyKey(property.name);
          if (key === undefined) {
            open = true;
            continue;
          }
          nodes.set(key, property);
          if (ts.isPropertyAssignment(property)) entries.set(key, this.evaluate(property.initializer, scope, depth + 1));
          else if (ts.isShorthandPropertyAssignment(property)) entries.set(key, this.evaluate(property.name, scope, depth + 1));
          else entries.set(key, { kind: 'unknown' });
        }
        return { kind: 'mapping', entries, nodes, open };
      }
      case SyntaxKind.BinaryExpression: {
        const binary = node as ts.BinaryExpression;
        if (binary.operatorToken.kind !== SyntaxKind.PlusToken) return { kind: 'unknown' };
        const a = this.evaluate(binary.left, scope, depth + 1);
        const b = this.evaluate(binary.right, scope, depth + 1);
        if ((a.kind === 'string' || a.kind === 'number') && (b.kind === 'string' || b.kind === 'number') && (a.kind === 'string' || b.kind === 'string')) {
          return { kind: 'string', value: String(a.value) + String(b.value) };
        }
        return { kind: 'unknown' };
      }
      case SyntaxKind.Identifier: {
        const identifier = node as ts.Identifier;
        if (identifier.text === 'undefined' && !this.lookup('undefined', scope, node.pos)) return { kind: 'none' };
        const binding = this.lookup(identifier.text, scope, node.pos);
        if (binding?.kind === 'import') return { kind: 'name', qualified: binding.qualified };
        const constant = this.constantDefinition(identifier, scope);
        if (constant) return this.evaluate(constant, this.scopeAt(constant), depth + 1);
        if (binding?.kind === 'destructure' && this.bindingCount(identifier.text, scope) === 1) {
          const qualified = this.qualifiedNameOf(identifier, scope, depth + 1);
          if (qualified) return { kind: 'name', qualified };
        }
        return { kind: 'unknown' };
      }
      case SyntaxKind.PropertyAccessExpression:
      case SyntaxKind.ElementAccessExpression: {
        // A member of a constant object literal: `CONFIG.revision`.
        const access = node as ts.PropertyAccessExpression | ts.ElementAccessExpression;
        const key = ts.isPropertyAccessExpression(access) ? access.name.text : ts.isStringLiteralLike(access.argumentExpression) ? access.argumentExpression.text : undefined;
        if (key !== undefined) {
          const base = this.evaluate(access.expression, scope, depth + 1);
          if (base.kind === 'mapping') {
            const entry = base.entries.get(key);
            if (entry) return entry;
          }
        }
        const qualified = this.qualifiedNameOf(access, scope, depth + 1);
        return qualified ? { kind: 'name', qualified } : { kind: 'unknown' };
      }
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression: {
        const call = node as ts.CallExpression | ts.NewExpression;
        const qualified = this.qualifiedNameOf(call.expression, scope, depth + 1);
        return qualified ? { kind: 'call', qualified, node } : { kind: 'unknown' };
      }
      default:
        return { kind: 'unknown' };
    }
  }

  /** The value of a name bound exactly once by an assignment or initialised declaration (a constant). */
  constantDefinition(identifier: ts.Identifier, scope: TsScope): ts.Expression | undefined {
    const owner = this.ownerScope(identifier.text, scope);
    const bindings = owner?.bindings.get(identifier.text);
    if (bindings?.length !== 1) return undefined;
    const binding = bindings[0];
    return binding?.kind === 'assign' ? binding.value : undefined;
  }

  range(node: ts.Node): { start: { line: number; character: number }; end: { line: number; character: number } } {
    return { start: this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile)), end: this.sourceFile.getLineAndCharacterOfPosition(node.end) };
  }

  line(node: ts.Node): number {
    return this.sourceFile.getLineAndCharacterOfPosition(node.getStart(this.sourceFile)).line;
  }
}

const CALLBACK_METHODS = new Set(['map', 'forEach', 'flatMap', 'filter', 'find', 'some', 'every', 'reduce', 'then']);

/** Calls are many and most match no rule: their statement lines are computed on demand. */
class LazyCall implements TsCallFact {
  qualifiedName?: string;
  writtenName?: string;
  private lines?: { first: number; last: number };

  constructor(
    readonly node: ts.CallExpression | ts.NewExpression,
    readonly callee: ts.Expression,
    readonly isNew: boolean,
    readonly args: readonly ts.Expression[],
    readonly spreadAt: number | undefined,
    readonly scope: TsScope,
  ) {}

  get statementLines(): { first: number; last: number } {
    this.lines ??= statementLines(this.node);
    return this.lines;
  }
}

export function statementLines(node: ts.Node): { first: number; last: number } {
  const sourceFile = node.getSourceFile();
  const lineOf = (position: number): number => sourceFile.getLineAndCharacterOfPosition(position).line;
  for (let current: ts.Node | undefined = node; current; current = current.parent) {
    const parent = current.parent;
    if (!parent || ts.isBlock(parent) || ts.isSourceFile(parent) || ts.isModuleBlock(parent) || ts.isCaseClause(parent) || ts.isDefaultClause(parent)) {
      if (ts.isVariableStatement(current) || ts.isExpressionStatement(current) || ts.isReturnStatement(current) || ts.isThrowStatement(current) || ts.isExportAssignment(current)) {
        return { first: lineOf(current.getStart(sourceFile)), last: lineOf(current.end) };
      }
      // A call in an `if`/`for` header or a declaration: from the statement's first line to the call's end.
      return { first: lineOf(current.getStart(sourceFile)), last: lineOf(node.end) };
    }
  }
  return { first: lineOf(node.getStart(sourceFile)), last: lineOf(node.end) };
}

/** `require('x')` and `import('x')` (with `await` around it, handled by skipOuter) name a module. */
function moduleOfRequireOrImport(node: ts.CallExpression, isGlobal: (name: string) => boolean): string | undefined {
  const first = node.arguments[0];
  if (!first || !ts.isStringLiteralLike(first)) return undefined;
  if (node.expression.kind === SyntaxKind.ImportKeyword) return normaliseModule(first.text);
  if (ts.isIdentifier(node.expression) && node.expression.text === 'require' && isGlobal('require')) return normaliseModule(first.text);
  return undefined;
}

/** Parentheses, `await`, `as`, `!`, `satisfies` and `<T>x` do not change what a name refers to. */
export function skipOuter(expression: ts.Expression): ts.Expression {
  let node = expression;
  for (;;) {
    if (ts.isParenthesizedExpression(node) || ts.isAwaitExpression(node) || ts.isAsExpression(node) || ts.isNonNullExpression(node) || ts.isSatisfiesExpression(node) || ts.isTypeAssertionExpression(node)) {
      node = node.expression;
    } else return node;
  }
}

export function propertyKey(name: ts.PropertyName | undefined): string | undefined {
  if (!name) return undefined;
  if (ts.isIdentifier(name) || ts.isStringLiteral(name) || ts.isNumericLiteral(name) || ts.isPrivateIdentifier(name)) return name.text;
  if (ts.isNoSubstitutionTemplateLiteral(name)) return name.text;
  return undefined;
}

/** The callee as written, dotted: `this.client.chat.completions.create`; undefined for calls and other shapes. */
export function writtenName(expression: ts.Expression): string | undefined {
  const node = skipOuter(expression);
  if (ts.isIdentifier(node)) return node.text;
  if (node.kind === SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(node)) {
    const base = writtenName(node.expression);
    return base ? `${base}.${node.name.text}` : undefined;
  }
  if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
    const base = writtenName(node.expression);
    return base ? `${base}()` : undefined;
  }
  return undefined;
}

export function bindingNames(name: ts.BindingName): string[] {
  if (ts.isIdentifier(name)) return [name.text];
  const names: string[] = [];
  for (const element of name.elements) if (!ts.isOmittedExpression(element)) names.push(...bindingNames(element.name));
  return names;
}

/** Names assigned by a destructuring assignment target: `({ a, b: c } = v)`, `[a, b] = v`. */
export function assignedNames(target: ts.Expression): string[] {
  const node = skipOuter(target);
  if (ts.isIdentifier(node)) return [node.text];
  if (ts.isArrayLiteralExpression(node)) return node.elements.flatMap((element) => assignedNames(ts.isSpreadElement(element) ? element.expression : element));
  if (ts.isObjectLiteralExpression(node)) {
    return node.properties.flatMap((property) => {
      if (ts.isShorthandPropertyAssignment(property)) return [property.name.text];
      if (ts.isPropertyAssignment(property)) return assignedNames(property.initializer);
      if (ts.isSpreadAssignment(property)) return assignedNames(property.expression);
      return [];
    });
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === SyntaxKind.EqualsToken) return assignedNames(node.left);
  return [];
}

function bind(scope: TsScope, name: string, binding: TsBinding): void {
  const list = scope.bindings.get(name);
  if (list) list.push(binding);
  else scope.bindings.set(name, [binding]);
}
