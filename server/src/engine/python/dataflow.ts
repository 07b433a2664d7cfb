/**
 * Intra-procedural value tracking, shared by the flow rules (`match: { flow: … }`): within one
 * function (or the module's top level), does a value from a *source* (a model's reply, web request
 * data, retrieved documents) reach a *sink* (an interpreter, a system prompt, HTML)?
 *
 * The value is followed backwards from the sink, on demand, through:
 * - names, to the assignments that may reach the use: the last one in an enclosing block stops the
 *   search, ones in other branches (if/else, try/except) are all tried (`x = llm(); x = "ok"` is clean);
 * - tuple unpacking, loops (`for chunk in stream`), comprehensions, `with … as`, `:=`, `+=`,
 *   attribute paths assigned in the function (`self.reply = …`), and weak updates of containers
 *   (`parts.append(x)`, `d["k"] = x`);
 * - attribute and index reads and method calls on a tracked value (`resp.choices[0].message.content.strip()`);
 * - f-strings, `.format`, `%` and `+`, containers (list, tuple, dict, set, comprehensions), `await`,
 *   conditional and boolean expressions;
 * - calls the rule declares as pass-through (`str`, `json.loads`, `tokenizer.decode`).
 * Any other call stops the tracking: `shlex.quote(x)`, `int(x)`, a validator, a function of the
 * project (not followed: the tracking does not cross function boundaries, and a value assigned in
 * another function is another variable).
 *
 * Per file, the definitions are collected once (lazily, cached like web-routes.ts); per rule, a
 * tracker memoises what each expression carries.
 */
import type { Node } from 'web-tree-sitter';
import { compileNamePattern, type NamePattern } from '../rules/name-pattern';
import type { FlowMatch, FlowSink, FlowSource } from '../rules/schema';
import type { ArgumentSelector } from './arguments';
import type { CallFact, PythonFacts, Scope } from './facts';
import { webRouteFacts } from './web-routes';

// ------------------------------------------------------------------ per-file definitions

type DefinitionKind = 'assign' | 'unpack' | 'augmented' | 'parameter' | 'weak';

interface Definition {
  kind: DefinitionKind;
  /** Uses at or after this offset may see the value. */
  visibleFrom: number;
  /** The statement or parameter that binds the name: a step of a path. */
  node: Node;
  /** The expression whose value the name takes (right-hand side, iterable, context manager, appended item). */
  value?: Node;
  /** For unpacking: the bound identifier and the target pattern it sits in. */
  target?: Node;
  pattern?: Node;
  /** Comprehension variables are visible inside their comprehension only. */
  within?: Node;
}

/** Method calls that put a value into the container they are called on. */
const CONTAINER_UPDATES = new Set(['append', 'extend', 'insert', 'update', 'add', 'appendleft', 'setdefault']);
const PATTERN_TYPES = new Set(['pattern_list', 'tuple_pattern', 'list_pattern', 'tuple', 'list', 'parenthesized_expression']);
/** Parameter annotations that are not request data. */
const NOT_REQUEST_DATA = /^(BackgroundTasks|Session|AsyncSession|Response|WebSocket|SecurityScopes)$/;

export class FileFlowFacts {
  private readonly definitions = new Map<Scope, Map<string, Definition[]>>();
  private readonly callsByNode = new Map<number, CallFact>();
  private dictionaryNodes?: Node[];
  private tupleNodes?: Node[];

  constructor(readonly facts: PythonFacts) {
    for (const call of facts.calls) this.callsByNode.set(call.node.id, call);
    this.collect();
  }

  callAt(node: Node): CallFact | undefined {
    return this.callsByNode.get(node.id);
  }

  get dictionaries(): Node[] {
    this.dictionaryNodes ??= this.facts.analysedDescendantsOfType('dictionary');
    return this.dictionaryNodes;
  }

  get tuples(): Node[] {
    this.tupleNodes ??= this.facts.analysedDescendantsOfType('tuple');
    return this.tupleNodes;
  }

  /** Definitions of `key` (a name, or a dotted attribute path such as `self.reply`) that may reach `use`. */
  reaching(key: string, scope: Scope, use: Node, before = use.startIndex): Definition[] {
    const list = this.definitions.get(scope)?.get(key);
    if (!list) return [];
    const found: Definition[] = [];
    for (let i = list.length - 1; i >= 0; i--) {
      const definition = list[i]!;
      if (definition.visibleFrom > before) continue;
      if (definition.within) {
        if (!contains(definition.within, use)) continue;
        found.push(definition);
        break;
      }
      found.push(definition);
      if (definition.kind !== 'weak' && dominates(definition.node, use)) break;
    }
    return found;
  }

  private define(scope: Scope, key: string, definition: Definition): void {
    let byName = this.definitions.get(scope);
    if (!byName) this.definitions.set(scope, (byName = new Map()));
    const list = byName.get(key);
    if (list) list.push(definition);
    else byName.set(key, [definition]);
  }

  private collect(): void {
    const types = ['assignment', 'augmented_assignment', 'named_expression', 'for_statement', 'for_in_clause', 'with_item', 'function_definition'];
    for (const node of this.facts.analysedDescendantsOfType(types)) {
      const scope = this.facts.scopeAt(node);
      switch (node.type) {
        case 'assignment': {
          const left = node.childForFieldName('left');
          let right = node.childForFieldName('right');
          while (right?.type === 'assignment') right = right.childForFieldName('right');
          if (left && right) this.bindTarget(scope, left, right, node, node.endIndex);
          break;
        }
        case 'augmented_assignment': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          const key = left ? pathKey(left) : undefined;
          if (key && right) this.define(scope, key, { kind: 'augmented', visibleFrom: node.endIndex, node, value: right, target: left! });
          break;
        }
        case 'named_expression': {
          const name = node.childForFieldName('name');
          const value = node.childForFieldName('value');
          if (name && value) this.define(scope, name.text, { kind: 'assign', visibleFrom: node.endIndex, node, value });
          break;
        }
        case 'for_statement': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          if (left && right) this.bindTarget(scope, left, right, node, right.endIndex, true);
          break;
        }
        case 'for_in_clause': {
          const left = node.childForFieldName('left');
          const right = node.childForFieldName('right');
          const comprehension = node.parent;
          if (left && right && comprehension) {
            for (const identifier of identifiersIn(left)) {
              this.define(scope, identifier.text, { kind: 'unpack', visibleFrom: comprehension.startIndex, node, value: right, within: comprehension });
            }
          }
          break;
        }
        case 'with_item': {
          const value = node.childForFieldName('value');
          if (value?.type !== 'as_pattern') break;
          const expression = value.namedChildren[0];
          const alias = value.childForFieldName('alias');
          const target = alias?.type === 'as_pattern_target' ? alias.namedChildren[0] : alias;
          if (expression && target) this.bindTarget(scope, target, expression, node, node.endIndex);
          break;
        }
        case 'function_definition':
          this.bindParameters(node);
          break;
      }
    }
    // Weak updates: `parts.append(x)` puts x into parts without replacing what it held.
    for (const call of this.facts.calls) {
      if (call.callee.type !== 'attribute') continue;
      const method = call.callee.childForFieldName('attribute')?.text ?? '';
      const object = call.callee.childForFieldName('object');
      const key = object ? pathKey(object) : undefined;
      if (!CONTAINER_UPDATES.has(method) || !key) continue;
      const args = call.node.childForFieldName('arguments');
      if (args?.type !== 'argument_list') continue;
      this.define(call.scope, key, { kind: 'weak', visibleFrom: call.node.endIndex, node: call.node, value: args });
    }
    for (const byName of this.definitions.values()) for (const list of byName.values()) list.sort((a, b) => a.visibleFrom - b.visibleFrom);
  }

  private bindTarget(scope: Scope, left: Node, right: Node, statement: Node, visibleFrom: number, loop = false): void {
    const key = pathKey(left);
    if (key) {
      this.define(scope, key, { kind: loop ? 'unpack' : 'assign', visibleFrom, node: statement, value: right, ...(loop ? { target: left } : {}) });
      return;
    }
    if (left.type === 'subscript') {
      // d["k"] = x: a weak update of d.
      const object = left.childForFieldName('value');
      const objectKey = object ? pathKey(object) : undefined;
      if (objectKey) this.define(scope, objectKey, { kind: 'weak', visibleFrom, node: statement, value: right });
      return;
    }
    if (PATTERN_TYPES.has(left.type) || left.type === 'list_splat_pattern') {
      for (const identifier of identifiersIn(left)) {
        this.define(scope, identifier.text, { kind: 'unpack', visibleFrom, node: statement, value: right, target: identifier, pattern: left });
      }
    }
  }

  private bindParameters(definition: Node): void {
    const parameters = definition.childForFieldName('parameters');
    const body = definition.childForFieldName('body');
    if (!parameters || !body) return;
    const scope = this.facts.scopeAt(body);
    for (const parameter of parameters.namedChildren) {
      if (!parameter) continue;
      const name =
        parameter.type === 'identifier'
          ? parameter
          : (parameter.childForFieldName('name') ?? parameter.namedChildren.find((child) => child?.type === 'identifier') ?? null);
      if (name?.type === 'identifier') this.define(scope, name.text, { kind: 'parameter', visibleFrom: parameters.startIndex, node: parameter, target: name });
    }
  }
}

const fileCache = new WeakMap<PythonFacts, FileFlowFacts>();

export function fileFlowFacts(facts: PythonFacts): FileFlowFacts {
  let flow = fileCache.get(facts);
  if (!flow) {
    flow = new FileFlowFacts(facts);
    fileCache.set(facts, flow);
  }
  return flow;
}

// ------------------------------------------------------------------ tracking

export interface FlowStep {
  node: Node;
  /** What happens at this step, e.g. "model output from client.chat.completions.create", "assigned to reply". */
  note: string;
}

/** A string formatting step that puts the tracked value into a larger text. */
export interface Embedding {
  node: Node;
  /** Whether the value sits between delimiters there (`<docs>{x}</docs>`, triple backticks…). */
  delimited: boolean;
}

export interface Tracked {
  /** How the source is named in messages. */
  label: string;
  /** From the source to the last expression looked at. */
  steps: FlowStep[];
  embeddings: Embedding[];
}

interface CompiledSource {
  calls: NamePattern[];
  written: NamePattern[];
  names: NamePattern[];
  routeParameters: boolean;
  label?: string;
}

export interface CompiledFlow {
  sources: CompiledSource[];
  passCalls: NamePattern[];
  passMethods: Set<string>;
}

const compiledFlows = new WeakMap<FlowMatch['flow'], CompiledFlow>();

export function compileFlow(flow: FlowMatch['flow']): CompiledFlow {
  let compiled = compiledFlows.get(flow);
  if (!compiled) {
    compiled = {
      sources: flow.sources.map((source: FlowSource) => ({
        calls: (source.calls ?? []).map(compileNamePattern),
        written: (source['written-calls'] ?? []).map(compileNamePattern),
        names: (source.names ?? []).map(compileNamePattern),
        routeParameters: source['route-parameters'] === true,
        label: source.label,
      })),
      passCalls: flow['pass-through'].calls.map(compileNamePattern),
      passMethods: new Set(flow['pass-through'].methods),
    };
    compiledFlows.set(flow, compiled);
  }
  return compiled;
}

const MAX_DEPTH = 60;
const trackers = new WeakMap<PythonFacts, Map<CompiledFlow, ValueTracker>>();

/** The tracker of one rule's flow over one file (cached per file and flow). */
export function valueTracker(facts: PythonFacts, flow: CompiledFlow): ValueTracker {
  let byFlow = trackers.get(facts);
  if (!byFlow) trackers.set(facts, (byFlow = new Map()));
  let tracker = byFlow.get(flow);
  if (!tracker) byFlow.set(flow, (tracker = new ValueTracker(fileFlowFacts(facts), flow)));
  return tracker;
}

export class ValueTracker {
  private readonly memo = new Map<number, Tracked | null>();
  private readonly inProgress = new Set<number>();
  private routeDefinitions?: Set<number>;
  private depth = 0;

  constructor(
    private readonly file: FileFlowFacts,
    private readonly flow: CompiledFlow,
  ) {}

  private get facts(): PythonFacts {
    return this.file.facts;
  }

  /** What source value the expression may carry, with the path it took; undefined when none. */
  track(node: Node): Tracked | undefined {
    const memoised = this.memo.get(node.id);
    if (memoised !== undefined) return memoised ?? undefined;
    if (this.inProgress.has(node.id) || this.depth > MAX_DEPTH) return undefined;
    this.inProgress.add(node.id);
    this.depth++;
    let result: Tracked | undefined;
    try {
      result = this.compute(node);
    } finally {
      this.depth--;
      this.inProgress.delete(node.id);
    }
    this.memo.set(node.id, result ?? null);
    return result;
  }

  private first(nodes: ReadonlyArray<Node | null | undefined>): Tracked | undefined {
    for (const node of nodes) {
      if (!node || node.type === 'comment') continue;
      const tracked = this.track(node);
      if (tracked) return tracked;
    }
    return undefined;
  }

  private compute(node: Node): Tracked | undefined {
    switch (node.type) {
      case 'identifier':
        return this.nameSource(node) ?? this.throughDefinitions(node.text, node);
      case 'attribute': {
        const source = this.nameSource(node);
        if (source) return source;
        const key = pathKey(node);
        if (key && key.includes('.')) {
          const assigned = this.throughDefinitions(key, node);
          if (assigned) return assigned;
        }
        return this.first([node.childForFieldName('object')]);
      }
      case 'subscript':
        return this.first([node.childForFieldName('value')]);
      case 'call':
        return this.throughCall(node);
      case 'await':
      case 'parenthesized_expression':
      case 'list_splat':
      case 'dictionary_splat':
      case 'expression_list':
      case 'list':
      case 'tuple':
      case 'set':
      case 'dictionary':
      case 'pair':
      case 'argument_list':
        return this.first(node.namedChildren);
      case 'keyword_argument':
        return this.first([node.childForFieldName('value')]);
      case 'named_expression':
        return this.first([node.childForFieldName('value')]);
      case 'list_comprehension':
      case 'set_comprehension':
      case 'generator_expression':
      case 'dictionary_comprehension':
        return this.first([node.childForFieldName('body')]);
      case 'conditional_expression': {
        const parts = node.namedChildren;
        return this.first([parts[0], parts[2]]);
      }
      case 'boolean_operator':
        return this.first([node.childForFieldName('left'), node.childForFieldName('right')]);
      case 'binary_operator': {
        const operator = node.childForFieldName('operator')?.text;
        if (operator !== '+' && operator !== '%') return undefined;
        const left = node.childForFieldName('left');
        const right = node.childForFieldName('right');
        const leftTracked = left ? this.track(left) : undefined;
        const tracked = leftTracked ?? (right ? this.track(right) : undefined);
        if (!tracked) return undefined;
        // Inside a longer concatenation only the outermost `+` is judged for delimiters.
        if (node.parent?.type === 'binary_operator' && node.parent.childForFieldName('operator')?.text === operator) return tracked;
        return embed(tracked, node, operator === '+' ? concatenationDelimited(node, (operand) => this.track(operand) !== undefined) : false);
      }
      case 'string':
        return this.throughFString(node);
      case 'concatenated_string':
        return this.first(node.namedChildren);
      default:
        return undefined;
    }
  }

  private throughFString(node: Node): Tracked | undefined {
    const parts = node.namedChildren.filter((child): child is Node => child !== null);
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (part.type !== 'interpolation') continue;
      const expression = part.namedChildren[0];
      const tracked = expression ? this.track(expression) : undefined;
      if (!tracked) continue;
      const before = parts.slice(0, i).filter((p) => p.type !== 'interpolation').map((p) => p.text).join('');
      const after = parts.slice(i + 1).filter((p) => p.type !== 'interpolation').map((p) => p.text).join('');
      return embed(tracked, node, isDelimited(stripQuotes(before, 'start'), stripQuotes(after, 'end')));
    }
    return undefined;
  }

  private throughDefinitions(key: string, use: Node, before = use.startIndex): Tracked | undefined {
    const scope = this.facts.scopeAt(use);
    for (const definition of this.file.reaching(key, scope, use, before)) {
      const tracked = this.throughDefinition(definition, key);
      if (tracked) {
        const name = definition.target?.text ?? key;
        const note = definition.kind === 'weak' ? `added to ${key}` : definition.kind === 'parameter' ? `parameter ${name}` : `assigned to ${name}`;
        return definition.kind === 'parameter' ? tracked : step(tracked, definition.node, note);
      }
    }
    return undefined;
  }

  private throughDefinition(definition: Definition, key: string): Tracked | undefined {
    switch (definition.kind) {
      case 'assign':
      case 'weak':
        return definition.value ? this.track(definition.value) : undefined;
      case 'unpack': {
        const value = definition.value;
        if (!value) return undefined;
        const element = definition.pattern && definition.target ? matchingElement(definition.pattern, definition.target, value) : undefined;
        return this.track(element ?? value);
      }
      case 'augmented':
        return (definition.value ? this.track(definition.value) : undefined) ?? this.throughDefinitions(key, definition.node, definition.node.startIndex);
      case 'parameter':
        return this.parameterSource(definition);
    }
  }

  private parameterSource(definition: Definition): Tracked | undefined {
    if (!this.flow.sources.some((source) => source.routeParameters)) return undefined;
    const name = definition.target?.text ?? '';
    if (name === 'self' || name === 'cls') return undefined;
    const handler = definition.node.parent?.parent;
    if (handler?.type !== 'function_definition') return undefined;
    this.routeDefinitions ??= new Set(webRouteFacts(this.facts).routes.map((route) => route.definition.id));
    if (!this.routeDefinitions.has(handler.id)) return undefined;
    const defaultValue = definition.node.childForFieldName('value');
    if (defaultValue?.type === 'call' && /(^|\.)(Depends|Security)$/.test(defaultValue.childForFieldName('function')?.text ?? '')) return undefined;
    const annotation = definition.node.childForFieldName('type')?.text ?? '';
    if (NOT_REQUEST_DATA.test(annotation.replace(/^.*\./, ''))) return undefined;
    const label = this.flow.sources.find((source) => source.routeParameters)?.label ?? `request parameter ${name}`;
    return { label, steps: [{ node: definition.node, note: label }], embeddings: [] };
  }

  /** A name or attribute that is itself a source (`request.form`). */
  private nameSource(node: Node): Tracked | undefined {
    if (!this.flow.sources.some((source) => source.names.length > 0)) return undefined;
    // Only names read through an import (`request.form`); a variable assigned from one is followed as a variable.
    if (!this.rootIsImport(node)) return undefined;
    const qualified = this.facts.qualifiedNameOf(node, this.facts.scopeAt(node));
    if (!qualified) return undefined;
    const source = this.flow.sources.find((candidate) => candidate.names.some((matches) => matches(qualified)));
    if (!source) return undefined;
    const label = source.label ?? node.text;
    return { label, steps: [{ node, note: label }], embeddings: [] };
  }

  /** `request.args.get`: a chain of attributes on an imported name. */
  private rootIsImport(node: Node): boolean {
    let root: Node = node;
    while (root.type === 'attribute') root = root.childForFieldName('object') ?? root;
    return root.type === 'identifier' && this.facts.lookup(root.text, this.facts.scopeAt(root), root.startIndex)?.kind === 'import';
  }

  private throughCall(node: Node): Tracked | undefined {
    const callee = node.childForFieldName('function');
    if (!callee) return undefined;
    const args = node.childForFieldName('arguments');
    const qualified = this.calleeName(node, callee);
    const written = writtenName(this.file, callee, this.facts.scopeAt(node));
    const viaImport = this.rootIsImport(callee);
    const source = this.flow.sources.find(
      (candidate) =>
        (qualified !== undefined && (candidate.calls.some((matches) => matches(qualified)) || (viaImport && candidate.names.some((matches) => matches(qualified))))) ||
        (written !== undefined && candidate.written.some((matches) => matches(written))),
    );
    if (source) {
      const label = source.label ?? `${shortCallee(callee)}()`;
      return { label, steps: [{ node, note: label }], embeddings: [] };
    }
    if (callee.type === 'attribute') {
      const object = callee.childForFieldName('object');
      const method = callee.childForFieldName('attribute')?.text ?? '';
      // A method of a tracked value: resp.json(), text.strip(), request.args.get("q").
      const receiver = object ? this.track(object) : undefined;
      if (receiver) return receiver;
      if (method === 'format' && object && args) {
        let position = 0;
        for (const argument of args.namedChildren) {
          if (!argument || argument.type === 'comment') continue;
          const keyword = argument.type === 'keyword_argument' ? argument.childForFieldName('name')?.text : undefined;
          const tracked = this.track(argument);
          if (tracked) return embed(tracked, node, formatDelimited(this.facts, object, keyword !== undefined ? `{${keyword}}` : `{${position}}`));
          if (keyword === undefined) position++;
        }
        return undefined;
      }
      if (this.flow.passMethods.has(method)) return args ? this.track(args) : undefined;
    }
    if (qualified !== undefined && this.flow.passCalls.some((matches) => matches(qualified))) return args ? this.track(args) : undefined;
    return undefined;
  }

  /** The callee resolved through imports; LangChain pipes (`prompt | llm`) are named after their last resolvable stage. */
  private calleeName(node: Node, callee: Node): string | undefined {
    const call = this.file.callAt(node);
    const scope = call?.scope ?? this.facts.scopeAt(node);
    const qualified = call ? call.qualifiedName : this.facts.qualifiedNameOf(callee, scope);
    if (qualified) return qualified;
    if (callee.type === 'identifier' && this.facts.lookup(callee.text, scope, callee.startIndex) === undefined) return `builtins.${callee.text}`;
    if (callee.type === 'attribute') {
      const object = callee.childForFieldName('object');
      const pipe = object ? this.pipeName(object, scope, 0) : undefined;
      if (pipe) return `${pipe}.${callee.childForFieldName('attribute')?.text ?? ''}`;
    }
    return undefined;
  }

  private pipeName(node: Node, scope: Scope, depth: number): string | undefined {
    if (depth > 6) return undefined;
    if (node.type === 'parenthesized_expression') return node.namedChildren[0] ? this.pipeName(node.namedChildren[0], scope, depth + 1) : undefined;
    if (node.type === 'identifier') {
      const definitions = this.file.reaching(node.text, scope, node);
      const only = definitions.length === 1 ? definitions[0] : undefined;
      return only?.kind === 'assign' && only.value ? this.pipeName(only.value, scope, depth + 1) : undefined;
    }
    if (node.type !== 'binary_operator' || node.childForFieldName('operator')?.text !== '|') return undefined;
    const right = node.childForFieldName('right');
    const left = node.childForFieldName('left');
    const named = right ? (this.facts.qualifiedNameOf(right, scope) ?? this.pipeName(right, scope, depth + 1)) : undefined;
    return named ?? (left ? (this.facts.qualifiedNameOf(left, scope) ?? this.pipeName(left, scope, depth + 1)) : undefined);
  }
}

// ------------------------------------------------------------------ sinks

export interface SinkHit {
  sink: FlowSink;
  /** The expression that receives the value (an argument, a dict value, a tuple item). */
  node: Node;
  /** The call, for call sinks. */
  call?: CallFact;
}

/** Candidate sink expressions of a flow in a file (call sinks are filtered by `when` by the caller). */
export function sinkCandidates(facts: PythonFacts, sinks: readonly FlowSink[], argumentOf: (call: CallFact, selector: FlowSinkArgument) => Node | undefined): SinkHit[] {
  const file = fileFlowFacts(facts);
  const hits: SinkHit[] = [];
  for (const sink of sinks) {
    if ('dict-entry' in sink) {
      const { key, where } = sink['dict-entry'];
      for (const dictionary of file.dictionaries) {
        const entries = literalEntries(facts, dictionary);
        const value = entries.get(key);
        if (value && Object.entries(where).every(([name, allowed]) => allowed.includes(entries.get(name)?.literal ?? '\u0000'))) hits.push({ sink, node: value.node });
      }
    } else if ('tuple-item' in sink) {
      const { item, where } = sink['tuple-item'];
      for (const tuple of file.tuples) {
        const items = tuple.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
        const target = items[item];
        if (!target) continue;
        const matches = Object.entries(where).every(([position, allowed]) => {
          const node = items[Number(position)];
          const value = node ? facts.evaluate(node, facts.scopeAt(node)) : undefined;
          return value?.kind === 'string' && allowed.includes(value.value);
        });
        if (matches) hits.push({ sink, node: target });
      }
    } else {
      const calls = (sink.calls ?? []).map(compileNamePattern);
      const written = (sink['written-calls'] ?? []).map(compileNamePattern);
      for (const call of facts.calls) {
        const qualified = call.qualifiedName;
        const matched =
          (qualified !== undefined && calls.some((matches) => matches(qualified))) ||
          (written.length > 0 && ((name) => name !== undefined && written.some((matches) => matches(name)))(writtenName(file, call.callee, call.scope)));
        if (!matched) continue;
        for (const selector of sink.args ?? []) {
          const node = argumentOf(call, selector);
          if (node) hits.push({ sink, node, call });
        }
        const templateArgument = sink['safe-in-template'] !== undefined ? argumentOf(call, sink['safe-in-template']) : undefined;
        if (templateArgument) {
          const template = facts.evaluate(templateArgument, call.scope);
          if (template.kind !== 'string') continue;
          for (const name of safeTemplateVariables(template.value)) {
            const keyword = call.keywords.get(name);
            if (keyword) hits.push({ sink, node: keyword.value, call });
          }
        }
      }
    }
  }
  return hits;
}

/** Variables a Jinja template renders without escaping: `{{ answer|safe }}`, or anything inside `{% autoescape false %}`. */
export function safeTemplateVariables(template: string): Set<string> {
  const names = new Set<string>();
  for (const match of template.matchAll(/\{\{-?\s*([A-Za-z_]\w*)[^}]*?\|\s*safe\b/g)) names.add(match[1]!);
  for (const block of template.matchAll(/\{%-?\s*autoescape\s+false\s*-?%\}([\s\S]*?)\{%-?\s*endautoescape\s*-?%\}/g)) {
    for (const match of block[1]!.matchAll(/\{\{-?\s*([A-Za-z_]\w*)/g)) names.add(match[1]!);
  }
  return names;
}

export type FlowSinkArgument = string | ArgumentSelector;

function literalEntries(facts: PythonFacts, dictionary: Node): Map<string, { node: Node; literal?: string }> {
  const entries = new Map<string, { node: Node; literal?: string }>();
  for (const pair of dictionary.namedChildren) {
    if (pair?.type !== 'pair') continue;
    const key = pair.childForFieldName('key');
    const value = pair.childForFieldName('value');
    if (!key || !value) continue;
    const scope = facts.scopeAt(pair);
    const keyValue = facts.evaluate(key, scope);
    if (keyValue.kind !== 'string') continue;
    const literal = facts.evaluate(value, scope);
    entries.set(keyValue.value, { node: value, ...(literal.kind === 'string' ? { literal: literal.value } : {}) });
  }
  return entries;
}

// ------------------------------------------------------------------ helpers

function step(tracked: Tracked, node: Node, note: string): Tracked {
  return { ...tracked, steps: [...tracked.steps, { node, note }] };
}

function embed(tracked: Tracked, node: Node, delimited: boolean): Tracked {
  return { ...tracked, embeddings: [...tracked.embeddings, { node, delimited }] };
}

function contains(outer: Node, inner: Node): boolean {
  return inner.startIndex >= outer.startIndex && inner.endIndex <= outer.endIndex;
}

/** A definition always runs before a later use when the block holding it also holds the use. */
function dominates(definition: Node, use: Node): boolean {
  if (definition.type === 'parameters' || definition.parent?.type === 'parameters') return true;
  for (let current: Node | null = definition.parent; current; current = current.parent) {
    if (current.type === 'block' || current.type === 'module') return contains(current, use);
  }
  return false;
}

/** `name` or a dotted path of names (`self.reply`), the keys definitions are recorded under. */
function pathKey(node: Node): string | undefined {
  if (node.type === 'identifier') return node.text;
  if (node.type !== 'attribute') return undefined;
  const object = node.childForFieldName('object');
  const attribute = node.childForFieldName('attribute');
  const base = object ? pathKey(object) : undefined;
  return base && attribute ? `${base}.${attribute.text}` : undefined;
}

function identifiersIn(target: Node): Node[] {
  if (target.type === 'identifier') return [target];
  if (PATTERN_TYPES.has(target.type) || target.type === 'list_splat_pattern' || target.type === 'as_pattern_target') {
    return target.namedChildren.flatMap((child) => (child ? identifiersIn(child) : []));
  }
  return [];
}

/** `a, b = x, y`: the element of the value that `target` takes, when both sides line up. */
function matchingElement(pattern: Node, target: Node, value: Node): Node | undefined {
  const targets = pattern.namedChildren.filter((child): child is Node => child !== null);
  const index = targets.findIndex((child) => child.id === target.id);
  if (index < 0 || !['tuple', 'list', 'expression_list', 'pattern_list'].includes(value.type)) return undefined;
  const values = value.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
  if (values.length !== targets.length || values.some((v) => v.type === 'list_splat') || targets.some((t) => t.type === 'list_splat_pattern')) return undefined;
  return values[index];
}

/** The callee as written, following local assignments: `db.as_retriever().invoke`, `self.client.chat.completions.create`. */
export function writtenName(file: FileFlowFacts, node: Node, scope: Scope, depth = 0): string | undefined {
  if (depth > 6) return undefined;
  switch (node.type) {
    case 'identifier': {
      const definitions = file.reaching(node.text, scope, node);
      const only = definitions.length === 1 ? definitions[0] : undefined;
      if (only?.kind === 'assign' && only.value && (only.value.type === 'call' || only.value.type === 'attribute')) {
        return writtenName(file, only.value, scope, depth + 1) ?? node.text;
      }
      return node.text;
    }
    case 'attribute': {
      const object = node.childForFieldName('object');
      const base = object ? writtenName(file, object, scope, depth + 1) : undefined;
      return base ? `${base}.${node.childForFieldName('attribute')?.text ?? ''}` : undefined;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      const base = callee ? writtenName(file, callee, scope, depth + 1) : undefined;
      return base ? `${base}()` : undefined;
    }
    case 'parenthesized_expression':
      return node.namedChildren[0] ? writtenName(file, node.namedChildren[0], scope, depth + 1) : undefined;
    default:
      return undefined;
  }
}

/** A callee as a reader recognises it, short: `client.chat.completions.create`, `ChatOpenAI(…).invoke`. */
export function shortCallee(node: Node): string {
  switch (node.type) {
    case 'identifier':
      return node.text;
    case 'attribute': {
      const object = node.childForFieldName('object');
      return `${object ? shortCallee(object) : '…'}.${node.childForFieldName('attribute')?.text ?? ''}`;
    }
    case 'call': {
      const callee = node.childForFieldName('function');
      return `${callee ? shortCallee(callee) : '…'}(…)`;
    }
    default:
      return '…';
  }
}

// ------------------------------------------------------------------ delimiters

const OPENING = /(<[A-Za-z][\w.:-]*(\s[^<>]*)?>|```[\w-]*|"""|'''|-{3,}|={3,}|#{3,}[^\n]*|\[[A-Z][A-Z0-9 _-]*\]|<{3,}[^\n]*|\{\{\{)\s*$/;
const CLOSING = /^\s*(<\/[A-Za-z][\w.:-]*>|```|"""|'''|-{3,}|={3,}|#{3,}|\[\/?[A-Z][A-Z0-9 _-]*\]|>{3,}|\}\}\})/;

/** Whether a value placed between `before` and `after` (the literal text around it) is delimited. */
export function isDelimited(before: string, after: string): boolean {
  // Literal text as written: `\n` escapes count as the line breaks they stand for.
  const written = (text: string): string => text.replace(/\\[ntr]/g, '\n');
  return OPENING.test(written(before)) && CLOSING.test(written(after));
}

function stripQuotes(text: string, side: 'start' | 'end'): string {
  // string_start / string_end children hold the quotes and prefix (f", """): not part of the text.
  return side === 'start' ? text.replace(/^[A-Za-z]*("""|'''|"|')/, '') : text.replace(/("""|'''|"|')$/, '');
}

/** Decoded text of a literal expression, for `+` and `.format` templates; undefined when not a literal. */
function literalText(node: Node | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'string' && !node.namedChildren.some((child) => child?.type === 'interpolation')) {
    return node.namedChildren.filter((child) => child?.type === 'string_content' || child?.type === 'escape_sequence').map((child) => (child!.type === 'escape_sequence' && child!.text === '\\n' ? '\n' : child!.text)).join('');
  }
  if (node.type === 'string' || node.type === 'concatenated_string') return node.text;
  return undefined;
}

/** `"<docs>" + x + "</docs>"`: the literal parts right before and after the tracked operand. */
function concatenationDelimited(node: Node, isTracked: (operand: Node) => boolean): boolean {
  const operands: Node[] = [];
  const flatten = (current: Node): void => {
    if (current.type === 'binary_operator' && current.childForFieldName('operator')?.text === '+') {
      const left = current.childForFieldName('left');
      const right = current.childForFieldName('right');
      if (left) flatten(left);
      if (right) flatten(right);
    } else operands.push(current);
  };
  flatten(node);
  const index = operands.findIndex(isTracked);
  if (index < 0) return false;
  const before = literalText(operands[index - 1]);
  const after = literalText(operands[index + 1]);
  return before !== undefined && after !== undefined && isDelimited(before, after);
}

/** `TEMPLATE.format(context=docs)`: the text around `{context}` (or `{0}`, `{}`) in the template. */
function formatDelimited(facts: PythonFacts, template: Node, placeholder: string): boolean {
  const value = facts.evaluate(template, facts.scopeAt(template));
  if (value.kind !== 'string') return false;
  const text = value.value;
  let index = text.indexOf(placeholder);
  let length = placeholder.length;
  if (index < 0 && /^\{\d+\}$/.test(placeholder)) {
    index = text.indexOf('{}');
    length = 2;
  }
  return index >= 0 && isDelimited(text.slice(0, index), text.slice(index + length));
}
