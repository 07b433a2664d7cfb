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
  private readonly tracked = new Map<string, TaintOrigin>();
  private readonly sourceCalls = new Map<ts.Node, TsCallFact>();

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
          const key = `${owner.id}:${name}`;
          if (this.tracked.has(key)) continue;
          this.tracked.set(key, { ...origin, steps: [...origin.steps, { name, line }] });
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
    const next = (child: ts.Expression | undefined): TaintOrigin | undefined => (child ? this.origin(child, scope, depth + 1) : undefined);
    switch (node.kind) {
      case SyntaxKind.Identifier: {
        const name = (node as ts.Identifier).text;
        const owner = this.facts.ownerScope(name, scope);
        return owner ? this.tracked.get(`${owner.id}:${name}`) : undefined;
      }
      case SyntaxKind.PropertyAccessExpression:
        return next((node as ts.PropertyAccessExpression).expression);
      case SyntaxKind.ElementAccessExpression:
        return next((node as ts.ElementAccessExpression).expression);
      case SyntaxKind.CallExpression:
      case SyntaxKind.NewExpression: {
        const call = node as ts.CallExpression | ts.NewExpression;
        const source = this.sourceCalls.get(call);
        if (source) return { source: call, label: `${writtenName(source.callee) ?? '…'}()`, steps: [] };
        const callee = skipOuter(call.expression);
        // A method on a tracked value: `text.trim()`, `res.text()`, `lines.join('\n')`.
        if (ts.isPropertyAccessExpression(callee)) {
          const receiver = next(callee.expression);
          if (receiver) return receiver;
          if (this.passThrough.methods.includes(callee.name.text)) return this.firstArgument(call, scope, depth);
        }
        const qualified = this.facts.qualifiedNameOf(call.expression, scope);
        if (qualified !== undefined && matchesAny(this.passThrough.calls, qualified)) return this.firstArgument(call, scope, depth);
        return undefined;
      }
      case SyntaxKind.TemplateExpression:
        for (const span of (node as ts.TemplateExpression).templateSpans) {
          const found = next(span.expression);
          if (found) return found;
        }
        return undefined;
      case SyntaxKind.BinaryExpression: {
        const binary = node as ts.BinaryExpression;
        const operator = binary.operatorToken.kind;
        if (operator === SyntaxKind.PlusToken || operator === SyntaxKind.QuestionQuestionToken || operator === SyntaxKind.BarBarToken) return next(binary.left) ?? next(binary.right);
        if (operator === SyntaxKind.AmpersandAmpersandToken || operator === SyntaxKind.CommaToken || operator === SyntaxKind.EqualsToken) return next(binary.right);
        return undefined;
      }
      case SyntaxKind.ConditionalExpression:
        return next((node as ts.ConditionalExpression).whenTrue) ?? next((node as ts.ConditionalExpression).whenFalse);
      case SyntaxKind.ArrayLiteralExpression:
        for (const element of (node as ts.ArrayLiteralExpression).elements) {
          const found = next(ts.isSpreadElement(element) ? element.expression : element);
          if (found) return found;
        }
        return undefined;
      case SyntaxKind.SpreadElement:
        return next((node as ts.SpreadElement).expression);
      default:
        return undefined;
    }
  }

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
