import * as path from 'node:path';

/** Whether `file` lies strictly below `dir` (not `dir` itself, not outside it); lexical, links not followed. */
export function isInside(dir: string, file: string): boolean {
  const relative = path.relative(dir, file);
  // `..` is a step up; `..cache/x` is a folder inside whose name starts with two dots.
  return relative !== '' && relative !== '..' && !relative.startsWith(`..${path.sep}`) && !path.isAbsolute(relative);
}
