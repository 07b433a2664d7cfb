/**
 * Literal values as every language's facts describe them (`{ kind: 'string', value }`, `{ kind: 'none' }`…),
 * compared with the literals a rule's YAML writes (`true`, `"0.0.0.0"`, `null`). Shared by the
 * Python and the TypeScript/JavaScript analyzers.
 */
export interface ValueLike {
  readonly kind: string;
  readonly value?: unknown;
}

/** A literal the engine can judge: strings, numbers, booleans, None/null, resolved names. */
export function isLiteral(value: ValueLike): boolean {
  return value.kind === 'string' || value.kind === 'number' || value.kind === 'bool' || value.kind === 'none' || value.kind === 'name';
}

/** Compares an engine value with a YAML literal (`true`, `"0.0.0.0"`, `null`). */
export function literalEquals(value: ValueLike, expected: string | number | boolean | null): boolean {
  switch (value.kind) {
    case 'string':
    case 'number':
    case 'bool':
      return value.value === expected;
    case 'none':
      return expected === null;
    default:
      return false;
  }
}
