/**
 * Which of many words occur in a text, in one pass (Aho–Corasick compiled to a table). The
 * engine skips a rule when none of its trigger words occurs in a file; with a hundred words, one
 * `includes` each meant scanning a large file a hundred times on every keystroke.
 *
 * Trigger words are ASCII; the automaton has a full transition table over ASCII, and any other
 * character leads back to the start. A word with a non-ASCII character is looked up with
 * `includes` instead.
 */
const ALPHABET = 128;

export class WordScanner {
  /** delta[state * ALPHABET + code] = next state. */
  private readonly delta: Int32Array;
  /** Per state: indexes (into `words`) of the words ending there, through fail links too. */
  private readonly output: number[][];
  private readonly words: string[];
  private readonly others: string[];
  /** Length of the longest ASCII word. */
  private readonly longest: number;

  constructor(words: readonly string[]) {
    const unique = [...new Set(words)];
    this.words = unique.filter((word) => word.length > 0 && /^[\x00-\x7f]*$/.test(word));
    this.others = unique.filter((word) => !this.words.includes(word));
    this.longest = Math.max(0, ...this.words.map((word) => word.length));

    // The trie.
    const children: Array<Map<number, number>> = [new Map()];
    const output: number[][] = [[]];
    this.words.forEach((word, index) => {
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

    // Breadth-first: fail links, outputs merged along them, and the full transition table.
    const states = children.length;
    const delta = new Int32Array(states * ALPHABET);
    const fail = new Int32Array(states);
    const queue: number[] = [];
    for (let code = 0; code < ALPHABET; code++) {
      const next = children[0]!.get(code);
      delta[code] = next ?? 0;
      if (next !== undefined) queue.push(next);
    }
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      output[state]!.push(...output[fail[state]!]!);
      for (let code = 0; code < ALPHABET; code++) {
        const next = children[state]!.get(code);
        if (next === undefined) {
          delta[state * ALPHABET + code] = delta[fail[state]! * ALPHABET + code]!;
        } else {
          fail[next] = delta[fail[state]! * ALPHABET + code]!;
          delta[state * ALPHABET + code] = next;
          queue.push(next);
        }
      }
    }
    this.delta = delta;
    this.output = output;
  }

  /** The words that occur in `text`. */
  present(text: string): Set<string> {
    const found = new Set<string>();
    const { delta, output, words } = this;
    let remaining = words.length;
    let state = 0;
    for (let i = 0; i < text.length && remaining > 0; i++) {
      const code = text.charCodeAt(i);
      state = code < ALPHABET ? delta[state * ALPHABET + code]! : 0;
      const ending = output[state]!;
      for (let k = 0; k < ending.length; k++) {
        const word = words[ending[k]!]!;
        if (!found.has(word)) {
          found.add(word);
          remaining--;
        }
      }
    }
    for (const word of this.others) if (text.includes(word)) found.add(word);
    return found;
  }

  /** Adds `sign` × the occurrences of each word that lie wholly inside text[start, end) to `counts` (indexed like the words). */
  private count(text: string, start: number, end: number, counts: Int32Array, sign: number): void {
    const { delta, output } = this;
    let state = 0;
    for (let i = start; i < end; i++) {
      const code = text.charCodeAt(i);
      state = code < ALPHABET ? delta[state * ALPHABET + code]! : 0;
      const ending = output[state]!;
      for (let k = 0; k < ending.length; k++) counts[ending[k]!]! += sign;
    }
  }

  /**
   * `present` for successive versions of one document (the language server, a keystroke at a
   * time): occurrences are counted once, then each version rescans only around what differs
   * from the previous one, which is found by comparing the two texts in large slices.
   */
  tracker(): (text: string) => Set<string> {
    let previous: string | undefined;
    let counts: Int32Array | undefined;
    return (text) => {
      if (this.others.length > 0) return this.present(text);
      if (previous === undefined || counts === undefined) {
        counts = new Int32Array(this.words.length);
        this.count(text, 0, text.length, counts, 1);
      } else if (previous !== text) {
        const prefix = commonPrefix(previous, text);
        const suffix = commonSuffix(previous, text, prefix);
        // Occurrences wholly inside the common prefix or suffix are the same in both texts.
        const from = Math.max(0, prefix - this.longest + 1);
        this.count(previous, from, Math.min(previous.length, previous.length - suffix + this.longest - 1), counts, -1);
        this.count(text, from, Math.min(text.length, text.length - suffix + this.longest - 1), counts, 1);
      }
      previous = text;
      const found = new Set<string>();
      for (let i = 0; i < counts.length; i++) if (counts[i]! > 0) found.add(this.words[i]!);
      return found;
    };
  }
}

const SLICE = 4096;

/** Length of the common prefix of two texts; slices are compared natively, characters only in the last one. */
function commonPrefix(a: string, b: string): number {
  const limit = Math.min(a.length, b.length);
  let i = 0;
  while (i + SLICE <= limit && a.slice(i, i + SLICE) === b.slice(i, i + SLICE)) i += SLICE;
  while (i < limit && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** Length of the common suffix of two texts, not reaching into a common prefix of length `prefix`. */
function commonSuffix(a: string, b: string, prefix: number): number {
  const limit = Math.min(a.length, b.length) - prefix;
  let n = 0;
  while (n + SLICE <= limit && a.slice(a.length - n - SLICE, a.length - n) === b.slice(b.length - n - SLICE, b.length - n)) n += SLICE;
  while (n < limit && a.charCodeAt(a.length - n - 1) === b.charCodeAt(b.length - n - 1)) n++;
  return n;
}
