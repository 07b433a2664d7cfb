/**
 * The pin-hf-revision fix: offline, from a local Hugging Face cache laid out like huggingface_hub's
 * (`<hub>/models--org--name/refs/main` holds the commit). No cache entry, no fix.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { cachedHfCommit, clearHfCacheAnswers, hfHubCacheDir } from '../../server/src/engine/python/hf-cache';
import { applyEdits } from '../../server/src/engine/text-edits';

const MAIN = 'a'.repeat(40);
const TAG = 'b'.repeat(40);
const DATA = 'c'.repeat(40);

let engine: Engine;
let hub: string;
const saved = process.env.HF_HUB_CACHE;

before(async () => {
  engine = await Engine.create();
  hub = fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-hf-'));
  const write = (relative: string, text: string) => {
    fs.mkdirSync(path.dirname(path.join(hub, relative)), { recursive: true });
    fs.writeFileSync(path.join(hub, relative), text);
  };
  write('models--org--model/refs/main', `${MAIN}\n`);
  write('models--org--model/refs/v1.0', TAG);
  write('models--gpt2/refs/main', MAIN);
  write('datasets--org--reviews/refs/main', DATA);
  write('models--org--broken/refs/main', 'not a commit');
  process.env.HF_HUB_CACHE = hub;
  clearHfCacheAnswers();
});

after(() => {
  if (saved === undefined) delete process.env.HF_HUB_CACHE;
  else process.env.HF_HUB_CACHE = saved;
  clearHfCacheAnswers();
  fs.rmSync(hub, { recursive: true, force: true });
});

function fixOf(source: string, ruleId: string) {
  const file = path.join(hub, 'example.py');
  const findings = engine.analyze(file, source).findings.filter((f) => f.ruleId === ruleId);
  assert.equal(findings.length, 1, JSON.stringify(findings));
  return { file, finding: findings[0]! };
}

describe('pin-hf-revision fix', () => {
  test('the hub cache directory follows huggingface_hub', () => {
    assert.equal(hfHubCacheDir({ HF_HUB_CACHE: '/x' }), '/x');
    assert.equal(hfHubCacheDir({ HF_HOME: '/h' }), path.join('/h', 'hub'));
    assert.equal(hfHubCacheDir({ XDG_CACHE_HOME: '/c' }), path.join('/c', 'huggingface', 'hub'));
  });

  test('reads refs, rejects bad commits and paths that climb out', () => {
    assert.equal(cachedHfCommit('model', 'org/model'), MAIN);
    assert.equal(cachedHfCommit('model', 'org/model', 'v1.0'), TAG);
    assert.equal(cachedHfCommit('model', 'org/broken'), undefined);
    assert.equal(cachedHfCommit('model', 'org/missing'), undefined);
    assert.equal(cachedHfCommit('model', '../org/model'), undefined);
    assert.equal(cachedHfCommit('model', 'org/model', '../../x'), undefined);
  });

  test('inserts the cached main commit when revision is missing', () => {
    const source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/model")\n';
    const { file, finding } = fixOf(source, 'hf-model-unpinned');
    assert.ok(finding.fix);
    const fixed = applyEdits(source, finding.fix.edits);
    assert.equal(fixed, `from transformers import AutoModel\nm = AutoModel.from_pretrained("org/model", revision="${MAIN}")\n`);
    assert.deepEqual(engine.analyze(file, fixed).findings, []);
  });

  test('replaces a tag with the commit it points to in the cache', () => {
    const source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/model", revision="v1.0")\n';
    const { finding } = fixOf(source, 'hf-model-unpinned');
    assert.equal(applyEdits(source, finding.fix!.edits), `from transformers import AutoModel\nm = AutoModel.from_pretrained("org/model", revision="${TAG}")\n`);
  });

  test('follows constants, the repository type and the loader', () => {
    const hub = 'from huggingface_hub import snapshot_download\nREPO = "org/reviews"\nsnapshot_download(REPO, repo_type="dataset")\n';
    assert.match(applyEdits(hub, fixOf(hub, 'hf-model-unpinned').finding.fix!.edits), new RegExp(`revision="${DATA}"`));
    const data = 'from datasets import load_dataset\nds = load_dataset("org/reviews", split="train")\n';
    assert.match(applyEdits(data, fixOf(data, 'hf-dataset-unpinned').finding.fix!.edits), new RegExp(`split="train", revision="${DATA}"`));
    const pipe = 'from transformers import pipeline\np = pipeline("text-generation", "gpt2")\n';
    assert.match(applyEdits(pipe, fixOf(pipe, 'hf-model-unpinned').finding.fix!.edits), new RegExp(`"gpt2", revision="${MAIN}"`));
  });

  test('without a cache entry, inserts a placeholder, never safe, and says where the commit is listed', () => {
    const source = 'from transformers import AutoModel\nm = AutoModel.from_pretrained("org/unknown")\n';
    const { file, finding } = fixOf(source, 'hf-model-unpinned');
    assert.deepEqual(finding.fix, {
      title: 'Pin revision (not in the local cache: replace the placeholder with the commit listed at https://huggingface.co/org/unknown/commits/main)',
      safe: false,
      placeholder: true,
      edits: [{ range: { start: { line: 1, character: 43 }, end: { line: 1, character: 43 } }, newText: ', revision="<40-hex commit>"' }],
    });
    // The placeholder is not a pin: the finding stays until the user writes the commit.
    const fixed = applyEdits(source, finding.fix.edits);
    assert.deepEqual(engine.analyze(file, fixed).findings.map((f) => f.ruleId), ['hf-model-unpinned']);
    const space = 'from huggingface_hub import hf_hub_download\nhf_hub_download("org/model", "x.bin", repo_type="space", revision="v2")\n';
    assert.match(fixOf(space, 'hf-model-unpinned').finding.fix!.title, /https:\/\/huggingface\.co\/spaces\/org\/model\/commits\/v2\)$/);
    const data = 'from datasets import load_dataset\nds = load_dataset("org/other")\n';
    assert.match(fixOf(data, 'hf-dataset-unpinned').finding.fix!.title, /huggingface\.co\/datasets\/org\/other\/commits\/main/);
  });

  test('a repository name the code computes gets no fix', () => {
    const source = 'import sys\nfrom transformers import AutoModel\nm = AutoModel.from_pretrained(sys.argv[1])\n';
    const file = path.join(hub, 'example.py');
    assert.ok(engine.analyze(file, source).findings.every((f) => f.fix === undefined));
  });
});
