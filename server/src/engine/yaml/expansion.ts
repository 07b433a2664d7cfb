/**
 * YAML aliases are shared by reference when loaded, so a "billion laughs" document is small in
 * memory — until something walks it (validation, a check visiting every node) and pays for every
 * expansion. Before any user YAML is used we count the nodes it stands for with aliases expanded,
 * from js-yaml's event stream, and refuse documents above a bound. Nesting depth is bounded by
 * the parser itself (js-yaml's maxDepth, 100 by default).
 */
import * as jsYaml from 'js-yaml';

/** Nodes a document may stand for with its aliases expanded: far above any real config or manifest. */
export const MAX_EXPANDED_NODES = 1_000_000;
/** Aliases a document may hold. */
export const MAX_ALIASES = 10_000;

export interface ExpansionProblem {
  reason: string;
  /** Offset of the alias where the bound was crossed. */
  offset: number;
}

/** The first bound the events cross, or undefined when the document is within them. */
export function expansionProblem(text: string, events: readonly jsYaml.Event[]): ExpansionProblem | undefined {
  // The parser's offsets may or may not include the sigil (& or *); the name is what follows it.
  const anchorName = (event: { anchorStart: number; anchorEnd: number }): string => text.slice(event.anchorStart, event.anchorEnd).replace(/^[&*]/, '');
  /** Expanded size of each anchored node, by anchor name. */
  const anchored = new Map<string, number>();
  /** Open collections: their anchor and the size counted so far. */
  const open: Array<{ anchor?: string; size: number }> = [];
  let aliases = 0;
  let total = 0;
  const add = (size: number): void => {
    const parent = open[open.length - 1];
    if (parent) parent.size += size;
  };
  for (const event of events) {
    switch (event.type) {
      case jsYaml.EVENT_ID.SCALAR: {
        if (event.anchorStart >= 0) anchored.set(anchorName(event), 1);
        add(1);
        total += 1;
        break;
      }
      case jsYaml.EVENT_ID.MAPPING:
      case jsYaml.EVENT_ID.SEQUENCE:
        open.push({ anchor: event.anchorStart >= 0 ? anchorName(event) : undefined, size: 1 });
        total += 1;
        break;
      case jsYaml.EVENT_ID.ALIAS: {
        aliases++;
        const size = anchored.get(anchorName(event)) ?? 1;
        add(size);
        total += size;
        if (aliases > MAX_ALIASES) return { reason: `more than ${MAX_ALIASES} aliases`, offset: event.anchorStart };
        if (total > MAX_EXPANDED_NODES) return { reason: `aliases expand to more than ${MAX_EXPANDED_NODES.toLocaleString('en')} nodes`, offset: event.anchorStart };
        break;
      }
      case jsYaml.EVENT_ID.POP: {
        const closed = open.pop();
        if (closed) {
          if (closed.anchor !== undefined) anchored.set(closed.anchor, closed.size);
          add(closed.size);
        }
        break;
      }
      default:
        break;
    }
  }
  return undefined;
}
