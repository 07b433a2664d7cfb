/**
 * The verdict of the model file a load call reads, on that call's hover: `torch.load("models/x.pt")`
 * shows what the static inspection of models/x.pt found, clean files included (a clean verdict
 * is never a finding, so the hover is where it is seen). The engine resolves the calls
 * (AnalysisResult.artifacts); this only picks those under the cursor.
 */
import type { Position } from 'vscode-languageserver';
import type { ArtifactReference } from '../engine/artifacts/references';
import type { Range } from '../engine/types';

function contains(range: Range, position: Position): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  if (position.line === end.line && position.character > end.character) return false;
  return true;
}

/** The references whose load call covers `position`, innermost call first. */
export function artifactReferencesAt(references: readonly ArtifactReference[] | undefined, position: Position): ArtifactReference[] {
  if (!references) return [];
  const size = (range: Range) => (range.end.line - range.start.line) * 1e6 + range.end.character - range.start.character;
  return references.filter((reference) => contains(reference.range, position)).sort((a, b) => size(a.range) - size(b.range));
}

/** The Markdown of those references' verdicts, one card each. */
export function artifactMarkdown(references: readonly ArtifactReference[]): string {
  return references.map((reference) => reference.markdown).join('\n\n---\n\n');
}

/** Findings on those load calls (their path argument), so the whole call shows them. */
export function findingsOnCalls<T extends { range: Range }>(findings: readonly T[], references: readonly ArtifactReference[]): T[] {
  return findings.filter((finding) => references.some((reference) => contains(reference.range, finding.range.start) && contains(reference.range, finding.range.end)));
}
