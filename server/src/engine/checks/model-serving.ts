/**
 * Theft, evasion and reconnaissance surface of deployed models (catalog section G), read from the
 * shared web-route facts (python/web-routes.ts):
 * - model identity disclosed in responses or headers;
 * - interactive API docs left on for a FastAPI app with model routes;
 * - tracebacks or exception text sent back from a model route (and `debug=True` apps);
 * - Hugging Face Hub repositories created or pushed without `private=True`;
 * - model routes with no rate limit in the app;
 * - raw, unvalidated request input passed to the model;
 * - a security decision taken from one prediction with no confidence threshold.
 */
import type { Node } from 'web-tree-sitter';
import type { CallFact, PythonFacts } from '../python/facts';
import { buildFix, nodeRange } from '../python/fixes';
import type { RawFinding } from '../python/run-rules';
import { CONFIDENCE, SECURITY_DECISION, textOutsideLongStrings, VERDICT_METHODS } from './verdict-words';
import { isModelCall, MODEL_FACTORIES, webRouteFacts, type RouteHandler, type RouteInput } from '../python/web-routes';
import type { LoadedRule } from '../rules/loader';
import type { Fix, Severity } from '../types';
import type { PythonCheck } from './index';

function finding(rule: LoadedRule, node: Node, message: string, extra: { severity?: Severity; fix?: Fix; lines?: { first: number; last: number } } = {}): RawFinding {
  return {
    ruleId: rule.id,
    severity: extra.severity ?? rule.severity,
    message,
    range: nodeRange(node),
    statementLines: extra.lines ?? statementOf(node),
    techniques: rule.atlas.techniques,
    mitigations: rule.atlas.mitigations,
    ...(extra.fix ? { fix: extra.fix } : {}),
  };
}

/** The lines of the statement holding a node (a suppression comment may sit on any of them). */
function statementOf(node: Node): { first: number; last: number } {
  for (let current: Node | null = node; current; current = current.parent) {
    if (current.type.endsWith('_statement') || current.type === 'decorator' || current.type === 'function_definition' || current.type === 'if_statement') {
      const header = current.type === 'if_statement' || current.type === 'function_definition' ? node : current;
      return { first: current.startPosition.row, last: header.endPosition.row };
    }
  }
  return { first: node.startPosition.row, last: node.endPosition.row };
}

/** The lines a suppression comment may sit on for a route: its decorators and its `def` line. */
function routeLines(route: RouteHandler): { first: number; last: number } {
  const first = Math.min(route.definition.startPosition.row, ...route.decorators.map((d) => d.startPosition.row));
  return { first, last: route.name.startPosition.row };
}

function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}

function descendants(root: Node): Node[] {
  const out: Node[] = [];
  const stack: Node[] = [root];
  while (stack.length > 0) {
    const node = stack.pop()!;
    out.push(node);
    for (let i = node.namedChildCount - 1; i >= 0; i--) {
      const child = node.namedChild(i);
      if (child) stack.push(child);
    }
  }
  return out;
}

function lastName(node: Node | null | undefined): string {
  if (!node) return '';
  if (node.type === 'attribute') return node.childForFieldName('attribute')?.text ?? '';
  return node.text;
}

// ---------------------------------------------------------------- model identity disclosed

/** Response keys that name the model itself. */
const IDENTITY_KEY = /^(model|model[_ -]?(name|id|version|type|arch|architecture|family|path|repo|checkpoint|card)|architecture|arch|backbone|base[_ -]?model|checkpoint|weights|x-model.*|x-.*-model.*)$/i;
/** Response keys that list what the model can output. */
const ONTOLOGY_KEY = /^(labels|classes|class_names|categories|id2label|label2id|label_map|ontology)$/i;
/** Attributes that describe a model: its configuration, name or label set. */
const IDENTITY_ATTRIBUTES = new Set(['config', 'name_or_path', '_name_or_path', 'model_card', 'id2label', 'label2id', 'classes_', 'names', 'model_name', 'model_id']);

function modelishObject(facts: PythonFacts, node: Node | null): boolean {
  if (!node) return false;
  const qualified = facts.qualifiedNameOf(node, facts.scopeAt(node));
  if (qualified && MODEL_FACTORIES.test(qualified)) return true;
  return /(^|[._])(model|clf|classifier|pipe(line)?|net|detector|encoder|tokenizer|estimator|regressor|llm)s?$/i.test(node.text);
}

/** Whether a value describes the model: `model.config`, `model.classes_`, a constant naming the model. */
function identityValue(facts: PythonFacts, value: Node): Node | undefined {
  for (const node of descendants(value)) {
    if (node.type !== 'attribute') continue;
    const attribute = node.childForFieldName('attribute')?.text ?? '';
    if (IDENTITY_ATTRIBUTES.has(attribute) && modelishObject(facts, node.childForFieldName('object'))) return node;
    if (attribute === '__name__' && /(__class__|type\()/.test(node.text)) return node;
  }
  return undefined;
}

function keyText(facts: PythonFacts, key: Node | null): string | undefined {
  if (!key) return undefined;
  const value = facts.evaluate(key, facts.scopeAt(key));
  return value.kind === 'string' ? value.value : undefined;
}

/** A value worth reporting under an identity key: not a literal boolean / None / number. */
function meaningful(facts: PythonFacts, value: Node): boolean {
  const evaluated = facts.evaluate(value, facts.scopeAt(value));
  return !(evaluated.kind === 'bool' || evaluated.kind === 'none' || evaluated.kind === 'number');
}

/** A label list: a module constant list/dict, or an attribute such as `model.classes_`. */
function ontologyValue(facts: PythonFacts, value: Node): boolean {
  if (value.type === 'attribute') return IDENTITY_ATTRIBUTES.has(lastName(value)) || /labels$/i.test(lastName(value));
  if (value.type === 'identifier') {
    const evaluated = facts.evaluate(value, facts.scopeAt(value));
    if (evaluated.kind === 'sequence' || evaluated.kind === 'mapping') return true;
    const constant = facts.constantDefinition(value);
    return constant !== undefined && constant.scope.kind === 'module' && /^(list|dict|tuple|set|call|attribute)$/.test(constant.value.type) && !constant.value.text.includes('predict');
  }
  return value.type === 'list' || value.type === 'dictionary';
}

export const modelIdentityDisclosed: PythonCheck = (rule, _options, facts) => {
  const { routes } = webRouteFacts(facts);
  if (!routes.some((route) => route.modelCalls.length > 0)) return [];
  const findings: RawFinding[] = [];
  const reported = new Set<number>();
  const report = (node: Node, what: string, route: RouteHandler) => {
    if (reported.has(node.id)) return;
    reported.add(node.id);
    findings.push(finding(rule, node, fill(rule.message, { what, callee: route.name.text })));
  };
  for (const route of routes) {
    for (const output of route.outputs) {
      for (const node of descendants(output)) {
        if (node.type === 'pair' || node.type === 'keyword_argument') {
          const key = node.type === 'pair' ? keyText(facts, node.childForFieldName('key')) : node.childForFieldName('name')?.text;
          const value = node.childForFieldName('value');
          if (!key || !value) continue;
          if (IDENTITY_KEY.test(key) && meaningful(facts, value)) report(node, `the model's identity ("${key}")`, route);
          else if (ONTOLOGY_KEY.test(key) && ontologyValue(facts, value)) report(node, `the model's full label set ("${key}")`, route);
        }
      }
      const attribute = identityValue(facts, output);
      if (attribute && ![...reported].some((id) => descendants(output).some((n) => n.id === id))) report(attribute, `${attribute.text}`, route);
    }
    // Response headers: `response.headers["X-Model"] = MODEL_ID`.
    if (route.kind === 'streamlit') continue;
    for (const assignment of route.definition.descendantsOfType('assignment')) {
      const left = assignment?.childForFieldName('left');
      if (!assignment || left?.type !== 'subscript' || lastName(left.childForFieldName('value')) !== 'headers') continue;
      const key = keyText(facts, left.childForFieldName('subscript'));
      if (key && /model|backbone|architecture/i.test(key)) report(assignment, `the model's identity in the "${key}" header`, route);
    }
  }
  return findings;
};

// ---------------------------------------------------------------- API docs exposed

export const apiDocsExposed: PythonCheck = (rule, _options, facts, _context, source) => {
  const { apps, routes } = webRouteFacts(facts);
  const modelRoutes = routes.filter((route) => route.kind === 'http' && route.framework === 'fastapi' && route.modelCalls.length > 0);
  if (modelRoutes.length === 0) return [];
  const findings: RawFinding[] = [];
  for (const app of apps) {
    if (app.framework !== 'fastapi' || app.router) continue;
    // openapi_url=None turns off the schema and both documentation pages; a variable is the author's decision.
    if (app.openapiUrl.state === 'off' || app.openapiUrl.state === 'unknown') continue;
    if (app.docsUrl.state === 'unknown' || app.redocUrl.state === 'unknown') continue;
    const pages = [app.docsUrl.state !== 'off' ? '/docs' : undefined, app.redocUrl.state !== 'off' ? '/redoc' : undefined].filter(Boolean).join(' and ');
    const what = pages ? `${pages} and the OpenAPI schema` : 'the OpenAPI schema';
    const fix = buildFix(
      {
        title: 'Turn off the API docs (docs_url=None, openapi_url=None)',
        safe: false,
        edits: [{ 'set-arg': { name: 'docs_url', value: 'None' } }, { 'set-arg': { name: 'openapi_url', value: 'None' } }],
      },
      app.call,
      source,
      facts,
    );
    findings.push(
      finding(rule, app.call.callee, fill(rule.message, { what, routes: modelRoutes.map((r) => `${r.name.text}()`).join(', ') }), {
        ...(fix ? { fix: mergeEdits(fix) } : {}),
        lines: app.call.statementLines,
      }),
    );
  }
  return findings;
};

/**
 * Two set-arg edits that both append at the closing parenthesis would land at the same point; the
 * second one is written after the first so the result reads `FastAPI(docs_url=None, openapi_url=None)`.
 */
function mergeEdits(fix: Fix): Fix {
  const [first, second] = fix.edits;
  if (fix.edits.length !== 2 || !first || !second) return fix;
  const insertion = (e: typeof first) => e.range.start.line === e.range.end.line && e.range.start.character === e.range.end.character;
  const samePoint = first.range.start.line === second.range.start.line && first.range.start.character === second.range.start.character;
  if (!insertion(first) || !insertion(second) || !samePoint) return fix;
  // In an empty call both are bare `name=value`; otherwise each already starts with its separator.
  const joined = /^[,\n]/.test(first.newText) ? first.newText + second.newText : `${first.newText}, ${second.newText.trimStart()}`;
  return { ...fix, edits: [{ range: first.range, newText: joined }] };
}

// ---------------------------------------------------------------- verbose errors

const TRACEBACK = /^traceback\.(format_exc|format_exception|format_tb|format_stack|extract_tb)$/;

function exceptionAlias(node: Node): string | undefined {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (current.type === 'except_clause') {
      for (const child of current.namedChildren) {
        if (child?.type === 'as_pattern') return child.childForFieldName('alias')?.text;
      }
      return undefined;
    }
    if (current.type === 'function_definition') return undefined;
  }
  return undefined;
}

export const modelRouteVerboseErrors: PythonCheck = (rule, options, facts) => {
  const { routes, apps } = webRouteFacts(facts);
  const findings: RawFinding[] = [];
  const tracebackMessage = String(options['traceback-message'] ?? rule.message);
  const exceptionMessage = String(options['exception-message'] ?? rule.message);
  const debugMessage = String(options['debug-message'] ?? rule.message);
  for (const route of routes) {
    if (route.modelCalls.length === 0) continue;
    for (const output of route.outputs) {
      const alias = exceptionAlias(output);
      for (const node of descendants(output)) {
        if (node.type === 'call') {
          const callee = node.childForFieldName('function');
          const qualified = callee ? facts.qualifiedNameOf(callee, facts.scopeAt(node)) : undefined;
          if (qualified && TRACEBACK.test(qualified)) {
            findings.push(finding(rule, node, fill(tracebackMessage, { callee: route.name.text, expression: node.text }), { severity: 'warning' }));
          }
        }
        if (alias && node.type === 'identifier' && node.text === alias && node.parent?.type !== 'keyword_argument') {
          // `str(e)`, `repr(e)`, `f"{e}"`, `e.args`: report the smallest expression that turns e into text.
          const parent = node.parent;
          const grand = parent?.parent;
          const shown = parent?.type === 'argument_list' && grand?.type === 'call' && /^(str|repr|format)$/.test(grand.childForFieldName('function')?.text ?? '') ? grand : parent?.type === 'attribute' ? parent : parent?.type === 'interpolation' ? (parent.parent ?? node) : node;
          // `raise HTTPException(...) from e` chains the cause without sending it.
          if (output.type !== 'call' && output.parent?.type === 'raise_statement' && node.parent?.type === 'raise_statement') continue;
          if (output.parent?.type === 'raise_statement' && output.id === node.id) continue;
          findings.push(finding(rule, shown, fill(exceptionMessage, { callee: route.name.text, expression: shown.text }), { severity: 'info' }));
        }
      }
    }
  }
  // FastAPI / Starlette `debug=True` sends a traceback page with every server error.
  if (routes.some((route) => route.kind === 'http' && route.modelCalls.length > 0)) {
    for (const app of apps) {
      if ((app.framework === 'fastapi' || app.framework === 'starlette') && app.debug.state === 'on') {
        findings.push(finding(rule, app.debug.node, fill(debugMessage, { callee: app.call.callee.text }), { severity: 'warning', lines: app.call.statementLines }));
      }
    }
  }
  return findings;
};

// ---------------------------------------------------------------- Hub repositories published

/** Hub calls that create or push a repository and take `private`. */
const HUB_FUNCTIONS = /^huggingface_hub\.((hf_api\.)?(HfApi\(\)\.)?(create_repo|upload_large_folder)|(HfApi\(\)\.)?create_repo)$/;
/** `push_to_hub` methods that take `private` (transformers models, tokenizers, datasets, sentence-transformers…). */
const PUSH_METHODS = new Set(['push_to_hub', 'push_to_hf_hub']);
/** `Trainer.push_to_hub` takes its visibility from `TrainingArguments(hub_private_repo=...)`. */
const TRAINER = /^transformers\.(.*\.)?(Trainer|Seq2SeqTrainer)\(\)\.push_to_hub$|^trl\./;

export const hubRepoPublic: PythonCheck = (rule, options, facts, _context, source) => {
  const findings: RawFinding[] = [];
  const explicitMessage = String(options['explicit-message'] ?? rule.message);
  const trainingMessage = String(options['training-args-message'] ?? rule.message);
  for (const call of facts.calls) {
    const name = call.qualifiedName ?? '';
    if (/^transformers\.(.*\.)?(TrainingArguments|Seq2SeqTrainingArguments)$/.test(name) || /^trl\.(.*\.)?\w+Config$/.test(name)) {
      const push = call.keywords.get('push_to_hub');
      if (!push || facts.evaluate(push.value, call.scope).kind !== 'bool' || !(facts.evaluate(push.value, call.scope) as { value: boolean }).value) continue;
      const privateRepo = call.keywords.get('hub_private_repo');
      if (privateRepo || call.hasKeywordSplat) continue;
      const fix = buildFix({ title: 'Set hub_private_repo=True', safe: false, edits: [{ 'set-arg': { name: 'hub_private_repo', value: 'True' } }] }, call, source, facts);
      findings.push(finding(rule, push.node, fill(trainingMessage, { callee: displayName(call) }), { lines: call.statementLines, ...(fix ? { fix } : {}) }));
      continue;
    }
    const method = call.callee.type === 'attribute' ? lastName(call.callee) : call.callee.text;
    const isPush = PUSH_METHODS.has(method) && call.callee.type === 'attribute' && !TRAINER.test(name);
    const isHub = HUB_FUNCTIONS.test(name);
    if (!isPush && !isHub) continue;
    if (call.hasKeywordSplat) continue;
    const privateArg = call.keywords.get('private');
    const fix = buildFix({ title: 'Set private=True', safe: false, edits: [{ 'set-arg': { name: 'private', value: 'True' } }] }, call, source, facts);
    if (!privateArg) {
      findings.push(finding(rule, call.callee, fill(rule.message, { callee: displayName(call) }), { lines: call.statementLines, ...(fix ? { fix } : {}) }));
      continue;
    }
    const value = facts.evaluate(privateArg.value, call.scope);
    if ((value.kind === 'bool' && !value.value) || value.kind === 'none') {
      findings.push(finding(rule, privateArg.node, fill(explicitMessage, { callee: displayName(call) }), { severity: 'info', lines: call.statementLines, ...(fix ? { fix } : {}) }));
    }
  }
  return findings;
};

function displayName(call: CallFact): string {
  const node = call.callee;
  if (node.type !== 'attribute') return node.text;
  const object = node.childForFieldName('object');
  const shortObject = object && object.type === 'call' ? `${object.childForFieldName('function')?.text ?? '…'}(…)` : (object?.text ?? '…');
  return `${shortObject}.${lastName(node)}`;
}

// ---------------------------------------------------------------- unlimited oracle

export const modelRouteWithoutRateLimit: PythonCheck = (rule, _options, facts) => {
  const { routes, appWideRateLimit } = webRouteFacts(facts);
  if (appWideRateLimit) return [];
  return routes
    .filter((route) => route.kind === 'http' && route.modelCalls.length > 0 && !route.rateLimited)
    .map((route) => finding(rule, route.decorators[0] ?? route.name, fill(rule.message, { callee: route.name.text }), { lines: routeLines(route) }));
};

// ---------------------------------------------------------------- unvalidated input

/** A check on the input before use: a validator, a schema, a size or range test that rejects. */
const VALIDATION_CALL = /(^|\.)(model_validate|model_validate_json|parse_obj|parse_raw|validate|validate_json|load|loads)$/;
const REJECT = /\b(raise|abort\s*\(|return\b[^\n]*\b4\d\d\b|HTTPException|status_code\s*=\s*4\d\d|st\.stop)/;

/** Names derived from the input inside the handler: `x = payload["features"]`, `arr = np.array(x)`. */
function derivedNames(body: Node, seed: string): Set<string> {
  const names = new Set([seed]);
  const assignments = body.descendantsOfType('assignment').filter((n): n is Node => n !== null);
  for (let changed = true; changed; ) {
    changed = false;
    for (const assignment of assignments) {
      const left = assignment.childForFieldName('left');
      const right = assignment.childForFieldName('right');
      if (!left || !right) continue;
      const uses = descendants(right).some((n) => n.type === 'identifier' && names.has(n.text));
      if (!uses) continue;
      for (const target of descendants(left).filter((n) => n.type === 'identifier')) {
        if (!names.has(target.text) && left.type !== 'subscript' && left.type !== 'attribute') {
          names.add(target.text);
          changed = true;
        }
      }
    }
  }
  return names;
}

function mentions(node: Node, names: ReadonlySet<string>): boolean {
  return descendants(node).some((n) => n.type === 'identifier' && names.has(n.text));
}

/** The input reaches a model call: directly (`model.predict(request.get_json()["x"])`) or through names. */
function reachesModel(input: RouteInput, route: RouteHandler, body: Node): boolean {
  if (route.modelCalls.some((call) => call.node.startIndex <= input.node.startIndex && input.node.endIndex <= call.node.endIndex)) return true;
  const seed = input.name;
  if (!seed) return false;
  const names = derivedNames(body, seed);
  return route.modelCalls.some((call) => mentions(call.node.childForFieldName('arguments') ?? call.node, names));
}

/** Some check on the input rejects bad values: an `if` on it that raises or aborts, or a validator called on it. */
function validated(input: RouteInput, route: RouteHandler, body: Node, facts: PythonFacts): boolean {
  const names = input.name ? derivedNames(body, input.name) : new Set<string>();
  // Only checks made before the model runs count: `if pred == 1: raise ...` after it is not validation.
  const firstModelCall = Math.min(...route.modelCalls.map((call) => call.node.startIndex));
  for (const statement of body.descendantsOfType(['if_statement', 'assert_statement'])) {
    if (!statement || statement.startIndex > firstModelCall) continue;
    const condition = statement.type === 'if_statement' ? statement.childForFieldName('condition') : statement.namedChildren[0];
    if (!condition) continue;
    const about = mentions(condition, names) || (input.name === undefined && condition.text.includes(input.node.text));
    const consequence = statement.type === 'if_statement' ? (statement.childForFieldName('consequence')?.text ?? '') : 'raise';
    if (about && REJECT.test(consequence)) return true;
  }
  for (const call of facts.calls) {
    if (call.node.startIndex < body.startIndex || call.node.endIndex > body.endIndex || call.node.startIndex > firstModelCall) continue;
    const callee = call.callee.text;
    if (!VALIDATION_CALL.test(callee) && !/Schema|Model|Request|Input|Payload/.test(callee.split('.').pop() ?? '')) continue;
    if (/^(json|pickle|joblib|torch|np|numpy)\./.test(callee)) continue;
    const args = call.node.childForFieldName('arguments');
    if (args && (mentions(args, names) || (input.name === undefined && args.text.includes(input.node.text)))) return true;
  }
  return false;
}

const INPUT_WORDS: Record<string, string> = {
  dict: 'a request body typed as a plain dict',
  any: 'a request body typed as Any',
  'raw-body': 'the raw request body',
  upload: 'an uploaded file',
};

export const modelInputUnvalidated: PythonCheck = (rule, _options, facts) => {
  const findings: RawFinding[] = [];
  for (const route of webRouteFacts(facts).routes) {
    if (route.kind !== 'http' || route.modelCalls.length === 0) continue;
    const body = route.definition.childForFieldName('body');
    if (!body) continue;
    for (const input of route.inputs) {
      const what = INPUT_WORDS[input.kind];
      if (!what || input.bounded) continue;
      if (!reachesModel(input, route, body) || validated(input, route, body, facts)) continue;
      findings.push(finding(rule, input.node, fill(rule.message, { callee: route.name.text, what, input: input.node.text })));
    }
  }
  return findings;
};

// ---------------------------------------------------------------- model verdict as the only gate


function enclosingFunction(node: Node): Node | undefined {
  for (let current = node.parent; current; current = current.parent) if (current.type === 'function_definition') return current;
  return undefined;
}

/** The condition node of the `if`/`elif`/`while` or conditional expression a node sits in, if it is in a condition. */
function conditionAround(node: Node): { condition: Node; branch: Node } | undefined {
  for (let current: Node = node; current.parent; current = current.parent) {
    const parent: Node = current.parent;
    if ((parent.type === 'if_statement' || parent.type === 'elif_clause') && parent.childForFieldName('condition')?.id === current.id) return { condition: current, branch: parent };
    if (parent.type === 'conditional_expression' && parent.namedChildren[1]?.id === current.id) return { condition: current, branch: parent };
    if (/statement$|^block$|^module$|^function_definition$/.test(parent.type)) return undefined;
  }
  return undefined;
}

function verdictCall(facts: PythonFacts, call: CallFact): boolean {
  if (call.callee.type === 'attribute' && VERDICT_METHODS.has(lastName(call.callee))) return true;
  if (call.qualifiedName === undefined || !isModelCall(facts, call)) return false;
  // `clf(text)[0]["label"]` where `clf = pipeline(...)`.
  if (/^transformers\.pipeline\(\)$/.test(call.qualifiedName)) return true;
  // A loaded network reduced to its top class: `model(**enc).logits.argmax(-1).item()`.
  let current: Node = call.node;
  while (current.parent && (current.parent.type === 'attribute' || current.parent.type === 'subscript' || current.parent.type === 'call')) current = current.parent;
  return /\.argmax\(/.test(current.text.slice(call.node.text.length));
}

/**
 * A verdict call in a class body (outside every method): the check then follows the name it is
 * assigned to through the whole file, into other definitions, which the module's bindings do not
 * tell (a class attribute is not a module binding). From module level it goes through a module
 * binding; from a function or a decorator it stays in its definition.
 */
export function verdictCallInClassBody(facts: PythonFacts, call: CallFact): boolean {
  if (!verdictCall(facts, call)) return false;
  for (let current = call.node.parent; current; current = current.parent) {
    if (current.type === 'function_definition') return false;
    if (current.type === 'class_definition') return true;
  }
  return false;
}

export const modelVerdictOnlyGate: PythonCheck = (rule, _options, facts) => {
  const findings: RawFinding[] = [];
  const reported = new Set<number>();
  for (const call of facts.calls) {
    if (!verdictCall(facts, call)) continue;
    const fn = enclosingFunction(call.node);
    if (fn && CONFIDENCE.test(fn.text)) continue;
    const conditions: Array<{ condition: Node; branch: Node }> = [];
    const direct = conditionAround(call.node);
    if (direct) conditions.push(direct);
    else {
      // `label = clf.predict(x)[0]` then `if label == 1:`.
      let current: Node = call.node;
      while (current.parent && (current.parent.type === 'subscript' || current.parent.type === 'attribute' || (current.parent.type === 'call' && current.parent.childForFieldName('function')?.id === current.id) || current.parent.type === 'argument_list' && /^(int|str|bool)$/.test(current.parent.parent?.childForFieldName('function')?.text ?? ''))) current = current.parent.type === 'argument_list' ? current.parent.parent! : current.parent;
      const assignment = current.parent;
      const left = assignment?.type === 'assignment' && assignment.childForFieldName('right')?.id === current.id ? assignment.childForFieldName('left') : undefined;
      if (left?.type !== 'identifier') continue;
      // At module level, the whole module through the facts (a definition parsed alone is read from its own tree).
      const uses = fn ? (fn.childForFieldName('body')?.descendantsOfType('identifier') ?? []) : facts.analysedDescendantsOfType('identifier');
      for (const identifier of uses) {
        if (!identifier || identifier.text !== left.text || identifier.startIndex <= left.startIndex) continue;
        const around = conditionAround(identifier);
        if (around) conditions.push(around);
      }
    }
    for (const { condition, branch } of conditions) {
      if (reported.has(condition.id)) continue;
      // What the code says, not the prose: triple-quoted strings (a nested definition's docstring) do not count.
      const consequence = branch.type === 'conditional_expression' ? branch : branch.childForFieldName('consequence');
      const context = `${consequence ? textOutsideLongStrings(consequence) : ''} ${textOutsideLongStrings(condition)} ${fn?.childForFieldName('name')?.text ?? ''}`;
      if (!SECURITY_DECISION.test(context) || CONFIDENCE.test(branch.text)) continue;
      reported.add(condition.id);
      findings.push(finding(rule, condition, fill(rule.message, { callee: call.callee.text, condition: condition.text })));
    }
  }
  return findings;
};
