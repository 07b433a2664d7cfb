/**
 * The TS/JS analysis behind analyzers/typescript.ts (loaded on first use: ts-morph is heavy).
 * Each analysis parses the file with the TypeScript compiler's parser (ts-morph re-exports it),
 * walks it once for facts and runs the rules. No type checker, no lib files, no module resolution.
 */
import * as path from 'node:path';
import { ts } from './compiler';
import type { RawFinding } from '../python/run-rules';
import { guardRule } from '../guard';
import { changedStretch } from '../text-diff';
import { isCallMatch, isFlowMatch } from '../rules/match-kinds';
import type { InputProblem } from '../types';
import { commentsMayMatter, type AnalyzerInput, type AnalyzerOutput } from '../analyzers/types';
import { runTsCheck } from './checks';
import { flowOptionsFromMatch, runTsFlow } from './checks/llm-output-flow';
import type { TsConditionContext } from './conditions';
import { TsFacts } from './facts';
import { runTsCallRule } from './run-rules';
import { SUPPRESSION_WORDS } from '../suppressions';

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

/** The compiler's incremental parse, through an object so that a test can make it throw. */
export const incrementalParser = { update: (sourceFile: ts.SourceFile, text: string, change: ts.TextChangeRange): ts.SourceFile => ts.updateSourceFile(sourceFile, text, change) };

/** How many files' last parse is kept for the next version of the same file (an open document's next keystroke). */
const KEPT_PARSES = 4;

interface KeptParse {
  text: string;
  scriptKind: ts.ScriptKind;
  sourceFile: ts.SourceFile;
}

export class TsWorkspace {
  /**
   * The last parse of the files analysed most recently, oldest first. The next version of one
   * (a keystroke in an open document) is parsed incrementally from it, as tsserver does: the
   * compiler reuses the nodes outside the change. Measured on a 5,000-line file: 70 → 17 ms for
   * the parse, and far less garbage to collect (a whole new tree at each keystroke was a third of
   * the time). A scan analyses each file once: only the last few trees stay alive.
   */
  private readonly kept = new Map<string, KeptParse>();

  analyze(input: AnalyzerInput): AnalyzerOutput {
    const extension = path.extname(input.file).toLowerCase();
    const scriptKind = SCRIPT_KINDS[extension] ?? ts.ScriptKind.TS;
    const facts = new TsFacts(this.parse(input.file, input.text, scriptKind, extension));
    return { ...runTsRules(facts, input), parsed: true };
  }

  private parse(file: string, text: string, scriptKind: ts.ScriptKind, extension: string): ts.SourceFile {
    const last = this.kept.get(file);
    this.kept.delete(file);
    let sourceFile: ts.SourceFile | undefined;
    if (last && last.scriptKind === scriptKind && last.text === text) sourceFile = last.sourceFile;
    else if (last && last.scriptKind === scriptKind) {
      // The old tree is given up to the new one (its reused nodes move): it is not kept. The
      // incremental parser asserts its own consistency; should an assertion ever throw, the text
      // is parsed from scratch below.
      try {
        sourceFile = incrementalParser.update(last.sourceFile, text, changeRange(last.text, text));
      } catch {
        sourceFile = undefined;
      }
    }
    // The compiler's own parser, without a ts-morph Project: removing a file from a Project walks
    // its wrapped nodes with their comments, quadratic on a long line (47 s on a 300 kB one).
    sourceFile ??= ts.createSourceFile(`/atlas-lens/file${extension || '.ts'}`, text, ts.ScriptTarget.ESNext, true, scriptKind);
    this.kept.set(file, { text, scriptKind, sourceFile });
    if (this.kept.size > KEPT_PARSES) this.kept.delete(this.kept.keys().next().value!);
    return sourceFile;
  }
}

/** The one stretch that differs between two versions of a text, as the compiler's incremental parser takes it. */
export function changeRange(before: string, after: string): ts.TextChangeRange {
  const { start, oldEnd, newEnd } = changedStretch(before, after);
  return { span: { start, length: oldEnd - start }, newLength: newEnd - start };
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
  // Read now, while the source file is alive, and only if something could be suppressed (the
  // engine's word scan says whether a suppression marker occurs at all).
  const comments = commentsMayMatter(input, findings) ? facts.commentsHolding(SUPPRESSION_WORDS) : new Map<number, string>();
  return { findings, problems, comments: () => comments };
}
