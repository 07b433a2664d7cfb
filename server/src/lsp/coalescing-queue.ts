/**
 * URIs to publish soon: each is handled once after the events already queued (setImmediate), so
 * a burst of edits is analysed and published once. Shared by text documents and notebooks.
 */
export class CoalescingQueue {
  private readonly pending = new Set<string>();
  private scheduled = false;

  constructor(private readonly run: (uri: string) => void) {}

  add(uri: string): void {
    this.pending.add(uri);
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      const uris = [...this.pending];
      this.pending.clear();
      for (const queued of uris) this.run(queued);
    });
  }

  /** A closed document is not published any more. */
  delete(uri: string): void {
    this.pending.delete(uri);
  }
}
