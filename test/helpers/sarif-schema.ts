import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

// The official schema, kept next to the repository (../shared relative to the repo root).
export const SARIF_SCHEMA_FILE = path.resolve(__dirname, '../../../shared/sarif/sarif-schema-2.1.0.json');

/**
 * The schema declares draft-04 (`$schema`) and names itself with the draft-04 `id`. Ajv 8 speaks
 * draft-07 and knows no draft-04 meta-schema, so drop `$schema` and move `id` to `$id`; the schema
 * uses no keyword whose meaning changed between the drafts (no boolean exclusiveMinimum/Maximum).
 */
export function loadSarifValidator() {
  const schema = JSON.parse(fs.readFileSync(SARIF_SCHEMA_FILE, 'utf8')) as Record<string, unknown>;
  assert.equal(schema.$schema, 'http://json-schema.org/draft-04/schema#');
  assert.doesNotMatch(JSON.stringify(schema), /"exclusive(Minimum|Maximum)"\s*:\s*(true|false)/);
  delete schema.$schema;
  schema.$id = schema.id;
  delete schema.id;
  // Strict mode: an unknown keyword left over from draft-04 would make compile throw.
  const ajv = new Ajv({ allErrors: true });
  addFormats(ajv);
  return ajv.compile(schema);
}
