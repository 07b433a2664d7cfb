/** Levelled logging to the client (`window/logMessage`), which the extension shows in a LogOutputChannel. */
import type { RemoteConsole } from 'vscode-languageserver';

export interface Logger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  /** Only when `atlasLens.trace.server` is "verbose". */
  debug(message: string): void;
}

export function createLogger(console: RemoteConsole, verbose: () => boolean): Logger {
  return {
    error: (message) => console.error(message),
    warn: (message) => console.warn(message),
    info: (message) => console.info(message),
    debug: (message) => {
      if (verbose()) console.debug(message);
    },
  };
}
