/**
 * Dockerfiles: FROM images (stage names and ARG-built references left out), RUN commands read as
 * shell (pip/conda installs, wget/curl, huggingface-cli), ADD of URLs, ENV variables.
 * Continuation lines are joined; comment lines inside a continued instruction are skipped, as
 * Docker does. Heredocs (`RUN <<EOF`) are read line by line as shell.
 */
import { emptyFacts, mergeFacts, type FileFacts, type ImageFact } from '../files/facts';
import { joinContinuations, type LocatedLine } from '../files/located-text';
import { readShellLine } from '../files/shell';
import { fileLines, fileOutput } from './file-common';
import type { AnalyzerInput, AnalyzerOutput, FileAnalyzer } from './types';

export class DockerfileAnalyzer implements FileAnalyzer {
  readonly kind = 'dockerfile' as const;
  readonly ruleLanguages = ['dockerfile'] as const;

  analyze(input: AnalyzerInput): AnalyzerOutput {
    let facts = emptyFacts();
    const stages = new Set<string>();
    const lines = fileLines(input.text);
    const instructions = joinContinuations(lines, (line) => /^\s*#/.test(line.text));
    for (let index = 0; index < instructions.length; index++) {
      const line = instructions[index]!;
      const match = /^(\s*)([A-Za-z]+)(\s+)/.exec(line.text);
      if (!match) continue;
      const keyword = match[2]!.toUpperCase();
      const argsAt = match[0].length;
      const args = line.text.slice(argsAt);
      const sub = (start: number): LocatedLine => ({ text: line.text.slice(start), at: (i) => line.at(start + i), lines: line.lines });
      if (keyword === 'FROM') {
        const image = readFrom(sub(argsAt), stages);
        if (image) facts.images.push(image);
      } else if (keyword === 'RUN') {
        const heredoc = /<<-?\s*["']?(\w+)["']?/.exec(args);
        if (heredoc) {
          // The body lines follow as separate file lines until the terminator.
          const terminator = heredoc[1]!;
          let lineNo = line.lines.last + 1;
          while (lineNo < lines.length && lines[lineNo]!.text.trim() !== terminator) {
            facts = mergeFacts(facts, readShellLine(lines[lineNo]!.text, { at: lines[lineNo]!.at, statementLines: line.lines }));
            lineNo++;
          }
          while (index + 1 < instructions.length && instructions[index + 1]!.lines.first <= lineNo) index++;
          continue;
        }
        const shell = readRunCommand(sub(argsAt));
        facts = mergeFacts(facts, readShellLine(shell.text, { at: shell.at, statementLines: line.lines }));
      } else if (keyword === 'ADD') {
        readAdd(sub(argsAt), facts);
      } else if (keyword === 'ENV') {
        readEnv(sub(argsAt), facts);
      }
    }
    return fileOutput(input, facts);
  }
}

/** RUN's exec form `["sh", "-c", "…"]` is rare for installs; the shell form is read as is, options like --mount skipped. */
function readRunCommand(line: LocatedLine): LocatedLine {
  const options = /^(?:--[a-z]+=\S+\s+)*/.exec(line.text)?.[0].length ?? 0;
  return { text: line.text.slice(options), at: (i) => line.at(options + i), lines: line.lines };
}

function readFrom(line: LocatedLine, stages: Set<string>): ImageFact | undefined {
  const match = /^(?:--platform=\S+\s+)?(\S+)(?:\s+[Aa][Ss]\s+(\S+))?/.exec(line.text);
  if (!match) return undefined;
  const reference = match[1]!;
  const start = match[0].indexOf(reference);
  const isStage = stages.has(reference.toLowerCase());
  if (match[2]) stages.add(match[2].toLowerCase());
  if (reference.includes('$') || reference === 'scratch' || isStage) return undefined;
  return { ...parseImageReference(reference), reference, range: { start: line.at(start), end: line.at(start + reference.length) }, source: 'dockerfile', statementLines: line.lines };
}

/** `registry:5000/org/name:tag@sha256:…` → repository, tag, digest. */
export function parseImageReference(reference: string): { repository: string; tag?: string; digest?: string } {
  const at = reference.indexOf('@');
  const digest = at >= 0 ? reference.slice(at + 1) : undefined;
  const name = at >= 0 ? reference.slice(0, at) : reference;
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  const tag = colon > slash ? name.slice(colon + 1) : undefined;
  const repository = (colon > slash ? name.slice(0, colon) : name).toLowerCase();
  return { repository, ...(tag ? { tag } : {}), ...(digest ? { digest } : {}) };
}

function readAdd(line: LocatedLine, facts: FileFacts): void {
  for (const match of line.text.matchAll(/(?:^|\s)(https?:\/\/\S+)/g)) {
    const start = match.index + match[0].indexOf(match[1]!);
    facts.downloads.push({ tool: 'ADD', url: match[1]!, urlRange: { start: line.at(start), end: line.at(start + match[1]!.length) }, statementLines: line.lines });
  }
}

/** `ENV A=1 B="x y"` and the legacy `ENV A 1`. */
function readEnv(line: LocatedLine, facts: FileFacts): void {
  // No lazy group before `\s*$`: that backtracks quadratically on a long run of spaces (36 s on 100 kB).
  const legacy = line.text.includes('=') ? null : /^([A-Za-z_][A-Za-z0-9_]*)\s+(.*)$/.exec(line.text);
  if (legacy) {
    const value = legacy[2]!.trimEnd();
    const start = line.text.indexOf(value, legacy[1]!.length);
    facts.environment.push({ name: legacy[1]!, value, range: { start: line.at(start), end: line.at(start + value.length) }, statementLines: line.lines });
    return;
  }
  for (const match of line.text.matchAll(/([A-Za-z_][A-Za-z0-9_]*)=("([^"]*)"|'([^']*)'|(\S*))/g)) {
    const quoted = match[3] ?? match[4];
    const value = quoted ?? match[5] ?? '';
    const start = match.index + match[1]!.length + 1 + (quoted !== undefined ? 1 : 0);
    facts.environment.push({ name: match[1]!, value, range: { start: line.at(start), end: line.at(start + value.length) }, statementLines: line.lines });
  }
}
