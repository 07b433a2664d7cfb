/**
 * From an artifact's inspection to findings on the artifact file, under the rules whose
 * `languages` include `artifact` (rules/artifacts/*.yaml) and the user's rule settings.
 *
 * What is reported (CI-worthy only):
 * - each dangerous import (up to 20) and each Keras reference into a dangerous module: error;
 * - the imports outside the known-safe set, grouped in one warning per file;
 * - each Keras Lambda layer holding bytecode: warning;
 * - each reason the file could not be fully read (malformed, truncated, zip bomb, budget): warning.
 * A clean verdict (only known-safe imports, a valid safetensors header) is no finding: it is in
 * the scan's artifact summary and in the editor's hover, not in CI logs.
 *
 * Binary files have no lines: findings sit at line 1, column 1, and the message names the member
 * and the byte offset.
 */
import { SEVERITY_RANK, type Finding, type Severity } from '../types';
import type { LoadedRule } from '../rules/loader';
import { importLabel, type ArtifactImport, type ArtifactInspection, type ArtifactIssue } from './inspect';

/** The check names the artifact rules use, by what they report. */
export const ARTIFACT_CHECKS = {
  dangerous: 'artifact-dangerous-import',
  unknown: 'artifact-unknown-import',
  embedded: 'artifact-embedded-code',
  incomplete: 'artifact-not-inspectable',
} as const;

export interface ArtifactRuleSettings {
  rules?: Readonly<Record<string, string>>;
  minimumSeverity?: Severity;
}

const FORMAT_NAMES: Record<string, string> = {
  pickle: 'pickle',
  joblib: 'joblib file',
  'torch-zip': 'PyTorch checkpoint',
  'torch-legacy': 'legacy PyTorch checkpoint',
  'torch-tar': 'legacy PyTorch tar checkpoint',
  numpy: '.npy array',
  npz: '.npz archive',
  keras: 'Keras archive',
  safetensors: 'safetensors file',
  zip: 'zip archive',
};

export function formatName(format: string | undefined): string {
  return (format && FORMAT_NAMES[format]) ?? 'model file';
}

function where(member: string | undefined, offset: number | undefined): string {
  const parts = [member !== undefined ? `in ${member}` : '', offset !== undefined ? `at byte ${offset}` : ''].filter(Boolean);
  return parts.length > 0 ? ` (${parts.join(' ')})` : '';
}

/** `posix.system (process: reason), called as posix.system('echo hi') (in data.pkl at byte 2)`. */
export function describeImport(entry: ArtifactImport): string {
  const reason = entry.reason ? ` — ${entry.category ? `${entry.category}: ` : ''}${entry.reason}` : '';
  const call = entry.calls[0] ? `, called as ${entry.calls[0]}${entry.callCount > 1 ? ` (+${entry.callCount - 1} more call${entry.callCount > 2 ? 's' : ''})` : ''}` : ', imported but not called';
  return `${importLabel(entry)}${call}${where(entry.member, entry.offset)}${reason}`;
}

function issueText(issue: ArtifactIssue): string {
  return `${issue.message}${where(issue.member, issue.offset)}`;
}

export function artifactFindings(inspection: ArtifactInspection, rules: readonly LoadedRule[], settings: ArtifactRuleSettings = {}): Finding[] {
  if (!inspection.format) return [];
  const findings: Finding[] = [];
  const byCheck = new Map<string, LoadedRule>();
  for (const rule of rules) if (rule.languages.includes('artifact') && 'check' in rule.match) byCheck.set(rule.match.check, rule);
  const add = (check: string, message: string, severity?: Severity): void => {
    const rule = byCheck.get(check);
    if (!rule) return;
    const setting = settings.rules?.[rule.id];
    if (setting === 'off') return;
    const chosen = (setting && setting !== 'on' ? setting : severity ?? rule.severity) as Severity;
    if (SEVERITY_RANK[chosen] < SEVERITY_RANK[settings.minimumSeverity ?? 'info']) return;
    findings.push({
      ruleId: rule.id,
      severity: chosen,
      message,
      file: inspection.file,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      statementLines: { first: 0, last: 0 },
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
    });
  };
  const kind = formatName(inspection.format);

  const dangerous = inspection.imports.filter((entry) => entry.classification === 'dangerous');
  for (const entry of dangerous.slice(0, 20)) add(ARTIFACT_CHECKS.dangerous, `This ${kind} imports ${describeImport(entry)}. Loading it runs that code: do not load it.`);
  for (const issue of inspection.issues.filter((i) => i.kind === 'dangerous-reference').slice(0, 20)) {
    add(ARTIFACT_CHECKS.dangerous, `This ${kind} references ${issueText(issue)}; Keras imports it when the model is loaded: do not load it.`);
  }

  const unknown = inspection.imports.filter((entry) => entry.classification === 'unknown');
  if (unknown.length > 0) {
    const names = unknown.slice(0, 8).map((entry) => `${importLabel(entry)}${where(entry.member, entry.offset)}`);
    const more = unknown.length > 8 ? ` and ${unknown.length - 8} more` : '';
    add(
      ARTIFACT_CHECKS.unknown,
      `This ${kind} imports ${unknown.length === 1 ? 'a global' : `${unknown.length} globals`} outside the known-safe set: ${names.join(', ')}${more}. Loading it calls them; if you trust them, list them under artifacts.safe in .atlas-lens.yaml.`,
    );
  }
  for (const issue of inspection.issues.filter((i) => i.kind === 'embedded-code').slice(0, 10)) add(ARTIFACT_CHECKS.embedded, `This ${kind}: ${issueText(issue)}.`);
  for (const issue of inspection.issues.filter((i) => i.kind !== 'embedded-code' && i.kind !== 'dangerous-reference').slice(0, 5)) {
    const tail = inspection.format === 'safetensors' ? 'safetensors loaders reject such a file or read wrong data; re-export or re-download it.' : 'What it runs on load is unknown.';
    add(ARTIFACT_CHECKS.incomplete, `This ${kind} could not be fully inspected: ${issueText(issue)}. ${tail}`);
  }
  return findings;
}
