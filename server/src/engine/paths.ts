import * as path from 'node:path';

/** Whether `file` lies strictly below `dir` (not `dir` itself, not outside it); lexical, links not followed. */
export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  return relative !== '' && !relative.startsWith('..') && !path.isAbsolute(relative);
}
