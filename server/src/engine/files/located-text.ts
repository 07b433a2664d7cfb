/**
 * Text whose characters come from known places in a file: a logical shell line joined from
 * continuation lines, a line of a YAML block scalar, a notebook line inside a JSON string.
 */
import type { Position } from '../types';

export interface LocatedLine {
  text: string;
  /** Position of character i (i may equal text.length: just after the last one). */
  at: (index: number) => Position;
  /** File lines the text spans. */
  lines: { first: number; last: number };
}

/** A line of the file as it is. */
export function fileLine(text: string, line: number, character = 0): LocatedLine {
  return { text, at: (index) => ({ line, character: character + index }), lines: { first: line, last: line } };
}

/** Joins lines ending in a backslash with the next (the backslash and newline become a space). */
export function joinContinuations(lines: readonly LocatedLine[], skip: (line: LocatedLine) => boolean = () => false): LocatedLine[] {
  const out: LocatedLine[] = [];
  let parts: LocatedLine[] = [];
  const flush = (): void => {
    if (parts.length === 0) return;
    if (parts.length === 1) out.push(parts[0]!);
    else out.push(concat(parts));
    parts = [];
  };
  for (const line of lines) {
    if (parts.length > 0 && skip(line)) continue; // Dockerfile comment lines inside a continued instruction
    const continued = /\\\s*$/.test(line.text);
    parts.push(continued ? trimContinuation(line) : line);
    if (!continued) flush();
  }
  flush();
  return out;
}

function trimContinuation(line: LocatedLine): LocatedLine {
  const text = line.text.replace(/\\\s*$/, ' ');
  return { text, at: line.at, lines: line.lines };
}

function concat(parts: readonly LocatedLine[]): LocatedLine {
  const positions: Position[] = [];
  let text = '';
  for (const part of parts) {
    for (let i = 0; i < part.text.length; i++) positions.push(part.at(i));
    text += part.text;
  }
  const last = parts[parts.length - 1]!;
  const end = last.at(last.text.length);
  return { text, at: (index) => positions[index] ?? end, lines: { first: parts[0]!.lines.first, last: last.lines.last } };
}
