/**
 * YAML with source positions. Rule files, the project config and ATLAS data are validated with
 * zod after loading; when validation fails we want to point at the line and column of the field
 * that is wrong, which plain `yaml.load` forgets. js-yaml's event stream keeps offsets, so we
 * walk it once and record where every value (and every mapping key) starts.
 */
import * as jsYaml from 'js-yaml';
import { expansionProblem } from './expansion';

export type PathSegment = string | number;

export interface SourceLocation {
  /** Zero-based. */
  line: number;
  character: number;
}

export interface LocatedYaml {
  /** The loaded document (core schema: dates stay strings). */
  value: unknown;
  /** Where the value at `path` starts; falls back to the nearest ancestor that exists. */
  locate(path: readonly PathSegment[]): SourceLocation;
}

export class YamlSyntaxError extends Error {
  constructor(
    readonly reason: string,
    readonly location: SourceLocation,
  ) {
    super(reason);
  }
}

export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return starts;
}

export function offsetToLocation(starts: readonly number[], offset: number): SourceLocation {
  let low = 0;
  let high = starts.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) low = mid;
    else high = mid - 1;
  }
  return { line: low, character: offset - (starts[low] ?? 0) };
}

/** Parses one YAML document; throws YamlSyntaxError with a location on invalid YAML. */
export function parseLocatedYaml(text: string, filename?: string): LocatedYaml {
  let value: unknown;
  let events: jsYaml.Event[];
  try {
    // Events first: an alias bomb is refused before anything is built from it.
    events = jsYaml.parseEvents(text, { filename });
    const bomb = expansionProblem(text, events);
    if (bomb) {
      const where = offsetToLocation(lineStarts(text), bomb.offset);
      throw new YamlSyntaxError(`refused: ${bomb.reason}`, where);
    }
    value = jsYaml.load(text, { filename });
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) {
      const mark = error.mark;
      throw new YamlSyntaxError(error.reason, { line: mark?.line ?? 0, character: mark?.column ?? 0 });
    }
    throw error;
  }
  const offsets = indexOffsets(text, events);
  const starts = lineStarts(text);
  return {
    value,
    locate(path) {
      for (let length = path.length; length >= 0; length--) {
        const offset = offsets.get(pathKey(path.slice(0, length)));
        if (offset !== undefined) return offsetToLocation(starts, offset);
      }
      return { line: 0, character: 0 };
    },
  };
}

function pathKey(path: readonly PathSegment[]): string {
  return JSON.stringify(path);
}

function eventStart(event: jsYaml.Event): number {
  switch (event.type) {
    case jsYaml.EVENT_ID.SCALAR:
      return event.tagStart >= 0 ? event.tagStart : event.anchorStart >= 0 ? event.anchorStart : event.valueStart;
    case jsYaml.EVENT_ID.MAPPING:
    case jsYaml.EVENT_ID.SEQUENCE:
      return event.tagStart >= 0 ? event.tagStart : event.anchorStart >= 0 ? event.anchorStart : event.start;
    case jsYaml.EVENT_ID.ALIAS:
      return event.anchorStart;
    default:
      return -1;
  }
}

/** Maps each path of the first document to the offset where its value starts. */
function indexOffsets(text: string, events: readonly jsYaml.Event[]): Map<string, number> {
  const offsets = new Map<string, number>();
  let index = 0;
  // Skip to the first document's root node.
  while (index < events.length && events[index]?.type === jsYaml.EVENT_ID.DOCUMENT) index++;

  const visit = (path: PathSegment[]): void => {
    const event = events[index];
    if (!event) return;
    const start = eventStart(event);
    if (start >= 0) offsets.set(pathKey(path), start);
    index++;
    if (event.type === jsYaml.EVENT_ID.MAPPING) {
      while (index < events.length && events[index]?.type !== jsYaml.EVENT_ID.POP) {
        const keyEvent = events[index];
        const key = keyEvent?.type === jsYaml.EVENT_ID.SCALAR ? jsYaml.getScalarValue(text, keyEvent) : `#${index}`;
        // A missing value is best reported at its key.
        visit([...path, `${key}:key`]);
        visit([...path, key]);
      }
      index++;
    } else if (event.type === jsYaml.EVENT_ID.SEQUENCE) {
      let item = 0;
      while (index < events.length && events[index]?.type !== jsYaml.EVENT_ID.POP) visit([...path, item++]);
      index++;
    }
  };
  visit([]);
  return offsets;
}
