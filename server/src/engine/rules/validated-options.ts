/**
 * Check options already validated, and given their defaults, by their check's schema: when the
 * rule file was loaded (rules/loader.ts), or when the build wrote the snapshot of the bundled
 * rules. A check reads such options as they are, without building or running its schema at
 * every start; any other options object (a caller's own) is parsed as before.
 */
import type { z } from 'zod';

const validated = new WeakSet<object>();

export function markValidatedOptions(options: object): void {
  validated.add(options);
}

/** The options as the check's schema outputs them, or undefined when they do not pass it. */
export function readOptions<Schema extends z.ZodType>(options: object, schema: () => Schema): z.output<Schema> | undefined {
  if (validated.has(options)) return options as z.output<Schema>;
  const parsed = schema().safeParse(options);
  return parsed.success ? parsed.data : undefined;
}
