/**
 * A value built on first use. Zod's schemas are built this way: a scan with the bundled rules and
 * catalog needs none (they come validated from the build's snapshot: rules/validated-snapshot.ts),
 * and loading zod and building them cost every start ~10 ms of CPU (measured in alternated runs;
 * a CPU profile had put it at 30–40 ms).
 */
export function lazily<T>(build: () => T): () => T {
  let built: { value: T } | undefined;
  return () => (built ??= { value: build() }).value;
}

/**
 * zod itself, required on first use: a scan with the bundled rules and catalog never validates
 * anything.
 */
export function zodLibrary(): typeof import('zod') {
  return require('zod') as typeof import('zod');
}
