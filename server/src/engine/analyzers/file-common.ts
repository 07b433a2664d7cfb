/**
 * What the analyzers of non-Python files share: splitting text into located lines, `#` comments
 * (for suppressions), and running the file checks over the facts they built.
 */
import { runFileChecks } from '../checks/files';
import type { FileFacts } from '../files/facts';
import { fileLine, type LocatedLine } from '../files/located-text';
import type { InputProblem } from '../types';
import type { AnalyzerInput, AnalyzerOutput } from './types';

export function fileLines(text: string): LocatedLine[] {
  return text.split('\n').map((line, index) => fileLine(line.endsWith('\r') ? line.slice(0, -1) : line, index));
}

/** `# …` comments by line: a `#` at the start of a line or after whitespace (not inside a URL fragment like `#egg=`). */
export function hashComments(text: string): Map<number, string> {
  const comments = new Map<number, string>();
  text.split('\n').forEach((line, index) => {
    const match = /(?:^|\s)(#.*)$/.exec(line);
    if (match) comments.set(index, match[1]!);
  });
  return comments;
}

export function fileOutput(input: AnalyzerInput, facts: FileFacts, problems: InputProblem[] = []): AnalyzerOutput {
  const findings = runFileChecks(
    input.rules.map((compiled) => compiled.rule),
    facts,
    { file: input.file, projectRoot: input.projectRoot },
  );
  return { findings, problems, comments: () => hashComments(input.text), parsed: true };
}
