import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { defaultProjectConfig, type ProjectConfig } from '../../server/src/engine/config/project-config';
import { discoverFiles } from '../../server/src/engine/workspace/discover';

const isSupported = (file: string): boolean => /\.(py|ipynb)$/.test(file);

/** A temp directory with these files (path → content); returns its real path. */
function tree(files: Record<string, string>): string {
  const root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'atlas-lens-discover-')));
  for (const [relative, content] of Object.entries(files)) {
    const full = path.join(root, relative);
    fs.mkdirSync(path.dirname(full), { recursive: true });
    fs.writeFileSync(full, content);
  }
  return root;
}

/** The found files relative to `root`, posix-style, in output order. */
function relative(root: string, files: readonly string[]): string[] {
  return files.map((file) => path.relative(root, file).split(path.sep).join('/'));
}

function config(overrides: Partial<ProjectConfig>): ProjectConfig {
  return { ...defaultProjectConfig(), ...overrides };
}

test('walks recursively, keeps supported files only, sorted by plain string order', () => {
  const root = tree({ 'b.py': '', 'a.py': '', 'README.md': '', 'Z.py': '', 'pkg/m.py': '', 'pkg/n.ipynb': '{}', 'pkg/data.csv': '' });
  const result = discoverFiles([root], { isSupported });
  assert.deepEqual(relative(root, result.files), ['Z.py', 'a.py', 'b.py', 'pkg/m.py', 'pkg/n.ipynb']);
  assert.deepEqual(result.skipped, []);
  for (const file of result.files) assert.ok(path.isAbsolute(file));
});

test('default skipped directories are not entered, but may be named as a root', () => {
  const root = tree({
    'app.py': '',
    '.git/hooks/x.py': '',
    'node_modules/pkg/x.py': '',
    '.venv/lib/x.py': '',
    'venv/lib/x.py': '',
    'src/__pycache__/x.py': '',
    '.tox/py/x.py': '',
    '.mypy_cache/x.py': '',
    'env/lib/python3.12/site-packages/torch/x.py': '',
    'src/venvironment/ok.py': '',
    '.github/scripts/ok.py': '',
  });
  const result = discoverFiles([root], { isSupported });
  assert.deepEqual(relative(root, result.files), ['.github/scripts/ok.py', 'app.py', 'src/venvironment/ok.py']);
  const named = discoverFiles([path.join(root, 'node_modules')], { isSupported });
  assert.deepEqual(relative(root, named.files), ['node_modules/pkg/x.py']);
});

test('nested .gitignore files: relative to their own directory, negations, deeper files win', () => {
  const root = tree({
    '.gitignore': '*.gen.py\nbuild/\n/local.py\ndata/*\n!data/keep.py\n',
    'a.py': '',
    'x.gen.py': '',
    'local.py': '',
    'build/b.py': '',
    'data/drop.py': '',
    'data/keep.py': '',
    'sub/.gitignore': '!keep.gen.py\n/local.py\nsecret/\n',
    'sub/keep.gen.py': '',
    'sub/other.gen.py': '',
    'sub/local.py': '',
    'sub/deeper/local.py': '',
    'sub/secret/s.py': '',
    'sub/build/b.py': '',
    'other/secret/s.py': '',
    'other/local.py': '',
  });
  const result = discoverFiles([root], { isSupported });
  assert.deepEqual(relative(root, result.files), ['a.py', 'data/keep.py', 'other/local.py', 'other/secret/s.py', 'sub/deeper/local.py', 'sub/keep.gen.py']);

  const all = discoverFiles([root], { isSupported, respectGitignore: false });
  assert.equal(all.files.length, 14);
  const viaConfig = discoverFiles([root], { isSupported, config: config({ respectGitignore: false }) });
  assert.deepEqual(viaConfig.files, all.files);
  // The option overrides the config.
  const overridden = discoverFiles([root], { isSupported, config: config({ respectGitignore: false }), respectGitignore: true });
  assert.deepEqual(overridden.files, result.files);
});

test('a negation cannot re-include a file inside an ignored directory (as in git)', () => {
  const root = tree({ '.gitignore': 'out/\n!out/keep.py\n', 'out/keep.py': '', 'out/.gitignore': '!keep.py\n' });
  assert.deepEqual(discoverFiles([root], { isSupported }).files, []);
});

test('.gitignore files above a root count up to the repository root, with .git/info/exclude', () => {
  const repo = tree({
    '.git/info/exclude': 'scratch_*.py\n',
    '.gitignore': '*.skip.py\n',
    'pkg/.gitignore': 'tmp/\n',
    'pkg/src/model.py': '',
    'pkg/src/model.skip.py': '',
    'pkg/src/scratch_1.py': '',
    'pkg/src/tmp/t.py': '',
  });
  const src = path.join(repo, 'pkg', 'src');
  assert.deepEqual(relative(repo, discoverFiles([src], { isSupported }).files), ['pkg/src/model.py']);
  assert.deepEqual(relative(repo, discoverFiles([src], { isSupported, respectGitignore: false }).files), [
    'pkg/src/model.py',
    'pkg/src/model.skip.py',
    'pkg/src/scratch_1.py',
    'pkg/src/tmp/t.py',
  ]);
  // A root that is itself gitignored was asked for: it is scanned, upper .gitignore files are dropped.
  assert.deepEqual(relative(repo, discoverFiles([path.join(src, 'tmp')], { isSupported }).files), ['pkg/src/tmp/t.py']);
});

test('config include/exclude globs are relative to configDir; directories are pruned by exclude', () => {
  const root = tree({
    'proj/.atlas-lens.yaml': '',
    'proj/src/a.py': '',
    'proj/src/a_test.py': '',
    'proj/src/legacy/old.py': '',
    'proj/src/.hidden/h.py': '',
    'proj/notebooks/n.ipynb': '{}',
    'proj/scripts/s.py': '',
    'proj/top.py': '',
  });
  const configDir = path.join(root, 'proj');
  const cfg = config({ include: ['src/**', 'notebooks/*.ipynb', 'top.py'], exclude: ['src/legacy', '**/*_test.py'] });

  const fromConfigDir = discoverFiles([configDir], { isSupported, config: cfg, configDir });
  assert.deepEqual(relative(root, fromConfigDir.files), ['proj/notebooks/n.ipynb', 'proj/src/.hidden/h.py', 'proj/src/a.py', 'proj/top.py']);

  // Scanning a subfolder: globs still relative to configDir, so `src/**` still matches.
  const fromSub = discoverFiles([path.join(configDir, 'src')], { isSupported, config: cfg, configDir });
  assert.deepEqual(relative(root, fromSub.files), ['proj/src/.hidden/h.py', 'proj/src/a.py']);

  // Scanning above configDir: files outside configDir are not governed by its globs.
  const above = tree({});
  fs.rmSync(above, { recursive: true });
  fs.cpSync(root, above, { recursive: true });
  fs.writeFileSync(path.join(above, 'outside.py'), '');
  const fromAbove = discoverFiles([above], { isSupported, config: cfg, configDir: path.join(above, 'proj') });
  assert.deepEqual(relative(above, fromAbove.files), ['outside.py', 'proj/notebooks/n.ipynb', 'proj/src/.hidden/h.py', 'proj/src/a.py', 'proj/top.py']);

  // `*.py` is not recursive (picomatch semantics).
  const shallow = discoverFiles([configDir], { isSupported, config: config({ exclude: ['*.py'] }), configDir });
  assert.deepEqual(relative(root, shallow.files), ['proj/notebooks/n.ipynb', 'proj/scripts/s.py', 'proj/src/.hidden/h.py', 'proj/src/a.py', 'proj/src/a_test.py', 'proj/src/legacy/old.py']);
});

test('extraExclude globs are relative to each root', () => {
  const root = tree({ 'one/gen/g.py': '', 'one/a.py': '', 'two/gen/g.py': '', 'two/b.py': '', 'two/one/gen/g.py': '' });
  const result = discoverFiles([path.join(root, 'two'), path.join(root, 'one')], { isSupported, extraExclude: ['gen/**'] });
  assert.deepEqual(relative(root, result.files), ['one/a.py', 'two/b.py', 'two/one/gen/g.py']);
});

test('files above maxFileSizeKb are skipped with a note; the limit is inclusive', () => {
  const root = tree({ 'small.py': 'x'.repeat(1024), 'big.py': 'x'.repeat(1025), 'huge.txt': 'x'.repeat(5000) });
  const result = discoverFiles([root], { isSupported, config: config({ maxFileSizeKb: 1 }) });
  assert.deepEqual(relative(root, result.files), ['small.py']);
  assert.deepEqual(result.skipped, [{ file: path.join(root, 'big.py'), reason: 'larger than maxFileSizeKb (2 KB > 1 KB)' }]);
  // The option overrides the config; the default is 1024 KB.
  assert.deepEqual(relative(root, discoverFiles([root], { isSupported, config: config({ maxFileSizeKb: 1 }), maxFileSizeKb: 2 }).files), ['big.py', 'small.py']);
  assert.deepEqual(relative(root, discoverFiles([root], { isSupported }).files), ['big.py', 'small.py']);
});

test('an explicitly named file is scanned whatever the excludes say, but not if unsupported or too big', () => {
  const root = tree({
    '.gitignore': 'ignored.py\n',
    'ignored.py': '',
    'excluded.py': '',
    'node_modules/dep.py': '',
    'notes.txt': '',
    'big.py': 'x'.repeat(2048),
  });
  const named = ['ignored.py', 'excluded.py', 'node_modules/dep.py', 'notes.txt', 'big.py', 'missing.py'].map((name) => path.join(root, name));
  const result = discoverFiles(named, {
    isSupported,
    config: config({ exclude: ['excluded.py'], maxFileSizeKb: 1 }),
    configDir: root,
    extraExclude: ['**'],
  });
  assert.deepEqual(relative(root, result.files), ['excluded.py', 'ignored.py', 'node_modules/dep.py']);
  assert.deepEqual(
    result.skipped.map((s) => [path.relative(root, s.file), s.reason]),
    [
      ['big.py', 'larger than maxFileSizeKb (2 KB > 1 KB)'],
      ['missing.py', 'does not exist'],
      ['notes.txt', 'not a supported file type'],
    ],
  );
  // Relative roots resolve against the working directory; duplicates collapse.
  const again = discoverFiles([path.relative(process.cwd(), named[0]!), named[0]!], { isSupported });
  assert.deepEqual(again.files, [named[0]]);
});

test('symlinked directories are followed once: loops and duplicates are cut and reported; links out of the root are not followed', () => {
  const root = tree({ 'a/x.py': '', 'a/b/y.py': '', 'outside/z.py': '' });
  fs.symlinkSync(path.join(root, 'a'), path.join(root, 'a', 'b', 'loop'), 'dir'); // a/b/loop -> a
  fs.symlinkSync('../a', path.join(root, 'a', 'b', 'up'), 'dir'); // a/b/up -> a/a (dangling directory)
  fs.symlinkSync(path.join(root, 'outside'), path.join(root, 'a', 'ext'), 'dir'); // a/ext -> outside
  fs.symlinkSync(path.join(root, 'a', 'x.py'), path.join(root, 'a', 'link.py')); // file link
  fs.symlinkSync(path.join(root, 'nowhere.py'), path.join(root, 'a', 'broken.py'));

  const result = discoverFiles([path.join(root, 'a')], { isSupported });
  assert.deepEqual(relative(root, result.files), ['a/b/y.py', 'a/link.py', 'a/x.py']);
  assert.deepEqual(
    result.skipped.map((s) => [path.relative(root, s.file), s.reason]),
    [
      ['a/b/loop', `symbolic link to a directory already scanned (${path.join(root, 'a')})`],
      ['a/broken.py', 'broken symbolic link'],
      ['a/ext', `symbolic link to outside the scanned folder (${fs.realpathSync(path.join(root, 'outside'))}); not followed`],
    ],
  );

  // A root reached again through a link is walked once.
  const twice = discoverFiles([path.join(root, 'a'), path.join(root, 'a', 'b', 'loop')], { isSupported });
  assert.deepEqual(twice.files, result.files);
});

test('an unreadable directory is reported and the walk goes on', { skip: process.getuid?.() === 0 || process.platform === 'win32' }, () => {
  const root = tree({ 'a.py': '', 'locked/l.py': '' });
  fs.chmodSync(path.join(root, 'locked'), 0o000);
  try {
    const result = discoverFiles([root], { isSupported });
    assert.deepEqual(relative(root, result.files), ['a.py']);
    assert.deepEqual(result.skipped, [{ file: path.join(root, 'locked'), reason: 'cannot read directory: EACCES' }]);
  } finally {
    fs.chmodSync(path.join(root, 'locked'), 0o755);
  }
});

test('thousands of files across nested .gitignore files are discovered correctly', () => {
  // Speed is measured in test/bench (discovery figures), never asserted here.
  const files: Record<string, string> = { '.gitignore': '*.tmp.py\n' };
  for (let d = 0; d < 50; d++) {
    files[`pkg${d}/.gitignore`] = 'ignored_*.py\n';
    for (let f = 0; f < 60; f++) files[`pkg${d}/sub${f % 4}/m${f}.py`] = '';
    files[`pkg${d}/ignored_1.py`] = '';
    files[`pkg${d}/x.tmp.py`] = '';
    files[`pkg${d}/node_modules/n.py`] = '';
  }
  const root = tree(files);
  const result = discoverFiles([root], { isSupported, config: config({ exclude: ['pkg0/**'] }), configDir: root });
  assert.equal(result.files.length, 49 * 60);
  assert.ok(result.files.every((file) => !file.includes('ignored_') && !file.includes('.tmp.') && !file.includes('node_modules') && !file.includes(`${path.sep}pkg0${path.sep}`)));
});
