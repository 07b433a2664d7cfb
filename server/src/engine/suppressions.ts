/**
 * Suppression comments, independent of the language: the caller hands us the comment text by line.
 *   # atlas-lens: ignore                       every finding on this statement
 *   # atlas-lens: ignore[torch-load-unsafe, AML.T0010.003]   only these rules or techniques
 *   # atlas-lens: ignore-file[...]             anywhere in the file, for the whole file
 *   # nosec                                    Bandit's marker, honoured unless switched off
 */
import type { Finding } from './types';

export interface Suppression {
  /** Empty: everything. */
  ids: string[];
}

export interface FileSuppressions {
  byLine: Map<number, Suppression[]>;
  fileWide: Suppression[];
}

const DIRECTIVE = /atlas-lens:\s*(ignore-file|ignore)\b(?:\[([^\]]*)\])?/g;
const NOSEC = /(^|[^\w])nosec\b/;

/** Without one of these words in the text there is no suppression comment to read. */
export const SUPPRESSION_WORDS = ['atlas-lens', 'nosec'] as const;

/** Cheap and exact: without these words in the text there is no suppression comment to read. */
export function mayHoldSuppressions(text: string): boolean {
  return SUPPRESSION_WORDS.some((word) => text.includes(word));
}

export function parseSuppressions(comments: ReadonlyMap<number, string>, honorNosec: boolean): FileSuppressions {
  const byLine = new Map<number, Suppression[]>();
  const fileWide: Suppression[] = [];
  for (const [line, text] of comments) {
    if (!text.includes('atlas-lens') && !(honorNosec && text.includes('nosec'))) continue;
    const found: Suppression[] = [];
    for (const match of text.matchAll(DIRECTIVE)) {
      const ids = (match[2] ?? '').split(',').map((id) => id.trim()).filter(Boolean);
      if (match[1] === 'ignore-file') fileWide.push({ ids });
      else found.push({ ids });
    }
    if (honorNosec && NOSEC.test(text)) found.push({ ids: [] });
    if (found.length > 0) byLine.set(line, found);
  }
  return { byLine, fileWide };
}

function covers(suppression: Suppression, finding: Pick<Finding, 'ruleId' | 'techniques'>): boolean {
  if (suppression.ids.length === 0) return true;
  return suppression.ids.some((id) => id === finding.ruleId || finding.techniques.some((technique) => technique === id || technique.startsWith(`${id}.`)));
}

export function isSuppressed(finding: Pick<Finding, 'ruleId' | 'techniques' | 'statementLines'>, suppressions: FileSuppressions): boolean {
  if (suppressions.fileWide.some((s) => covers(s, finding))) return true;
  for (let line = finding.statementLines.first; line <= finding.statementLines.last; line++) {
    if (suppressions.byLine.get(line)?.some((s) => covers(s, finding))) return true;
  }
  return false;
}
