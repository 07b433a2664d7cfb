/**
 * The JSON the server writes over stdio: exactly JSON.stringify's text for every message, each
 * diagnostic serialised once; and the diagnostic made for a finding, kept while it is the same.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import type { Diagnostic, Message } from 'vscode-languageserver';
import { loadBundledCatalog } from '../../server/src/engine/atlas/catalog';
import type { Finding } from '../../server/src/engine/types';
import { findingToDiagnostic } from '../../server/src/lsp/diagnostics';
import { lspJsonEncoder, messageJson } from '../../server/src/lsp/message-encoder';

const diagnostic = (line: number, message: string): Diagnostic => ({
  range: { start: { line, character: 4 }, end: { line, character: 14 } },
  severity: 2,
  code: 'torch-load-unsafe',
  source: 'atlas-lens',
  message,
  codeDescription: { href: 'https://atlas.mitre.org/techniques/AML.T0011.000' },
  data: { ruleId: 'torch-load-unsafe', statementLines: { first: line, last: line }, fix: { title: 'Add weights_only=True', safe: false, edits: [] } },
});

// Text that looks like the markers the encoder splices at, inside strings.
const TRICKY = 'file:///w/"diagnostics":[]/"items":[]/\u00e9\u4e2d\ud83d\ude00.py';

describe('messageJson', () => {
  test('gives JSON.stringify\'s text for publishes, full and unchanged reports, and other messages', () => {
    const items = [diagnostic(1, 'first'), diagnostic(2, `quotes " and \\ and ${TRICKY}`), diagnostic(3, 'line\nbreak\ttab\u0001')];
    const messages: Message[] = [
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: TRICKY, version: 7, diagnostics: items } } as Message,
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: TRICKY, version: undefined, diagnostics: items } } as Message,
      { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { diagnostics: [], uri: TRICKY } } as Message,
      { jsonrpc: '2.0', id: 3, result: { kind: 'full', resultId: '"items":[]', items } } as Message,
      { jsonrpc: '2.0', id: 4, result: { kind: 'full', items: [] } } as Message,
      { jsonrpc: '2.0', id: 5, result: { kind: 'unchanged', resultId: '1:2:3' } } as Message,
      { jsonrpc: '2.0', id: 6, result: null } as Message,
      { jsonrpc: '2.0', id: 7, error: { code: -32800, message: 'cancelled' } } as Message,
      { jsonrpc: '2.0', method: 'window/logMessage', params: { type: 3, message: TRICKY } } as Message,
      { jsonrpc: '2.0', id: 8, method: 'workspace/configuration', params: { items: [{ section: 'atlasLens' }] } } as Message,
    ];
    for (const message of messages) assert.equal(messageJson(message), JSON.stringify(message));
    // Twice: the second time from the kept JSON.
    for (const message of messages) assert.equal(messageJson(message), JSON.stringify(message));
  });

  test('serialises each diagnostic object once', () => {
    const kept = diagnostic(4, 'before');
    const publish = (diagnostics: Diagnostic[]) => ({ jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a.py', diagnostics } }) as Message;
    assert.match(messageJson(publish([kept])), /"message":"before"/);
    // Diagnostics are never mutated once made; this one is, to show its JSON was kept.
    kept.message = 'after';
    assert.match(messageJson(publish([kept])), /"message":"before"/);
    assert.match(messageJson(publish([diagnostic(4, 'after')])), /"message":"after"/);
  });

  test('the encoder writes the text in the charset asked', async () => {
    const message = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: TRICKY, diagnostics: [diagnostic(1, TRICKY)] } } as Message;
    const bytes = await lspJsonEncoder.encode(message, { charset: 'utf-8' });
    assert.equal(Buffer.from(bytes).toString('utf-8'), JSON.stringify(message));
  });
});

describe('findingToDiagnostic', () => {
  const catalog = loadBundledCatalog();
  const finding: Finding = {
    ruleId: 'torch-load-unsafe', file: '/w/a.py', severity: 'warning', message: 'torch.load() unpickles the checkpoint.',
    range: { start: { line: 3, character: 8 }, end: { line: 3, character: 18 } }, statementLines: { first: 3, last: 3 },
    techniques: ['AML.T0011.000'], mitigations: [],
  };
  const features = { codeDescription: true, relatedInformation: true };

  test('makes one diagnostic per finding while catalog and client features are the same', () => {
    const made = findingToDiagnostic(finding, catalog, features);
    assert.equal(made.data, undefined, 'code actions look the finding up: no data');
    assert.equal(findingToDiagnostic(finding, catalog, features), made);
    assert.notEqual(findingToDiagnostic({ ...finding }, catalog, features), made, 'another finding');
    const plain = findingToDiagnostic(finding, catalog, { codeDescription: false, relatedInformation: false });
    assert.notEqual(plain, made);
    assert.equal(plain.codeDescription, undefined);
    // Another catalog (the user's ATLAS.yaml) may link elsewhere.
    const other = Object.create(catalog) as typeof catalog;
    other.techniqueUrl = (id: string) => `https://example.org/${id}`;
    assert.deepEqual(findingToDiagnostic(finding, other, features).codeDescription, { href: 'https://example.org/AML.T0011.000' });
    assert.deepEqual(findingToDiagnostic(finding, catalog, features).codeDescription, { href: 'https://atlas.mitre.org/techniques/AML.T0011.000' });
  });
});
