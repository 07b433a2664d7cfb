import { test } from 'node:test';
import assert from 'node:assert/strict';
import { atlasLookupFromCatalog, createStaticAtlasLookup, type AtlasCatalogLike } from '../../server/src/engine/report/atlas-lookup';

test('static lookup: known and unknown ids, no prototype leaks', () => {
  const lookup = createStaticAtlasLookup('5.6.0', { 'AML.T0018': 'Manipulate AI Model' }, { 'AML.M0011': 'Restrict Library Loading' });
  assert.equal(lookup.version, '5.6.0');
  assert.equal(lookup.techniqueName('AML.T0018'), 'Manipulate AI Model');
  assert.equal(lookup.techniqueName('AML.T0001'), undefined);
  assert.equal(lookup.techniqueName('toString'), undefined);
  assert.equal(lookup.techniqueUrl('AML.T0011.000'), 'https://atlas.mitre.org/techniques/AML.T0011.000');
  assert.equal(lookup.mitigationName('AML.M0011'), 'Restrict Library Loading');
});

test('catalog adapter', () => {
  const techniques: Record<string, { url: string }> = { 'AML.T0011.000': { url: 'https://atlas.mitre.org/techniques/AML.T0011.000' } };
  const catalog: AtlasCatalogLike = {
    version: '5.6.0',
    technique: (id) => techniques[id],
    mitigation: (id) => (id === 'AML.M0011' ? { name: 'Restrict Library Loading' } : undefined),
    fullName: (id) => (id === 'AML.T0011.000' ? 'User Execution: Unsafe AI Artifacts' : id === 'AML.M0011' ? 'Restrict Library Loading' : undefined),
    techniqueUrl: (id) => techniques[id]?.url,
  };
  const lookup = atlasLookupFromCatalog(catalog);
  assert.equal(lookup.techniqueName('AML.T0011.000'), 'User Execution: Unsafe AI Artifacts');
  assert.equal(lookup.techniqueName('AML.M0011'), undefined);
  assert.equal(lookup.techniqueUrl('AML.T9999'), 'https://atlas.mitre.org/techniques/AML.T9999');
  assert.equal(lookup.mitigationName('AML.M0011'), 'Restrict Library Loading');
});
