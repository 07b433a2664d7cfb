/**
 * Intra-procedural value tracking for TS/JS: which names hold a value that came from a source
 * (the result of an LLM client call…), following, within each function and the module top level,
 * declarations, assignments (`=`, `+=`, `??=`), destructuring, `for … of`, callback parameters of
 * `map`/`forEach`/`then`…, property and index reads, `await`, template literals, `+`, `??`, `||`,
 * conditionals, array literals, method calls on a tracked value and calls of pass-through
 * functions (`JSON.parse`, `String`). Any other call stops the tracking (a sanitiser). A nested
 * function sees the names of the functions around it (closures). Flow-insensitive: a name that
 * ever receives a tracked value is tracked everywhere in its scope.
 */
import { SyntaxKind, ts } from './compiler';
import { matchesAny } from './conditions';
import { assignedNames, bindingNames, skipOuter, writtenName, type TsCallFact, type TsFacts, type TsScope } from './facts';

export interface TaintSources {
  /** Resolved callees whose result is tracked, e.g. `openai().chat.completions.create`. */
  calls: readonly string[];
  /** Callees as written (for receivers that do not resolve), e.g. `**.chat.completions.create`. */
  writtenCalls: readonly string[];
}

export interface PassThrough {
  calls: readonly string[];
  methods: readonly string[];
}

export interface TaintOrigin {
  /** The source call. */
  source: ts.Node;
  /** How the source reads in messages: `client.chat.completions.create()`. */
  label: string;
  /** The names the value went through, in order, with their lines. */
  steps: Array<{ name: string; line: number }>;
}

const MAX_ROUNDS = 12;

export class Taint {
  /** Per scope, the names in it that hold a source's value (keyed by scope object: no key string to build per lookup). */
  private readonly tracked = new Map<TsScope, Map<string, TaintOrigin>>();
  private readonly sourceCalls = new Map<ts.Node, TsCallFact>();
  /** The origin each source call starts, made once (origin() meets the same calls at every round). */
  private readonly sourceOrigins = new Map<ts.Node, TaintOrigin>();

  constructor(
    private readonly facts: TsFacts,
    sources: TaintSources,
    private readonly passThrough: PassThrough,
  ) {
    for (const call of facts.calls) {
      const resolved = call.qualifiedName !== undefined && matchesAny(sources.calls, call.qualifiedName);
      const written = !resolved && sources.writtenCalls.length > 0 && matchesAny(sources.writtenCalls, call.writtenName ?? writtenName(call.callee));
      if (resolved || written) this.sourceCalls.set(call.node, call);
    }
    if (this.sourceCalls.size === 0) return;
    const flows = [...facts.flows, ...facts.callbackFlows()];
    for (let round = 0; round < MAX_ROUNDS; round++) {
      let changed = false;
      for (const flow of flows) {
        const origin = this.origin(flow.value, flow.scope);
        if (!origin) continue;
        const names = ts.isIdentifier(flow.target) ? [flow.target.text] : isBindingPattern(flow.target) ? bindingNames(flow.target) : assignedNames(flow.target as ts.Expression);
        const line = facts.line(flow.target);
        for (const name of names) {
          const owner = facts.ownerScope(name, flow.scope) ?? facts.module;
          let names = this.tracked.get(owner);
          if (!names) this.tracked.set(owner, (names = new Map()));
          if (names.has(name)) continue;
          names.set(name, { ...origin, steps: [...origin.steps, { name, line }] });
          changed = true;
        }
      }
      if (!changed) break;
    }
  }

  get hasSources(): boolean {
    return this.sourceCalls.size > 0;
  }

  /** Where an expression's value came from, when it carries a source's value. */
  origin(expression: ts.Expression, scope: TsScope, depth = 0): TaintOrigin | undefined {
    if (depth > 40) return undefined;
    const node = skipOuter(expression);
    // Called for every flow at every round: no closure or key string made per call.
    const next = depth + 1;
    switch (node.kind) {
      case SyntaxKind.Identifier: {
        const name = (node as ts.Identifier).text;
        const owner = this.facts.ownerScope(name, scope);
        return owner ? this.tracked.get(owner)?.get(name) : undefined;
      }
      case SyntaxKind.PropertyAccessExpression:
        return this.origin((node as ts.PropertyAccessExpression).expression, scope, next);
      case SyntaxKind.ElementAccessExpression:
        return this.origin((node as ts.ElementAccessExpression).expression, scope, next);
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression: {
        const call = node as ts.CallExpression | ts.NewExpression;
        const source = this.sourceCalls.get(call);
        if (source) {
          let started = this.sourceOrigins.get(call);
          if (!started) this.sourceOrigins.set(call, (started = { source: call, label: `${writtenName(source.callee) ?? '…'}()`, steps: [] }));
          return started;
        }
        const callee = skipOuter(call.expression);
        // A method on a tracked value: `text.trim()`, `res.text()`, `lines.join('\n')`.
        if (ts.isPropertyAccessExpression(callee)) {
          const receiver = this.origin(callee.expression, scope, next);
          if (receiver) return receiver;
          if (this.passThrough.methods.includes(callee.name.text)) return this.firstArgument(call, scope, depth);
        }
        const qualified = this.qualifiedCallee(call, scope);
        if (qualified !== undefined && matchesAny(this.passThrough.calls, qualified)) return this.firstArgument(call, scope, depth);
        return undefined;
      }
      case SyntaxKind.TemplateExpression:
        for (const span of (node as ts.TemplateExpression).templateSpans) {
          const found = this.origin(span.expression, scope, next);
          if (found) return found;
        }
        return undefined;
      case SyntaxKind.BinaryExpression: {
        const binary = node as ts.BinaryExpression;
        const operator = binary.operatorToken.kind;
        if (operator === SyntaxKind.PlusToken || operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.BarBarToken) return this.origin(binary.left, scope, next) ?? this.origin(binary.right, scope, next);
        if (operator === SyntaxKind.AmpersandAmpersandToken || operator === SyntaxKind.CommaToken || operator === SyntaxKind.EqualsToken) return this.origin(binary.right, scope, next);
        return undefined;
      }
      case SyntaxKind.ConditionalExpression:
        return this.origin((node as ts.ConditionalExpression).whenTrue, scope, next) ?? this.origin((node as ts.ConditionalExpression).whenFalse, scope, next);
      case SyntaxKind.ArrayLiteralExpression:
        for (const element of (node as ts.ArrayLiteralExpression).elements) {
          const found = this.origin(ts.isSpreadElement(element) ? element.expression : element, scope, next);
          if (found) return found;
        }
        return undefined;
      case SyntaxKind.SpreadElement:
        return this.origin((node as ts.SpreadElement).expression, scope, next);
      default:
        return undefined;
    }
  }

  /** The callee's qualified name in `scope`, resolved once per call and scope (origin() meets the same calls at every round). */
  private qualifiedCallee(call: ts.CallExpression | ts.NewExpression, scope: TsScope): string | undefined {
    const known = this.callees.get(call);
    if (known?.scope === scope) return known.name;
    const name = this.facts.qualifiedNameOf(call.expression, scope);
    this.callees.set(call, { scope, name });
    return name;
  }

  private readonly callees = new Map<ts.Node, { scope: TsScope; name: string | undefined }>();

  private firstArgument(call: ts.CallExpression | ts.NewExpression, scope: TsScope, depth: number): TaintOrigin | undefined {
    for (const arg of call.arguments ?? []) {
      const found = this.origin(arg, scope, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
}

function isBindingPattern(node: ts.Node): node is ts.BindingPattern {
  return ts.isObjectBindingPattern(node) || ts.isArrayBindingPattern(node);
}

/** `source (line 3) → reply (line 4) → code (line 6)`, one-based lines. */
export function describePath(facts: TsFacts, origin: TaintOrigin): string {
  const parts = [`${origin.label} (line ${facts.line(origin.source) + 1})`];
  for (const step of origin.steps) parts.push(`${step.name} (line ${step.line + 1})`);
  return parts.join(' → ');
}
