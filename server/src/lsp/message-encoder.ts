/**
 * The JSON of the messages the server writes over a stream (stdio, a socket or a pipe), with the
 * JSON of each diagnostic kept by object. In push mode every keystroke republishes all of a
 * document's diagnostics (150 findings make 108 kB of JSON), and most are the very objects
 * published before (findingToDiagnostic makes one per finding, and the engine hands out the same
 * finding while it stays the same): only the new ones are serialised. A pull's full report is
 * written the same way. The text is exactly what JSON.stringify gives for the whole message.
 *
 * Over Node IPC (VS Code's transport) Node serialises the message itself; VS Code pulls, and most
 * keystrokes are answered "unchanged" there.
 */
import type { ContentTypeEncoder, Message } from 'vscode-languageserver/node';

/** Each diagnostic's JSON, by object. Diagnostics are never mutated once made. */
const jsonOf = new WeakMap<object, string>();

function itemJson(item: unknown): string {
  if (typeof item !== 'object' || item === null) return JSON.stringify(item) ?? 'null';
  let json = jsonOf.get(item);
  if (json === undefined) {
    json = JSON.stringify(item) ?? 'null';
    jsonOf.set(item, json);
  }
  return json;
}

/** The diagnostics a message carries, and the object and key holding them: a publish's params, or a pull's full report. */
function diagnosticsIn(message: Message): { holder: Record<string, unknown>; key: 'diagnostics' | 'items' } | undefined {
  const candidate = message as { method?: unknown; params?: unknown; result?: unknown };
  if (candidate.method === 'textDocument/publishDiagnostics' && isRecord(candidate.params) && Array.isArray(candidate.params.diagnostics)) {
    return { holder: candidate.params, key: 'diagnostics' };
  }
  if (isRecord(candidate.result) && candidate.result.kind === 'full' && Array.isArray(candidate.result.items)) {
    return { holder: candidate.result, key: 'items' };
  }
  return undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function messageJson(message: Message): string {
  const found = diagnosticsIn(message);
  if (!found) return JSON.stringify(message);
  const { holder, key } = found;
  const items = holder[key] as unknown[];
  // The message with an empty list in place of the diagnostics, then the list spliced in. The
  // marker cannot occur elsewhere in the text: inside a JSON string every quote is escaped, and
  // the holder has the key once.
  const shell = JSON.stringify(replaced(message, holder, { ...holder, [key]: [] }));
  const marker = `"${key}":[]`;
  const at = shell.lastIndexOf(marker) + marker.length - 1;
  let list = '';
  for (let i = 0; i < items.length; i++) list += (i > 0 ? ',' : '') + itemJson(items[i]);
  return shell.slice(0, at) + list + shell.slice(at);
}

/** `message` with `holder` (its params or result) replaced, keys in the same order. */
function replaced(message: Message, holder: Record<string, unknown>, by: Record<string, unknown>): Message {
  const copy: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(message) as Array<[string, unknown]>) copy[name] = value === holder ? by : value;
  return copy as unknown as Message;
}

/** vscode-jsonrpc's application/json encoder, with diagnostics written as above. */
export const lspJsonEncoder: ContentTypeEncoder = {
  name: 'application/json',
  encode: (message, options) => {
    try {
      return Promise.resolve(Buffer.from(messageJson(message), options.charset));
    } catch (error) {
      return Promise.reject(error);
    }
  },
};
