/**
 * The Python analyzer: tree-sitter parse, shared facts, then declarative call rules and checks.
 */
import type { Node, Parser, Tree } from 'web-tree-sitter';
import { runCheck } from '../checks';
import type { ConditionContext } from '../python/conditions';
import { PythonFacts } from '../python/facts';
import { runCallRule, type RawFinding } from '../python/run-rules';
import { runFlowRule } from '../python/run-flow';
import { isCallMatch, isFlowMatch } from '../rules/schema';
import type { InputProblem } from '../types';
import type { AnalyzerInput, AnalyzerOutput, FileAnalyzer } from './types';

export class PythonAnalyzer implements FileAnalyzer {
  readonly kind = 'python' as const;
  readonly ruleLanguages = ['python'] as const;

  constructor(private readonly parser: Parser) {}

  analyze(input: AnalyzerInput): AnalyzerOutput {
    const tree = this.parser.parse(input.text);
    if (!tree) return { findings: [], problems: [{ file: input.file, message: 'the parser gave up on this file', severity: 'warning' }], comments: () => new Map(), parsed: false };
    try {
      return this.analyzeTree(input, tree);
    } finally {
      tree.delete();
    }
  }

  /** On a tree the caller owns (the language server reparses incrementally); it is not deleted here. */
  analyzeTree(input: AnalyzerInput, tree: Tree): AnalyzerOutput {
    const facts = new PythonFacts(tree);
    return { ...runPythonRules(facts, input), parsed: true };
  }
}

/** Runs the rules over facts already computed (the notebook analyzer reuses this per cell). */
export function runPythonRules(facts: PythonFacts, input: AnalyzerInput): Omit<AnalyzerOutput, 'parsed'> {
  const context: ConditionContext = { facts, file: input.file, projectRoot: input.projectRoot, pathExists: input.pathExists };
  const findings: RawFinding[] = [];
  for (const compiled of input.rules) {
    const rule = compiled.rule;
    if (isFlowMatch(rule.match)) findings.push(...runFlowRule(rule, facts, context));
    else findings.push(...(isCallMatch(rule.match) ? runCallRule(compiled, facts.calls, context, input.text) : runCheck(rule, rule.match, facts, context, input.text)));
  }
  const problems: InputProblem[] = [];
  if (facts.tree.rootNode.hasError) {
    const error = firstError(facts.tree.rootNode);
    problems.push({ file: input.file, line: error?.row ?? 0, character: error?.column ?? 0, message: 'syntax error; the parts that parse were analysed', severity: 'info' });
  }
  // Read now, while the tree is alive (the caller may delete it), and only if something could be suppressed.
  const comments = findings.length > 0 ? facts.comments : new Map<number, string>();
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
