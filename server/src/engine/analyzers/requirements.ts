/**
 * requirements*.txt / constraints*.txt: requirement lines (PEP 508, with extras, markers and
 * `--hash` options) and pip options (`-i`, `--extra-index-url`, `--trusted-host`, `-e git+…`,
 * `--require-hashes`). `-r`/`-c` includes are files of their own and are analysed as such.
 */
import { emptyFacts, mergeFacts } from '../files/facts';
import { joinContinuations, type LocatedLine } from '../files/located-text';
import { readRequirementSpec } from '../files/requirement-spec';
import { readShellLine } from '../files/shell';
import { fileLines, fileOutput } from './file-common';
import type { AnalyzerInput, AnalyzerOutput, FileAnalyzer } from './types';

export class RequirementsAnalyzer implements FileAnalyzer {
  readonly kind = 'requirements' as const;
  readonly ruleLanguages = ['requirements'] as const;

  analyze(input: AnalyzerInput): AnalyzerOutput {
    let facts = emptyFacts();
    for (const line of joinContinuations(fileLines(input.text))) {
      // A comment starts at '#' at the line start or after whitespace.
      const comment = /(?:^|\s)#/.exec(line.text);
      const text = comment ? line.text.slice(0, comment.index) : line.text;
      const trimmed = text.trim();
      if (!trimmed) continue;
      if (trimmed.startsWith('-')) facts = mergeFacts(facts, readOptions(text, line));
      else readRequirementLine(text, line, facts);
    }
    return fileOutput(input, facts);
  }
}

/** Option lines read as the arguments of `pip install`. */
function readOptions(text: string, line: LocatedLine) {
  const prefix = 'pip install ';
  return readShellLine(prefix + text, { at: (index) => line.at(Math.max(0, index - prefix.length)), statementLines: line.lines });
}

function readRequirementLine(text: string, line: LocatedLine, facts: ReturnType<typeof emptyFacts>): void {
  // Per-requirement options (`--hash=…`, `--config-settings …`) follow the specifier.
  const optionsAt = /\s-{1,2}[a-z]/i.exec(text);
  const spec = optionsAt ? text.slice(0, optionsAt.index) : text;
  const hashed = /--hash[=\s]/.test(text);
  const result = readRequirementSpec(spec, { at: line.at, statementLines: line.lines, hashed });
  if (!result) return;
  if ('dependency' in result) {
    // Markers (`; python_version < "3.11"`) are not part of the requirement's range.
    facts.dependencies.push(result.dependency);
  } else facts.vcsDependencies.push(result.vcs);
}
