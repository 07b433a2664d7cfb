/**
 * Patterns over qualified names, shared by every language: `torch.load`, `transformers.*.from_pretrained`
 * (`*` is one dotted segment), `**.from_pretrained` (`**` is one or more segments).
 * Compiled once per pattern, then matched segment by segment (no regular expressions built from user text).
 */
export type NamePattern = (qualifiedName: string) => boolean;

/** Patterns come from rule files (a bounded set), so compiled ones are kept for reuse. */
const compiled = new Map<string, NamePattern>();

export function compileNamePattern(pattern: string): NamePattern {
  let matcher = compiled.get(pattern);
  if (!matcher) {
    matcher = buildMatcher(pattern);
    compiled.set(pattern, matcher);
  }
  return matcher;
}

/**
 * Patterns are tried against every call of a file by many rules, so the common shapes avoid
 * splitting the name: no wildcard is a string comparison, and a literal last segment must be the
 * name's suffix before any segment-by-segment matching happens.
 */
function buildMatcher(pattern: string): NamePattern {
  if (!pattern.includes('*')) return (qualifiedName) => qualifiedName === pattern;
  const want = pattern.split('.');
  const last = want[want.length - 1]!;
  const first = want[0]!;
  const suffix = last.includes('*') ? undefined : `.${last}`;
  const prefix = first.includes('*') ? undefined : `${first}.`;
  return (qualifiedName) => {
    if (suffix !== undefined && !qualifiedName.endsWith(suffix)) return false;
    if (prefix !== undefined && !qualifiedName.startsWith(prefix)) return false;
    return matchSegments(want, 0, qualifiedName.split('.'), 0);
  };
}

function matchSegments(want: readonly string[], i: number, have: readonly string[], j: number): boolean {
  if (i === want.length) return j === have.length;
  const segment = want[i];
  if (segment === '**') {
    for (let k = j + 1; k <= have.length; k++) if (matchSegments(want, i + 1, have, k)) return true;
    return false;
  }
  if (j >= have.length) return false;
  if (segment !== '*' && segment !== have[j]) return false;
  return matchSegments(want, i + 1, have, j + 1);
}
