/**
 * Rule fixtures: `test/fixtures/<language>/<rule-id>/flagged.<ext>` and `silent.<ext>`.
 * In a flagged file, each finding is announced on the line(s) directly above the line it starts on:
 *   # expect: torch-load-unsafe warning 4-14
 * meaning rule, severity, start and end column (zero-based, end exclusive) on that line; for a
 * multi-line span write the end as `line:col` relative to the start line, e.g. `4-+2:1`.
 * In a notebook the annotation is a comment line of a code cell and the columns are those of the
 * .ipynb text (where the CLI and SARIF point).
 * The whole file must produce exactly the announced findings; a silent file must produce none.
 */
export interface ExpectedFinding {
  ruleId: string;
  severity: string;
  line: number;
  startCharacter: number;
  endLine: number;
  endCharacter: number;
}

// In a notebook the comment is a line of a cell's JSON source: `    "# expect: … 4-14\n",`.
const EXPECT = /^\s*"?(?:#|\/\/)\s*expect:\s*([a-z0-9-]+)\s+(error|warning|info)\s+(\d+)-(?:\+(\d+):)?(\d+)\s*(?:\\n)?(?:",?)?\s*$/;

export function parseExpectations(text: string): ExpectedFinding[] {
  const lines = text.split('\n');
  const expected: ExpectedFinding[] = [];
  let pending: Array<Omit<ExpectedFinding, 'line' | 'endLine'> & { lineOffset: number }> = [];
  lines.forEach((line, index) => {
    const match = EXPECT.exec(line);
    if (match) {
      pending.push({ ruleId: match[1]!, severity: match[2]!, startCharacter: Number(match[3]), lineOffset: Number(match[4] ?? 0), endCharacter: Number(match[5]) });
      return;
    }
    for (const item of pending) {
      expected.push({ ruleId: item.ruleId, severity: item.severity, line: index, startCharacter: item.startCharacter, endLine: index + item.lineOffset, endCharacter: item.endCharacter });
    }
    pending = [];
  });
  return expected;
}
