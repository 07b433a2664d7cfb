/**
 * The Python analyzer: tree-sitter parse, shared facts, then declarative call rules and checks.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { runCheck } from '../checks';
import { BudgetExceeded, guardRule, parseProgress } from '../guard';
import type { ConditionContext } from '../python/conditions';
import { commentsByLine, definitionName, isTopLevelDefinition, PythonFacts } from '../python/facts';
import { runCallRule, type CompiledRule, type RawFinding } from '../python/run-rules';
import { runFlowRule } from '../python/run-flow';
import { isCallMatch, isFlowMatch } from '../rules/schema';
import { mayHoldSuppressions } from '../suppressions';
import type { InputProblem } from '../types';
import { notAnalysed, type AnalyzerInput, type AnalyzerOutput, type FileAnalyzer } from './types';

/**
 * Rules whose findings inside a top-level function or class depend only on that definition's
 * text and on the module level around it (imports, constants, the names defined): call rules and
 * the checks listed here. Route rules look at the whole app, flow messages name line numbers and
 * the key fix edits the top of the file, so those keep the file whole.
 */
const DEFINITION_LOCAL_CHECKS = new Set(['download-without-checksum', 'llm-call-in-unbounded-loop', 'load-inspected-artifact']);

function isDefinitionLocal(compiled: CompiledRule): boolean {
  const match = compiled.rule.match;
  if (isCallMatch(match)) return true;
  return !isFlowMatch(match) && DEFINITION_LOCAL_CHECKS.has(match.check);
}

/** Findings of one top-level definition, lines relative to its first line. */
interface DefinitionFindings {
  findings: RawFinding[];
}

interface IncrementalState {
  /** Active rules, project root and the module level outside definitions: what every definition's findings depend on. */
  signature: string;
  /** By the definition's exact text. */
  definitions: Map<string, DefinitionFindings>;
}

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
    const tree = this.parser.parse(input.text, null, { progressCallback: progress.callback });
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
   */
  analyzeTree(input: AnalyzerInput, tree: Tree): AnalyzerOutput {
    if (!input.rules.every(isDefinitionLocal)) {
      this.incremental.delete(input.file);
      return { ...runPythonRules(new PythonFacts(tree), input), parsed: true };
    }
    const text = input.text;
    const children = tree.rootNode.namedChildren.filter((child): child is Node => child !== null && child.type !== 'comment');
    const definitions = children.filter(isTopLevelDefinition);
    const signature = [
      input.rules.map((compiled) => compiled.rule.id).join(','),
      input.projectRoot ?? '',
      definitions.map((definition) => definitionName(definition) ?? '').join(','),
      ...children.filter((child) => !isTopLevelDefinition(child)).map((child) => text.slice(child.startIndex, child.endIndex)),
    ].join('\u0000');
    const previous = this.incremental.get(input.file);
    const known = previous?.signature === signature ? previous.definitions : new Map<string, DefinitionFindings>();
    const textOf = (node: Node) => text.slice(node.startIndex, node.endIndex);

    const output = runPythonRules(new PythonFacts(tree, { reuse: (definition) => known.has(textOf(definition)) }), input);
    const findings: RawFinding[] = [];
    const fresh = [...output.findings];
    const next = new Map<string, DefinitionFindings>();
    for (const definition of definitions) {
      const key = textOf(definition);
      const first = definition.startPosition.row;
      const last = definition.endPosition.row;
      let entry = known.get(key);
      if (!entry) {
        const inside = fresh.filter((finding) => finding.range.start.line >= first && finding.range.start.line <= last);
        entry = { findings: inside.map((finding) => shiftFinding(finding, -first)) };
      }
      next.set(key, entry);
      findings.push(...entry.findings.map((finding) => shiftFinding(finding, first)));
    }
    // What the module level itself reported.
    findings.push(...fresh.filter((finding) => !definitions.some((d) => finding.range.start.line >= d.startPosition.row && finding.range.start.line <= d.endPosition.row)));

    this.incremental.delete(input.file);
    this.incremental.set(input.file, { signature, definitions: next });
    if (this.incremental.size > MAX_INCREMENTAL_FILES) this.incremental.delete(this.incremental.keys().next().value!);
    const comments = findings.length > 0 && mayHoldSuppressions(text) ? commentsByLine(tree) : new Map<number, string>();
    return { findings, problems: output.problems, comments: () => comments, parsed: true };
  }
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
export function runPythonRules(facts: PythonFacts, input: AnalyzerInput): Omit<AnalyzerOutput, 'parsed'> {
  const context: ConditionContext = { facts, file: input.file, projectRoot: input.projectRoot, pathExists: input.pathExists };
  const findings: RawFinding[] = [];
  for (const compiled of input.rules) {
    const rule = compiled.rule;
    guardRule(findings, rule.id, () => {
      if (isFlowMatch(rule.match)) return runFlowRule(rule, facts, context);
      return isCallMatch(rule.match) ? runCallRule(compiled, facts.calls, context, input.text) : runCheck(rule, rule.match, facts, context, input.text);
    });
  }
  const problems: InputProblem[] = [];
  if (facts.tree.rootNode.hasError) {
    const error = firstError(facts.tree.rootNode);
    problems.push({ file: input.file, line: error?.row ?? 0, character: error?.column ?? 0, message: 'syntax error; the parts that parse were analysed', severity: 'info' });
  }
  // Read now, while the tree is alive (the caller may delete it), and only if something could be suppressed.
  const comments = findings.length > 0 && mayHoldSuppressions(input.text) ? facts.comments : new Map<number, string>();
  return { findings, problems, comments: () => comments };
}

function firstError(root: Node): { row: number; column: number } | undefined {
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
