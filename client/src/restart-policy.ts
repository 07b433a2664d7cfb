/**
 * When a crashed language server is started again, and when the user hears about it. Kept free of
 * `vscode` so that it can be tested on its own (test/fuzz/restart-policy.test.ts).
 *
 * - Crashes are restarted, at most `maxRestarts` times within `windowMs`; one more crash in that
 *   window and the server stays stopped.
 * - The user is told once per run of crashes: the first restart shows a message, the next ones
 *   only go to the log; when the server stays stopped, one message with actions (Show Logs,
 *   Restart). A restart asked for by the user starts afresh.
 */
export interface RestartDecision {
  restart: boolean;
  /** Show the user a message (otherwise the log only). */
  notify: boolean;
  message: string;
}

export class RestartPolicy {
  private crashes: number[] = [];

  constructor(
    readonly maxRestarts = 4,
    readonly windowMs = 3 * 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** The server's connection closed without being asked to. */
  crashed(): RestartDecision {
    const now = this.now();
    this.crashes = this.crashes.filter((at) => now - at <= this.windowMs);
    this.crashes.push(now);
    const minutes = Math.round(this.windowMs / 60_000);
    if (this.crashes.length > this.maxRestarts) {
      return {
        restart: false,
        notify: true,
        message: `The ATLAS Lens server stopped ${this.crashes.length} times in ${minutes} minute${minutes === 1 ? '' : 's'} and will not be restarted. Its log says why.`,
      };
    }
    return {
      restart: true,
      notify: this.crashes.length === 1,
      message: `The ATLAS Lens server stopped unexpectedly and was restarted (${this.crashes.length} of at most ${this.maxRestarts} restarts in ${minutes} minutes).`,
    };
  }

  /** The user restarted the server: earlier crashes no longer count. */
  reset(): void {
    this.crashes = [];
  }
}
