/**
 * Reads an official MITRE ATLAS data file (ATLAS.yaml, as published by mitre-atlas/atlas-data)
 * into an AtlasCatalog, so users can point the tool at a newer release with --atlas-data FILE.
 * Only facts are taken (ids, names, tactics, parents, mitigation links); summaries come from the
 * bundled catalog for ids that still exist. The scripts/generate-atlas-catalog.ts generator uses
 * the same reader, so the bundled catalog and a loaded official file agree by construction.
 *
 * The reader is lenient: an entry it cannot use becomes a located InputProblem (warning) and the
 * rest still loads. Quirks of the real 5.6.0 file that it repairs, reported as info:
 *  - two mitigations (AML.M0018, AML.M0034) carry a technique link `{id, use}` as the last item
 *    of their `ml-lifecycle` list instead of under `techniques`; any technique-shaped item in a
 *    list other than `techniques` is used as a link;
 *  - duplicate links (AML.M0002 and AML.M0004 list AML.T0043.001 twice) are deduplicated;
 *  - dates are unquoted (`created_date: 2022-01-24`); the core schema keeps them as strings and
 *    they are not used anyway.
 * Only a file that is not YAML or has no usable matrix is fatal (error, no catalog).
 */
import * as fs from 'node:fs';
import type { InputProblem, Severity } from '../types';
import { parseLocatedYaml, YamlSyntaxError, type LocatedYaml, type PathSegment } from '../yaml/located-yaml';
import { formatFieldPath } from '../rules/loader';
import {
  AtlasCatalog,
  atlasCatalogSchema,
  MITIGATION_ID,
  TACTIC_ID,
  TECHNIQUE_ID,
  mitigationUrl,
  techniqueUrl,
  type AtlasCatalogData,
  type AtlasMitigation,
  type AtlasTactic,
  type AtlasTechnique,
} from './catalog';

type Entry = Record<string, unknown>;
type Kind = 'tactic' | 'technique' | 'mitigation';

const ID_PATTERN: Record<Kind, RegExp> = { tactic: TACTIC_ID, technique: TECHNIQUE_ID, mitigation: MITIGATION_ID };
const LIST_OF: Record<Kind, string> = { tactic: 'tactics', technique: 'techniques', mitigation: 'mitigations' };

const isEntry = (value: unknown): value is Entry => typeof value === 'object' && value !== null && !Array.isArray(value);

/** A scalar as text: YAML may turn `name: 1.0` or `version: 5.6` into numbers. */
function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

export function loadOfficialAtlas(file: string, bundled?: AtlasCatalog): { catalog?: AtlasCatalog; problems: InputProblem[] } {
  let source: string;
  try {
    source = fs.readFileSync(file, 'utf8');
  } catch (error) {
    return { problems: [{ file, message: `cannot read ATLAS data: ${(error as Error).message}`, severity: 'error' }] };
  }
  return parseOfficialAtlas(file, source, bundled);
}

/** The same as loadOfficialAtlas on text already read. */
export function parseOfficialAtlas(file: string, source: string, bundled?: AtlasCatalog): { catalog?: AtlasCatalog; problems: InputProblem[] } {
  let located: LocatedYaml;
  try {
    located = parseLocatedYaml(source, file);
  } catch (error) {
    if (error instanceof YamlSyntaxError) {
      return { problems: [{ file, ...error.location, message: `not an ATLAS data file: invalid YAML: ${error.reason}`, severity: 'error' }] };
    }
    throw error;
  }
  const reader = new OfficialReader(file, located);
  const data = reader.read();
  if (!data) return { problems: reader.problems };
  if (bundled) carrySummaries(data, bundled);
  // The reader only emits valid data; a failure here is a bug in the reader, not in the file.
  return { catalog: new AtlasCatalog(atlasCatalogSchema().parse(data)), problems: reader.problems };
}

function carrySummaries(data: AtlasCatalogData, bundled: AtlasCatalog): void {
  for (const technique of data.techniques) {
    const known = bundled.technique(technique.id);
    if (known?.summary) technique.summary = known.summary;
    if (known?.codeRisk) technique.codeRisk = known.codeRisk;
  }
  for (const mitigation of data.mitigations) {
    const known = bundled.mitigation(mitigation.id);
    if (known?.summary) mitigation.summary = known.summary;
  }
}

class OfficialReader {
  readonly problems: InputProblem[] = [];

  constructor(
    private readonly file: string,
    private readonly located: LocatedYaml,
  ) {}

  private report(at: PathSegment[], message: string, severity: Severity = 'warning'): void {
    const where = this.located.locate(at);
    const field = formatFieldPath(at);
    this.problems.push({ file: this.file, ...where, field: field || undefined, message, severity });
  }

  read(): AtlasCatalogData | undefined {
    const root = this.located.value;
    const matrices = isEntry(root) ? root.matrices : undefined;
    if (!Array.isArray(matrices) || matrices.length === 0 || !isEntry(matrices[0])) {
      this.report(isEntry(root) && 'matrices' in root ? ['matrices'] : [], 'not an ATLAS data file: expected a non-empty `matrices` list', 'error');
      return undefined;
    }
    if (matrices.length > 1) this.report(['matrices', 1], `only the first matrix is used; ${matrices.length - 1} more ignored`, 'info');
    const matrix = matrices[0];
    let version = text((root as Entry).version);
    if (!version || !/^\d+(\.\d+)*$/.test(version)) {
      this.report(['version'], version ? `version "${version}" is not a release number; using "0"` : 'no version; using "0"');
      version = '0';
    }

    const tactics = this.entries(matrix, 'tactic').map(({ id, name }, i): AtlasTactic => ({ id, name, order: i + 1 }));
    if (tactics.length === 0) {
      this.report(['matrices', 0, 'tactics'], 'not an ATLAS data file: the matrix has no usable tactics', 'error');
      return undefined;
    }
    const techniques = this.techniques(matrix, new Set(tactics.map((t) => t.id)));
    if (techniques.length === 0) {
      this.report(['matrices', 0, 'techniques'], 'not an ATLAS data file: the matrix has no usable techniques', 'error');
      return undefined;
    }
    const mitigations = this.mitigations(matrix, new Set(techniques.map((t) => t.id)));
    return { version, tactics, techniques, mitigations };
  }

  /**
   * The usable entries of one list of the matrix: mappings with a well-formed, new id, a name and
   * the right object-type (a missing object-type is accepted: the list says what it is).
   */
  private entries(matrix: Entry, kind: Kind): Array<{ entry: Entry; id: string; name: string; at: PathSegment[] }> {
    const list = LIST_OF[kind];
    const items = matrix[list];
    if (items === undefined) {
      if (kind === 'mitigation') this.report(['matrices', 0], 'no mitigations list', 'info');
      return [];
    }
    if (!Array.isArray(items)) {
      this.report(['matrices', 0, list], `\`${list}\` is not a list; ignored`, kind === 'mitigation' ? 'warning' : 'error');
      return [];
    }
    const out: Array<{ entry: Entry; id: string; name: string; at: PathSegment[] }> = [];
    const seen = new Set<string>();
    items.forEach((entry: unknown, i) => {
      const at: PathSegment[] = ['matrices', 0, list, i];
      if (!isEntry(entry)) return this.report(at, `${kind} entry is not a mapping; skipped`);
      const id = text(entry.id);
      if (!id) return this.report(at, `${kind} entry without id; skipped`);
      const type = text(entry['object-type']);
      if (type !== undefined && type !== kind) {
        const known = Object.keys(LIST_OF).includes(type);
        return this.report([...at, 'object-type'], known ? `${id} is a ${type} in the ${list} list; skipped` : `${id} has unknown object-type "${type}"; skipped`);
      }
      if (!ID_PATTERN[kind].test(id)) return this.report([...at, 'id'], `"${id}" is not an ATLAS ${kind} id; skipped`);
      if (seen.has(id)) return this.report([...at, 'id'], `duplicate ${kind} id ${id}; skipped`);
      const name = text(entry.name);
      if (!name) return this.report([...at, 'id'], `${id} has no name; skipped`);
      seen.add(id);
      out.push({ entry, id, name, at });
    });
    return out;
  }

  private techniques(matrix: Entry, knownTactics: ReadonlySet<string>): AtlasTechnique[] {
    const entries = this.entries(matrix, 'technique');
    const parents = new Map<string, AtlasTechnique>();
    // Top-level techniques first: sub-techniques inherit their tactics and may come before them.
    for (const { entry, id, name, at } of entries) {
      if (entry['subtechnique-of'] !== undefined) continue;
      if (id.includes('.', 'AML.T'.length)) {
        this.report([...at, 'id'], `${id} looks like a sub-technique but has no subtechnique-of; skipped`);
        continue;
      }
      const tactics = this.tacticsOf(entry, at, id, knownTactics);
      if (tactics.length === 0) {
        this.report([...at, 'tactics'], `${id} has no known tactic; skipped`);
        continue;
      }
      parents.set(id, { id, name, tactics, url: techniqueUrl(id) });
    }
    const out: AtlasTechnique[] = [];
    for (const { entry, id, name, at } of entries) {
      const parentId = entry['subtechnique-of'];
      if (parentId === undefined) {
        const technique = parents.get(id);
        if (technique) out.push(technique);
        continue;
      }
      const parent = parents.get(text(parentId) ?? '');
      if (!parent) {
        this.report([...at, 'subtechnique-of'], `${id} is a sub-technique of unknown technique ${text(parentId) ?? JSON.stringify(parentId)}; skipped`);
        continue;
      }
      if (!id.startsWith(`${parent.id}.`)) {
        this.report([...at, 'id'], `${id} cannot be a sub-technique of ${parent.id} (ids must share the prefix); skipped`);
        continue;
      }
      if (entry.tactics !== undefined) {
        const own = this.tacticsOf(entry, at, id, knownTactics);
        if (own.join() !== parent.tactics.join()) {
          this.report([...at, 'tactics'], `${id} lists tactics of its own; it inherits ${parent.id}'s (${parent.tactics.join(', ')})`, 'info');
        }
      }
      out.push({ id, name, parent: parent.id, tactics: [...parent.tactics], url: techniqueUrl(id) });
    }
    return out;
  }

  /** Known, deduplicated tactic ids of a technique; unknown ones are reported and dropped. */
  private tacticsOf(entry: Entry, at: PathSegment[], id: string, known: ReadonlySet<string>): string[] {
    const listed = entry.tactics;
    if (!Array.isArray(listed)) {
      if (listed !== undefined) this.report([...at, 'tactics'], `${id}: tactics is not a list`);
      return [];
    }
    const out: string[] = [];
    listed.forEach((value: unknown, j) => {
      const tactic = text(value);
      if (!tactic || !known.has(tactic)) this.report([...at, 'tactics', j], `${id} cites unknown tactic ${tactic ?? JSON.stringify(value)}; ignored`);
      else if (out.includes(tactic)) this.report([...at, 'tactics', j], `${id} lists tactic ${tactic} twice`, 'info');
      else out.push(tactic);
    });
    return out;
  }

  private mitigations(matrix: Entry, knownTechniques: ReadonlySet<string>): AtlasMitigation[] {
    return this.entries(matrix, 'mitigation').map(({ entry, id, name, at }) => {
      const links: string[] = [];
      const link = (value: unknown, linkAt: PathSegment[], misplacedUnder?: string): void => {
        const target = text(isEntry(value) ? value.id : value);
        if (!target) return this.report(linkAt, `${id}: technique link without id; ignored`);
        if (!knownTechniques.has(target)) return this.report([...linkAt, ...(isEntry(value) ? ['id'] : [])], `${id} links ${target}, which is not a usable technique of this file; ignored`);
        if (misplacedUnder) this.report(linkAt, `${id} lists technique ${target} under \`${misplacedUnder}\` instead of \`techniques\`; used as a technique link`, 'info');
        if (links.includes(target)) return this.report(linkAt, `${id} links ${target} twice; deduplicated`, 'info');
        links.push(target);
      };
      if (Array.isArray(entry.techniques)) entry.techniques.forEach((value: unknown, j) => link(value, [...at, 'techniques', j]));
      else if (entry.techniques !== undefined) this.report([...at, 'techniques'], `${id}: techniques is not a list; ignored`);
      // Technique-shaped items in other lists (the 5.6.0 file has two under ml-lifecycle).
      for (const [key, value] of Object.entries(entry)) {
        if (key === 'techniques' || !Array.isArray(value)) continue;
        value.forEach((item: unknown, j) => {
          if (isEntry(item) && TECHNIQUE_ID.test(text(item.id) ?? '')) link(item, [...at, key, j], key);
        });
      }
      return { id, name, url: mitigationUrl(id), techniques: links };
    });
  }
}
