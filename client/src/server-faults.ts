/**
 * The language client's error handler: a crashed server is restarted with the user told once
 * (restart-policy.ts), and when it keeps crashing it stays stopped with one message offering the
 * log and a restart. Diagnostics of the crashed server are not carried over: vscode-languageclient
 * disposes the diagnostic collections (push and pull) when it cleans up for a restart or a stop.
 */
import * as vscode from 'vscode';
import { CloseAction, ErrorAction, type ErrorHandler } from 'vscode-languageclient/node';
import { RestartPolicy } from './restart-policy';

export interface ServerFaultOptions {
  log: vscode.LogOutputChannel;
  /** Restart the server on the user's request. */
  restart: () => Promise<void>;
  policy?: RestartPolicy;
}

export function serverFaultHandler(options: ServerFaultOptions): { handler: ErrorHandler; policy: RestartPolicy } {
  const policy = options.policy ?? new RestartPolicy();
  const handler: ErrorHandler = {
    // Errors writing to or reading from the connection: tolerate a few, then shut down (closed() follows).
    error: (error, _message, count) => {
      options.log.error(`connection to the server failed (${count ?? 1}): ${error.message}`);
      return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed: () => {
      const decision = policy.crashed();
      options.log.error(decision.message);
      if (decision.restart) {
        if (decision.notify) void vscode.window.showInformationMessage(`ATLAS Lens: ${decision.message}`);
        return { action: CloseAction.Restart, message: decision.message, handled: true };
      }
      void vscode.window.showErrorMessage(`ATLAS Lens: ${decision.message}`, 'Show Logs', 'Restart').then((choice) => {
        if (choice === 'Show Logs') options.log.show(true);
        else if (choice === 'Restart') {
          policy.reset();
          void options.restart();
        }
      });
      return { action: CloseAction.DoNotRestart, message: decision.message, handled: true };
    },
  };
  return { handler, policy };
}
