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

/**
 * The shape of a catalog this module can adapt (structural, so the catalog module need not be
 * imported here): the AtlasCatalog class fits it.
 */
export interface AtlasCatalogLike {
  version: string;
  technique(id: string): unknown;
  mitigation(id: string): { name: string } | undefined;
  /** "Parent: Child" for sub-techniques. */
  fullName(id: string): string | undefined;
  techniqueUrl(id: string): string | undefined;
}

/** Adapts a catalog: technique names only for technique ids, the standard URL for unknown ids. */
export function atlasLookupFromCatalog(catalog: AtlasCatalogLike): AtlasLookup {
  return {
    version: catalog.version,
    techniqueName: (id) => (catalog.technique(id) ? catalog.fullName(id) : undefined),
    techniqueUrl: (id) => catalog.techniqueUrl(id) ?? defaultTechniqueUrl(id),
    mitigationName: (id) => catalog.mitigation(id)?.name,
  };
}
