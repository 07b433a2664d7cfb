/**
 * The language server over stdio under the nastiest fuzz inputs: it answers every document, a
 * 20 MB one is not analysed and says so once, a request that throws is answered with an error
 * naming the document and logged, and afterwards ordinary documents are analysed as before.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { test } from 'node:test';
import { ResponseError } from 'vscode-jsonrpc/node';
import type { Diagnostic } from 'vscode-languageserver';
import { makeWorkspace, TestClient, uriOf, waitFor } from '../server/lsp-client';

const FLAGGED = 'import pickle\npickle.loads(blob)\n';
const BOMB = ['a: &a ["l","l","l","l","l","l","l","l","l"]', ...Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n') + '\n';

const summary = (diagnostics: Diagnostic[]) => diagnostics.map((d) => [`${d.range.start.line}:${d.range.start.character}`, d.severity, d.code, String(d.message).slice(0, 90)].filter((part) => part !== undefined && part !== '').join(' '));

test('the server answers the nastiest documents, keeps running, and analyses normal ones afterwards', { timeout: 180_000 }, async () => {
  const workspace = makeWorkspace({ 'ok.py': FLAGGED });
  const client = await TestClient.start({ workspace });
  try {
    const twenty = `import pickle\n${'x = pickle.loads(b) ; '.repeat(Math.ceil((20 * 1024 * 1024) / 22))}`;
    const documents: Array<[string, string, string]> = [
      ['huge.py', twenty, 'python'],
      ['binary.py', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 31) % 256)).toString('latin1'), 'python'],
      ['deep.py', `import pickle\nx = ${'['.repeat(10_000)}${']'.repeat(10_000)}\npickle.loads(b)\n`, 'python'],
      ['deep.ts', `import express from 'express';\nconst app = express();\napp.listen(80, '0.0.0.0');\nx = ${'('.repeat(10_000)}1\n`, 'typescript'],
      ['broken.ipynb', '{"cells": [{"cell_type": "code", "source": "import pickle\\npickle.loads(b)', 'json'],
      ['future.ipynb', JSON.stringify({ nbformat: 99, nbformat_minor: 0, cells: [{ cell_type: 'code', source: FLAGGED }] }), 'json'],
      ['docker-compose.yml', `${BOMB}services:\n  web:\n    image: x\n    ports: ["0.0.0.0:8000:8000"]\n`, 'yaml'],
      ['surrogates.py', `import pickle\npickle.loads("\ud800")\n\udfff`, 'python'],
      ['cr.py', 'import pickle\rpickle.loads(b)\r\r\tx = (\r', 'python'],
      ['requirements.txt', '-r ../../etc/passwd\ntorch @ file:///etc/passwd\n\\\n[[\n', 'pip-requirements'],
    ];
    const uris: Record<string, string> = {};
    for (const [name, text, languageId] of documents) uris[name] = await client.open(path.join(workspace, name), text, languageId);
    const diagnostics: Record<string, string[]> = {};
    for (const [name] of documents) diagnostics[name] = summary(await client.diagnosticsAt(uris[name]!));

    // The 20 MB document: not parsed, not analysed, one warning at line 0.
    assert.deepEqual(diagnostics['huge.py'], ['0:0 2 not analysed: 20.0 MB is above maxFileSizeKb (1024 KB)']);
    assert.deepEqual(diagnostics['binary.py'], []);
    assert.deepEqual(diagnostics['deep.py']!.map((d) => d.split(' ')[0]), ['2:0']);
    assert.deepEqual(diagnostics['deep.ts'], ['0:0 2 nested too deeply to analyse (the parser ran out of stack); not analysed']);
    assert.equal(diagnostics['docker-compose.yml']!.length, 1);
    assert.match(diagnostics['docker-compose.yml']![0]!, /^6:8 2 invalid YAML: refused: aliases expand to more than 1,000,000 nodes/);
    assert.ok(diagnostics['surrogates.py']!.some((d) => d.startsWith('1:0 ')), JSON.stringify(diagnostics['surrogates.py']));

    // Edits on top of the nasty documents, then requests on them: answered.
    await client.change(uris['deep.py']!, [{ range: { start: { line: 1, character: 4 }, end: { line: 1, character: 5 } }, text: '(' }]);
    await client.diagnosticsAt(uris['deep.py']!);
    assert.equal(await client.hover(uris['huge.py']!, { line: 0, character: 3 }), null);
    assert.deepEqual(await client.codeActions(uris['binary.py']!, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, []), []);

    // A request that throws is answered with an error naming the document, and logged.
    const bad = client.connection.sendRequest('textDocument/hover', { textDocument: { uri: uris['cr.py'] }, position: null });
    await assert.rejects(bad, (error: unknown) => error instanceof ResponseError && error.message.startsWith(`textDocument/hover failed on ${uris['cr.py']}: `));
    await waitFor('the log line of the failed request', () => client.logs.some((entry) => entry.type === 1 && entry.message.includes(`textDocument/hover failed on ${uris['cr.py']}`)));

    // Still alive, still right.
    const ok = await client.open(path.join(workspace, 'ok.py'), FLAGGED);
    assert.deepEqual(summary(await client.diagnosticsAt(ok)).map((d) => d.split(' ').slice(0, 3).join(' ')), ['1:0 2 pickle-deserialization']);
    assert.equal(client.child.exitCode, null);
    assert.doesNotMatch(client.stderr, /uncaught|unhandled/i);
  } finally {
    await client.stop();
    fs.rmSync(workspace, { recursive: true, force: true });
  }
});
