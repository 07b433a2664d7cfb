/**
 * Route-level checks on web apps that serve models (catalog section C):
 * - a route that runs a model with no authentication in sight;
 * - a route that returns full probability vectors or logits instead of a label.
 */
import type { Node } from 'web-tree-sitter';
import { nodeRange } from '../python/fixes';
import type { RawFinding } from '../python/run-rules';
import { webRouteFacts, type RouteHandler } from '../python/web-routes';
import type { LoadedRule } from '../rules/loader';
import type { PythonCheck } from './index';

function routeFinding(rule: LoadedRule, node: Node, lines: { first: number; last: number }, message: string): RawFinding {
  return {
    ruleId: rule.id,
    severity: rule.severity,
    message,
    range: nodeRange(node),
    statementLines: lines,
    techniques: rule.atlas.techniques,
    mitigations: rule.atlas.mitigations,
  };
}

/** The lines a suppression comment may sit on for a route: its decorators and its `def` line. */
function routeLines(route: RouteHandler): { first: number; last: number } {
  const first = Math.min(route.definition.startPosition.row, ...route.decorators.map((d) => d.startPosition.row));
  return { first, last: route.name.startPosition.row };
}

export const modelRouteWithoutAuth: PythonCheck = (rule, _options, facts) => {
  const { routes, appWideAuth } = webRouteFacts(facts);
  if (appWideAuth) return [];
  return routes
    .filter((route) => route.kind === 'http' && route.modelCalls.length > 0 && !route.hasAuth)
    .map((route) =>
      routeFinding(
        rule,
        route.name,
        routeLines(route),
        rule.message.replaceAll('{callee}', route.name.text),
      ),
    );
};

/** Calls and attributes whose value is a score per class. */
const SCORE_METHODS = new Set(['predict_proba', 'predict_log_proba', 'decision_function', 'softmax', 'log_softmax']);
/** Calls that reduce a vector to one value. */
const REDUCERS = new Set(['argmax', 'max', 'float', 'int', 'item', 'round', 'idxmax', 'bool']);

function isScoreSource(node: Node): boolean {
  if (node.type === 'call') {
    const callee = node.childForFieldName('function');
    const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
    return name !== undefined && SCORE_METHODS.has(name);
  }
  return node.type === 'attribute' && node.childForFieldName('attribute')?.text === 'logits';
}

/** Whether the value of `node`, seen from `top`, is reduced to a single number or label on the way. */
function reducedWithin(node: Node, top: Node): boolean {
  for (let current: Node | null = node; current && current.id !== top.id; current = current.parent) {
    const parent: Node | null = current.parent;
    if (!parent) break;
    // proba[0, 1], proba[:, 1]: one class picked.
    if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === current.id) {
      const indices = parent.childrenForFieldName('subscript').filter((n) => n !== null);
      if (indices.length >= 2) return true;
    }
    // float(...), argmax(...), x.max(), x.item()
    if (parent.type === 'argument_list') {
      const call = parent.parent;
      const callee = call?.childForFieldName('function');
      const name = callee?.type === 'attribute' ? callee.childForFieldName('attribute')?.text : callee?.text;
      if (name && REDUCERS.has(name.split('.').pop() ?? '')) return true;
    }
    if (parent.type === 'attribute' && parent.childForFieldName('object')?.id === current.id) {
      const attribute = parent.childForFieldName('attribute')?.text ?? '';
      if (REDUCERS.has(attribute) && parent.parent?.type === 'call') return true;
    }
  }
  return false;
}

/** Nodes under `root` (inclusive) that hold full scores: score calls, `.logits`, or names bound to them. */
function fullScoreNodes(root: Node, fullScoreNames: ReadonlySet<string>): Node[] {
  const found: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (isScoreSource(node) || (node.type === 'identifier' && fullScoreNames.has(node.text) && node.parent?.type !== 'keyword_argument')) {
      if (!reducedWithin(node, root)) found.push(node);
      continue;
    }
    for (const child of node.namedChildren) if (child) stack.push(child);
  }
  return found;
}

export const modelRouteReturnsScores: PythonCheck = (rule, _options, facts) => {
  const findings: RawFinding[] = [];
  for (const route of webRouteFacts(facts).routes) {
    if (route.kind !== 'http') continue;
    const body = route.definition.childForFieldName('body');
    if (!body) continue;
    // Names assigned, in the handler, from an expression that keeps the full scores.
    const fullScoreNames = new Set<string>();
    for (const assignment of body.descendantsOfType('assignment')) {
      const left = assignment?.childForFieldName('left');
      const right = assignment?.childForFieldName('right');
      if (left?.type === 'identifier' && right && fullScoreNodes(right, fullScoreNames).length > 0) fullScoreNames.add(left.text);
    }
    for (const statement of body.descendantsOfType('return_statement')) {
      const value = statement?.namedChildren[0];
      if (!statement || !value) continue;
      if (fullScoreNodes(value, fullScoreNames).length === 0) continue;
      findings.push(
        routeFinding(rule, value, { first: statement.startPosition.row, last: statement.endPosition.row }, rule.message.replaceAll('{callee}', route.name.text)),
      );
    }
  }
  return findings;
};
