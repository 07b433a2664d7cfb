/**
 * Parser for the annotations of the held-out evaluation corpus (test/eval/corpus).
 *
 * Forms, each a trailing comment on a Python line (see corpus/README.md):
 *   # expect: AML.T0011.000                 risky statement starts on this line
 *   # expect: AML.T0010.003, AML.T0011.000  several acceptable techniques (any one counts)
 *   # expect: AML.T0049 (free text)         text after the ids is ignored
 *   # ok   /  # ok: reason                  benign line that a naive tool might flag
 *   # maybe  /  # maybe: reason             tolerated either way (info at most)
 *
 * Line numbers in the result are zero-based.
 */

export interface Annotations {
  /** zero-based line -> technique ids listed on that line */
  expected: Map<number, string[]>;
  /** zero-based lines annotated `# ok` */
  ok: Set<number>;
  /** zero-based lines annotated `# maybe` */
  maybe: Set<number>;
}

const ID = String.raw`AML\.T\d{4}(?:\.\d{3})?`;
const EXPECT_RE = new RegExp(String.raw`#\s*expect\s*:\s*(${ID}(?:\s*,\s*${ID})*)(?:\s+[^#]*)?$`);
const EXPECT_LOOSE_RE = /#\s*expect\b/;
const ID_RE = new RegExp(ID, 'g');
// `# ok` / `# maybe`, optionally followed by a reason introduced by ':', '(', '-' or a dash.
const OK_RE = /#\s*ok(?:\s*[:(\-\u2013\u2014][^#]*)?\s*$/;
const MAYBE_RE = /#\s*maybe(?:\s*[:(\-\u2013\u2014][^#]*)?\s*$/;

export function parseAnnotations(text: string): Annotations {
  const expected = new Map<number, string[]>();
  const ok = new Set<number>();
  const maybe = new Set<number>();
  const lines = text.split(/\r\n|\r|\n/);

  lines.forEach((line, index) => {
    const trimmed = line.trimEnd();
    const exp = EXPECT_RE.exec(trimmed);
    if (exp) {
      const ids = [...new Set(exp[1]!.match(ID_RE) ?? [])];
      expected.set(index, ids);
      return;
    }
    if (EXPECT_LOOSE_RE.test(trimmed)) {
      throw new Error(`line ${index + 1}: malformed "# expect:" annotation: ${trimmed.trim()}`);
    }
    if (OK_RE.test(trimmed)) {
      ok.add(index);
      return;
    }
    if (MAYBE_RE.test(trimmed)) {
      maybe.add(index);
    }
  });

  return { expected, ok, maybe };
}
