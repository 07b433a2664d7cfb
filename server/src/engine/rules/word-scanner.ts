/**
 * Which of many words occur in a text, in one pass (Aho–Corasick). The engine skips a rule when
 * none of its trigger words occurs in a file; with a hundred words, one `includes` each meant
 * scanning a large file a hundred times on every keystroke.
 */
export class WordScanner {
  /** Per state: next state by UTF-16 code unit. */
  private readonly next: Array<Map<number, number>> = [new Map()];
  private readonly fail: number[] = [0];
  /** Per state: the words that end here (own and through fail links). */
  private readonly output: number[][] = [[]];

  constructor(private readonly words: readonly string[]) {
    words.forEach((word, index) => {
      let state = 0;
      for (let i = 0; i < word.length; i++) {
        const code = word.charCodeAt(i);
        let target = this.next[state]!.get(code);
        if (target === undefined) {
          target = this.next.length;
          this.next.push(new Map());
          this.fail.push(0);
          this.output.push([]);
          this.next[state]!.set(code, target);
        }
        state = target;
      }
      this.output[state]!.push(index);
    });
    // Breadth-first: fail links, and outputs merged along them.
    const queue: number[] = [...this.next[0]!.values()];
    for (let head = 0; head < queue.length; head++) {
      const state = queue[head]!;
      for (const [code, target] of this.next[state]!) {
        let fallback = this.fail[state]!;
        while (fallback !== 0 && !this.next[fallback]!.has(code)) fallback = this.fail[fallback]!;
        const candidate = this.next[fallback]!.get(code);
        this.fail[target] = candidate !== undefined && candidate !== target ? candidate : 0;
        this.output[target]!.push(...this.output[this.fail[target]!]!);
        queue.push(target);
      }
    }
  }

  /** The words that occur in `text`. */
  present(text: string): Set<string> {
    const found = new Set<string>();
    const total = new Set(this.words).size;
    let state = 0;
    for (let i = 0; i < text.length && found.size < total; i++) {
      const code = text.charCodeAt(i);
      let target = this.next[state]!.get(code);
      while (target === undefined && state !== 0) {
        state = this.fail[state]!;
        target = this.next[state]!.get(code);
      }
      state = target ?? 0;
      for (const index of this.output[state]!) found.add(this.words[index]!);
    }
    return found;
  }
}
