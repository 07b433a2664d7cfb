/**
 * Facts about web apps that serve models, computed once per file and shared by the route rules
 * (catalog sections C and G):
 * - the apps (FastAPI, Flask, Starlette, … instances) and their settings: docs_url, openapi_url,
 *   redoc_url, debug; whether an auth or rate-limit dependency applies to the whole app;
 * - the handlers: HTTP routes (decorators on an app or router instance), Gradio functions
 *   (`gr.Interface(fn=…)`, `button.click(fn, …)`) and a Streamlit script (the module itself);
 * - per handler: the calls that run a model, what it accepts (a typed pydantic model with or
 *   without bounds, `dict` / `Any`, a raw request body, uploads), what it sends back (return values,
 *   error details, Streamlit output), whether authentication and a rate limit apply to it;
 * - file-wide: auth middleware or hooks, rate-limit middleware, decorators or default limits.
 */
import type { Node } from 'web-tree-sitter';
import type { CallFact, PythonFacts } from './facts';

export type HandlerKind = 'http' | 'gradio' | 'streamlit';
export type Framework = 'fastapi' | 'flask' | 'starlette' | 'quart' | 'sanic' | 'gradio' | 'streamlit';

/** An app setting passed to the constructor: left at its default, turned off (None/False), set, or not known. */
export type Setting = { state: 'default' } | { state: 'off'; node: Node } | { state: 'on'; node: Node } | { state: 'unknown'; node: Node };

export interface WebApp {
  /** The constructor call: `FastAPI(...)`, `Flask(__name__)`, `APIRouter()`. */
  call: CallFact;
  framework: Framework;
  /** A router or blueprint rather than the app itself. */
  router: boolean;
  docsUrl: Setting;
  redocUrl: Setting;
  openapiUrl: Setting;
  debug: Setting;
  /** `dependencies=[...]` on the constructor names an auth dependency. */
  auth: boolean;
  /** `dependencies=[Depends(RateLimiter(...))]` on the constructor. */
  rateLimited: boolean;
}

export type InputKind =
  /** A pydantic (or SQLModel) class defined in this file. */
  | 'model'
  /** `dict`, `Dict[str, Any]`, `Mapping`: any JSON object. */
  | 'dict'
  /** `Any` or `object`. */
  | 'any'
  /** The request body read by hand: `request.get_json()`, `await request.json()`, `request.data`. */
  | 'raw-body'
  /** Uploaded files: `UploadFile`, `File(...)`, `request.files`. */
  | 'upload'
  /** `int`, `float`, `str`, `bool`, possibly constrained. */
  | 'scalar'
  /** Anything else typed (`list[float]`, an imported class). */
  | 'typed'
  /** A parameter without annotation. */
  | 'untyped';

export interface RouteInput {
  kind: InputKind;
  /** The parameter, or the expression that reads the body. */
  node: Node;
  /** The name the input is known by in the handler (parameter, or the name the body is assigned to). */
  name?: string;
  /** Bounds apply: `conint(ge=0, le=10)`, `Field(..., ge=0)`, `Annotated[..., Field(max_length=…)]`, validators. */
  bounded: boolean;
}

export interface RouteHandler {
  kind: HandlerKind;
  framework: Framework;
  /** The function_definition node; the module for a Streamlit script. */
  definition: Node;
  /** Where to report: the function's name; for Streamlit the first `st.*` call's callee. */
  name: Node;
  /** The route decorator calls (`@app.post("/predict")`); empty for Gradio and Streamlit. */
  decorators: Node[];
  /** The app or router the route is declared on, when it is created in this file. */
  app?: WebApp;
  /** Calls inside the handler that run a model. */
  modelCalls: CallFact[];
  /** Some authentication applies: a dependency, a decorator, a check in the body. */
  hasAuth: boolean;
  /** A limiter decorator or dependency applies to this route itself. */
  rateLimited: boolean;
  /** What the handler accepts. */
  inputs: RouteInput[];
  /**
   * Expressions whose value goes back to the client: return values, `raise HTTPException(...)` and
   * `abort(...)` calls, the arguments of Streamlit output calls (`st.write(x)`, `st.exception(e)`).
   */
  outputs: Node[];
}

export interface WebRouteFacts {
  apps: WebApp[];
  /** Every handler: HTTP routes, Gradio functions, the Streamlit script. */
  routes: RouteHandler[];
  /** A before_request hook or middleware in the file that looks like authentication. */
  appWideAuth: boolean;
  /** Rate limiting applies to every route: limiter middleware, default limits, an app-level limiter dependency or hook. */
  appWideRateLimit: boolean;
}

const ROUTE_METHODS = new Set(['get', 'post', 'put', 'patch', 'delete', 'route', 'api_route', 'websocket']);
const APP_CLASS_NAMES = ['Flask', 'Blueprint', 'FastAPI', 'APIRouter', 'Quart', 'Sanic', 'Starlette'];
const APP_CLASSES = new RegExp(`(^|\\.)(${APP_CLASS_NAMES.join('|')})\\(\\)$`);
/**
 * A file with an app, a route or a UI handler contains one of these words: routes hang off an
 * object of an app class, Gradio and Streamlit handlers off calls into their modules. The route
 * checks skip parsing any other file.
 */
export const WEB_APP_WORDS: readonly string[] = [...APP_CLASS_NAMES, 'gradio', 'streamlit'];
const APP_CONSTRUCTORS: Array<[RegExp, Framework, boolean]> = [
  [/^fastapi\.(applications\.)?FastAPI$/, 'fastapi', false],
  [/^fastapi\.(routing\.)?APIRouter$/, 'fastapi', true],
  [/^flask\.Flask$/, 'flask', false],
  [/^flask\.Blueprint$/, 'flask', true],
  [/^starlette\.applications\.Starlette$/, 'starlette', false],
  [/^quart\.Quart$/, 'quart', false],
  [/^sanic\.Sanic$/, 'sanic', false],
];
/** Method names that run a model on input. */
const MODEL_METHODS = new Set(['predict', 'predict_proba', 'predict_log_proba', 'decision_function', 'generate', 'forward', 'encode', 'infer', 'classify', 'transcribe']);
/** Calling the object these return runs a model: `clf = pipeline(...); clf(text)`. */
export const MODEL_FACTORIES = /^(transformers\.pipeline|.*\.from_pretrained|sentence_transformers\.SentenceTransformer|joblib\.load|torch\.load|torch\.jit\.load|pickle\.loads?|.*\.load_model|onnxruntime\.InferenceSession|ultralytics\.YOLO|diffusers\..*Pipeline.*)\(\)$/;
/** Names of dependencies, decorators and hooks that authenticate. */
const AUTH_NAME = /auth|login|token|jwt|api_?key|apikey|secur|credential|permission|verify|current_user|session/i;
const AUTH_BODY = /Authorization|api[_-]?key|\b401\b|\b403\b|login_required|verify_token|check_token/i;
/** Names of limiters: slowapi / flask-limiter `limiter.limit`, fastapi-limiter `RateLimiter`, `ratelimit.limits`, throttles. */
const LIMIT_NAME = /limiter|rate_?limit|ratelimit|\blimits?\b|throttl|slowapi/i;
const LIMIT_BODY = /\b429\b|rate.?limit|too many requests|throttl/i;
/** Gradio event listeners and interfaces whose first argument (or fn=) is the handler. */
const GRADIO_HANDLER_CALLS = /^gradio\.(.*\.)?(Interface|ChatInterface|TabbedInterface)$|^gradio\..*\(\)\.(click|submit|change|input|upload|select|release|stream|then|load)$/;
/** Streamlit calls that show a value to the user. */
const STREAMLIT_OUTPUTS = /^streamlit\.(write|json|markdown|text|code|dataframe|table|metric|success|info|warning|error|exception|caption|bar_chart|line_chart|subheader|header|title)$/;
const STREAMLIT_INPUTS = /^streamlit\.(text_input|text_area|number_input|file_uploader|camera_input|chat_input|slider|selectbox|data_editor)$/;
/** Constraint helpers in annotations or defaults. */
const BOUNDS = /\b(con(int|float|list|str|set|bytes|decimal|frozenset)\s*\(|Field\s*\(|Query\s*\(|Body\s*\(|Path\s*\(|Annotated\s*\[|MaxLen|MinLen|Interval|Gt\(|Ge\(|Lt\(|Le\(|(field_|model_|root_)?validator\b)/;
const BOUND_KEYWORDS = /\b(ge|le|gt|lt|max_length|min_length|max_items|min_items|multiple_of|pattern|regex)\s*=/;

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
  const apps = collectApps(facts);
  const result: WebRouteFacts = { apps, routes: [], appWideAuth: false, appWideRateLimit: false };
  const pydantic = pydanticClasses(facts);
  for (const decorated of facts.decoratedDefinitions) {
    const definition = decorated.childForFieldName('definition');
    const name = definition?.childForFieldName('name');
    if (!definition || definition.type !== 'function_definition' || !name) continue;
    const decorators = decorated.namedChildren.filter((child): child is Node => child?.type === 'decorator');
    const routeDecorators: Node[] = [];
    let owner: { framework: Framework; app?: WebApp } | undefined;
    for (const decorator of decorators) {
      const expression = decorator.namedChildren[0];
      if (!expression) continue;
      const kind = appDecoratorKind(facts, expression, apps);
      if (kind?.kind === 'route') {
        routeDecorators.push(expression);
        owner ??= kind;
      } else if (kind?.kind === 'hook') {
        const text = definition.text;
        if (AUTH_BODY.test(text)) result.appWideAuth = true;
        if (LIMIT_BODY.test(text)) result.appWideRateLimit = true;
      }
    }
    if (routeDecorators.length === 0 || !owner) continue;
    const otherDecorators = decorators.filter((decorator) => !routeDecorators.some((route) => decorator.namedChildren[0]?.id === route.id));
    const routeDependencies = routeDecorators.map((route) => (route.type === 'call' ? keywordValue(route, 'dependencies') : undefined)).filter((n): n is Node => n !== undefined);
    const hasAuth =
      otherDecorators.some((decorator) => AUTH_NAME.test(decorator.text)) ||
      // `dependencies=[...]` counts as auth unless all it holds is a rate limiter.
      routeDependencies.some((dependencies) => AUTH_NAME.test(dependencies.text) || !LIMIT_NAME.test(dependencies.text)) ||
      parametersAuthenticate(definition, facts) ||
      AUTH_BODY.test(definition.childForFieldName('body')?.text ?? '');
    const rateLimited =
      otherDecorators.some((decorator) => LIMIT_NAME.test(decoratorName(decorator))) ||
      routeDependencies.some((dependencies) => LIMIT_NAME.test(dependencies.text)) ||
      parameterDefaults(definition).some((value) => /(^|\.)Depends$/.test(value.childForFieldName('function')?.text ?? '') && LIMIT_NAME.test(value.text));
    result.routes.push({
      kind: 'http',
      framework: owner.framework,
      definition,
      name,
      decorators: routeDecorators,
      ...(owner.app ? { app: owner.app } : {}),
      modelCalls: facts.callsWithin(definition).filter((call) => isModelCall(facts, call)),
      hasAuth,
      rateLimited,
      inputs: httpInputs(facts, definition, pydantic),
      outputs: functionOutputs(facts, definition),
    });
  }
  result.routes.push(...gradioHandlers(facts), ...streamlitHandlers(facts));
  result.appWideAuth ||= appWideAuthentication(facts) || apps.some((app) => app.auth);
  result.appWideRateLimit ||= appWideRateLimit(facts) || apps.some((app) => app.rateLimited);
  return result;
}

// ---------------------------------------------------------------- apps and their settings

function collectApps(facts: PythonFacts): WebApp[] {
  const apps: WebApp[] = [];
  for (const call of facts.calls) {
    const name = call.qualifiedName;
    if (!name) continue;
    const constructor = APP_CONSTRUCTORS.find(([pattern]) => pattern.test(name));
    if (!constructor) continue;
    const dependencies = call.keywords.get('dependencies')?.value.text ?? '';
    apps.push({
      call,
      framework: constructor[1],
      router: constructor[2],
      docsUrl: setting(facts, call, 'docs_url'),
      redocUrl: setting(facts, call, 'redoc_url'),
      openapiUrl: setting(facts, call, 'openapi_url'),
      debug: setting(facts, call, 'debug'),
      auth: AUTH_NAME.test(dependencies),
      rateLimited: LIMIT_NAME.test(dependencies),
    });
  }
  return apps;
}

function setting(facts: PythonFacts, call: CallFact, name: string): Setting {
  const keyword = call.keywords.get(name);
  if (!keyword) return call.hasKeywordSplat ? { state: 'unknown', node: call.node } : { state: 'default' };
  const value = facts.evaluate(keyword.value, call.scope);
  if (value.kind === 'none' || (value.kind === 'bool' && !value.value) || (value.kind === 'string' && value.value === '')) return { state: 'off', node: keyword.node };
  if (value.kind === 'string' || value.kind === 'bool' || value.kind === 'number') return { state: 'on', node: keyword.node };
  return { state: 'unknown', node: keyword.node };
}

/** The app created by `name = FastAPI(...)` that an expression such as `app` refers to. */
function appOf(facts: PythonFacts, object: Node, apps: readonly WebApp[]): WebApp | undefined {
  if (object.type !== 'identifier') return undefined;
  const binding = facts.lookup(object.text, facts.scopeAt(object), object.startIndex);
  if (binding?.kind !== 'assign') return undefined;
  return apps.find((app) => app.call.node.id === binding.value.id);
}

/** `@app.post(...)` → route; `@app.before_request` / `@app.middleware("http")` → hook. */
function appDecoratorKind(facts: PythonFacts, expression: Node, apps: readonly WebApp[]): { kind: 'route' | 'hook'; framework: Framework; app?: WebApp } | undefined {
  const callee = expression.type === 'call' ? expression.childForFieldName('function') : expression;
  if (callee?.type !== 'attribute') return undefined;
  const object = callee.childForFieldName('object');
  const method = callee.childForFieldName('attribute')?.text ?? '';
  const owner = object ? facts.qualifiedNameOf(object, facts.scopeAt(object)) : undefined;
  if (!owner || !object || !APP_CLASSES.test(owner)) return undefined;
  const framework = frameworkOf(owner);
  const app = appOf(facts, object, apps);
  const base = { framework, ...(app ? { app } : {}) };
  if (ROUTE_METHODS.has(method)) return { kind: 'route', ...base };
  if (method === 'before_request' || method === 'middleware' || method === 'before_app_request') return { kind: 'hook', ...base };
  return undefined;
}

function frameworkOf(qualified: string): Framework {
  const root = qualified.split('.')[0] ?? '';
  return root === 'flask' || root === 'quart' || root === 'sanic' || root === 'starlette' ? root : 'fastapi';
}

// ---------------------------------------------------------------- handlers

export function isModelCall(facts: PythonFacts, call: CallFact): boolean {
  if (call.callee.type === 'attribute') {
    const method = call.callee.childForFieldName('attribute')?.text ?? '';
    if (MODEL_METHODS.has(method)) return true;
    if (method === 'run' && /^onnxruntime\.InferenceSession\(\)\.run$/.test(call.qualifiedName ?? '')) return true;
  }
  return call.qualifiedName !== undefined && MODEL_FACTORIES.test(call.qualifiedName);
}

function keywordValue(call: Node, name: string): Node | undefined {
  const args = call.childForFieldName('arguments');
  for (const arg of args?.namedChildren ?? []) {
    if (arg?.type === 'keyword_argument' && arg.childForFieldName('name')?.text === name) return arg.childForFieldName('value') ?? undefined;
  }
  return undefined;
}

/** `@limiter.limit("5/minute")` → `limiter.limit`. */
function decoratorName(decorator: Node): string {
  const expression = decorator.namedChildren[0];
  const callee = expression?.type === 'call' ? expression.childForFieldName('function') : expression;
  return callee?.text ?? '';
}

function parameterDefaults(definition: Node): Node[] {
  const values: Node[] = [];
  for (const parameter of definition.childForFieldName('parameters')?.namedChildren ?? []) {
    const value = parameter?.childForFieldName('value');
    if (value?.type === 'call') values.push(value);
  }
  return values;
}

/**
 * FastAPI: a parameter defaulting to Security(...), to Depends(<something auth-like>), or to
 * Depends(f) where f, defined in this file, authenticates: its own parameters do (an API-key
 * header through Security), or it rejects the request (401/403, an Authorization check).
 */
function parametersAuthenticate(definition: Node, facts: PythonFacts, depth = 0): boolean {
  for (const value of parameterDefaults(definition)) {
    const callee = value.childForFieldName('function')?.text ?? '';
    if (/(^|\.)Security$/.test(callee)) return true;
    if (!/(^|\.)Depends$/.test(callee)) continue;
    const argument = value.childForFieldName('arguments')?.namedChildren.find((child) => child !== null && child.type !== 'comment');
    if (AUTH_NAME.test(argument?.text ?? '')) return true;
    const dependency = argument?.type === 'identifier' && depth < 3 ? moduleFunction(facts, argument.text) : undefined;
    if (dependency && (parametersAuthenticate(dependency, facts, depth + 1) || AUTH_BODY.test(dependency.childForFieldName('body')?.text ?? ''))) return true;
  }
  return false;
}

/** A function defined at the top level of the file, decorated or not. */
function moduleFunction(facts: PythonFacts, name: string): Node | undefined {
  for (const child of facts.topLevel) {
    const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type === 'function_definition' && definition.childForFieldName('name')?.text === name) return definition;
  }
  return undefined;
}

/** `app.add_middleware(AuthMiddleware)`, or an app/router created with `dependencies=[...]`. */
function appWideAuthentication(facts: PythonFacts): boolean {
  for (const call of facts.calls) {
    const name = call.qualifiedName ?? '';
    if (/\.add_middleware$/.test(name) && APP_CLASSES.test(name.replace(/\.add_middleware$/, ''))) {
      if (AUTH_NAME.test(call.positional[0]?.text ?? '')) return true;
    }
    if (/(^|\.)(FastAPI|APIRouter)$/.test(name) && call.keywords.has('dependencies') && !LIMIT_NAME.test(call.keywords.get('dependencies')?.value.text ?? '')) return true;
  }
  return false;
}

/**
 * Limits on every route: `app.add_middleware(SlowAPIMiddleware)` or another limiter middleware, a
 * slowapi / flask-limiter `Limiter(..., default_limits=[...])` or `application_limits`.
 */
function appWideRateLimit(facts: PythonFacts): boolean {
  for (const call of facts.calls) {
    const name = call.qualifiedName ?? '';
    if (/\.add_middleware$/.test(name) && LIMIT_NAME.test(call.positional[0]?.text ?? '')) return true;
    if (/^(slowapi|flask_limiter)(\..*)?\.Limiter$/.test(name) && (call.keywords.has('default_limits') || call.keywords.has('application_limits'))) return true;
  }
  return false;
}

/** Return values and error responses of a function, leaving out nested functions. */
function functionOutputs(facts: PythonFacts, definition: Node): Node[] {
  const body = definition.childForFieldName('body');
  if (!body) return [];
  const outputs: Node[] = [];
  const inOwnBody = (node: Node): boolean => {
    for (let current = node.parent; current && current.id !== definition.id; current = current.parent) {
      if (current.type === 'function_definition' || current.type === 'lambda' || current.type === 'class_definition') return false;
    }
    return true;
  };
  for (const statement of body.descendantsOfType(['return_statement', 'raise_statement'])) {
    const value = statement?.namedChildren[0];
    if (statement && value && inOwnBody(statement)) outputs.push(value);
  }
  // `abort(500, str(e))` (Flask) sends its description to the client.
  for (const call of facts.callsWithin(body)) {
    if (/^(flask|quart)\.abort$/.test(call.qualifiedName ?? '') && inOwnBody(call.node)) outputs.push(call.node);
  }
  return outputs;
}

// ---------------------------------------------------------------- what a route accepts

/** Classes defined in the file that derive from pydantic's BaseModel (or SQLModel), with whether a field is bounded. */
function pydanticClasses(facts: PythonFacts): Map<string, boolean> {
  const classes = new Map<string, boolean>();
  for (const child of facts.topLevel) {
    const definition = child.type === 'decorated_definition' ? child.childForFieldName('definition') : child;
    if (definition?.type !== 'class_definition') continue;
    const name = definition.childForFieldName('name')?.text;
    const bases = definition.childForFieldName('superclasses')?.text ?? '';
    if (!name) continue;
    const known = [...classes.keys()].some((base) => new RegExp(`\\b${base}\\b`).test(bases));
    if (!/\b(BaseModel|SQLModel|RootModel)\b/.test(bases) && !known) continue;
    const body = definition.childForFieldName('body')?.text ?? '';
    const inherited = [...classes.entries()].some(([base, bounded]) => bounded && new RegExp(`\\b${base}\\b`).test(bases));
    classes.set(name, inherited || BOUNDS.test(body) || BOUND_KEYWORDS.test(body));
  }
  return classes;
}

const REQUEST_READS = new Set(['json', 'body', 'form', 'stream']);
const FLASK_BODY = /^(flask|quart)\.request\.(get_json|get_data|json|data|form|values|args|stream)$/;
const FLASK_FILES = /^(flask|quart)\.request\.files$/;

function httpInputs(facts: PythonFacts, definition: Node, pydantic: ReadonlyMap<string, boolean>): RouteInput[] {
  const inputs: RouteInput[] = [];
  const requestParameters = new Set<string>();
  for (const parameter of definition.childForFieldName('parameters')?.namedChildren ?? []) {
    if (!parameter || (parameter.type !== 'identifier' && parameter.type !== 'typed_parameter' && parameter.type !== 'typed_default_parameter' && parameter.type !== 'default_parameter')) continue;
    const nameNode = parameter.type === 'identifier' ? parameter : (parameter.childForFieldName('name') ?? parameter.namedChildren.find((c) => c?.type === 'identifier'));
    const name = nameNode?.text;
    if (!name || name === 'self' || name === 'cls') continue;
    const annotation = parameter.childForFieldName('type')?.text ?? '';
    const value = parameter.childForFieldName('value');
    const valueText = value?.text ?? '';
    if (/(^|\.)(Depends|Security)\s*\(/.test(valueText)) continue;
    if (/(^|\.|\[)(Request|HTTPConnection|WebSocket)\b/.test(annotation)) {
      requestParameters.add(name);
      continue;
    }
    const bounded = BOUNDS.test(annotation) && (BOUND_KEYWORDS.test(annotation) || /con\w+\(|MaxLen|Interval|Gt\(|Ge\(|Lt\(|Le\(/.test(annotation)) || BOUND_KEYWORDS.test(valueText);
    let kind: InputKind;
    const bare = annotation.replace(/^Optional\[(.*)\]$/, '$1').replace(/\s*\|\s*None$/, '').trim();
    if (/\b(UploadFile|FileStorage)\b/.test(annotation) || /(^|\.)(File|UploadFile)\s*\(/.test(valueText)) kind = 'upload';
    else if (pydantic.has(bare) || [...pydantic.keys()].some((cls) => new RegExp(`^(list|List|Sequence)\\[${cls}\\]$`).test(bare))) {
      kind = 'model';
      inputs.push({ kind, node: parameter, name, bounded: bounded || [...pydantic.entries()].some(([cls, b]) => b && bare.includes(cls)) });
      continue;
    } else if (/^(typing\.)?(Any|object)$/.test(bare)) kind = 'any';
    else if (/^(typing\.)?(dict|Dict|Mapping|MutableMapping|JSONType|Json)\b/.test(bare)) kind = 'dict';
    else if (/^bytes$/.test(bare) && /(^|\.)Body\s*\(/.test(valueText)) kind = 'raw-body';
    else if (/^(int|float|str|bool|conint\(.*\)|confloat\(.*\)|constr\(.*\)|Annotated\[(int|float|str|bool)\b.*\])$/.test(bare)) kind = 'scalar';
    else if (bare === '') kind = 'untyped';
    else kind = 'typed';
    inputs.push({ kind, node: parameter, name, bounded });
  }
  const body = definition.childForFieldName('body');
  if (!body) return inputs;
  for (const call of facts.callsWithin(body)) {
    // Starlette / FastAPI `await request.json()`.
    if (call.callee.type === 'attribute') {
      const object = call.callee.childForFieldName('object');
      const method = call.callee.childForFieldName('attribute')?.text ?? '';
      if (object?.type === 'identifier' && requestParameters.has(object.text) && REQUEST_READS.has(method)) {
        inputs.push(readInput('raw-body', call.node));
        continue;
      }
    }
    if (FLASK_BODY.test(call.qualifiedName ?? '') && call.callee.type === 'attribute') inputs.push(readInput('raw-body', call.node));
  }
  // Flask attribute reads: `request.json`, `request.files["image"]`.
  for (const attribute of body.descendantsOfType('attribute')) {
    if (!attribute || (attribute.parent?.type === 'call' && attribute.parent.childForFieldName('function')?.id === attribute.id)) continue;
    const text = attribute.text;
    if (!/^request\.(json|data|form|values|files|stream)$/.test(text)) continue;
    const qualified = facts.qualifiedNameOf(attribute, facts.scopeAt(attribute));
    if (!qualified) continue;
    if (FLASK_FILES.test(qualified)) inputs.push(readInput('upload', outermostRead(attribute)));
    else if (FLASK_BODY.test(qualified)) inputs.push(readInput('raw-body', outermostRead(attribute)));
  }
  return inputs;
}

/** `request.files["image"]` rather than `request.files`; `request.files.get("x")` too. */
function outermostRead(node: Node): Node {
  let current = node;
  for (;;) {
    const parent = current.parent;
    if (!parent) return current;
    if (parent.type === 'subscript' && parent.childForFieldName('value')?.id === current.id) current = parent;
    else if (parent.type === 'attribute' && parent.parent?.type === 'call' && /^(get|getlist)$/.test(parent.childForFieldName('attribute')?.text ?? '')) current = parent.parent;
    else return current;
  }
}

/** A body read, with the name it is assigned to (`payload = await request.json()`). */
function readInput(kind: InputKind, node: Node): RouteInput {
  let current = node;
  while (current.parent && (current.parent.type === 'await' || current.parent.type === 'parenthesized_expression')) current = current.parent;
  const parent = current.parent;
  const left = parent?.type === 'assignment' && parent.childForFieldName('right')?.id === current.id ? parent.childForFieldName('left') : undefined;
  return { kind, node, bounded: false, ...(left?.type === 'identifier' ? { name: left.text } : {}) };
}

// ---------------------------------------------------------------- Gradio and Streamlit

/**
 * A Gradio call naming its handler (`gr.Interface(fn=answer)`, `button.click(answer, …)`): it makes
 * a function defined anywhere in the file a handler, whose parameters are user input.
 */
export function isGradioHandlerCall(_facts: PythonFacts, call: CallFact): boolean {
  return GRADIO_HANDLER_CALLS.test(call.qualifiedName ?? '');
}

function gradioHandlers(facts: PythonFacts): RouteHandler[] {
  const calls = facts.calls.filter((call) => isGradioHandlerCall(facts, call));
  if (calls.length === 0) return [];
  const functions = new Map<string, Node>();
  for (const definition of facts.descendantsOfType('function_definition')) {
    const name = definition?.childForFieldName('name')?.text;
    if (definition && name && !functions.has(name)) functions.set(name, definition);
  }
  const launchAuth = facts.calls.some((call) => /^gradio\..*\.launch$/.test(call.qualifiedName ?? '') && call.keywords.has('auth'));
  const handlers: RouteHandler[] = [];
  const seen = new Set<number>();
  for (const call of calls) {
    const fn = call.keywords.get('fn')?.value ?? call.positional[0];
    const definition = fn?.type === 'identifier' ? functions.get(fn.text) : undefined;
    const name = definition?.childForFieldName('name');
    if (!definition || !name || seen.has(definition.id)) continue;
    seen.add(definition.id);
    const inputs: RouteInput[] = [];
    for (const parameter of definition.childForFieldName('parameters')?.namedChildren ?? []) {
      if (parameter?.type === 'identifier') inputs.push({ kind: 'untyped', node: parameter, name: parameter.text, bounded: false });
    }
    handlers.push({
      kind: 'gradio',
      framework: 'gradio',
      definition,
      name,
      decorators: [],
      modelCalls: facts.callsWithin(definition).filter((c) => isModelCall(facts, c)),
      hasAuth: launchAuth,
      rateLimited: false,
      inputs,
      outputs: functionOutputs(facts, definition),
    });
  }
  return handlers;
}

/** A Streamlit script is one handler: the module, rerun on every interaction. */
function streamlitHandlers(facts: PythonFacts): RouteHandler[] {
  const streamlitCalls = facts.calls.filter((call) => (call.qualifiedName ?? '').startsWith('streamlit.'));
  const first = streamlitCalls[0];
  if (!first) return [];
  const root = facts.tree.rootNode;
  const inputs: RouteInput[] = [];
  const outputs: Node[] = [];
  for (const call of streamlitCalls) {
    const name = call.qualifiedName ?? '';
    if (STREAMLIT_OUTPUTS.test(name)) outputs.push(...call.positional, ...[...call.keywords.values()].filter((k) => k.name === 'body' || k.name === 'data').map((k) => k.value));
    else if (STREAMLIT_INPUTS.test(name)) {
      const kind: InputKind = /file_uploader|camera_input/.test(name) ? 'upload' : /number_input|slider/.test(name) ? 'scalar' : 'typed';
      inputs.push({ ...readInput(kind, call.node), bounded: call.keywords.has('max_value') || call.keywords.has('max_chars') });
    }
  }
  return [
    {
      kind: 'streamlit',
      framework: 'streamlit',
      definition: root,
      name: first.callee,
      decorators: [],
      modelCalls: facts.calls.filter((call) => isModelCall(facts, call)),
      hasAuth: false,
      rateLimited: false,
      inputs,
      outputs,
    },
  ];
}
