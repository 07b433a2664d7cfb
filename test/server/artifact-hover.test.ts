/**
 * Over the protocol: a load call's hover shows the verdict of the model file it reads — the
 * hostile checkpoint's call is an error whose hover starts with the verdict, a safetensors load
 * has no finding but a clean verdict on hover — and a model file replaced on disk is seen on the
 * next edit even though the definition holding the call is unchanged (incremental reuse checks
 * the file's state). Untitled documents resolve nothing.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import type { MarkupContent } from 'vscode-languageserver-protocol';
import { callPickle, makeSafetensors, stateDictPickle, torchZip } from '../artifacts/writers';
import { makeWorkspace, TestClient, uriOf } from './lsp-client';

const EVIL_PT = torchZip(callPickle('posix', 'system', 'echo pwned', 2));
const CLEAN_PT = torchZip(stateDictPickle([{ name: 'fc.weight', numel: 4, key: '0' }]), [Buffer.alloc(16)]);
const SAFETENSORS = makeSafetensors({ __metadata__: { format: 'pt' }, w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] } }, 8);

const APP = `import torch
from safetensors.torch import load_file

state = load_file("models/encoder.safetensors")
model = torch.load("models/classifier.pt", weights_only=True)


def swap():
    return torch.load("models/swap.pt", weights_only=True)


def other():
    return 1
`;

let client: TestClient;
let workspace: string;
before(async () => {
  workspace = makeWorkspace({ 'app.py': APP });
  for (const [name, content] of Object.entries({ 'models/classifier.pt': EVIL_PT, 'models/encoder.safetensors': SAFETENSORS, 'models/swap.pt': CLEAN_PT })) {
    fs.mkdirSync(path.dirname(path.join(workspace, name)), { recursive: true });
    fs.writeFileSync(path.join(workspace, name), content);
  }
  client = await TestClient.start({ workspace });
});
after(() => client.stop());

test('the hostile checkpoint load is an error with the verdict in its hover; the safetensors load shows its clean verdict', async () => {
  const uri = await client.open(path.join(workspace, 'app.py'), APP);
  const diagnostics = await client.diagnosticsAt(uri, 1);
  assert.deepEqual(
    diagnostics.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.code, d.severity]),
    [[4, 19, 41, 'load-inspected-artifact', 1]],
  );
  assert.equal(diagnostics[0]!.message, "torch.load() loads models/classifier.pt, inspected by ATLAS Lens: dangerous: imports posix.system (process, called as posix.system('echo pwned')). Do not load this file, whatever the arguments: it is built to run code.");
  // The model file as related information: a click opens it.
  assert.deepEqual(diagnostics[0]!.relatedInformation, [
    {
      location: { uri: uriOf(path.join(workspace, 'models/classifier.pt')), range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      message: "The model file torch.load() loads: dangerous: imports posix.system (process, called as posix.system('echo pwned')).",
    },
  ]);

  // On the callee: the call's verdict, then the finding's card.
  const hostile = await client.hover(uri, { line: 4, character: 12 });
  const value = (hostile?.contents as MarkupContent).value;
  const [verdict, card] = value.split('\n\n---\n\n');
  assert.equal(
    verdict,
    "**⛔ models/classifier.pt**: dangerous: imports posix.system (process, called as posix.system('echo pwned'))\n- `posix.system` (dangerous, process) — called as `posix.system('echo pwned')` in archive/data.pkl\n\n*Inspected statically by ATLAS Lens (torch-zip); nothing was unpickled.*",
  );
  assert.ok(card!.startsWith('**Load call reads a model file whose inspection found code** · error · `load-inspected-artifact`'), card);
  // No finding under the callee: the hover covers the call.
  assert.deepEqual(hostile?.range, { start: { line: 4, character: 8 }, end: { line: 4, character: 61 } });
  // On the path argument (the finding's range): the same cards, the finding's range.
  const onPath = await client.hover(uri, { line: 4, character: 25 });
  assert.equal((onPath?.contents as MarkupContent).value, value);
  assert.deepEqual(onPath?.range, { start: { line: 4, character: 19 }, end: { line: 4, character: 41 } });

  const clean = await client.hover(uri, { line: 3, character: 10 });
  assert.equal(
    (clean?.contents as MarkupContent).value,
    '**✅ models/encoder.safetensors**: clean: safetensors header well-formed, nothing executable (a data-only format)\n\n*Inspected statically by ATLAS Lens (safetensors); nothing was unpickled.*',
  );
  assert.deepEqual(clean?.range, { start: { line: 3, character: 8 }, end: { line: 3, character: 47 } });
  // Outside any load call: nothing.
  assert.equal(await client.hover(uri, { line: 0, character: 3 }), null);
  assert.equal(await client.hover(uri, { line: 4, character: 2 }), null);
});

test('a model file replaced on disk is seen on the next edit, though the definition loading it is unchanged', async () => {
  const uri = await client.open(path.join(workspace, 'app.py'), APP);
  const before = await client.diagnosticsAt(uri, 1);
  assert.deepEqual(before.map((d) => d.range.start.line), [4]);
  const swapHover = await client.hover(uri, { line: 8, character: 15 });
  assert.match((swapHover?.contents as MarkupContent).value, /^\*\*✅ models\/swap\.pt\*\*: clean: only known-safe imports/);

  // An edit inside other(): swap() is reused while models/swap.pt is unchanged.
  let version = await client.change(uri, [{ range: { start: { line: 12, character: 11 }, end: { line: 12, character: 12 } }, text: '2' }]);
  assert.deepEqual((await client.diagnosticsAt(uri, version)).map((d) => d.range.start.line), [4]);

  fs.writeFileSync(path.join(workspace, 'models/swap.pt'), EVIL_PT);
  fs.utimesSync(path.join(workspace, 'models/swap.pt'), new Date(), new Date(Date.now() + 5000));
  version = await client.change(uri, [{ range: { start: { line: 12, character: 11 }, end: { line: 12, character: 12 } }, text: '3' }]);
  const after = await client.diagnosticsAt(uri, version);
  assert.deepEqual(
    after.map((d) => [d.range.start.line, d.range.start.character, d.range.end.character, d.code, d.severity]),
    [[4, 19, 41, 'load-inspected-artifact', 1], [8, 22, 38, 'load-inspected-artifact', 1]],
  );
  const swapped = await client.hover(uri, { line: 8, character: 15 });
  assert.match((swapped?.contents as MarkupContent).value, /^\*\*⛔ models\/swap\.pt\*\*: dangerous: imports posix\.system/);
  fs.writeFileSync(path.join(workspace, 'models/swap.pt'), CLEAN_PT);
});

test('an untitled document resolves no model file', async () => {
  const uri = await client.openUri('untitled:Untitled-1', 'import torch\nmodel = torch.load("models/classifier.pt", weights_only=True)\n');
  assert.deepEqual(await client.diagnosticsAt(uri, 1), []);
  assert.equal(await client.hover(uri, { line: 1, character: 12 }), null);
});
