/**
 * One PEP 508 requirement as written (`torch[cuda]>=2.1 ; python_version > "3.8"`,
 * `pkg @ git+https://…`), read into a DependencyFact / VcsDependencyFact with ranges.
 * The caller says where each character of the text is (a token may sit inside quotes, a notebook
 * line inside a JSON string), so one reader serves every file kind.
 */
import type { Position, Range } from '../types';
import type { DependencyFact, VcsDependencyFact } from './facts';

export function normalisePackageName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

export interface SpecContext {
  /** Position of the character at index i of `text` (i may equal text.length). */
  at: (index: number) => Position;
  statementLines: { first: number; last: number };
  hashed: boolean;
  /** Conda: `pytorch=2.1` (single `=`) is a pin, `pytorch 2.1.*` is not. */
  conda?: boolean;
}

const NAME = /^[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?/;
const VCS = /^(?:git|hg|svn|bzr)\+[a-z]+:\/\/\S+/;

export type SpecResult = { dependency: DependencyFact } | { vcs: VcsDependencyFact } | undefined;

/** Reads a requirement; undefined for what is not a named requirement (paths, archives, options). */
export function readRequirementSpec(text: string, context: SpecContext): SpecResult {
  const range = (start: number, end: number): Range => ({ start: context.at(start), end: context.at(end) });
  const leading = text.length - text.trimStart().length;
  const body = text.slice(leading);
  const vcsDirect = VCS.exec(body);
  if (vcsDirect) return { vcs: vcsFact(vcsDirect[0], leading, range, context) };
  const nameMatch = NAME.exec(body);
  if (!nameMatch) return undefined;
  let index = leading + nameMatch[0].length;
  // Not a name: a path or an archive (./pkg, pkg.whl, https://…).
  const after = text[index];
  if (after === ':' || after === '/' || after === '\\' || /\.(whl|zip|tar\.gz|tgz)$/i.test(nameMatch[0])) return undefined;
  const extras = /^\s*\[[^\]]*\]/.exec(text.slice(index));
  if (extras) index += extras[0].length;
  const restStart = index;
  const markerAt = text.indexOf(';', index);
  const rest = text.slice(index, markerAt >= 0 ? markerAt : text.length);
  const at = /^\s*@\s*/.exec(rest);
  if (at) {
    const urlStart = index + at[0].length;
    const url = /^\S+/.exec(text.slice(urlStart))?.[0] ?? '';
    if (VCS.test(url)) return { vcs: vcsFact(url, urlStart, range, context) };
    return undefined; // a direct archive URL: pinned by its content (or reported elsewhere)
  }
  const trimmed = rest.trimEnd();
  const specifier = trimmed.trim();
  const specStart = restStart + (rest.length - rest.trimStart().length);
  const specEnd = restStart + trimmed.length;
  let pin: DependencyFact['pin'] = 'none';
  if (specifier) {
    const clauses = specifier.split(',').map((clause) => clause.trim());
    const exact = clauses.some((clause) => /^===?\s*[^*\s]+$/.test(clause) && !clause.endsWith('.*'));
    const condaExact = context.conda === true && clauses.length === 1 && /^=?\s*\d[^*\s]*$/.test(clauses[0]!) && !/^\d/.test(clauses[0]!);
    pin = exact || condaExact ? 'exact' : 'range';
  }
  const name = nameMatch[0];
  return {
    dependency: {
      name,
      normalised: normalisePackageName(name),
      range: range(leading, Math.max(specEnd, restStart)),
      nameRange: range(leading, leading + name.length),
      specifier,
      pin,
      hashed: context.hashed,
      pinInsert: { range: specifier ? range(specStart, specEnd) : range(restStart, restStart), prefix: '==', suffix: '' },
      statementLines: context.statementLines,
    },
  };
}

function vcsFact(url: string, start: number, range: (s: number, e: number) => Range, context: SpecContext): VcsDependencyFact {
  // git+https://host/org/repo.git@<ref>#egg=name; the ref is after the last '@' of the path.
  const withoutFragment = url.replace(/#.*$/, '');
  const schemeEnd = withoutFragment.indexOf('://') + 3;
  const path = withoutFragment.slice(schemeEnd);
  const slash = path.indexOf('/');
  const afterHost = slash >= 0 ? path.slice(slash) : '';
  const atIndex = afterHost.lastIndexOf('@');
  const ref = atIndex >= 0 ? afterHost.slice(atIndex + 1) : undefined;
  return { url, range: range(start, start + url.length), ref: ref || undefined, statementLines: context.statementLines };
}

/** A full 40-hex commit (a short sha is a prefix a pushed branch can collide with; tags move). */
export function isCommitSha(ref: string | undefined): boolean {
  return ref !== undefined && /^[0-9a-f]{40}$/i.test(ref);
}
