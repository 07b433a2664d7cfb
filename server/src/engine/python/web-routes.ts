/**
 * Facts about web apps that serve models, computed once per file and shared by the route rules:
 * which functions are HTTP route handlers (Flask, FastAPI, Starlette-style decorators on an app
 * or router instance), which of them call a model, and what guards them (auth dependencies,
 * login decorators, app-wide hooks or middleware).
 */
import type { Node } from 'web-tree-sitter';
import type { CallFact, PythonFacts } from './facts';

export interface RouteHandler {
  /** The function_definition node. */
  definition: Node;
  name: Node;
  /** The route decorator calls (`@app.post("/predict")`). */
  decorators: Node[];
  /** Calls inside the handler that run a model. */
  modelCalls: CallFact[];
  /** Some authentication applies: a dependency, a decorator, a check in the body. */
  hasAuth: boolean;
}

export interface WebRouteFacts {
  routes: RouteHandler[];
  /** A before_request hook or middleware in the file that looks like authentication. */
  appWideAuth: boolean;
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'route', 'api_route', 'websocket']);
const APP_CLASSES = /(^|\.)(Flask|Blueprint|FastAPI|APIRouter|Quart|Sanic|Starlette)\(\)$/;
/** Method names that run a model on input. */
const MODEL_METHODS = new Set(['predict', 'predict_proba', 'predict_log_proba', 'decision_function', 'generate', 'forward', 'encode', 'infer', 'classify', 'transcribe']);
/** Calling the object these return runs a model: `clf = pipeline(...); clf(text)`. */
const MODEL_FACTORIES = /^(transformers\.pipeline|.*\.from_pretrained|sentence_transformers\.SentenceTransformer|joblib\.load|torch\.load|torch\.jit\.load|pickle\.loads?|.*\.load_model|onnxruntime\.InferenceSession|ultralytics\.YOLO|diffusers\..*Pipeline.*)\(\)$/;
/** Names of dependencies, decorators and hooks that authenticate. */
const AUTH_NAME = /auth|login|token|jwt|api_?key|apikey|secur|credential|permission|verify|current_user|session/i;
const AUTH_BODY = /Authorization|api[_-]?key|\b401\b|\b403\b|login_required|verify_token|check_token/i;

const cache = new WeakMap<PythonFacts, WebRouteFacts>();

export function webRouteFacts(facts: PythonFacts): WebRouteFacts {
  let routes = cache.get(facts);
  if (!routes) {
    routes = collectRoutes(facts);
    cache.set(facts, routes);
  }
  return routes;
}

function collectRoutes(facts: PythonFacts): WebRouteFacts {
  const result: WebRouteFacts = { routes: [], appWideAuth: false };
  for (const decorated of facts.decoratedDefinitions) {
    const definition = decorated.childForFieldName('definition');
    const name = definition?.childForFieldName('name');
    if (!definition || definition.type !== 'function_definition' || !name) continue;
    const decorators = decorated.namedChildren.filter((child): child is Node => child?.type === 'decorator');
    const routeDecorators: Node[] = [];
    for (const decorator of decorators) {
      const expression = decorator.namedChildren[0];
      if (!expression) continue;
      const kind = appDecoratorKind(facts, expression);
      if (kind === 'route') routeDecorators.push(expression);
      else if (kind === 'hook' && AUTH_BODY.test(definition.text)) result.appWideAuth = true;
    }
    if (routeDecorators.length === 0) continue;
    const modelCalls = facts.calls.filter((call) => call.node.startIndex >= definition.startIndex && call.node.endIndex <= definition.endIndex && isModelCall(facts, call));
    const otherDecorators = decorators.filter((decorator) => !routeDecorators.some((route) => decorator.namedChildren[0]?.id === route.id));
    const hasAuth =
      otherDecorators.some((decorator) => AUTH_NAME.test(decorator.text)) ||
      routeDecorators.some((route) => route.type === 'call' && hasKeyword(route, 'dependencies')) ||
      parametersAuthenticate(definition) ||
      AUTH_BODY.test(definition.childForFieldName('body')?.text ?? '');
    result.routes.push({ definition, name, decorators: routeDecorators, modelCalls, hasAuth });
  }
  result.appWideAuth ||= appWideAuthentication(facts);
  return result;
}

/** `@app.post(...)` → route; `@app.before_request` / `@app.middleware("http")` → hook. */
function appDecoratorKind(facts: PythonFacts, expression: Node): 'route' | 'hook' | undefined {
  const callee = expression.type === 'call' ? expression.childForFieldName('function') : expression;
  if (callee?.type !== 'attribute') return undefined;
  const object = callee.childForFieldName('object');
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const owner = object ? facts.qualifiedNameOf(object, facts.scopeAt(object)) : undefined;
  if (!owner || !APP_CLASSES.test(owner)) return undefined;
  if (ROUTE_METHODS.has(method)) return 'route';
  if (method === 'before_request' || method === 'middleware' || method === 'before_app_request') return 'hook';
  return undefined;
}

function isModelCall(facts: PythonFacts, call: CallFact): boolean {
  if (call.callee.type === 'attribute') {
    const method = call.callee.childForFieldName('attribute')?.text ?? '';
    if (MODEL_METHODS.has(method)) return true;
    if (method === 'run' && /^onnxruntime\.InferenceSession\(\)\.run$/.test(call.qualifiedName ?? '')) return true;
  }
  return call.qualifiedName !== undefined && MODEL_FACTORIES.test(call.qualifiedName);
}

function hasKeyword(call: Node, name: string): boolean {
  const args = call.childForFieldName('arguments');
  return (args?.namedChildren ?? []).some((arg) => arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name);
}

/** FastAPI: a parameter defaulting to Security(...) or to Depends(<something auth-like>). */
function parametersAuthenticate(definition: Node): boolean {
  const parameters = definition.childForFieldName('parameters');
  for (const parameter of parameters?.namedChildren ?? []) {
    if (!parameter) continue;
    const value = parameter.childForFieldName('value');
    if (value?.type !== 'call') continue;
    const callee = value.childForFieldName('function')?.text ?? '';
    if (/(^|\.)Security$/.test(callee)) return true;
    if (/(^|\.)Depends$/.test(callee) && AUTH_NAME.test(value.childForFieldName('arguments')?.text ?? '')) return true;
  }
  return false;
}

/** `app.add_middleware(AuthMiddleware)`, or an app/router created with `dependencies=[...]`. */
function appWideAuthentication(facts: PythonFacts): boolean {
  for (const call of facts.calls) {
    const name = call.qualifiedName ?? '';
    if (/\.add_middleware$/.test(name) && APP_CLASSES.test(name.replace(/\.add_middleware$/, ''))) {
      if (AUTH_NAME.test(call.positional[0]?.text ?? '')) return true;
    }
    if (/(^|\.)(FastAPI|APIRouter)$/.test(name) && call.keywords.has('dependencies')) return true;
  }
  return false;
}
