/**
 * The little the reporters need to know about MITRE ATLAS. The catalog module provides a full
 * implementation; reporters depend only on this interface so they can be tested with a fake.
 */

export interface AtlasLookup {
  /** The ATLAS data version, e.g. "5.6.0". */
  version: string;
  /** Full name; for sub-techniques the "Parent: Child" form, e.g. "User Execution: Unsafe AI Artifacts". */
  techniqueName(id: string): string | undefined;
  /** https://atlas.mitre.org/techniques/<id> */
  techniqueUrl(id: string): string;
  mitigationName(id: string): string | undefined;
}

export const ATLAS_WEBSITE = 'https://atlas.mitre.org';

/** The ATLAS web page of a technique (sub-techniques have their own page under the same path). */
export function defaultTechniqueUrl(id: string): string {
  return `${ATLAS_WEBSITE}/techniques/${id}`;
}

/**
 * A lookup over plain maps, for tests and for callers that have no catalog at hand
 * (unknown ids give undefined names and the standard URL).
 */
export function createStaticAtlasLookup(
  version: string,
  techniques: Readonly<Record<string, string>> = {},
  mitigations: Readonly<Record<string, string>> = {},
): AtlasLookup {
  return {
    version,
    techniqueName: (id) => (Object.hasOwn(techniques, id) ? techniques[id] : undefined),
    techniqueUrl: defaultTechniqueUrl,
    mitigationName: (id) => (Object.hasOwn(mitigations, id) ? mitigations[id] : undefined),
  };
}
