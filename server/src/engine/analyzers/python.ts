/**
 * The Python analyzer: tree-sitter parse, shared facts, then declarative call rules and checks.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import type { TextSource } from '../chunked-text';
import { textInput } from '../python/parser';
import { ArtifactRecorder, dependenciesUnchanged, shiftReference, type ArtifactDependency, type ArtifactReference } from '../artifacts/references';
import { DEFINITION_LOCAL_CHECKS, runCheck } from '../checks';
import { mergeLoadFindings } from '../checks/loaded-artifact';
import { BudgetExceeded, guardRule, parseProgress } from '../guard';
import type { ConditionContext } from '../python/conditions';
import { parsedFrom, syntaxOfTree, type PythonSyntax, type TextEdit } from '../python/document-tree';
import { commentsByLine, definitionName, PythonFacts, reusedDefinitionOf, type CallFact, type ReusedDefinition } from '../python/facts';
import { runCallRule, type CompiledRule, type RawFinding } from '../python/run-rules';
import { runFlowRule } from '../python/run-flow';
import { isGradioHandlerCall } from '../python/web-routes';
import { isCallMatch, isFlowMatch } from '../rules/match-kinds';
import type { InputProblem } from '../types';
import { commentsMayMatter, notAnalysed, type AnalyzerInput, type AnalyzerOutput, type FileAnalyzer, type TreeAnalyzerInput } from './types';

/**
 * Rules whose findings inside a top-level function or class depend only on that definition's
 * text and on the module level around it (imports, constants, the names defined): call rules,
 * flows (their tracking stays in one function, python/dataflow.ts) and the checks of
 * DEFINITION_LOCAL_CHECKS (checks/index.ts). On a document's tree only the definitions an edit
 * touched are analysed again for such rules: the engine lets them run there without their text
 * filters, which would read the whole text at every keystroke to spare less.
 */
export function isDefinitionLocal(compiled: CompiledRule): boolean {
  const match = compiled.rule.match;
  if (isCallMatch(match) || isFlowMatch(match)) return true;
  return DEFINITION_LOCAL_CHECKS.has(match.check);
}

/**
 * The calls from which an active rule looks into other definitions than their own in a way the
 * module's bindings do not tell (see DEFINITION_LOCAL_CHECKS): a flow from a handler's parameters
 * takes its handlers from Gradio calls, which name functions defined anywhere.
 */
function reachTests(rules: readonly CompiledRule[]): Array<(facts: PythonFacts, call: CallFact) => boolean> {
  const tests = new Set<(facts: PythonFacts, call: CallFact) => boolean>();
  for (const compiled of rules) {
    const match = compiled.rule.match;
    if (isCallMatch(match)) continue;
    const fromHandlerParameters = isFlowMatch(match) && match.flow.sources.some((source) => source['route-parameters']);
    const reaches = isFlowMatch(match) ? (fromHandlerParameters ? isGradioHandlerCall : undefined) : DEFINITION_LOCAL_CHECKS.get(match.check)?.reachesBeyond;
    if (reaches) tests.add(reaches);
  }
  return [...tests];
}

/** A message template that names lines (`{line}`, `{path}`): its text changes when its definition moves. */
const NAMES_LINES = /\{(line|path)\}/;

/** Per compiled rule, whether its messages may name lines (its templates do not change: read once). */
const namesLinesByRule = new WeakMap<CompiledRule, boolean>();

function messagesNameLines(compiled: CompiledRule): boolean {
  let names = namesLinesByRule.get(compiled);
  if (names === undefined) {
    const { rule } = compiled;
    const sinkMessages = isFlowMatch(rule.match) ? rule.match.flow.sinks.map((sink) => sink.message ?? '') : [];
    names = [rule.message, ...sinkMessages].some((message) => NAMES_LINES.test(message));
    namesLinesByRule.set(compiled, names);
  }
  return names;
}

/** The active rules whose messages may name lines: a flow's path, the line of an unbounded loop. */
function lineNamingRules(rules: readonly CompiledRule[]): Set<string> {
  const naming = new Set<string>();
  for (const compiled of rules) if (messagesNameLines(compiled)) naming.add(compiled.rule.id);
  return naming;
}

/** What is kept of one top-level definition between analyses of a document. */
interface DefinitionEntry {
  /** Its exact text (a copy, so that the document text it came from can be freed). */
  text: string;
  /** Column it starts at (its findings are kept relative to its first line only). */
  column: number;
  /**
   * Whether it parsed without a syntax error. Only such an entry is reused: a definition's nodes
   * then follow from its text alone, while error recovery may parse the same text differently
   * depending on what is around it.
   */
  clean: boolean;
  reused: ReusedDefinition;
  /** Its findings, lines relative to its first line. */
  findings: RawFinding[];
  /** Model files its load calls read (lines relative to its first line): reused only while they are unchanged on disk. */
  artifacts: ArtifactReference[];
  dependencies: ArtifactDependency[];
  /** It holds a call from which a rule looks past it (reachTests): the file is then analysed whole. */
  reachesBeyond: boolean;
  /**
   * The first line it was analysed at, when a finding's message names lines (lineNamingRules):
   * such an entry is reused at that line only, where its messages still hold.
   */
  linesNamedAt?: number;
  /** The findings last placed, and at which first line (most definitions do not move between keystrokes). */
  placed?: { first: number; findings: RawFinding[] };
}

/** What every definition's findings depend on besides its own text: */
interface IncrementalState {
  /** the active rules and the project root; */
  setup: string;
  /** the definitions' names, in order; */
  names: string[];
  /** the module's other bindings (moduleBindings); */
  bindings: string;
  /** whether some call reached past its definition (reachTests): then none of its entries is reused. */
  reachedBeyond: boolean;
  /** The tree or syntax analysed (compared by identity only: it may have been deleted since) and where each definition was in its text. */
  analysed: Tree | PythonSyntax;
  placements: Placement[];
  /**
   * The entries by exact text, made from the placements when first needed (most keystrokes find
   * every definition by where the edits moved it). Not by node id: a node's id is the address of
   * its slot in its parent, and tree-sitter rebuilds the module's list nodes at every reparse, so
   * ids never carry over.
   */
  byText?: Map<string, DefinitionEntry>;
}

/** The definitions holding a call that passes one of `reaches`, and whether one is at module level. */
function reachingCalls(facts: PythonFacts, definitions: readonly Definition[], reaches: ReturnType<typeof reachTests>): { owners: Set<Definition>; moduleLevel: boolean } {
  const owners = new Set<Definition>();
  let moduleLevel = false;
  if (reaches.length === 0) return { owners, moduleLevel };
  for (const call of facts.calls) {
    if (!reaches.some((test) => test(facts, call))) continue;
    const start = call.node.startIndex;
    const owner = lastStartingBy(definitions, start);
    if (owner && start < owner.end) owners.add(owner);
    else moduleLevel = true;
  }
  return { owners, moduleLevel };
}

/** A definition's offsets in the text of one analysis. */
interface Placement {
  start: number;
  end: number;
  entry: DefinitionEntry;
}

/** A top-level definition of the text being analysed, with the entry found for it (if any). */
interface Definition {
  node: Node;
  start: number;
  end: number;
  /** Its first line. */
  first: number;
  /** Its text, when it was sliced to be looked up. */
  text: string | undefined;
  entry: DefinitionEntry | undefined;
  clean: boolean;
  /** Where it binds its name (see moduleBindings). */
  nameAt?: number;
}

function entriesByText(state: IncrementalState): Map<string, DefinitionEntry> {
  if (!state.byText) {
    state.byText = new Map();
    for (const placement of state.placements) state.byText.set(placement.entry.text, placement.entry);
  }
  return state.byText;
}

/** The last definition starting at or before `offset`, by bisection (definitions are in document order). */
function lastStartingBy<T extends { start: number }>(definitions: readonly T[], offset: number): T | undefined {
  let low = 0;
  let high = definitions.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (definitions[middle]!.start <= offset) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  return definitions[found];
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Above this many edits between two analyses, definitions are matched by their text only. */
const MAX_CARRIED_EDITS = 256;

const MAX_INCREMENTAL_FILES = 32;

export class PythonAnalyzer implements FileAnalyzer {
  readonly kind = 'python' as const;
  readonly ruleLanguages = ['python'] as const;
  /** Per open document: findings of its top-level definitions, reused while their text is unchanged. */
  private readonly incremental = new Map<string, IncrementalState>();

  constructor(private readonly parser: Parser) {}

  /** Drops what analyzeTree kept for `file` (its last run was cut short by a limit: incomplete). */
  forgetIncremental(file: string): void {
    this.incremental.delete(file);
  }

  analyze(input: AnalyzerInput): AnalyzerOutput {
    const progress = parseProgress();
    const tree = this.parser.parse(textInput(input.text), null, { progressCallback: progress.callback });
    if (!tree) {
      this.parser.reset(); // a cancelled parse would otherwise resume on the next file
      if (progress.cancelled()) throw new BudgetExceeded('while parsing', 0);
      return notAnalysed(input.file, 'the parser gave up on this file');
    }
    try {
      return { ...runPythonRules(new PythonFacts(tree), input), parsed: true };
    } finally {
      tree.delete();
    }
  }

  /**
   * On a tree the caller owns and keeps current as the document is edited (the language server);
   * it is not deleted here. Re-analyses only the top-level definitions whose text changed since
   * the last call for this file, when every active rule allows it; otherwise the whole file.
   * Per keystroke this costs the changed definitions plus a few operations per top-level
   * statement (no pass over the whole text, no walk of the whole tree).
   */
  analyzeTree(input: TreeAnalyzerInput, given: Tree | PythonSyntax): AnalyzerOutput {
    const wholeTree = 'rootNode' in given;
    // Rules that look at the whole file, and the syntax error's place, need the whole tree.
    if (!input.rules.every(isDefinitionLocal) || (!wholeTree && given.replaced.length > 0 && input.syntaxErrorProblems !== false)) {
      this.incremental.delete(input.file);
      return { ...runPythonRules(new PythonFacts(wholeTree ? given : given.whole()), input), parsed: true };
    }
    const { tree, topLevel, replaced } = wholeTree ? syntaxOfTree(given) : given;
    const text = input.text;
    const previous = this.incremental.get(input.file);
    // When the tree was reparsed straight from the last one analysed, the definitions no edit
    // touched are found by where the edits moved them, without comparing (or hashing) their text:
    // at each keystroke that would be a pass over the whole file.
    const link = previous ? parsedFrom(given) : undefined;
    const carried = link && link.from === previous!.analysed && link.edits.length <= MAX_CARRIED_EDITS ? carryOver(previous!.placements, link.edits) : undefined;
    let next = 0; // the first carried placement not yet passed (both lists are in document order)
    // Each definition with the entry its text had last time (still to be confirmed by the signature).
    const definitions: Definition[] = [];
    const names: string[] = [];
    // A whole tree may have errors anywhere; definitions parsed on their own are only handed out
    // when nothing else has one, but one of them may (document-tree.ts), and is then not clean.
    const mayHaveErrors = replaced.length === 0 && tree.rootNode.hasError;
    const parsedAlone = (start: number) => replaced.some((own) => own.start === start);
    for (const child of topLevel) {
      // Each property read of a node is a call into the wasm parser: each is read once here.
      const type = child?.type;
      if (!child || (type !== 'function_definition' && type !== 'class_definition' && type !== 'decorated_definition')) continue;
      const startIndex = child.startIndex;
      const endIndex = child.endIndex;
      const start = child.startPosition;
      while (carried && next < carried.length && carried[next]!.start < startIndex) next++;
      const moved = carried?.[next]?.start === startIndex ? carried[next] : undefined;
      const clean = !(mayHaveErrors || parsedAlone(startIndex)) || !child.hasError;
      // The text is only sliced (and looked up) for a definition the edits did not simply move.
      let childText: string | undefined;
      let entry = !clean ? undefined : moved?.end === endIndex ? moved.entry : previous ? entriesByText(previous).get((childText = text.slice(startIndex, endIndex))) : undefined;
      if (entry && (entry.column !== start.column || !entry.clean || (entry.linesNamedAt !== undefined && entry.linesNamedAt !== start.row))) entry = undefined;
      // A definition whose load calls' model files changed on disk is analysed again.
      if (entry && !dependenciesUnchanged(entry.dependencies)) entry = undefined;
      definitions.push({ node: child, start: startIndex, end: endIndex, first: start.row, text: childText, entry, clean });
      names.push(entry ? entry.reused.name ?? '' : definitionName(child) ?? '');
    }
    const setup = `${input.rules.map((compiled) => compiled.rule.id).join(',')}\u0000${input.projectRoot ?? ''}`;
    // The facts are told which top-level nodes are reused definitions by their start (found by bisection: no map to build per keystroke).
    const reusedOf = (node: Node) => {
      const definition = lastStartingBy(definitions, node.startIndex);
      return definition?.node === node ? definition.entry?.reused : undefined;
    };
    const anyReused = definitions.some((definition) => definition.entry);
    let facts = new PythonFacts(tree, { reuse: reusedOf, topLevel, replaced });
    let bindings = moduleBindings(facts, text, definitions);
    const reaches = reachTests(input.rules);
    let reaching = reachingCalls(facts, definitions, reaches);
    const reachedBeyond = (): boolean => reaching.moduleLevel || reaching.owners.size > 0 || definitions.some((definition) => definition.entry?.reachesBeyond);
    if (anyReused && (reachedBeyond() || previous!.reachedBeyond || !(previous!.setup === setup && previous!.bindings === bindings && sameStrings(previous!.names, names)))) {
      // What the definitions see of the module changed, or a definition's findings may come from
      // another (now or at the last analysis, whose entries may hold such findings): analyse them all again.
      for (const definition of definitions) definition.entry = undefined;
      facts = new PythonFacts(tree, { topLevel, replaced });
      bindings = moduleBindings(facts, text, definitions);
      reaching = reachingCalls(facts, definitions, reaches);
    }

    // Comments are read below, once, for the findings put together.
    const output = runPythonRules(facts, { ...input, mayHoldSuppressions: false });
    // Fresh findings inside a re-analysed definition become its entry; the rest is module level.
    const fresh = new Map<DefinitionEntry | undefined, RawFinding[]>();
    const analysed = definitions.filter((definition) => !definition.entry);
    for (const definition of analysed) {
      const definitionText = definition.text ?? text.slice(definition.start, definition.end);
      definition.entry = {
        text: copyOf(definitionText),
        column: definition.node.startPosition.column,
        clean: definition.clean,
        reused: reusedDefinitionOf(definition.node),
        reachesBeyond: reaching.owners.has(definition),
        findings: [],
        artifacts: [],
        dependencies: [],
        // Every field from the start: entries of one shape keep V8's optimised code of this function valid.
        linesNamedAt: undefined,
        placed: undefined,
      };
      fresh.set(definition.entry, []);
    }
    const moduleLevel: RawFinding[] = [];
    for (const finding of output.findings) {
      const owner = containing(analysed, finding.range.start);
      if (owner) fresh.get(owner.entry)!.push(finding);
      // A module-level call's finding inside a reused definition (the verdict gate follows a name
      // assigned at module level into the functions below): that definition's entry holds it
      // already, found when it was last analysed, under the same module bindings.
      else if (!containing(definitions, finding.range.start)) moduleLevel.push(finding);
    }
    // Model-file references and their dependencies follow the same split.
    const artifacts: ArtifactReference[] = [];
    const dependencies: ArtifactDependency[] = [];
    const ownerOfLine = (line: number) => analysed.find((definition) => line >= definition.first && line <= definition.node.endPosition.row);
    for (const reference of output.artifacts ?? []) {
      const owner = ownerOfLine(reference.range.start.line);
      if (owner) owner.entry!.artifacts.push(shiftReference(reference, -owner.first));
      else artifacts.push(reference);
    }
    for (const dependency of output.artifactDependencies ?? []) {
      const owner = ownerOfLine(dependency.line);
      if (owner) owner.entry!.dependencies.push({ ...dependency, line: dependency.line - owner.first });
      else dependencies.push(dependency);
    }
    const lineNaming = lineNamingRules(input.rules);
    const findings: RawFinding[] = moduleLevel;
    for (const { first, entry } of definitions) {
      const inside = fresh.get(entry);
      if (inside) {
        if (inside.some((finding) => lineNaming.has(finding.ruleId))) entry!.linesNamedAt = first;
        entry!.findings = inside.map((finding) => shiftFinding(finding, -first));
        entry!.placed = { first, findings: inside };
      } else if (entry!.placed?.first !== first) {
        entry!.placed = { first, findings: entry!.findings.map((finding) => shiftFinding(finding, first)) };
      }
      findings.push(...entry!.placed!.findings);
      for (const reference of entry!.artifacts) artifacts.push(shiftReference(reference, first));
      for (const dependency of entry!.dependencies) dependencies.push({ ...dependency, line: dependency.line + first });
    }

    this.incremental.delete(input.file);
    this.incremental.set(input.file, { setup, names, bindings, reachedBeyond: reachedBeyond(), analysed: given, placements: definitions as Placement[] });
    if (this.incremental.size > MAX_INCREMENTAL_FILES) this.incremental.delete(this.incremental.keys().next().value!);
    const comments = commentsMayMatter(input, findings) ? commentsByLine(facts) : new Map<number, string>();
    return { findings, problems: output.problems, comments: () => comments, parsed: true, artifacts, artifactDependencies: dependencies };
  }
}

/**
 * What every definition's findings depend on outside itself besides the definitions' names (kept
 * apart, in order): the module scope's other bindings (name, kind, what is bound: import target
 * or the bound expression's text), in document order, each with the number of definitions that
 * start before it (a lookup from inside a definition takes the last binding before it). Module
 * statements that bind nothing do not count, so typing in top-level code or in a broken stretch
 * of the file does not throw away every definition's findings. A top-level definition's binding
 * of its own name is left out: the names say it, and a file of hundreds of functions would
 * otherwise make this a long string at every keystroke.
 */
function moduleBindings(facts: PythonFacts, text: TextSource, definitions: Definition[]): string {
  const events: Array<{ at: number; key: string }> = [];
  facts.module.bindings.forEach((bindings, name) => {
    for (const binding of bindings) {
      if (binding.kind === 'opaque' && isDefinitionNameBinding(definitions, binding.at)) continue;
      const bound = binding.kind === 'assign' || binding.kind === 'with' ? binding.value : binding.kind === 'annotated' ? binding.type : undefined;
      const content = binding.kind === 'import' ? binding.qualified : bound ? text.slice(bound.startIndex, bound.endIndex) : '';
      events.push({ at: binding.at, key: `${name}\u0002${binding.kind}\u0002${content}` });
    }
  });
  events.sort((a, b) => a.at - b.at || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  const parts: string[] = [];
  let before = 0;
  for (const event of events) {
    while (before < definitions.length && definitions[before]!.start <= event.at) before++;
    parts.push(`${before}\u0002${event.key}`);
  }
  return parts.join('\u0000');
}

/**
 * Whether a module binding at `offset` is a top-level definition binding its name: `def`/`class`
 * binds at the definition itself (after any decorators), as a reused definition does.
 */
function isDefinitionNameBinding(definitions: Definition[], offset: number): boolean {
  const definition = lastStartingBy(definitions, offset);
  if (!definition || offset >= definition.end) return false;
  definition.nameAt ??= definition.start + (definition.entry ?? { reused: reusedDefinitionOf(definition.node) }).reused.nameOffset;
  return offset === definition.nameAt;
}

/**
 * Where the definitions of the last analysis are in the new text, for those no edit touched
 * (every edit ends before the definition starts or starts after it ends), at their new offsets,
 * in document order: their text is the same, only moved by the edits before them.
 */
function carryOver(placements: readonly Placement[], edits: readonly TextEdit[]): Placement[] {
  const carried: Placement[] = [];
  for (const placement of placements) {
    let { start, end } = placement;
    let intact = true;
    for (const edit of edits) {
      if (edit.oldEnd <= start) {
        const delta = edit.newEnd - edit.oldEnd;
        start += delta;
        end += delta;
      } else if (edit.start < end) {
        intact = false;
        break;
      }
    }
    if (intact) carried.push({ start, end, entry: placement.entry });
  }
  return carried;
}

/** A copy of a slice that does not keep the whole text it was sliced from alive. */
function copyOf(slice: string): string {
  return (slice + ' ').slice(0, -1);
}

/** The definition (in document order, not overlapping) whose range holds a position. */
function containing<T extends { node: Node }>(definitions: readonly T[], position: { line: number; character: number }): T | undefined {
  const before = (a: { row: number; column: number }) => a.row < position.line || (a.row === position.line && a.column <= position.character);
  let low = 0;
  let high = definitions.length - 1;
  let found = -1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    if (before(definitions[middle]!.node.startPosition)) {
      found = middle;
      low = middle + 1;
    } else high = middle - 1;
  }
  const candidate = found >= 0 ? definitions[found] : undefined;
  if (!candidate) return undefined;
  const end = candidate.node.endPosition;
  return position.line < end.row || (position.line === end.row && position.character < end.column) ? candidate : undefined;
}

function shiftPosition<T extends { line: number; character: number }>(position: T, lines: number): T {
  return { ...position, line: position.line + lines };
}

function shiftRange<T extends { start: { line: number; character: number }; end: { line: number; character: number } }>(range: T, lines: number): T {
  return { ...range, start: shiftPosition(range.start, lines), end: shiftPosition(range.end, lines) };
}

/** The same finding `lines` lines further down (definitions move as a whole when lines are added above them). */
function shiftFinding(finding: RawFinding, lines: number): RawFinding {
  if (lines === 0) return finding;
  return {
    ...finding,
    range: shiftRange(finding.range, lines),
    statementLines: { first: finding.statementLines.first + lines, last: finding.statementLines.last + lines },
    ...(finding.fix ? { fix: { ...finding.fix, edits: finding.fix.edits.map((edit) => ({ ...edit, range: shiftRange(edit.range, lines) })) } } : {}),
    ...(finding.flow ? { flow: finding.flow.map((step) => ({ ...step, range: shiftRange(step.range, lines) })) } : {}),
  };
}

/** Runs the rules over facts already computed (the notebook analyzer reuses this per cell). */
export function runPythonRules(facts: PythonFacts, input: TreeAnalyzerInput): Omit<AnalyzerOutput, 'parsed'> {
  const artifacts = new ArtifactRecorder();
  const context: ConditionContext = { facts, file: input.file, projectRoot: input.projectRoot, pathExists: input.pathExists, artifacts };
  let findings: RawFinding[] = [];
  for (const compiled of input.rules) {
    const rule = compiled.rule;
    guardRule(findings, rule.id, () => {
      if (isFlowMatch(rule.match)) return runFlowRule(rule, facts, context);
      return isCallMatch(rule.match) ? runCallRule(compiled, facts.calls, context, input.text) : runCheck(rule, rule.match, facts, context, input.text);
    });
  }
  findings = mergeLoadFindings(findings, artifacts);
  const problems: InputProblem[] = [];
  if (input.syntaxErrorProblems !== false && facts.tree.rootNode.hasError) {
    const error = firstError(facts.tree.rootNode);
    problems.push({ file: input.file, line: error?.row ?? 0, character: error?.column ?? 0, message: 'syntax error; the parts that parse were analysed', severity: 'info' });
  }
  // Read now, while the tree is alive (the caller may delete it), and only if something could be suppressed.
  const comments = commentsMayMatter(input, findings) ? facts.comments : new Map<number, string>();
  return { findings, problems, comments: () => comments, artifacts: artifacts.references, artifactDependencies: artifacts.dependencies };
}

function firstError(root: Node): { row: number; column: number } | undefined {
  // A walk over every node up to the error. Pruning it with hasError was tried: on some trees
  // with a MISSING token no child of a node with hasError reports one, so the walk stays whole.
  const cursor = root.walk();
  try {
    // Depth-first until the first ERROR or MISSING node.
    for (;;) {
      if (cursor.nodeType === 'ERROR' || cursor.nodeIsMissing) return cursor.startPosition;
      if (cursor.gotoFirstChild()) continue;
      while (!cursor.gotoNextSibling()) if (!cursor.gotoParent()) return undefined;
    }
  } finally {
    cursor.delete();
  }
}
