/**
 * The cached-commit quick fix through the language server, against a Hugging Face cache laid out
 * as huggingface_hub writes it (blobs named by hash, snapshots/<commit>/ of symlinks into blobs,
 * refs/main holding the commit, .locks), found through HF_HOME as a user's shell would set it.
 * The server is a separate process: it must read the cache from its own environment, offline.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { applyTextEdits, editsFor, makeWorkspace, TestClient } from './lsp-client';

const PIN = 'Pin revision to the commit in the local Hugging Face cache';
const COMMIT = '12040accade4e8a0f71eabdb258fecc2e7e948be';
const SOURCE = 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("distilbert/distilbert-base-uncased")\n';

const saved = { HF_HOME: process.env.HF_HOME, HF_HUB_CACHE: process.env.HF_HUB_CACHE, HUGGINGFACE_HUB_CACHE: process.env.HUGGINGFACE_HUB_CACHE };
let client: TestClient;
let workspace: string;
let home: string;

function fakeHubCache(hub: string): void {
  const repo = path.join(hub, 'models--distilbert--distilbert-base-uncased');
  const blob = 'a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90';
  fs.mkdirSync(path.join(repo, 'blobs'), { recursive: true });
  fs.mkdirSync(path.join(repo, 'snapshots', COMMIT), { recursive: true });
  fs.mkdirSync(path.join(repo, 'refs'), { recursive: true });
  fs.mkdirSync(path.join(hub, '.locks', 'models--distilbert--distilbert-base-uncased'), { recursive: true });
  fs.writeFileSync(path.join(repo, 'blobs', blob), '{"model_type": "distilbert"}\n');
  fs.symlinkSync(path.join('..', '..', 'blobs', blob), path.join(repo, 'snapshots', COMMIT, 'config.json'));
  // huggingface_hub writes the ref without a trailing newline.
  fs.writeFileSync(path.join(repo, 'refs', 'main'), COMMIT);
}

before(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-hf-home-'));
  fakeHubCache(path.join(home, 'hub'));
  delete process.env.HF_HUB_CACHE;
  delete process.env.HUGGINGFACE_HUB_CACHE;
  process.env.HF_HOME = home;
  workspace = makeWorkspace({ 'serve.py': SOURCE });
  client = await TestClient.start({ workspace });
});

after(async () => {
  await client.stop();
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  fs.rmSync(home, { recursive: true, force: true });
});

test('an unpinned from_pretrained is pinned to the commit of the cached repository, and the finding goes', async () => {
  const uri = await client.open(path.join(workspace, 'serve.py'), SOURCE);
  const diagnostics = await client.diagnosticsAt(uri, 1);
  const unpinned = diagnostics.find((d) => d.code === 'hf-model-unpinned');
  assert.ok(unpinned, JSON.stringify(diagnostics));
  const actions = await client.codeActions(uri, unpinned.range, [unpinned], ['quickfix']);
  assert.deepEqual(actions.map((a) => a.title), [PIN, 'Suppress hf-model-unpinned on this line', 'Suppress hf-model-unpinned in this file']);
  const pin = actions[0]!;
  assert.ok(pin.edit);
  const edits = editsFor(pin.edit, uri);
  assert.equal(applyTextEdits(SOURCE, edits), `from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("distilbert/distilbert-base-uncased", revision="${COMMIT}")\n`);
  const version = await client.applyEdits(uri, edits);
  assert.deepEqual((await client.diagnosticsAt(uri, version)).filter((d) => d.code === 'hf-model-unpinned'), []);
});

test('a repository not in the cache gets a placeholder pin, not preferred, that says where to find the commit', async () => {
  const text = 'from transformers import AutoModel\n\nmodel = AutoModel.from_pretrained("org/not-cached")\n';
  const uri = await client.open(path.join(workspace, 'other.py'), text);
  const unpinned = (await client.diagnosticsAt(uri, 1)).find((d) => d.code === 'hf-model-unpinned');
  assert.ok(unpinned);
  const actions = await client.codeActions(uri, unpinned.range, [unpinned], ['quickfix']);
  assert.deepEqual(actions.map((a) => a.title), [
    'Pin revision (not in the local cache: replace the placeholder with the commit listed at https://huggingface.co/org/not-cached/commits/main)',
    'Suppress hf-model-unpinned on this line',
    'Suppress hf-model-unpinned in this file',
  ]);
  assert.notEqual(actions[0]!.isPreferred, true);
  const edits = Object.values(actions[0]!.edit?.changes ?? {}).flat().map((edit) => edit.newText);
  assert.deepEqual(edits, [', revision="<40-hex commit>"']);
});
