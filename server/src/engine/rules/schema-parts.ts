/**
 * Schema pieces shared by rule files (schema.ts) and the checks' options (engine/checks), built
 * on first use (lazily.ts).
 */
import type { z } from 'zod';
import { lazily, zodLibrary } from '../lazily';

export const sharedSchemas = lazily(() => {
  const { z } = zodLibrary();
  const SeveritySchema = z.enum(['error', 'warning', 'info']);

  /** A regular expression (JavaScript syntax, compiled with the u flag), checked when the rule is loaded. */
  const RegexSchema = z.string().min(1).refine(
    (pattern) => {
      try {
        new RegExp(pattern, 'u');
        return true;
      } catch {
        return false;
      }
    },
    { message: 'not a valid regular expression' },
  );

  /**
   * Which argument a condition looks at: by keyword name, by position, or both (a keyword
   * argument wins; the positional slot is used when the keyword is absent).
   */
  const ArgumentSelectorSchema = z.union([
    z.string().min(1),
    z.strictObject({
      name: z.string().min(1).optional(),
      position: z.number().int().min(0).optional(),
      /** Look inside a tuple or list literal: `socket.bind(("0.0.0.0", 80))` is position 0, item 0. */
      item: z.number().int().min(0).optional(),
      /** Look inside a dict literal: `serve.start(http_options={"host": "0.0.0.0"})`. */
      key: z.string().min(1).optional(),
    }).refine(
      (selector) => selector.name !== undefined || selector.position !== undefined,
      'give a name, a position or both',
    ),
  ]);
  return { SeveritySchema, RegexSchema, ArgumentSelectorSchema };
});

export type ArgumentSelector = z.infer<ReturnType<typeof sharedSchemas>['ArgumentSelectorSchema']>;
