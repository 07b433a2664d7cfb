/**
 * Hover cards: on a finding, the rule (title, severity, why), each ATLAS technique it maps to
 * (id, full name, tactics, our summary, link), the mitigations and the fix in one line; on an
 * ATLAS id written anywhere in a supported file, that technique's (or mitigation's, tactic's) card.
 */
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import type { AtlasCatalog } from '../engine/atlas/catalog';
import type { LoadedRule } from '../engine/rules/loader';
import type { Finding } from '../engine/types';
import type { DocumentAnalysis } from './analysis';
import { artifactMarkdown, artifactReferencesAt, findingsOnCalls } from './artifact-hover';
import type { LspDocument } from './documents';
import type { AtlasEntry } from './protocol';

const ATLAS_ID = /\bAML\.(?:TA\d{4}|T\d{4}(?:\.\d{3})?|M\d{4})\b/g;

const oneLine = (text: string): string => text.replace(/\s+/g, ' ').trim();

function contains(range: Finding['range'], position: Position): boolean {
  const { start, end } = range;
  if (position.line < start.line || position.line > end.line) return false;
  if (position.line === start.line && position.character < start.character) return false;
  if (position.line === end.line && position.character > end.character) return false;
  return true;
}

function tacticsOf(catalog: AtlasCatalog, techniqueId: string): string[] {
  return (catalog.technique(techniqueId)?.tactics ?? []).map((id) => `${catalog.tactic(id)?.name ?? id} (${id})`);
}

/** The Markdown lines describing one technique. */
export function techniqueMarkdown(catalog: AtlasCatalog, id: string, heading = '###'): string[] {
  const technique = catalog.technique(id);
  if (!technique) return [`${heading} ${id}`, '', `Not in the ATLAS ${catalog.version} catalog in use.`];
  const lines = [`${heading} [${id}](${technique.url}) ${catalog.fullName(id)}`, '', `**Tactics:** ${tacticsOf(catalog, id).join(', ')}`];
  if (technique.summary) lines.push('', oneLine(technique.summary));
  if (technique.codeRisk) lines.push('', `*In code:* ${oneLine(technique.codeRisk)}`);
  return lines;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_[\]<>|])/g, '\\$1');
}

export function findingMarkdown(finding: Finding, rule: LoadedRule | undefined, catalog: AtlasCatalog): string {
  const lines = [`**${rule?.title ?? finding.ruleId}** · ${finding.severity} · \`${finding.ruleId}\``, ''];
  lines.push(rule ? oneLine(rule.docs.why) : finding.message);
  for (const id of finding.techniques) lines.push('', ...techniqueMarkdown(catalog, id, '####'));
  if (finding.mitigations.length > 0) {
    lines.push('', `**Mitigations:** ${finding.mitigations.map((id) => {
      const mitigation = catalog.mitigation(id);
      return mitigation ? `[${id}](${mitigation.url}) ${mitigation.name}` : id;
    }).join(' · ')}`);
  }
  if (finding.flow && finding.flow.length > 0) {
    // The path the value took, source first: line numbers are one-based as the editor shows them.
    lines.push('', `**Path:** ${finding.flow.map((step) => `line ${step.range.start.line + 1} ${escapeMarkdown(step.message)}`).join(' → ')}`);
  }
  const fix = rule?.docs.fix ? oneLine(rule.docs.fix) : finding.fix?.title;
  if (fix) lines.push('', `**Fix:** ${fix}${finding.fix ? ` (quick fix: *${finding.fix.title}*)` : ''}`);
  return lines.join('\n');
}

/** A catalog entry (technique, mitigation or tactic) with its card, or undefined for an unknown id. */
export function atlasEntry(catalog: AtlasCatalog, id: string): AtlasEntry | undefined {
  const technique = catalog.technique(id);
  if (technique) {
    const tactics = technique.tactics.map((tactic) => catalog.tactic(tactic)?.name ?? tactic);
    const lines = techniqueMarkdown(catalog, id);
    const mitigations = catalog.mitigationsFor(id);
    if (mitigations.length > 0) lines.push('', `**Mitigations:** ${mitigations.map((m) => `[${m.id}](${m.url}) ${m.name}`).join(' · ')}`);
    return { id, kind: 'technique', name: catalog.fullName(id) ?? technique.name, url: technique.url, tactics, markdown: lines.join('\n'), atlasVersion: catalog.version };
  }
  const mitigation = catalog.mitigation(id);
  if (mitigation) {
    const lines = [`### [${id}](${mitigation.url}) ${mitigation.name}`];
    if (mitigation.summary) lines.push('', oneLine(mitigation.summary));
    if (mitigation.techniques.length > 0) lines.push('', `**Addresses:** ${mitigation.techniques.map((t) => `${t} ${catalog.fullName(t) ?? ''}`.trim()).join(' · ')}`);
    return { id, kind: 'mitigation', name: mitigation.name, url: mitigation.url, tactics: [], markdown: lines.join('\n'), atlasVersion: catalog.version };
  }
  const tactic = catalog.tactic(id);
  if (tactic) {
    const url = `https://atlas.mitre.org/tactics/${id}`;
    return { id, kind: 'tactic', name: tactic.name, url, tactics: [], markdown: `### [${id}](${url}) ${tactic.name}\n\nATLAS tactic.`, atlasVersion: catalog.version };
  }
  return undefined;
}

/** The ATLAS id written at `position`, with its range. */
export function atlasIdAt(document: LspDocument, position: Position): { id: string; start: number; end: number } | undefined {
  const line = document.lineText(position.line);
  if (!line.includes('AML.')) return undefined;
  for (const match of line.matchAll(ATLAS_ID)) {
    const start = match.index;
    const end = start + match[0].length;
    if (position.character >= start && position.character <= end) return { id: match[0], start, end };
  }
  return undefined;
}

export function hover(document: LspDocument, position: Position, analysis: DocumentAnalysis | undefined, catalog: AtlasCatalog, markdown: boolean): Hover | null {
  const kind = markdown ? MarkupKind.Markdown : MarkupKind.PlainText;
  const findings = analysis ? analysis.findings.filter((finding) => contains(finding.range, position)) : [];
  // The verdict of the model file a load call under the cursor reads comes first, then the call's findings.
  const artifacts = artifactReferencesAt(analysis?.artifacts, position);
  if ((findings.length > 0 || artifacts.length > 0) && analysis) {
    const shown = [...new Set([...findings, ...findingsOnCalls(analysis.findings, artifacts)])];
    const cards = shown.map((finding) => findingMarkdown(finding, analysis.engine.rule(finding.ruleId), analysis.catalog));
    const value = [...(artifacts.length > 0 ? [artifactMarkdown(artifacts)] : []), ...cards].join('\n\n---\n\n');
    return { contents: { kind, value }, range: findings[0]?.range ?? artifacts[0]!.range };
  }
  const written = atlasIdAt(document, position);
  if (!written) return null;
  const entry = atlasEntry(analysis?.catalog ?? catalog, written.id);
  if (!entry) return null;
  return {
    contents: { kind, value: entry.markdown },
    range: { start: { line: position.line, character: written.start }, end: { line: position.line, character: written.end } },
  };
}
