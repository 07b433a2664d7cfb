/**
 * Checks for the non-Python file kinds (requirements, pyproject.toml, Dockerfiles, YAML configs,
 * notebook shell lines). Each reads the file facts (engine/files/facts.ts) its analyzer built;
 * the rule's YAML owns the metadata and names the check with `match: { check: <name> }`.
 */
import type { RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import type { FileFacts } from '../../files/facts';
import { guardRule } from '../../guard';
import { dependencyChecks } from './dependencies';
import { downloadChecks } from './downloads';
import { deploymentChecks } from './deployment';

export interface FileCheckContext {
  file: string;
  projectRoot?: string;
}

export type FileCheck = (rule: LoadedRule, options: Readonly<Record<string, unknown>>, facts: FileFacts, context: FileCheckContext) => RawFinding[];

const FILE_CHECKS = new Map<string, FileCheck>([...dependencyChecks, ...downloadChecks, ...deploymentChecks]);

export function registeredFileChecks(): string[] {
  return [...FILE_CHECKS.keys()];
}

/** Runs the file checks among `rules` (call rules and Python checks are not for these facts). */
export function runFileChecks(rules: readonly LoadedRule[], facts: FileFacts, context: FileCheckContext): RawFinding[] {
  const findings: RawFinding[] = [];
  for (const rule of rules) {
    const match = rule.match;
    if (!('check' in match)) continue;
    const check = FILE_CHECKS.get(match.check);
    if (check) guardRule(findings, rule.id, () => check(rule, match.options ?? {}, facts, context));
  }
  return findings;
}

/** A finding with the rule's metadata. */
export function fileFinding(rule: LoadedRule, fields: Pick<RawFinding, 'range' | 'statementLines'> & Partial<Pick<RawFinding, 'message' | 'severity' | 'fix'>>): RawFinding {
  return {
    ruleId: rule.id,
    severity: fields.severity ?? rule.severity,
    message: fields.message ?? rule.message,
    range: fields.range,
    statementLines: fields.statementLines,
    techniques: rule.atlas.techniques,
    mitigations: rule.atlas.mitigations,
    ...(fields.fix ? { fix: fields.fix } : {}),
  };
}

/** Public plain-http URL: not loopback, private networks or single-label hosts (same test as the Python rule insecure-download). */
export function isPublicHttp(url: string): boolean {
  return /^http:\/\/(?!(?:localhost|127\.\d+\.\d+\.\d+|0\.0\.0\.0|\[::1\]|10\.\d+\.\d+\.\d+|192\.168\.\d+\.\d+|172\.(?:1[6-9]|2\d|3[01])\.\d+\.\d+|host\.docker\.internal|[^/:.?#]+)(?:[:/?#]|$))/i.test(url);
}

export function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => values[key] ?? whole);
}
