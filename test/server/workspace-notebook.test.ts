/**
 * The workspace review and notebook sync together (push client): a scanned .ipynb has its findings
 * on the file until the notebook opens in a notebook editor; then they live on the cells only (no
 * duplicate in the Problems view), and come back on the file when it closes.
 */
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { after, before, test } from 'node:test';
import { makeWorkspace, TestClient, uriOf, waitFor } from './lsp-client';

const CELLS = ['import torch', 'model = torch.load(path)'];
const NOTEBOOK = JSON.stringify({
  nbformat: 4,
  nbformat_minor: 5,
  metadata: { language_info: { name: 'python' } },
  cells: CELLS.map((source) => ({ cell_type: 'code', metadata: {}, execution_count: null, outputs: [], source: [source] })),
});

let client: TestClient;
let dir: string;
before(async () => {
  dir = makeWorkspace({ 'explore.ipynb': NOTEBOOK });
  client = await TestClient.start({ workspace: dir, notebooks: true });
});
after(() => client.stop());

const codesOn = (uri: string) => client.published.get(uri)?.at(-1)?.diagnostics.map((d) => d.code);

test('an open notebook shows its findings on the cells only, the scanned file again once closed', async () => {
  const file = uriOf(path.join(dir, 'explore.ipynb'));
  await client.connection.sendRequest('atlasLens/scanWorkspace', {});
  assert.deepEqual(await waitFor('the scanned notebook', () => codesOn(file)), ['torch-load-unsafe']);

  const notebook = await client.openNotebook(path.join(dir, 'explore.ipynb'), CELLS.map((text) => ({ text })));
  assert.deepEqual(await waitFor('the cell finding', () => codesOn(notebook.cells[1]!)), ['torch-load-unsafe']);
  await waitFor('the file diagnostics withdrawn', () => codesOn(file)?.length === 0);

  await client.closeNotebook(notebook.uri, notebook.cells);
  assert.deepEqual(await waitFor('the file findings back', () => (codesOn(file)?.length ? codesOn(file) : undefined)), ['torch-load-unsafe']);
});
