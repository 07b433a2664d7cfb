/**
 * The TS/JS analysis behind analyzers/typescript.ts (loaded on first use: ts-morph is heavy).
 * Each analysis parses the file with the TypeScript compiler's parser (ts-morph re-exports it),
 * walks it once for facts and runs the rules. No type checker, no lib files, no module resolution.
 */
import * as path from 'node:path';
import { ts } from 'ts-morph';
import type { RawFinding } from '../python/run-rules';
import { guardRule } from '../guard';
import { isCallMatch, isFlowMatch } from '../rules/match-kinds';
import type { InputProblem } from '../types';
import type { AnalyzerInput, AnalyzerOutput } from '../analyzers/types';
import { runTsCheck } from './checks';
import { flowOptionsFromMatch, runTsFlow } from './checks/llm-output-flow';
import type { TsConditionContext } from './conditions';
import { TsFacts } from './facts';
import { runTsCallRule } from './run-rules';

const SCRIPT_KINDS: Record<string, ts.ScriptKind> = {
  '.ts': ts.ScriptKind.TS,
  '.mts': ts.ScriptKind.TS,
  '.cts': ts.ScriptKind.TS,
  '.tsx': ts.ScriptKind.TSX,
  '.js': ts.ScriptKind.JS,
  '.mjs': ts.ScriptKind.JS,
  '.cjs': ts.ScriptKind.JS,
  '.jsx': ts.ScriptKind.JSX,
};

export class TsWorkspace {
  analyze(input: AnalyzerInput): AnalyzerOutput {
    const extension = path.extname(input.file).toLowerCase();
    const scriptKind = SCRIPT_KINDS[extension] ?? ts.ScriptKind.TS;
    // The compiler's own parser, without a ts-morph Project: removing a file from a Project walks
    // its wrapped nodes with their comments, quadratic on a long line (47 s on a 300 kB one).
    const sourceFile = ts.createSourceFile(`/atlas-lens/file${extension || '.ts'}`, input.text, ts.ScriptTarget.ESNext, true, scriptKind);
    const facts = new TsFacts(sourceFile);
    return { ...runTsRules(facts, input), parsed: true };
  }
}

export function runTsRules(facts: TsFacts, input: AnalyzerInput): Omit<AnalyzerOutput, 'parsed'> {
  const context: TsConditionContext = { facts, file: input.file, projectRoot: input.projectRoot, pathExists: input.pathExists };
  const findings: RawFinding[] = [];
  for (const compiled of input.rules) {
    const match = compiled.rule.match;
    guardRule(findings, compiled.rule.id, () => {
      if (isCallMatch(match)) return runTsCallRule(compiled, match, context);
      if (isFlowMatch(match)) return runTsFlow(compiled.rule, flowOptionsFromMatch(match.flow), context);
      return 'check' in match ? runTsCheck(compiled.rule, match.check, match.options ?? {}, context) : [];
    });
  }
  const problems: InputProblem[] = [];
  const diagnostics = (facts.sourceFile as ts.SourceFile & { parseDiagnostics?: readonly ts.Diagnostic[] }).parseDiagnostics ?? [];
  const first = diagnostics[0];
  if (first) {
    const where = facts.sourceFile.getLineAndCharacterOfPosition(first.start ?? 0);
    problems.push({ file: input.file, line: where.line, character: where.character, message: 'syntax error; the parts that parse were analysed', severity: 'info' });
  }
  // Read now, while the source file is alive, and only if something could be suppressed.
  const comments = findings.length > 0 ? facts.comments : new Map<number, string>();
  return { findings, problems, comments: () => comments };
}
