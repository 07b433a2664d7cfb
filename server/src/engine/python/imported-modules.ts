/**
 * The modules a Python file may import, read from its text without parsing: a trigger test for
 * rules whose call patterns start with a module (`transformers.pipeline`). Python facts give a
 * call a qualified name only through an import binding (or a builtin), so a file that never
 * imports `transformers` has no call named `transformers.…`, however often its prose says
 * "transformers" and "pipeline" (scikit-learn's docstrings do, in most of its modules).
 *
 * The answer must hold every module an import statement of the file names, as the parser would
 * read it; holding more is harmless (the file is then parsed). So every identifier on the lines
 * around an import keyword counts, in code, strings or comments alike: the line of the keyword,
 * continued while a line ends with a backslash or the keyword ends its line (the parser's error
 * recovery may join such lines). Module names of an import never spread over more lines than
 * that: `import` takes no brackets, and `from x import (…)` names x before them.
 */

/**
 * Where an import statement's keyword may stand: `import` anywhere (not as an attribute), `from`
 * only where a statement starts (a line's start, or after `;` or `:`). The module of
 * `from x import y` is on the line of its `import` unless a backslash splits them, and then the
 * statement starts with `from`; prose says "from" mid-sentence all the time ("a ColumnTransformer
 * from the given transformers").
 */
const IMPORT_KEYWORD = /(?<![\w.])import(?!\w)|(?:^|[;:])[ \t\f\v]*from(?!\w)/gm;
const IDENTIFIER = /[A-Za-z_][\w]*/g;

let lastText: string | undefined;
let lastRoots: ReadonlySet<string> = new Set();

/** Every identifier that may start a module name in one of the file's imports (a superset). */
export function importedRoots(text: string): ReadonlySet<string> {
  if (text === lastText) return lastRoots;
  const roots = new Set<string>();
  let scannedTo = 0;
  IMPORT_KEYWORD.lastIndex = 0;
  for (let keyword = IMPORT_KEYWORD.exec(text); keyword; keyword = IMPORT_KEYWORD.exec(text)) {
    const keywordEnd = keyword.index + keyword[0].length;
    let end = lineEnd(text, keyword.index);
    // A backslash continuation, or nothing yet after the keyword: the statement goes on below.
    while (end < text.length && (endsWithBackslash(text, end) || text.slice(keywordEnd, end).trim() === '')) end = lineEnd(text, end + 1);
    IDENTIFIER.lastIndex = Math.max(scannedTo, text.lastIndexOf('\n', keyword.index) + 1);
    for (let word = IDENTIFIER.exec(text); word && word.index < end; word = IDENTIFIER.exec(text)) roots.add(word[0]);
    scannedTo = Math.max(scannedTo, end);
    IMPORT_KEYWORD.lastIndex = Math.max(keywordEnd, end);
  }
  lastText = text;
  lastRoots = roots;
  return roots;
}

/** The offset of the line break ending the line that holds `index` (or the text's end). */
function lineEnd(text: string, index: number): number {
  const end = text.indexOf('\n', index);
  return end < 0 ? text.length : end;
}

/** Whether the line ending at `end` (a "\n", maybe after a "\r") ends with a backslash. */
function endsWithBackslash(text: string, end: number): boolean {
  const last = text.charCodeAt(end - 1) === 13 ? end - 2 : end - 1;
  return last >= 0 && text.charCodeAt(last) === 92;
}
