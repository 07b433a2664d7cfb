/**
 * A value built on first use. Zod's schemas are built this way: building them took ~30 ms of
 * every start (zod compiles its parsers on first use too), while a scan with the bundled rules and
 * catalog needs none (they come validated from the build's snapshot: rules/validated-snapshot.ts).
 */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/**
 * zod itself, required on first use: its module takes ~12 ms to load, and a scan with the bundled
 * rules and catalog never validates anything.
 */
export function zodLibrary(): typeof import('zod') {
  return require('zod') as typeof import('zod');
}
