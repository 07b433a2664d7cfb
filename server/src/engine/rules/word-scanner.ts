/**
 * Which of many words occur in a text, in one pass (Aho–Corasick compiled to a table). The
 * engine skips a rule when none of its trigger words occurs in a file; with a hundred words, one
 * `includes` each meant scanning a large file a hundred times on every keystroke.
 *
 * Trigger words are ASCII; the automaton has a full transition table over ASCII, and any other
 * character leads back to the start. A word with a non-ASCII character is looked up with
 * `includes` instead.
 *
 * A word given as `identifier(word)` counts only where it is not part of a longer identifier:
 * `ray` is in `import ray` but not in `array`, `init` in `ray.init` but not in `__init__`. Each
 * end of the word that is an identifier character must meet a character that is not one (or
 * the edge of the text). Found, it is reported under the key `identifier(word)`.
 */
import { wholeText, type TextSource } from '../chunked-text';
import { changedStretch } from '../text-diff';

const ALPHABET = 128;
/** log2(ALPHABET): a state's row offset shifted right by this is the state. */
const ROW_SHIFT = 7;

const IDENTIFIER_KEY = '\u0001';
const BARE_KEY = '\u0002';
/** How far back a bare word looks for a dot past whitespace; further back it counts as bare (never a missed word). */
const BARE_LOOKBACK = 32;

/** The key under which `word` is looked for as a whole identifier (see above). */
export function identifier(word: string): string {
  return IDENTIFIER_KEY + word;
}

/**
 * The key under which `word` is looked for as a whole identifier that is not an attribute: the
 * first character before it that is not whitespace or a line continuation is not a dot. `eval`
 * in `eval(code)` and `from builtins import eval`, not in `model.eval()`.
 */
export function bareIdentifier(word: string): string {
  return BARE_KEY + word;
}

/** Whether a key asks for a whole identifier (identifier or bareIdentifier). */
function isWholeWord(key: string): boolean {
  return key.startsWith(IDENTIFIER_KEY) || key.startsWith(BARE_KEY);
}

/** A key's word, without its identifier or bare marker. */
function textOf(key: string): string {
  return isWholeWord(key) ? key.slice(1) : key;
}

function isIdentifierCode(code: number): boolean {
  return (code >= 97 && code <= 122) || (code >= 65 && code <= 90) || (code >= 48 && code <= 57) || code === 95 || code === 36;
}

export class WordScanner {
  /** Per state: indexes (into `words`) of the words ending there, through fail links too. */
  private readonly output: number[][];
  /** rows[row + code] = the next state's row (state × ALPHABET): one lookup a character. */
  private readonly rows: Int32Array;
  /** By row >> ROW_SHIFT: whether some word ends in that state. */
  private readonly ends: Uint8Array;
  /** The keys reported: words, and identifier(word) for whole-identifier ones. */
  private readonly words: string[];
  /** Per word (indexed like `words`): its length, and whether each end must meet a non-identifier character. */
  private readonly lengths: Int32Array;
  private readonly boundedStart: Uint8Array;
  private readonly boundedEnd: Uint8Array;
  /** Per word: whether it must not follow a dot (bareIdentifier). */
  private readonly bare: Uint8Array;
  private readonly others: string[];
  /** Length of the longest ASCII word. */
  private readonly longest: number;
  /** How far around an occurrence the characters decide whether it counts (the tracker rescans that far). */
  private readonly context: number;

  constructor(words: readonly string[]) {
    const unique = [...new Set(words)];
    this.words = unique.filter((key) => textOf(key).length > 0 && /^[\x00-\x7f]*$/.test(textOf(key)));
    this.others = unique.filter((key) => !this.words.includes(key));
    const texts = this.words.map(textOf);
    this.lengths = Int32Array.from(texts, (word) => word.length);
    const whole = this.words.map(isWholeWord);
    this.bare = Uint8Array.from(this.words, (key) => (key.startsWith(BARE_KEY) ? 1 : 0));
    this.boundedStart = Uint8Array.from(texts, (word, index) => (whole[index] && isIdentifierCode(word.charCodeAt(0)) ? 1 : 0));
    this.boundedEnd = Uint8Array.from(texts, (word, index) => (whole[index] && isIdentifierCode(word.charCodeAt(word.length - 1)) ? 1 : 0));
    this.longest = Math.max(0, ...texts.map((word) => word.length));
    this.context = this.longest + (this.bare.includes(1) ? BARE_LOOKBACK : 0);

    // The trie.
    const children: Array<Map<number, number>> = [new Map()];
    const output: number[][] = [[]];
    texts.forEach((word, index) => {
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const code = word.charCodeAt(i);
        let next = children[state]!.get(code);
        if (next === undefined) {
          next = children.length;
          children.push(new Map());
          output.push([]);
          children[state]!.set(code, next);
        }
        state = next;
      }
      output[state]!.push(index);
    });

    // Breadth-first: fail links, outputs merged along them, and the full transition table. The
    // table holds each next state's row (state × ALPHABET) from the start: a pass to convert
    // state numbers into rows afterwards cost ~10 ms of every start (~280,000 entries).
    const states = children.length;
    const rows = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let code = 0; code < ALPHABET; code++) {
      const next = children[0]!.get(code);
      rows[code] = (next ?? 0) * ALPHABET;
      if (next !== undefined) queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      // The fail state is shallower, so its row is complete: start from it, then the children.
      const failRow = fail[state]! * ALPHABET;
      output[state]!.push(...output[fail[state]!]!);
      rows.copyWithin(state * ALPHABET, failRow, failRow + ALPHABET);
      for (const [code, next] of children[state]!) {
        fail[next] = rows[failRow + code]! / ALPHABET;
        rows[state * ALPHABET + code] = next * ALPHABET;
        queue.push(next);
      }
    }
    this.output = output;
    this.rows = rows;
    this.ends = Uint8Array.from(output, (words) => (words.length > 0 ? 1 : 0));
  }

  /** The words that occur in `text`. */
  present(text: string): Set<string> {
    const found = new Set<string>();
    const { rows, ends, output, words } = this;
    let remaining = words.length;
    let row = 0;
    for (let i = 0; i < text.length && remaining > 0; i++) {
      const code = text.charCodeAt(i);
      row = code < ALPHABET ? rows[row + code]! : 0;
      if (ends[row >> ROW_SHIFT] === 0) continue;
      const ending = output[row >> ROW_SHIFT]!;
      for (let k = 0; k < ending.length; k++) {
        const index = ending[k]!;
        const word = words[index]!;
        if (!found.has(word) && this.standsAlone(text, index, i)) {
          found.add(word);
          remaining--;
        }
      }
    }
    for (const key of this.others) if (this.containsOther(text, key)) found.add(key);
    return found;
  }

  /** Whether the occurrence of word `index` ending at `last` (inclusive) meets the word's boundary requirements. */
  private standsAlone(text: string, index: number, last: number): boolean {
    if (this.boundedEnd[index] && last + 1 < text.length && isIdentifierCode(text.charCodeAt(last + 1))) return false;
    const before = last - this.lengths[index]!;
    if (this.boundedStart[index] && before >= 0 && isIdentifierCode(text.charCodeAt(before))) return false;
    return !this.bare[index] || !followsDot(text, before);
  }

  /** For the rare non-ASCII word: `includes`, and for an identifier key (a bare one too, taken as any identifier), some occurrence standing alone. */
  private containsOther(text: string, key: string): boolean {
    if (!isWholeWord(key)) return text.includes(key);
    const word = textOf(key);
    const startBounded = isIdentifierCode(word.charCodeAt(0));
    const endBounded = isIdentifierCode(word.charCodeAt(word.length - 1));
    for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
      const end = at + word.length;
      if ((!startBounded || at === 0 || !isIdentifierCode(text.charCodeAt(at - 1))) && (!endBounded || end === text.length || !isIdentifierCode(text.charCodeAt(end)))) return true;
    }
    return false;
  }

  /** Adds `sign` × the occurrences of each word that lie wholly inside text[start, end) to `counts` (indexed like the words). */
  private count(text: string, start: number, end: number, counts: Int32Array, sign: number): void {
    const { rows, ends, output } = this;
    let row = 0;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      row = code < ALPHABET ? rows[row + code]! : 0;
      if (ends[row >> ROW_SHIFT] === 0) continue;
      const ending = output[row >> ROW_SHIFT]!;
      for (let k = 0; k < ending.length; k++) if (this.standsAlone(text, ending[k]!, i)) counts[ending[k]!]! += sign;
    }
  }

  /**
   * `present` for successive versions of one document (the language server, a keystroke at a
   * time): occurrences are counted once, then each version rescans only around what differs
   * from the previous one, which is found by comparing the two texts in large slices.
   */
  tracker(): WordTracker {
    return new WordTracker(this);
  }

  /** Words present in `text`, from `counts` (of the last version) brought up to date where it differs from `previous`. */
  presentIn(text: TextSource, previous: TextSource | undefined, counts: Int32Array | undefined): { words: Set<string>; counts?: Int32Array } {
    if (this.others.length > 0) return { words: this.present(wholeText(text)) };
    if (previous === undefined || counts === undefined) {
      counts = new Int32Array(this.words.length);
      this.count(wholeText(text), 0, text.length, counts, 1);
    } else if (previous !== text) {
      const { start, oldEnd, newEnd } = changedStretch(previous, text);
      // Occurrences wholly inside the common prefix or suffix, with the character on either
      // side of them (it decides whether an identifier word stands alone), are the same in both texts.
      const from = Math.max(0, start - this.context);
      this.countIn(previous, from, Math.min(previous.length, oldEnd + this.context), counts, -1);
      this.countIn(text, from, Math.min(text.length, newEnd + this.context), counts, 1);
    }
    const found = new Set<string>();
    for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) found.add(this.words[i]!);
    return { words: found, counts };
  }

  /**
   * count() over text[start, end) of a text read in slices: the slice holds every character an
   * occurrence there is checked against (the one after it, the one before it and the dot looked
   * for before a bare identifier), so the counts are those of the whole text.
   */
  private countIn(text: TextSource, start: number, end: number, counts: Int32Array, sign: number): void {
    const base = Math.max(0, start - 1 - BARE_LOOKBACK);
    this.count(text.slice(base, Math.min(text.length, end + 1)), start - base, end - base, counts, sign);
  }
}

/** Whether the first character at or before `at` that is not whitespace or a backslash is a dot (within BARE_LOOKBACK characters). */
function followsDot(text: string, at: number): boolean {
  for (let i = at; i >= 0 && i > at - BARE_LOOKBACK; i--) {
    const code = text.charCodeAt(i);
    if (code === 46) return true; // .
    if (code !== 32 && code !== 9 && code !== 10 && code !== 13 && code !== 12 && code !== 11 && code !== 92) return false;
  }
  return false;
}

/**
 * WordScanner.present kept up across the versions of one document. An object with a method, not a
 * closure per document: the engine's optimised code had one document's closure inlined, and V8
 * threw it away ("wrong call target") when another document was analysed.
 */
export class WordTracker {
  private previous: TextSource | undefined;
  private counts: Int32Array | undefined;

  constructor(private readonly scanner: WordScanner) {}

  present(text: TextSource): Set<string> {
    const { words, counts } = this.scanner.presentIn(text, this.previous, this.counts);
    this.previous = text;
    this.counts = counts;
    return words;
  }
}
