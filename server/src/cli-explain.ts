/**
 * Plain-text documentation for `atlas-lens rules` and `atlas-lens explain`.
 */
import type { AtlasCatalog } from './engine/atlas/catalog';
import type { LoadedRule } from './engine/rules/loader';

export function formatRuleList(rules: readonly LoadedRule[], catalog: AtlasCatalog): string {
  const sorted = [...rules].sort((a, b) => a.id.localeCompare(b.id));
  const width = Math.max(...sorted.map((rule) => rule.id.length), 4);
  const lines = sorted.map((rule) => {
    const techniques = rule.atlas.techniques.join(', ');
    return `${rule.id.padEnd(width)}  ${rule.severity.padEnd(7)}  ${rule.languages.join(',').padEnd(10)}  ${techniques}\n${' '.repeat(width + 2)}${rule.title}`;
  });
  return `${'rule'.padEnd(width)}  severity languages   ATLAS (${catalog.version})\n${lines.join('\n')}\n\n${rules.length} rules. \`atlas-lens explain <rule>\` shows one.\n`;
}

function indent(text: string, prefix = '    '): string {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => prefix + line)
    .join('\n');
}

function explainRule(rule: LoadedRule, catalog: AtlasCatalog): string {
  const parts = [
    `${rule.id} — ${rule.title}`,
    `severity: ${rule.severity}    languages: ${rule.languages.join(', ')}    defined in: ${rule.source}`,
    '',
    'Why it matters',
    indent(rule.docs.why),
    '',
    'Flagged',
    indent(rule.docs.bad),
    '',
    'Instead',
    indent(rule.docs.good),
  ];
  if (rule.docs.fix) parts.push('', `Fix: ${rule.docs.fix}`);
  parts.push('', 'ATLAS techniques');
  for (const id of rule.atlas.techniques) parts.push(`    ${id} ${catalog.fullName(id) ?? '(unknown in this ATLAS release)'}  ${catalog.techniqueUrl(id) ?? ''}`);
  if (rule.atlas.mitigations.length > 0) {
    parts.push('', 'Mitigations');
    for (const id of rule.atlas.mitigations) parts.push(`    ${id} ${catalog.mitigation(id)?.name ?? '(unknown)'}`);
  }
  if (rule.docs.references.length > 0) parts.push('', 'References', ...rule.docs.references.map((url) => `    ${url}`));
  return parts.join('\n') + '\n';
}

function explainTechnique(id: string, rules: readonly LoadedRule[], catalog: AtlasCatalog): string | undefined {
  const technique = catalog.technique(id);
  if (!technique) return undefined;
  const tactics = technique.tactics.map((tacticId) => `${catalog.tactic(tacticId)?.name ?? tacticId} (${tacticId})`).join(', ');
  const parts = [`${id} ${catalog.fullName(id)}`, `tactics: ${tactics}`, technique.url];
  if (technique.summary) parts.push('', 'What the attacker does', indent(technique.summary));
  if (technique.codeRisk) parts.push('', 'How code enables it', indent(technique.codeRisk));
  const mitigations = catalog.mitigationsFor(id);
  if (mitigations.length > 0) parts.push('', 'Mitigations', ...mitigations.map((m) => `    ${m.id} ${m.name}  ${m.url}`));
  const citing = rules.filter((rule) => rule.atlas.techniques.some((t) => t === id || t.startsWith(`${id}.`)));
  if (citing.length > 0) parts.push('', 'Rules that report it', ...citing.map((rule) => `    ${rule.id} (${rule.severity}) ${rule.title}`));
  return parts.join('\n') + '\n';
}

function explainMitigation(id: string, catalog: AtlasCatalog): string | undefined {
  const mitigation = catalog.mitigation(id);
  if (!mitigation) return undefined;
  const parts = [`${id} ${mitigation.name}`, mitigation.url];
  if (mitigation.summary) parts.push('', indent(mitigation.summary));
  parts.push('', 'Addresses', ...mitigation.techniques.map((t) => `    ${t} ${catalog.fullName(t) ?? ''}`));
  return parts.join('\n') + '\n';
}

/** A rule, technique or mitigation explained; undefined when the id is unknown. */
export function formatExplanation(id: string, rules: readonly LoadedRule[], catalog: AtlasCatalog): string | undefined {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule) return explainRule(rule, catalog);
  const upper = id.toUpperCase();
  return explainTechnique(upper, rules, catalog) ?? explainMitigation(upper, catalog);
}
