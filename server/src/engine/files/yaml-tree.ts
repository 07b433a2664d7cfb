/**
 * YAML documents as trees of located nodes, from js-yaml's event stream: every scalar keeps the
 * offsets of its value (inside the quotes), so a finding points at the exact value. All the
 * documents of a stream are read (Kubernetes manifests hold several). Anchors are followed for
 * aliases; tags are ignored (a `!Ref x` scalar is just "x").
 */
import * as jsYaml from 'js-yaml';
import type { Range } from '../types';
import { expansionProblem } from '../yaml/expansion';
import { lineStarts, offsetToLocation } from '../yaml/located-yaml';

export type YamlNode =
  | { kind: 'map'; start: number; entries: Array<{ key: string; keyNode: YamlScalar; value: YamlNode }> }
  | { kind: 'seq'; start: number; items: YamlNode[] }
  | YamlScalar;

export interface YamlScalar {
  kind: 'scalar';
  value: string;
  /** Offsets of the value as written (inside quotes; a block scalar's whole body). */
  start: number;
  end: number;
  /** Plain (unquoted) scalars may be numbers, booleans, null. */
  plain: boolean;
  /** A literal block (`|`): each line of the value is a line of the text, indented. */
  literal: boolean;
}

export class YamlStreamError extends Error {
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly character: number,
  ) {
    super(reason);
  }
}

export interface YamlStream {
  documents: YamlNode[];
  /** Range of offsets in the text. */
  range(start: number, end: number): Range;
}

export function parseYamlStream(text: string): YamlStream {
  let events: jsYaml.Event[];
  try {
    events = jsYaml.parseEvents(text, {});
  } catch (error) {
    if (error instanceof jsYaml.YAMLException) throw new YamlStreamError(error.reason, error.mark?.line ?? 0, error.mark?.column ?? 0);
    throw error;
  }
  const bomb = expansionProblem(text, events);
  if (bomb) {
    const where = offsetToLocation(lineStarts(text), bomb.offset);
    throw new YamlStreamError(`refused: ${bomb.reason}`, where.line, where.character);
  }
  const anchors = new Map<string, YamlNode>();
  let index = 0;
  const node = (): YamlNode | undefined => {
    const event = events[index++];
    if (!event) return undefined;
    let built: YamlNode | undefined;
    let anchor: string | undefined;
    switch (event.type) {
      case jsYaml.EVENT_ID.SCALAR: {
        built = { kind: 'scalar', value: jsYaml.getScalarValue(text, event), start: event.valueStart, end: event.valueEnd, plain: event.style === jsYaml.SCALAR_STYLE.PLAIN, literal: event.style === jsYaml.SCALAR_STYLE.LITERAL_BLOCK };
        if (event.anchorStart >= 0) anchor = text.slice(event.anchorStart, event.anchorEnd);
        break;
      }
      case jsYaml.EVENT_ID.MAPPING: {
        const entries: Array<{ key: string; keyNode: YamlScalar; value: YamlNode }> = [];
        while (index < events.length && events[index]!.type !== jsYaml.EVENT_ID.POP) {
          const key = node();
          const value = node();
          if (key?.kind === 'scalar' && value) entries.push({ key: key.value, keyNode: key, value });
          else if (key?.kind !== 'scalar' && value && key) {
            // Merge keys (`<<: *base`) and complex keys: merged maps contribute their entries.
            if (value.kind === 'map') entries.push(...value.entries);
          }
        }
        index++;
        built = { kind: 'map', start: event.start, entries: mergeKeys(entries) };
        if (event.anchorStart >= 0) anchor = text.slice(event.anchorStart, event.anchorEnd);
        break;
      }
      case jsYaml.EVENT_ID.SEQUENCE: {
        const items: YamlNode[] = [];
        while (index < events.length && events[index]!.type !== jsYaml.EVENT_ID.POP) {
          const item = node();
          if (item) items.push(item);
        }
        index++;
        built = { kind: 'seq', start: event.start, items };
        if (event.anchorStart >= 0) anchor = text.slice(event.anchorStart, event.anchorEnd);
        break;
      }
      case jsYaml.EVENT_ID.ALIAS:
        return anchors.get(text.slice(event.anchorStart, event.anchorEnd)) ?? { kind: 'scalar', value: '', start: event.anchorStart, end: event.anchorEnd, plain: true, literal: false };
      default:
        return undefined;
    }
    if (anchor) anchors.set(anchor.replace(/^&/, ''), built);
    return built;
  };
  const documents: YamlNode[] = [];
  while (index < events.length) {
    const event = events[index++]!;
    if (event.type !== jsYaml.EVENT_ID.DOCUMENT) continue;
    if (index < events.length && events[index]!.type !== jsYaml.EVENT_ID.POP) {
      const root = node();
      if (root) documents.push(root);
    }
    while (index < events.length && events[index]!.type === jsYaml.EVENT_ID.POP) index++;
  }
  const starts = lineStarts(text);
  return { documents, range: (start, end) => ({ start: offsetToLocation(starts, start), end: offsetToLocation(starts, end) }) };
}

/** `<<: *base` merges the aliased map's entries (explicit entries win). */
function mergeKeys(entries: Array<{ key: string; keyNode: YamlScalar; value: YamlNode }>): Array<{ key: string; keyNode: YamlScalar; value: YamlNode }> {
  if (!entries.some((entry) => entry.key === '<<')) return entries;
  const own = entries.filter((entry) => entry.key !== '<<');
  const merged = entries.filter((entry) => entry.key === '<<').flatMap((entry) => (entry.value.kind === 'map' ? entry.value.entries : entry.value.kind === 'seq' ? entry.value.items.flatMap((item) => (item.kind === 'map' ? item.entries : [])) : []));
  return [...own, ...merged.filter((entry) => !own.some((o) => o.key === entry.key))];
}

export function get(node: YamlNode | undefined, ...path: Array<string | number>): YamlNode | undefined {
  let current = node;
  for (const segment of path) {
    if (!current) return undefined;
    if (typeof segment === 'number') current = current.kind === 'seq' ? current.items[segment] : undefined;
    else current = current.kind === 'map' ? current.entries.find((entry) => entry.key === segment)?.value : undefined;
  }
  return current;
}

export function scalar(node: YamlNode | undefined): YamlScalar | undefined {
  return node?.kind === 'scalar' ? node : undefined;
}

export function entries(node: YamlNode | undefined): Array<{ key: string; keyNode: YamlScalar; value: YamlNode }> {
  return node?.kind === 'map' ? node.entries : [];
}

export function items(node: YamlNode | undefined): YamlNode[] {
  return node?.kind === 'seq' ? node.items : [];
}
