/**
 * SARIF 2.1.0 output (`--format sarif`), for GitHub code scanning and other SARIF viewers.
 *
 * - One run. `tool.driver.rules` lists every loaded rule (not only those with results), in the
 *   order given, so a viewer can show the whole rule set; a result whose rule is not among them
 *   gets a minimal descriptor appended so `ruleIndex` always resolves.
 * - MITRE ATLAS is declared as a taxonomy (`run.taxonomies[0]`) whose taxa are every technique
 *   cited by a rule or a result; rules relate to their techniques (`relationships`, kind
 *   "superset") and every result lists its techniques in `taxa`.
 * - Locations are relative to `%SRCROOT%` (= `baseDir`, declared in `originalUriBaseIds`) and
 *   percent-encoded segment by segment; files outside `baseDir` get an absolute `file:` URI.
 * - Regions are one-based; columns count UTF-16 code units (SARIF's default `columnKind`, the
 *   engine's own unit), so they are the engine's zero-based positions plus one.
 * - `partialFingerprints` are the stable fingerprints of ./fingerprint.ts (`atlasLens/v1`: rule,
 *   relative path, normalised statement text, occurrence index; they survive code moving up or
 *   down), which `scan --baseline` compares against.
 * - Input problems become `invocations[0].toolConfigurationNotifications`;
 *   `executionSuccessful` is false when one of them is an error, unless the caller says otherwise.
 */
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Finding, InputProblem, Range, Severity } from '../types';
import type { LoadedRule } from '../rules/loader';
import { ATLAS_WEBSITE, type AtlasLookup } from './atlas-lookup';
import { compareStrings } from './common';
import { FINGERPRINT_KEY, fingerprintFindings, MESSAGE_FINGERPRINT_KEY } from './fingerprint';
import { TOOL_NAME } from './json';

export const SARIF_VERSION = '2.1.0';
export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
export const ATLAS_TAXONOMY_NAME = 'MITRE ATLAS';
export { FINGERPRINT_KEY, MESSAGE_FINGERPRINT_KEY };
export const DEFAULT_INFORMATION_URI = 'https://github.com/atlas-lens/atlas-lens';

export interface SarifOptions {
  /** Result paths are made relative to this directory, which becomes %SRCROOT%. */
  baseDir: string;
  toolVersion: string;
  problems?: InputProblem[];
  /** The text of a scanned file, for fingerprints and snippets; undefined when unavailable. */
  readSource?: (file: string) => string | undefined;
  /** The tool's home page; defaults to DEFAULT_INFORMATION_URI. */
  informationUri?: string;
  /** Overrides the default (false when an input problem is an error). */
  executionSuccessful?: boolean;
}

export type SarifLevel = 'error' | 'warning' | 'note';

export interface SarifMessage {
  text: string;
  markdown?: string;
}

export interface SarifRegion {
  startLine: number;
  startColumn?: number;
  endLine?: number;
  endColumn?: number;
  snippet?: { text: string };
}

export interface SarifArtifactLocation {
  uri: string;
  uriBaseId?: string;
}

export interface SarifToolComponentReference {
  name: string;
  index: number;
}

export interface SarifDescriptorReference {
  id: string;
  index: number;
  toolComponent: SarifToolComponentReference;
}

export interface SarifLocation {
  physicalLocation: { artifactLocation: SarifArtifactLocation; region?: SarifRegion };
}

export interface SarifRule {
  id: string;
  name: string;
  shortDescription: SarifMessage;
  fullDescription?: SarifMessage;
  help?: SarifMessage;
  helpUri?: string;
  defaultConfiguration: { level: SarifLevel };
  relationships?: Array<{ target: SarifDescriptorReference; kinds: string[] }>;
  properties: Record<string, unknown> & { tags: string[] };
}

export interface SarifTaxon {
  id: string;
  name?: string;
  shortDescription?: SarifMessage;
  helpUri: string;
}

export interface SarifFix {
  description: SarifMessage;
  artifactChanges: Array<{
    artifactLocation: SarifArtifactLocation;
    replacements: Array<{ deletedRegion: SarifRegion; insertedContent: { text: string } }>;
  }>;
  properties: { safe: boolean };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex: number;
  level: SarifLevel;
  message: SarifMessage;
  locations: SarifLocation[];
  partialFingerprints: Record<string, string>;
  taxa: SarifDescriptorReference[];
  fixes?: SarifFix[];
  /** For flow findings: the path the value took, source first (SARIF code flows). */
  codeFlows?: SarifCodeFlow[];
  /** Other files the finding is about (the model file a load call reads). */
  relatedLocations?: Array<SarifLocation & { id: number; message: SarifMessage }>;
  properties?: Record<string, unknown>;
}

export interface SarifCodeFlow {
  message?: SarifMessage;
  threadFlows: Array<{ locations: Array<{ location: { physicalLocation: { artifactLocation: SarifArtifactLocation; region: SarifRegion }; message: SarifMessage } }> }>;
}

export interface SarifNotification {
  level: SarifLevel;
  message: SarifMessage;
  locations?: SarifLocation[];
  properties?: Record<string, unknown>;
}

export interface SarifLog {
  $schema: string;
  version: typeof SARIF_VERSION;
  runs: [
    {
      tool: {
        driver: {
          name: string;
          version: string;
          semanticVersion: string;
          informationUri: string;
          rules: SarifRule[];
          supportedTaxonomies: SarifToolComponentReference[];
        };
      };
      taxonomies: Array<{
        name: string;
        fullName: string;
        version: string;
        organization: string;
        informationUri: string;
        shortDescription: SarifMessage;
        isComprehensive: boolean;
        taxa: SarifTaxon[];
      }>;
      originalUriBaseIds: Record<string, { uri: string; description?: SarifMessage }>;
      columnKind: 'utf16CodeUnits';
      invocations: Array<{ executionSuccessful: boolean; toolConfigurationNotifications?: SarifNotification[] }>;
      results: SarifResult[];
    },
  ];
}

const LEVEL: Record<Severity, SarifLevel> = { error: 'error', warning: 'warning', info: 'note' };

/** GitHub code scanning reads this to rank security alerts (high / medium / low). */
const SECURITY_SEVERITY: Record<Severity, string> = { error: '8.0', warning: '5.0', info: '2.0' };

const TAXONOMY_REF: SarifToolComponentReference = { name: ATLAS_TAXONOMY_NAME, index: 0 };

/** torch-load-unsafe -> TorchLoadUnsafe */
export function pascalCase(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter((part) => part.length > 0)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

/** The directory as a `file:` URI ending with a slash, percent-encoded. */
export function directoryUri(dir: string): string {
  const href = pathToFileURL(path.resolve(dir)).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/**
 * Where a file is, for SARIF: relative to %SRCROOT% with each segment percent-encoded, or an
 * absolute `file:` URI when the file is not under `baseDir`.
 */
export function artifactLocation(baseDir: string, file: string): SarifArtifactLocation {
  const relative = path.relative(path.resolve(baseDir), path.resolve(file));
  if (relative === '' || path.isAbsolute(relative) || relative === '..' || relative.startsWith(`..${path.sep}`)) {
    return { uri: pathToFileURL(path.resolve(file)).href };
  }
  return { uri: relative.split(path.sep).map(encodeURIComponent).join('/'), uriBaseId: SRCROOT };
}

function toRegion(range: Range): SarifRegion {
  return {
    startLine: range.start.line + 1,
    startColumn: range.start.character + 1,
    endLine: range.end.line + 1,
    endColumn: range.end.character + 1,
  };
}

/** Picks a code fence longer than any backtick run in the text. */
function fenced(code: string, language: string): string {
  const longest = Math.max(2, ...Array.from(code.matchAll(/`+/g), (m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}${language}\n${code.replace(/\s+$/, '')}\n${fence}`;
}

const FENCE_LANGUAGE: Record<string, string> = {
  python: 'python',
  notebook: 'python',
  typescript: 'typescript',
  javascript: 'javascript',
  requirements: 'text',
  dockerfile: 'dockerfile',
  yaml: 'yaml',
  toml: 'toml',
};

function ruleHelp(rule: LoadedRule, atlas: AtlasLookup): SarifMessage {
  const language = FENCE_LANGUAGE[rule.languages[0] ?? ''] ?? '';
  const techniqueLine = (id: string, markdown: boolean): string => {
    const name = atlas.techniqueName(id);
    const label = name ? `${id} ${name}` : id;
    return markdown ? `- [${label}](${atlas.techniqueUrl(id)})` : `- ${label}: ${atlas.techniqueUrl(id)}`;
  };
  const mitigationLine = (id: string): string => {
    const name = atlas.mitigationName(id);
    return name ? `- ${id} ${name}` : `- ${id}`;
  };

  const text: string[] = [rule.title, '', `Why: ${rule.docs.why.trim()}`, '', 'Vulnerable:', rule.docs.bad.trimEnd(), '', 'Safer:', rule.docs.good.trimEnd()];
  const markdown: string[] = [`**${rule.title}**`, '', rule.docs.why.trim(), '', '**Vulnerable**', '', fenced(rule.docs.bad, language), '', '**Safer**', '', fenced(rule.docs.good, language)];
  if (rule.docs.fix) {
    text.push('', `Fix: ${rule.docs.fix.trim()}`);
    markdown.push('', `**Fix:** ${rule.docs.fix.trim()}`);
  }
  text.push('', 'MITRE ATLAS techniques:', ...rule.atlas.techniques.map((id) => techniqueLine(id, false)));
  markdown.push('', '**MITRE ATLAS techniques**', '', ...rule.atlas.techniques.map((id) => techniqueLine(id, true)));
  if (rule.atlas.mitigations.length > 0) {
    text.push('', 'MITRE ATLAS mitigations:', ...rule.atlas.mitigations.map(mitigationLine));
    markdown.push('', '**MITRE ATLAS mitigations**', '', ...rule.atlas.mitigations.map(mitigationLine));
  }
  if (rule.docs.references.length > 0) {
    text.push('', 'References:', ...rule.docs.references.map((url) => `- ${url}`));
    markdown.push('', '**References**', '', ...rule.docs.references.map((url) => `- <${url}>`));
  }
  return { text: text.join('\n'), markdown: markdown.join('\n') };
}

function makeNotification(problem: InputProblem, baseDir: string): SarifNotification {
  const notification: SarifNotification = { level: LEVEL[problem.severity], message: { text: problem.message } };
  const physicalLocation: SarifLocation['physicalLocation'] = { artifactLocation: artifactLocation(baseDir, problem.file) };
  if (problem.line !== undefined) {
    physicalLocation.region = { startLine: problem.line + 1 };
    if (problem.character !== undefined) physicalLocation.region.startColumn = problem.character + 1;
  }
  notification.locations = [{ physicalLocation }];
  if (problem.field !== undefined) notification.properties = { field: problem.field };
  return notification;
}

/** Builds the SARIF log; serialise it with JSON.stringify. */
export function formatSarif(findings: readonly Finding[], rules: readonly LoadedRule[], atlas: AtlasLookup, options: SarifOptions): SarifLog {
  const baseDir = path.resolve(options.baseDir);
  const problems = options.problems ?? [];

  // Taxa: every technique cited by a rule or a result, sorted by id.
  const techniqueIds = new Set<string>();
  for (const rule of rules) for (const id of rule.atlas.techniques) techniqueIds.add(id);
  for (const finding of findings) for (const id of finding.techniques) techniqueIds.add(id);
  const taxa: SarifTaxon[] = [...techniqueIds].sort(compareStrings).map((id) => {
    const name = atlas.techniqueName(id);
    return name ? { id, name, shortDescription: { text: name }, helpUri: atlas.techniqueUrl(id) } : { id, helpUri: atlas.techniqueUrl(id) };
  });
  const taxonIndex = new Map(taxa.map((taxon, index) => [taxon.id, index]));
  const taxonRef = (id: string): SarifDescriptorReference => ({ id, index: taxonIndex.get(id)!, toolComponent: { ...TAXONOMY_REF } });

  // Rules: every loaded rule, then stand-ins for rule ids only seen in results.
  const sarifRules: SarifRule[] = rules.map((rule) => {
    const primary = rule.atlas.techniques[0];
    const descriptor: SarifRule = {
      id: rule.id,
      name: pascalCase(rule.id),
      shortDescription: { text: rule.title },
      fullDescription: { text: rule.docs.why.trim() },
      help: ruleHelp(rule, atlas),
      ...(primary ? { helpUri: atlas.techniqueUrl(primary) } : {}),
      defaultConfiguration: { level: LEVEL[rule.severity] },
      relationships: rule.atlas.techniques.map((id) => ({ target: taxonRef(id), kinds: ['superset'] })),
      properties: {
        tags: ['security', ...rule.atlas.techniques],
        'security-severity': SECURITY_SEVERITY[rule.severity],
        precision: 'high',
        atlasTechniques: [...rule.atlas.techniques],
        atlasMitigations: rule.atlas.mitigations.map((id) => {
          const name = atlas.mitigationName(id);
          return name ? { id, name } : { id };
        }),
      },
    };
    return descriptor;
  });
  const ruleIndex = new Map<string, number>();
  sarifRules.forEach((rule, index) => {
    if (!ruleIndex.has(rule.id)) ruleIndex.set(rule.id, index);
  });
  for (const finding of findings) {
    if (ruleIndex.has(finding.ruleId)) continue;
    ruleIndex.set(finding.ruleId, sarifRules.length);
    sarifRules.push({
      id: finding.ruleId,
      name: pascalCase(finding.ruleId),
      shortDescription: { text: finding.ruleId },
      ...(finding.techniques[0] ? { helpUri: atlas.techniqueUrl(finding.techniques[0]) } : {}),
      defaultConfiguration: { level: LEVEL[finding.severity] },
      relationships: finding.techniques.map((id) => ({ target: taxonRef(id), kinds: ['superset'] })),
      properties: { tags: ['security', ...finding.techniques], 'security-severity': SECURITY_SEVERITY[finding.severity] },
    });
  }

  const fingerprinted = fingerprintFindings(findings, baseDir, options.readSource);

  const results: SarifResult[] = fingerprinted.map(({ finding, key: fingerprintKey, fingerprint, snippet }) => {
    const location = artifactLocation(baseDir, finding.file);
    const region = toRegion(finding.range);
    if (snippet !== undefined) region.snippet = { text: snippet };

    const result: SarifResult = {
      ruleId: finding.ruleId,
      ruleIndex: ruleIndex.get(finding.ruleId)!,
      level: LEVEL[finding.severity],
      message: { text: finding.message },
      locations: [{ physicalLocation: { artifactLocation: location, region } }],
      partialFingerprints: { [fingerprintKey]: fingerprint },
      taxa: finding.techniques.map(taxonRef),
    };
    if (finding.flow && finding.flow.length > 0) {
      result.codeFlows = [
        {
          threadFlows: [
            {
              locations: finding.flow.map((step) => ({
                location: { physicalLocation: { artifactLocation: { ...location }, region: toRegion(step.range) }, message: { text: step.message } },
              })),
            },
          ],
        },
      ];
    }
    if (finding.related && finding.related.length > 0) {
      result.relatedLocations = finding.related.map((related, id) => ({ id, physicalLocation: { artifactLocation: artifactLocation(baseDir, related.file) }, message: { text: related.message } }));
    }
    if (finding.fix && !finding.fix.placeholder) { // a placeholder is not a fix a tool may apply
      result.fixes = [
        {
          description: { text: finding.fix.title },
          artifactChanges: [
            {
              artifactLocation: { ...location },
              replacements: finding.fix.edits.map((edit) => ({ deletedRegion: toRegion(edit.range), insertedContent: { text: edit.newText } })),
            },
          ],
          properties: { safe: finding.fix.safe },
        },
      ];
    }
    const properties: Record<string, unknown> = {};
    if (finding.mitigations.length > 0) properties.atlasMitigations = [...finding.mitigations];
    if (finding.cell) {
      // One-based, like the rest of SARIF.
      properties.notebookCell = finding.cell.index + 1;
      properties.notebookCellLine = finding.cell.line + 1;
    }
    if (Object.keys(properties).length > 0) result.properties = properties;
    return result;
  });

  const notifications = problems.map((problem) => makeNotification(problem, baseDir));
  const executionSuccessful = options.executionSuccessful ?? !problems.some((problem) => problem.severity === 'error');

  return {
    $schema: SARIF_SCHEMA_URI,
    version: SARIF_VERSION,
    runs: [
      {
        tool: {
          driver: {
            name: TOOL_NAME,
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            informationUri: options.informationUri ?? DEFAULT_INFORMATION_URI,
            rules: sarifRules,
            supportedTaxonomies: [{ ...TAXONOMY_REF }],
          },
        },
        taxonomies: [
          {
            name: ATLAS_TAXONOMY_NAME,
            fullName: 'MITRE ATLAS (Adversarial Threat Landscape for Artificial-Intelligence Systems)',
            version: atlas.version,
            organization: 'MITRE',
            informationUri: ATLAS_WEBSITE,
            shortDescription: { text: 'A knowledge base of adversary tactics and techniques against AI-enabled systems.' },
            isComprehensive: false,
            taxa,
          },
        ],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(baseDir), description: { text: 'The directory the scan was run from.' } } },
        columnKind: 'utf16CodeUnits',
        invocations: [{ executionSuccessful, ...(notifications.length > 0 ? { toolConfigurationNotifications: notifications } : {}) }],
        results,
      },
    ],
  };
}
