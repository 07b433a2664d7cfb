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

  constructor(words: readonly string[]) {
    const unique = [...new Set(words)];
    this.words = unique.filter((word) => word.length > 0 && /^[\x00-\x7f]*$/.test(word));
    this.others = unique.filter((word) => !this.words.includes(word));

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
}
