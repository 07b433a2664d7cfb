/**
 * Incremental analysis (the language server's path): after any sequence of edits, reusing the
 * findings of unchanged top-level definitions gives exactly what a fresh full analysis gives.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import type { Parser } from 'web-tree-sitter';
import { ChunkedText } from '../../server/src/engine/chunked-text';
import { Engine } from '../../server/src/engine/engine';
import { createPythonParser } from '../../server/src/engine/python/parser';
import { DocumentStore, type LspDocument } from '../../server/src/lsp/documents';
import type { PythonSyntax } from '../../server/src/engine/python/document-tree';
import type { Finding } from '../../server/src/engine/types';
import type { AnalysisSettings } from '../../server/src/engine/engine';

let engine: Engine;
let parser: Parser;
before(async () => {
  engine = await Engine.create();
  parser = await createPythonParser();
});

const BASE = `import os
import torch
import numpy as np
import yaml
from transformers import AutoModel

REV = "0123456789abcdef0123456789abcdef01234567"
CKPT_DIR = "./checkpoints"


def restore(path):
    return torch.load(path)


def features(path):
    # cached features
    return np.load(path, allow_pickle=True)


class Trainer:
    def load_config(self, path):
        with open(path) as handle:
            return yaml.load(handle, Loader=yaml.FullLoader)

    def model(self):
        return AutoModel.from_pretrained("org/base", revision=REV)


if __name__ == "__main__":
    restore(os.path.join(CKPT_DIR, "last.pt"))
`;

function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 0x100000000;
  };
}

const SNIPPETS = [
  '\n',
  '    x = torch.load(p, weights_only=False)\n',
  '    y = torch.load(p, weights_only=True)\n',
  '# a comment\n',
  'def extra(p):\n    return yaml.unsafe_load(p)\n\n',
  'REV = "main"\n',
  'import torch as T\n',
  '    z = AutoModel.from_pretrained("org/other")\n',
  '    w = np.load(p)  # atlas-lens: ignore\n',
];

function analyseIncrementally(file: string, text: string) {
  const tree = parser.parse(text)!;
  try {
    return engine.analyzeTree(file, text, tree);
  } finally {
    tree.delete();
  }
}

test('random edit sequences: incremental findings equal full analysis after every edit', () => {
  for (let seed = 1; seed <= 8; seed++) {
    const next = random(seed);
    const file = `/project/incremental_${seed}.py`;
    let text = BASE;
    for (let step = 0; step < 25; step++) {
      const lines = text.split('\n');
      const at = 1 + Math.floor(next() * (lines.length - 1));
      if (next() < 0.25 && lines.length > 5) lines.splice(at, 1);
      else lines.splice(at, 0, SNIPPETS[Math.floor(next() * SNIPPETS.length)]!.replace(/\n$/, ''));
      text = lines.join('\n');
      const incremental = analyseIncrementally(file, text);
      const full = engine.analyze(file, text);
      assert.deepEqual(incremental.findings, full.findings, `seed ${seed}, step ${step}:\n${text}`);
    }
  }
});

test('typing inside one function re-analyses that function only and keeps the rest', () => {
  const file = '/project/typing.py';
  const first = analyseIncrementally(file, BASE);
  const edited = BASE.replace('    # cached features', '    # cached features, typed');
  const second = analyseIncrementally(file, edited);
  assert.deepEqual(second.findings, first.findings);
  // A new risky call inside a function appears; lines added above move the other findings down.
  const withCall = BASE.replace('def features(path):\n', 'def features(path):\n    torch.load(path, weights_only=False)\n');
  const third = analyseIncrementally(file, withCall);
  assert.deepEqual(third.findings, engine.analyze(file, withCall).findings);
  assert.equal(third.findings.length, first.findings.length + 1);
});

test('changing an import or a module constant re-analyses every definition', () => {
  const file = '/project/imports.py';
  analyseIncrementally(file, BASE);
  const aliased = BASE.replace('import torch\n', 'import torch as torchlib\n');
  const result = analyseIncrementally(file, aliased);
  assert.deepEqual(result.findings, engine.analyze(file, aliased).findings);
  assert.ok(!result.findings.some((f) => f.ruleId === 'torch-load-unsafe'), 'torch.load no longer resolves once torch is imported under another name');
  const branch = BASE.replace(`REV = "0123456789abcdef0123456789abcdef01234567"`, 'REV = "main"');
  analyseIncrementally(file, BASE);
  assert.deepEqual(analyseIncrementally(file, branch).findings, engine.analyze(file, branch).findings);
  assert.ok(engine.analyze(file, branch).findings.some((f) => f.ruleId === 'hf-model-unpinned'), 'the model is unpinned once REV names a branch');
});

/** Pieces typed into the document at random places: brackets left open, quotes, keywords split. */
const KEYSTROKES = ['(', ')', '()', '[', '"', "'", '"""', ':', ' ', '\n', '\n    ', 'x', '#', ',', '=', 'def ', 'import torch\n', 'torch.load(p)', 'weights_only=False', ', allow_pickle=True', '@app.get("/")\n'];

test('random keystrokes through the server document store (incremental reparse): findings and problems equal a full analysis after every edit', () => {
  const source = BASE + '\n\n@decorator\ndef served(p):\n    return pickle.loads(p)\n\n\nimport pickle\n\nclass Late:\n    x = torch.load("m.pt")\n';
  for (let seed = 1; seed <= 6; seed++) {
    const next = random(seed * 7919);
    const file = `/project/keystrokes_${seed}.py`;
    const documents = new DocumentStore(parser);
    const document = documents.open(`file://${file}`, 'python', 1, source);
    for (let step = 0; step < 50; step++) {
      const lines = document.lineCount;
      const line = Math.floor(next() * lines);
      const character = Math.floor(next() * (document.lineText(line).length + 1));
      const start = { line, character };
      // Mostly insertions; sometimes a deletion of a few characters, or typing into the same place again.
      const remove = next() < 0.25 ? Math.floor(next() * 6) : 0;
      const end = document.positionAt(document.offsetAt(start) + remove);
      const text = remove > 0 && next() < 0.5 ? '' : KEYSTROKES[Math.floor(next() * KEYSTROKES.length)]!;
      document.update([{ range: { start, end }, text }], step + 2);
      const incremental = engine.analyzeTree(file, document.text, document.tree!.current(document.text)!);
      const full = engine.analyze(file, document.text);
      assert.deepEqual(incremental.findings, full.findings, `seed ${seed}, step ${step}:\n${document.text}`);
      assert.deepEqual(incremental.problems, full.problems, `seed ${seed}, step ${step}: problems`);
    }
    documents.close(`file://${file}`);
  }
});

test('moving a module statement across a definition re-analyses it (which binding of a name comes last depends on the order)', () => {
  const file = '/project/order.py';
  const before = 'import torch\n\n\ndef restore(p):\n    return torch.load(p)\n\n\ntorch = None\n';
  const after = 'import torch\ntorch = None\n\n\ndef restore(p):\n    return torch.load(p)\n';
  assert.equal(analyseIncrementally(file, before).findings.length, 1);
  assert.deepEqual(analyseIncrementally(file, after).findings, engine.analyze(file, after).findings);
  assert.deepEqual(engine.analyze(file, after).findings, [], 'torch is None when restore runs');
});

test('a module name bound by unpacking or a loop counts for the definitions; a definition renamed re-analyses the others too', () => {
  const file = '/project/bindings.py';
  const loads = 'import torch\n\n\ndef restore(p):\n    return torch.load(p)\n';
  assert.equal(analyseIncrementally(file, loads).findings.length, 1);
  for (const shadow of ['torch, other = None, None\n', 'for torch in []:\n    pass\n']) {
    analyseIncrementally(file, loads);
    const shadowed = loads.replace('import torch\n', `import torch\n${shadow}`);
    assert.deepEqual(analyseIncrementally(file, shadowed).findings, [], `torch no longer names the module after ${JSON.stringify(shadow)}`);
  }
  // Only the definition's own name is told by the names: a name bound in its decorator counts as any other.
  const decorated = 'import torch\n\n\n@register(None)\ndef helper():\n    pass\n\n\ndef restore(p):\n    return torch.load(p)\n';
  assert.equal(analyseIncrementally(file, decorated).findings.length, 1);
  for (const decorator of ['@register(torch := None)', '@register([torch for torch in ()])']) {
    analyseIncrementally(file, decorated);
    const rebound = decorated.replace('@register(None)', decorator);
    assert.deepEqual(engine.analyze(file, rebound).findings, [], `torch is not the module after ${decorator}`);
    assert.deepEqual(analyseIncrementally(file, rebound).findings, [], decorator);
  }
  // A definition binds its own name: renaming it changes what a call to that name in another one means.
  const own = 'from pickle import loads\n\n\n@cache\ndef loads(data):\n    return data\n\n\ndef read(blob):\n    return loads(blob)\n';
  assert.deepEqual(analyseIncrementally(file, own).findings, engine.analyze(file, own).findings);
  const renamed = own.replace('def loads(', 'def parse(');
  const findings = analyseIncrementally(file, renamed).findings;
  assert.deepEqual(findings, engine.analyze(file, renamed).findings);
  assert.ok(findings.some((f) => f.ruleId === 'pickle-deserialization' && f.range.start.line === 9), `pickle.loads is called once the definition no longer shadows it: ${brief(findings)}`);
});

/** One-line replacement of `from` by `to` on `line` (the first occurrence), as an LSP content change. */
function replaceOnLine(document: { lineText(line: number): string }, line: number, from: string, to: string) {
  const character = document.lineText(line).indexOf(from);
  assert.ok(character >= 0, `${from} on line ${line}`);
  return { range: { start: { line, character }, end: { line, character: character + from.length } }, text: to };
}

const THREE = `import numpy as np
import torch


def first(path):
    return np.load(path, allow_pickle=True)


def second(path):
    return torch.load(path, weights_only=None)


def third(path):
    return torch.load(path, weights_only=True)
`;

const brief = (findings: ReadonlyArray<{ ruleId: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }>) =>
  findings.map((f) => `${f.ruleId} ${f.range.start.line}:${f.range.start.character}-${f.range.end.line}:${f.range.end.character}`);

test('through the document store, definitions no edit touched are carried over; same-length edits inside a definition still re-analyse it', () => {
  const file = '/project/carried.py';
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, THREE);
  const analyse = () => engine.analyzeTree(file, document.text, document.tree!.current(document.text)!);
  assert.deepEqual(brief(analyse().findings), ['numpy-load-allow-pickle 5:25-5:42']);

  // Two changes in one didChange, each keeping its definition's length and bounds: the first
  // function's finding goes, the third gets one; the second, untouched, is carried over.
  document.update([replaceOnLine(document, 5, 'True', 'None'), replaceOnLine(document, 13, 'True', '0==0')], 2);
  const swapped = analyse();
  assert.deepEqual(brief(swapped.findings), ['torch-load-unsafe 13:28-13:45']);
  assert.deepEqual(swapped.findings, engine.analyze(file, document.text).findings);

  // Lines added above every definition move the carried findings down, ranges and fix edits included.
  document.update([{ range: { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, text: '\n# setup\n\n' }], 3);
  const moved = analyse();
  assert.deepEqual(brief(moved.findings), ['torch-load-unsafe 16:28-16:45']);
  assert.deepEqual(moved.findings, engine.analyze(file, document.text).findings);

  // An import changed above unchanged definitions changes what their calls resolve to.
  document.update([replaceOnLine(document, 1, 'import torch', 'import torch as tl')], 4);
  const renamed = analyse();
  assert.deepEqual(brief(renamed.findings), [], 'torch.load resolves to nothing once torch is imported as tl');
  assert.deepEqual(renamed.findings, engine.analyze(file, document.text).findings);
  document.update([replaceOnLine(document, 1, 'import torch as tl', 'import torch')], 5);
  assert.deepEqual(brief(analyse().findings), ['torch-load-unsafe 16:28-16:45']);

  // Reparsed twice between two analyses (the edits of the first reparse are not seen): matched by text instead.
  document.update([replaceOnLine(document, 8, 'np.load(path, allow_pickle=None)', 'np.load(path, allow_pickle=True)')], 6);
  document.tree!.current(document.text);
  document.update([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '# top\n' }], 7);
  const twice = analyse();
  assert.deepEqual(brief(twice.findings), ['numpy-load-allow-pickle 9:25-9:42', 'torch-load-unsafe 17:28-17:45']);
  assert.deepEqual(twice.findings, engine.analyze(file, document.text).findings);
  documents.close(`file://${file}`);
});

test('syntaxErrorProblems: false leaves out the syntax error info problem (the language server shows none) and nothing else', () => {
  const file = '/project/broken.py';
  const text = THREE.replace('weights_only=None)', 'weights_only=)');
  const tree = parser.parse(text)!;
  try {
    const located = engine.analyzeTree(file, text, tree);
    assert.deepEqual(located.problems, [{ file, line: 9, character: 40, message: 'syntax error; the parts that parse were analysed', severity: 'info' }]);
    const without = engine.analyzeTree(file, text, tree, { syntaxErrorProblems: false });
    assert.deepEqual(without.problems, []);
    assert.deepEqual(brief(without.findings), ['numpy-load-allow-pickle 5:25-5:42', 'torch-load-unsafe 9:11-9:21']);
    assert.deepEqual(without.findings, located.findings);
  } finally {
    tree.delete();
  }
});

/** What a node is, as a whole parse of the same text must give it: type, offsets, points, structure and text. */
function shape(node: { type: string; startIndex: number; endIndex: number; startPosition: unknown; endPosition: unknown; text: string; toString(): string }) {
  return `${node.type} ${node.startIndex}-${node.endIndex} ${JSON.stringify(node.startPosition)}-${JSON.stringify(node.endPosition)} ${node.toString()} ${JSON.stringify(node.text)}`;
}

/** Types `text` at offset `at` as the document's version `version`: the syntax after it, checked against a fresh parse. */
function typeInto(document: LspDocument, version: number, at: number, text: string): PythonSyntax {
  document.update([{ range: { start: document.positionAt(at), end: document.positionAt(at) }, text }], version);
  const syntax = document.tree!.syntax(document.source)!;
  assertSameAsFreshParse(syntax, document.text, document.text);
  return syntax;
}

/** The syntax's top-level nodes are the ones a fresh parse of `text` gives. */
function assertSameAsFreshParse(syntax: PythonSyntax, text: string, message: string): void {
  const whole = parser.parse(text)!;
  try {
    assert.deepEqual(syntax.topLevel.map(shape), whole.rootNode.namedChildren.map((node) => shape(node!)), message);
  } finally {
    whole.delete();
  }
}

/**
 * Typing a character at a time on new lines (brackets closed automatically, as VS Code does), as
 * the language server parses (syntax()), with now and then a keystroke elsewhere that may break
 * the file, undone at the next step. After every keystroke the top-level nodes must be a fresh
 * parse's and the findings a full analysis's. Returns how often a statement was parsed alone.
 */
function typeStatementsAndCompare(options: { name: string; source: string; statements: readonly string[]; indent: string; under: RegExp }): { steps: number; parsedAlone: number; errorsParsedAlone: number } {
  const { name, source, statements, indent, under } = options;
  let parsedAlone = 0;
  let errorsParsedAlone = 0;
  let steps = 0;
  // More sessions on demand: ATLAS_LENS_TYPING_SESSIONS=500 (about 2 minutes per hundred).
  const sessions = Number(process.env.ATLAS_LENS_TYPING_SESSIONS ?? 8);
  for (let seed = 1; seed <= sessions; seed++) {
    const next = random(seed * 104729);
    const file = `/project/${name}_${seed}.py`;
    const documents = new DocumentStore(parser);
    const document = documents.open(`file://${file}`, 'python', 1, source);
    let version = 1;
    // The analysis reads the text as the language server hands it over, a ChunkedText; here with
    // short chunks, so that reads (the parser's, nodes' text, the rules') cross their boundaries.
    let chunked = ChunkedText.of(source, 1 + ((seed * 37) % 97));
    const change = (from: number, to: number, text: string) => {
      document.update([{ range: { start: document.positionAt(from), end: document.positionAt(to) }, text }], ++version);
      chunked = chunked.edit(from, to, text);
    };
    let cursor = -1;
    const STATEMENT = statements[seed % statements.length]!;
    let typed = STATEMENT.length;
    let hostile: { at: number; length: number } | undefined;
    for (let step = 0; step < 80; step++) {
      if (hostile) {
        change(hostile.at, hostile.at + hostile.length, ''); // taken back: the file parses again
        if (cursor >= hostile.at) cursor -= hostile.length;
        hostile = undefined;
      } else if (next() < 0.1) {
        // A keystroke somewhere else that may break the file (brackets left open, quotes), undone next step.
        const at = Math.floor(next() * (document.text.length + 1));
        const piece = KEYSTROKES[Math.floor(next() * KEYSTROKES.length)]!;
        change(at, at, piece);
        if (cursor >= at) cursor += piece.length;
        hostile = { at, length: piece.length };
      } else {
        if (typed >= STATEMENT.length) {
          // A new line under a random statement the pattern picks, at the given indentation.
          const lines = document.text.split('\n');
          const candidates = lines.map((line, index) => (under.test(line) ? index : -1)).filter((index) => index >= 0);
          const line = candidates[Math.floor(next() * candidates.length)]!;
          const end = document.offsetAt({ line, character: lines[line]!.length });
          change(end, end, `\n${indent}`);
          cursor = end + 1 + indent.length;
          typed = 0;
        } else {
          const char = STATEMENT[typed++]!;
          if (char === ')' && document.text[cursor] === ')') cursor++; // typed over the closing bracket
          else {
            change(cursor, cursor, char === '(' ? '()' : char);
            cursor++;
          }
        }
      }
      const syntax = document.tree!.syntax(chunked)!;
      const whole = parser.parse(document.text)!;
      try {
        const context = `seed ${seed}, step ${step}${syntax.replaced.length > 0 ? ' (statements parsed alone)' : ''}:\n${document.text}`;
        // With a syntax error, tree-sitter's incremental reparse (the whole-text path) may recover
        // otherwise than a fresh parse. A statement parsed alone, with or without an error, must give
        // the fresh parse's nodes.
        const incremental = engine.analyzeTree(file, chunked, syntax, { syntaxErrorProblems: false });
        if (syntax.replaced.length > 0 && whole.rootNode.hasError) errorsParsedAlone++;
        if (whole.rootNode.hasError && syntax.replaced.length === 0) continue;
        assert.deepEqual(syntax.topLevel.map(shape), whole.rootNode.namedChildren.map((node) => shape(node!)), context);
        assert.deepEqual(incremental.findings, engine.analyze(file, document.text).findings, context);
      } finally {
        whole.delete();
        steps++;
        // Last: joining it whole would have the reads above taken from the joined string.
        assert.equal(chunked.toString(), document.text);
      }
    }
    parsedAlone += document.tree!.stats.definition;
    documents.close(`file://${file}`);
  }
  return { steps, parsedAlone, errorsParsedAlone };
}

test('typing in one definition parses it alone (syntax()): after every keystroke its nodes, the others and the findings equal a whole parse and a full analysis', () => {
  const source = BASE + '\n\n@decorator\ndef served(p):\n    return pickle.loads(p)\n\n# a section\n\nimport pickle\n\nclass Late:\n    x = torch.load("m.pt")\n    # trailing\n\ndef tail(p):\n    return p\n';
  // A statement that parses at almost every keystroke, or (every other session) the head of a
  // block, which is a syntax error until its colon.
  const statements = ['x = torch.load(p, weights_only=False)  # typed', 'if p.endswith(suffix) and torch.load(p, weights_only=False):'];
  const { steps, parsedAlone, errorsParsedAlone } = typeStatementsAndCompare({ name: 'definition', source, statements, indent: '    ', under: /^    \S/ });
  // The fast path must have been taken, often, for this to test it.
  assert.ok(parsedAlone > steps / 3, `${parsedAlone} of ${steps} keystrokes parsed one definition alone`);
  assert.ok(errorsParsedAlone > steps / 10, `${errorsParsedAlone} of ${steps} keystrokes left a syntax error in the definition parsed alone`);
});

test('typing in top-level code (a script, a notebook) parses the edited statement alone: after every keystroke the nodes and findings equal a whole parse and a full analysis', () => {
  const source = `import os
import pickle
import torch
import numpy as np
from transformers import AutoModel

CKPT = os.environ.get("CKPT", "last.pt")
state = torch.load(CKPT)
arr = np.load("features.npy", allow_pickle=True); count = len(arr)
# loading the model
model = AutoModel.from_pretrained("org/base")
for shard in os.listdir("shards"):
    data = pickle.load(open(shard, "rb"))
with open("cfg.yaml") as handle:
    cfg = handle.read()
if torch.cuda.is_available():
    model = model.cuda()
else:
    model = model.float()
try:
    extra = torch.load("extra.pt", weights_only=True)
except FileNotFoundError:
    extra = None

def helper(p):
    return torch.load(p)

result = helper(CKPT)
`;
  // An assignment that parses at almost every keystroke, or the head of a block (an error until its colon).
  const statements = ['x = torch.load(CKPT, weights_only=False)  # typed', 'while torch.load(CKPT, weights_only=False):'];
  const { steps, parsedAlone, errorsParsedAlone } = typeStatementsAndCompare({ name: 'script', source, statements, indent: '', under: /^[a-z]/ });
  assert.ok(parsedAlone > steps / 3, `${parsedAlone} of ${steps} keystrokes parsed one statement alone`);
  assert.ok(errorsParsedAlone > steps / 20, `${errorsParsedAlone} of ${steps} keystrokes left a syntax error in the statement parsed alone`);
});

test('syntax() parses the whole text again wherever one definition alone might parse differently, and after each the findings equal a full analysis', () => {
  const file = '/project/fallback.py';
  const source = 'import torch\n\n\ndef first(p):\n    return torch.load(p)\n# between\n\n\ndef second(p):\n    return p\n\n\ndef third(p):\n    return p\n';
  const cases: Array<{ why: string; edit: (text: string) => { at: number; remove?: number; insert: string }; fast: boolean }> = [
    { why: 'typing inside a definition', edit: (text) => ({ at: text.indexOf('return p'), insert: 'y = 1\n    ' }), fast: true },
    { why: 'a comment right after the definition (its place depends on the indentation before it)', edit: (text) => ({ at: text.indexOf('return torch'), insert: 'y = 1\n    ' }), fast: false },
    { why: 'a new top-level statement typed after the definition', edit: (text) => ({ at: text.indexOf('\n\n\ndef third') + 1, insert: 'x = torch.load("a")\n' }), fast: false },
    { why: 'a decorator typed above a definition (its own edit)', edit: (text) => ({ at: text.indexOf('def third'), insert: '@torch.no_grad()\n' }), fast: true },
    { why: 'the definition replaced by a module statement', edit: (text) => ({ at: text.indexOf('def second'), remove: 'def second(p):\n    return p'.length, insert: 'second = torch.load("b")' }), fast: false },
    { why: 'the blank lines before the next definition replaced so that it is indented', edit: (text) => ({ at: text.indexOf('return p') + 'return '.length, remove: 4, insert: 'p\n  ' }), fast: false },
    { why: 'a syntax error that stays inside the definition (the next one parses as before)', edit: (text) => ({ at: text.indexOf('return p'), insert: 'y = (\n    ' }), fast: true },
    { why: 'a condition without its colon', edit: (text) => ({ at: text.indexOf('return p'), insert: 'if p.endswith(".pt")\n    ' }), fast: true },
    { why: 'a string left open (here the parser recovers inside the definition, but see below)', edit: (text) => ({ at: text.indexOf('return p'), insert: 'y = """\n    ' }), fast: false },
    { why: 'a syntax error that runs on: an open bracket takes in the next definition', edit: (text) => ({ at: text.indexOf('return p'), insert: 'y = f(p,\n    ' }), fast: false },
    { why: 'a syntax error in the last definition (alone it is parsed as in the whole text)', edit: (text) => ({ at: text.lastIndexOf('return p'), insert: 'if p.endswith(".pt")\n    ' }), fast: true },
    { why: 'an error recovered otherwise with the next statement after it than alone (an unfinished async def)', edit: (text) => ({ at: text.indexOf('return p'), remove: 'return p'.length, insert: 'async def g(' }), fast: false },
    { why: 'a syntax error that puts a statement at the top level', edit: (text) => ({ at: text.indexOf('return p'), insert: 'return f(p,\n\n\n' }), fast: false },
    { why: 'typing in a module statement (parsed alone as definitions are)', edit: (text) => ({ at: text.indexOf('import torch') + 'import torch'.length, insert: ', os' }), fast: true },
    { why: 'a second module statement typed after one', edit: (text) => ({ at: text.indexOf('import torch') + 'import torch'.length, insert: '\nz = 1' }), fast: false },
    { why: 'a module statement made a definition', edit: (text) => ({ at: 0, remove: 'import torch'.length, insert: 'def torch(): pass' }), fast: false },
    { why: 'a comment typed at the top level, after a statement', edit: (text) => ({ at: text.indexOf('import torch') + 'import torch'.length, insert: '\n# note' }), fast: false },
  ];
  for (const { why, edit, fast } of cases) {
    const documents = new DocumentStore(parser);
    const document = documents.open(`file://${file}`, 'python', 1, source);
    document.tree!.syntax(document.text);
    const { at, remove = 0, insert } = edit(document.text);
    document.update([{ range: { start: document.positionAt(at), end: document.positionAt(at + remove) }, text: insert }], 2);
    const syntax = document.tree!.syntax(document.text)!;
    assertSameAsFreshParse(syntax, document.text, why);
    assert.equal(document.tree!.stats.definition, fast ? 1 : 0, why);
    assert.equal(syntax.replaced.length > 0, fast, why);
    const result = engine.analyzeTree(file, document.text, syntax, { syntaxErrorProblems: false });
    assert.deepEqual(result.findings, engine.analyze(file, document.text).findings, why);
    documents.close(`file://${file}`);
  }

  // A string left open: with the next statement the definition parses as alone, but in the whole
  // text the parser takes in every statement up to the last definition.
  {
    const documents = new DocumentStore(parser);
    const longer = 'import torch\n\n\ndef first(p):\n    return torch.load(p)\n\n\ndef second(p):\n    return p\n\n\nclass Third:\n    def load(self, p):\n        return torch.load(p)\n\n\nif __name__ == "__main__":\n    first("a.pt")\n\n\ndef last(p):\n    return p\n';
    const document = documents.open(`file://${file}`, 'python', 1, longer);
    document.tree!.syntax(document.text);
    const at = document.text.indexOf('torch.load(p)') + 'torch.'.length;
    document.update([{ range: { start: document.positionAt(at), end: document.positionAt(at) }, text: '"""' }], 2);
    const syntax = document.tree!.syntax(document.text)!;
    assertSameAsFreshParse(syntax, document.text, 'a string left open');
    assert.equal(syntax.replaced.length, 0);
    documents.close(`file://${file}`);
  }

  // A syntax error in another statement: no definition is parsed alone until it is gone.
  const documents = new DocumentStore(parser);
  const broken = source.replace('def second(p):', 'def second(p:');
  const document = documents.open(`file://${file}`, 'python', 1, broken);
  document.tree!.syntax(document.text);
  const typeAt = (version: number, anchor: string, text: string) => typeInto(document, version, document.text.lastIndexOf(anchor), text);
  assert.equal(typeAt(2, 'return p\n', 'y = 1\n    ').replaced.length, 0, 'an error elsewhere');
  const fixed = document.text.indexOf('(p:') + 2;
  document.update([{ range: { start: document.positionAt(fixed), end: document.positionAt(fixed) }, text: ')' }], 3);
  document.tree!.syntax(document.text);
  const again = typeAt(4, 'def second', 'z = 2\n');
  assert.equal(again.replaced.length, 0, 'a module statement typed');
  const inside = typeAt(5, 'return p\n\n\ndef third', 'y = 1\n    ');
  assert.ok(inside.replaced.length > 0, 'once the error is fixed, typing in a definition parses it alone again');
  assert.deepEqual(engine.analyzeTree(file, document.text, inside, { syntaxErrorProblems: false }).findings, engine.analyze(file, document.text).findings);
  // Then a space typed before the next definition (an unexpected indent): not the edited definition's edit.
  const next = typeAt(6, 'def third', ' ');
  assert.equal(next.replaced.length, 0, 'an edit at the start of the next definition is not the edited one\'s');
  assert.deepEqual(engine.analyzeTree(file, document.text, next, { syntaxErrorProblems: false }).findings, engine.analyze(file, document.text).findings);
  documents.close(`file://${file}`);
});

test('a definition holding a syntax error is the only one parsed alone: an edit in another definition then parses the whole text', () => {
  const file = '/project/error-alone.py';
  const source = 'import torch\n\n\ndef first(p):\n    return p\n\n\ndef second(p):\n    return torch.load(p)\n\n\ndef third(p):\n    return p\n';
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, source);
  document.tree!.syntax(document.text);
  const type = (version: number, anchor: string, text: string) => {
    const syntax = typeInto(document, version, document.text.indexOf(anchor), text);
    assert.deepEqual(engine.analyzeTree(file, document.text, syntax, { syntaxErrorProblems: false }).findings, engine.analyze(file, document.text).findings, document.text);
    return syntax;
  };
  const stats = document.tree!.stats;
  assert.equal(type(2, 'return p\n\n\ndef second', 'if p\n    ').replaced.length, 1, 'the first definition, with its error, parsed alone');
  assert.deepEqual([stats.definition, stats.incremental], [1, 0]);
  assert.equal(type(3, 'return p\n', 'if p.endswith(".pt")').replaced.length, 1, 'typing on in it');
  assert.deepEqual([stats.definition, stats.incremental], [2, 0]);
  assert.equal(type(4, 'return torch', 'y = 1\n    ').replaced.length, 0, 'another definition edited: the whole text parsed');
  assert.deepEqual([stats.definition, stats.incremental], [2, 1]);
  documents.close(`file://${file}`);
});

test('syntax() keeps several edited definitions parsed alone, moved by the edits before them, until an edit crosses one', () => {
  const file = '/project/several.py';
  const source = 'import torch\n\n\ndef a(p):\n    return p\n\n\ndef b(p):\n    return p\n\n\ndef c(p):\n    return p\n\n\ndef d(p):\n    return torch.load(p)\n';
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, source);
  document.tree!.syntax(document.text);
  let version = 1;
  /** Replaces `remove` characters at the `nth` occurrence of `anchor` (plus `offset`) by `text`; the syntax after it, checked against a whole parse. */
  const change = (anchor: string, nth: number, offset: number, remove: number, text: string) => {
    let at = -1;
    for (let i = 0; i <= nth; i++) at = document.text.indexOf(anchor, at + 1);
    assert.ok(at >= 0, anchor);
    at += offset;
    document.update([{ range: { start: document.positionAt(at), end: document.positionAt(at + remove) }, text }], ++version);
    const syntax = document.tree!.syntax(document.text)!;
    assertSameAsFreshParse(syntax, document.text, document.text);
    assert.deepEqual(engine.analyzeTree(file, document.text, syntax, { syntaxErrorProblems: false }).findings, engine.analyze(file, document.text).findings, document.text);
    return syntax.replaced.map((stretch) => document.text.slice(stretch.start, stretch.start + 5));
  };
  const RETURN = '    return p';
  assert.deepEqual(change(RETURN, 1, 0, 0, '    x = 1\n'), ['def b']);
  assert.deepEqual(change('return torch', 0, 0, 0, 'y = torch.load(p)\n    '), ['def b', 'def d']);
  // An edit above both moves them (lines added): each is parsed again where it now is.
  assert.deepEqual(change(RETURN, 0, 0, 0, '    z = 1\n\n'), ['def a', 'def b', 'def d']);
  // An operand missing in c: c alone does not parse, so the whole text is parsed (c has the error).
  assert.deepEqual(change(RETURN, 2, RETURN.length, 0, ' +'), []);
  // Typed: c alone parses, and a's edit next is allowed although the whole tree has c's error.
  assert.deepEqual(change(RETURN, 2, RETURN.length + 2, 0, ' f()'), ['def c']);
  assert.deepEqual(change('z = 1', 0, 0, 0, 'w = torch.load(p)\n    '), ['def a', 'def c']);
  // A decorator typed at d's first character is d's edit.
  assert.deepEqual(change('def d', 0, 0, 0, '@torch.no_grad()\n'), ['def a', 'def c', '@torc']);
  // A definition renamed: every definition is analysed again, the ones parsed alone from their own nodes.
  assert.deepEqual(change('def b', 0, 4, 1, 'B'), ['def a', 'def B', 'def c', '@torc']);
  // A deletion from c's last line into d's decorator crosses two stretches: the whole text is parsed.
  assert.deepEqual(change(' + f()', 0, 0, ' + f()\n\n\n@'.length, ''), []);
  assert.equal(document.tree!.stats.definition, 10, "b, d, then a, b and d again, c, a and c, d, B");

  // A decorator typed at c's start, then typing at the end of b's last line: b's stretch ends where c's now starts.
  document.update([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '' }], ++version);
  document.tree!.current(document.text);
  assert.deepEqual(change('def c', 0, 0, 0, '@torch.no_grad()\n'), ['@torc']);
  assert.deepEqual(change('@torch', 0, -3, 0, ' + 1'), ['def B', '@torc']);
  documents.close(`file://${file}`);
});

test('syntax() parses the whole text once more than eight definitions were edited since the last whole parse', () => {
  const file = '/project/many.py';
  const source = Array.from({ length: 10 }, (_, i) => `def f${i}(p):\n    return p\n`).join('\n\n');
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, source);
  document.tree!.syntax(document.text);
  const counts: number[] = [];
  for (let i = 0; i < 10; i++) {
    const at = document.text.indexOf(`def f${i}(p):`) + `def f${i}(p):`.length;
    document.update([{ range: { start: document.positionAt(at), end: document.positionAt(at) }, text: ' ' }], i + 2);
    counts.push(document.tree!.syntax(document.text)!.replaced.length);
  }
  assert.deepEqual(counts, [1, 2, 3, 4, 5, 6, 7, 8, 0, 1]);
  documents.close(`file://${file}`);
});

test('a whole parse cancelled by its progress callback loses nothing: the next syntax() reparses from the same tree, and the findings equal a full analysis', () => {
  const file = '/project/cancelled.py';
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, BASE);
  const stop = () => true;
  // A first parse cancelled: nothing is kept, the next one parses from scratch.
  assert.equal(document.tree!.syntax(document.text, stop), undefined);
  const first = document.tree!.syntax(document.text)!;
  assert.deepEqual(document.tree!.stats, { incremental: 0, full: 1, definition: 0 });
  engine.analyzeTree(file, document.text, first, { syntaxErrorProblems: false });
  // Module-level edits (outside any definition: a whole reparse) that move every definition down.
  let version = 1;
  const insert = (line: number, text: string) => document.update([{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text }], ++version);
  insert(0, 'import pickle\n');
  assert.equal(document.tree!.syntax(document.text, stop), undefined);
  assert.equal(document.tree!.syntax(document.text, stop), undefined);
  insert(1, 'SEED = 7\n\n');
  const syntax = document.tree!.syntax(document.text)!;
  // One incremental reparse from the tree parsed before the cancelled ones, with all three edits.
  assert.deepEqual(document.tree!.stats, { incremental: 1, full: 1, definition: 0 });
  const whole = parser.parse(document.text)!;
  try {
    assert.deepEqual(syntax.topLevel.map(shape), whole.rootNode.namedChildren.map((node) => shape(node!)));
  } finally {
    whole.delete();
  }
  const incremental = engine.analyzeTree(file, document.text, syntax, { syntaxErrorProblems: false });
  assert.deepEqual(incremental.findings, engine.analyze(file, document.text).findings);
  assert.equal(incremental.findings.length, 3);
  documents.close(`file://${file}`);
});

test('after a cancelled whole parse, the edits before it still move the reused definitions: two same-size definitions are not mistaken for each other', () => {
  const file = '/project/cancelled_moves.py';
  const first = 'def f(p):\n    return joblib.load(p)';
  const second = 'def f(p):\n    return pickle.load(p)';
  assert.equal(first.length, second.length);
  const source = `import joblib\nimport pickle\n\n\n${first}\n\n\n${second}\n`;
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, source);
  engine.analyzeTree(file, document.text, document.tree!.syntax(document.text)!, { syntaxErrorProblems: false });
  // A module statement at the top exactly as long as the first definition and the gap after it:
  // the first definition moves to where the second was. (A list, for enough parse steps that the
  // progress callback is asked: tree-sitter asks it every hundred or so.)
  const statement = `[${'1,'.repeat((first.length + 3 - 4) / 2)}1]\n`; // binds no name: the module bindings stay the same
  assert.equal(statement.length, first.length + 3);
  document.update([{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: statement }], 2);
  assert.equal(document.tree!.syntax(document.text, () => true), undefined);
  const syntax = document.tree!.syntax(document.text)!;
  const incremental = engine.analyzeTree(file, document.text, syntax, { syntaxErrorProblems: false });
  assert.deepEqual(incremental.findings, engine.analyze(file, document.text).findings);
  assert.deepEqual(incremental.findings.map((finding) => [finding.ruleId, finding.range.start.line]), [['joblib-load', 6], ['pickle-deserialization', 10]]);
  documents.close(`file://${file}`);
});

/**
 * An open document of `source`, analysed as the language server does at each change: parsed
 * through syntax() (a definition alone where that is enough), without the syntax error problem.
 */
function openDocument(file: string, source: string, settings: AnalysisSettings = {}) {
  const documents = new DocumentStore(parser);
  const document = documents.open(`file://${file}`, 'python', 1, source);
  const analyse = () => engine.analyzeTree(file, document.source, document.tree!.syntax(document.source)!, { syntaxErrorProblems: false, ...settings });
  const full = () => engine.analyze(file, document.text, settings);
  return { document, analyse, full, close: () => documents.close(`file://${file}`) };
}

/** Verdict gates (model-verdict-only-gate) in a function, through a name assigned at module level, in a method, from a class body. */
const GATES = `import joblib
from transformers import pipeline

clf = joblib.load("fraud.joblib")  # atlas-lens: ignore
spam = pipeline("text-classification", model="org/spam", revision="0123456789abcdef0123456789abcdef01234567")
label = clf.predict(features)[0]


def screen(tx):
    if clf.predict([tx])[0] == 1:
        tx.block()


def review(tx):
    if label == 1:
        tx.reject()


class Guard:
    def check(self, tx):
        if self.clf.predict([tx])[0] == 0:
            tx.allow()


def later(msg):
    if verdict == 1:
        msg.deny()
`;

const GATE_SNIPPETS = [
  'label = clf.predict(other)[0]',
  'verdict = clf.predict([x])[0]',
  '    verdict = clf.predict([tx])[0]',
  '    if verdict == 1:\n        return "blocked"',
  '    if label:\n        tx.block()',
  '    threshold = 0.9',
  '    # allow',
  'class Late:\n    verdict = clf.predict([y])[0]\n',
  'class Quiet:\n    verdict = 0\n',
  'def gate(tx):\n    if clf.classify(tx) == "fraud":\n        tx.block()\n',
  'if spam(text)[0]["label"] == "SPAM":\n    block(text)\n',
  '@register(clf.predict([z])[0])\ndef hooked(msg):\n    if verdict:\n        msg.deny()\n',
  '',
];

/**
 * The open document analysed as the language server does after a change (through syntax()),
 * compared with a full analysis of its text; undefined where the file has a syntax error and was
 * reparsed whole (tree-sitter's own incremental recovery may differ from a fresh parse there).
 */
function compareWithFull(file: string, document: LspDocument, context: string): { full: Finding[]; parsedAlone: boolean } | undefined {
  const syntax = document.tree!.syntax(document.source)!;
  const incremental = engine.analyzeTree(file, document.source, syntax, { syntaxErrorProblems: false });
  const whole = parser.parse(document.text)!;
  const broken = whole.rootNode.hasError;
  whole.delete();
  if (broken && syntax.replaced.length === 0) return undefined;
  const full = engine.analyze(file, document.text).findings;
  const shown = (findings: readonly Finding[]) => findings.map((f) => `${brief([f])[0]} ${f.message}`);
  assert.deepEqual(shown(incremental.findings), shown(full), `${context}:\n${document.text}`);
  assert.deepEqual(incremental.findings, full, context);
  return { full, parsedAlone: syntax.replaced.length > 0 };
}

/** One content change of a document, and where it happened (for a failing comparison's message). */
interface ComparedChange {
  change: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; text: string };
  context: string;
}

/**
 * Sessions of changes to `source`, one document per seed, each applied through the server's
 * document store and compared with a full analysis (compareWithFull). `changes` reads the
 * document as each change before it left it. Gives every full analysis compared, and how many
 * analyses had a definition parsed alone.
 */
function compareAfterChanges(name: string, source: string, seeds: number, seedFactor: number, changes: (document: LspDocument, next: () => number) => Iterable<ComparedChange>): { analyses: Finding[][]; parsedAlone: number } {
  const analyses: Finding[][] = [];
  let parsedAlone = 0;
  for (let seed = 1; seed <= seeds; seed++) {
    const file = `/project/${name}_${seed}.py`;
    const documents = new DocumentStore(parser);
    const document = documents.open(`file://${file}`, 'python', 1, source);
    let version = 1;
    for (const { change, context } of changes(document, random(seed * seedFactor))) {
      document.update([change], ++version);
      const compared = compareWithFull(file, document, `seed ${seed}, ${context}`);
      if (!compared) continue;
      analyses.push(compared.full);
      if (compared.parsedAlone) parsedAlone++;
    }
    documents.close(`file://${file}`);
  }
  return { analyses, parsedAlone };
}

/**
 * Ten sessions of 30 random line edits of `source` (a snippet line inserted, or a line deleted),
 * each compared with a full analysis (compareAfterChanges).
 */
function compareAfterRandomLineEdits(name: string, source: string, snippets: readonly string[], seedFactor: number): { analyses: Finding[][]; parsedAlone: number } {
  return compareAfterChanges(name, source, 10, seedFactor, function* (document, next) {
    for (let step = 0; step < 30; step++) {
      const lines = document.lineCount;
      const line = 1 + Math.floor(next() * (lines - 1));
      const change = next() < 0.25 && lines > 8
        ? { range: { start: { line, character: 0 }, end: { line: line + 1, character: 0 } }, text: '' }
        : { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `${snippets[Math.floor(next() * snippets.length)]!}\n` };
      yield { change, context: `step ${step}` };
    }
  });
}

test('verdict gates: after random edits, incremental findings equal a full analysis (calls in functions, at module level, in class bodies)', () => {
  const { analyses, parsedAlone } = compareAfterRandomLineEdits('gates', GATES, GATE_SNIPPETS, 104729);
  const gates = analyses.filter((findings) => findings.some((f) => f.ruleId === 'model-verdict-only-gate')).length;
  assert.ok(gates > 200 && parsedAlone > 50, `${gates} analyses with a verdict gate finding, ${parsedAlone} with a definition parsed alone`);
});

test('verdict gates: typing in one function keeps the others\' findings (module-level verdicts included); a class body\'s verdict call makes the file analysed whole', () => {
  const file = '/project/gates.py';
  const gate = (findings: readonly Finding[], line: number) => findings.find((f) => f.ruleId === 'model-verdict-only-gate' && f.range.start.line === line);
  const { document, analyse, full, close } = openDocument(file, GATES);
  const first = analyse();
  assert.deepEqual(first.findings.filter((f) => f.ruleId === 'model-verdict-only-gate').map((f) => f.range.start.line), [9, 14, 20]);
  // A comment typed in screen(): review()'s finding (from the module-level label) and the method's are the same objects, reused.
  document.update([{ range: { start: { line: 10, character: 19 }, end: { line: 10, character: 19 } }, text: '  # fraud' }], 2);
  const second = analyse();
  assert.deepEqual(second.findings, full().findings);
  assert.equal(gate(second.findings, 14), gate(first.findings, 14), 'review() was not analysed again');
  assert.equal(gate(second.findings, 20), gate(first.findings, 20), 'Guard was not analysed again');

  // A class body assigns verdict from a prediction: later() (untouched) now has a gate.
  document.update([{ range: { start: { line: 19, character: 0 }, end: { line: 19, character: 0 } }, text: '    verdict = clf.predict([x])[0]\n\n' }], 3);
  const third = analyse();
  assert.deepEqual(third.findings, full().findings);
  assert.ok(gate(third.findings, 27), `later()'s branch on verdict: ${brief(third.findings)}`);
  // Typing elsewhere keeps it; removing the class body's call takes it away again.
  document.update([{ range: { start: { line: 10, character: 0 }, end: { line: 10, character: 0 } }, text: '        pass\n' }], 4);
  assert.deepEqual(analyse().findings, full().findings);
  document.update([replaceOnLine(document, 20, 'clf.predict([x])[0]', '0')], 5);
  const fifth = analyse();
  assert.deepEqual(fifth.findings, full().findings);
  assert.equal(gate(fifth.findings, 28), undefined, `later() has no gate once verdict is 0: ${brief(fifth.findings)}`);
  close();
});

/**
 * Statements typed a character at a time, as VS Code types them (brackets closed automatically),
 * each on a new line after a random indented line of `source`: six sessions of four statements,
 * every keystroke compared with a full analysis (compareAfterChanges).
 */
function compareWhileTyping(name: string, source: string, statements: readonly string[], seedFactor: number): { analyses: Finding[][]; parsedAlone: number } {
  return compareAfterChanges(`${name}_typed`, source, 6, seedFactor, function* (document, next) {
    for (let session = 0; session < 4; session++) {
      const lines = document.text.split('\n');
      const candidates = lines.map((line, index) => (/^ {4,8}\S/.test(line) ? index : -1)).filter((index) => index >= 0);
      const line = candidates[Math.floor(next() * candidates.length)]!;
      let cursor = document.offsetAt({ line, character: lines[line]!.length });
      const statement = statements[Math.floor(next() * statements.length)]!;
      for (const [index, char] of ['\n', ...statement].entries()) {
        if ((char === ')' || char === ']') && document.text[cursor] === char) {
          cursor++; // typed over the bracket closed automatically
          continue;
        }
        const text = char === '(' ? '()' : char === '[' ? '[]' : char;
        yield { change: { range: { start: document.positionAt(cursor), end: document.positionAt(cursor) }, text }, context: `session ${session}, char ${index}` };
        cursor += 1;
      }
    }
  });
}

test('verdict gates, typed a character at a time as the language server parses (one definition alone): findings equal a full analysis after every keystroke', () => {
  const statements = ['    if label == 2:', '        tx.block()', '    verdict = clf.predict([tx])[0]', '    if verdict:', '    x = label + 1'];
  const { analyses, parsedAlone } = compareWhileTyping('gates', GATES, statements, 7717);
  const gates = analyses.filter((findings) => findings.some((f) => f.ruleId === 'model-verdict-only-gate')).length;
  assert.ok(parsedAlone > 100 && gates > 100, `${parsedAlone} keystrokes parsed one definition alone, ${gates} with a gate`);
});

/** LLM output reaching interpreters, a shell and SQL (flow rules), from functions and from module level. */
const FLOWS = `import subprocess
import sqlite3
from openai import OpenAI

client = OpenAI()
db = sqlite3.connect("app.db")
reply = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content


def run_code(prompt):
    resp = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}])
    code = resp.choices[0].message.content
    exec(code)


def shell(prompt):
    out = client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": prompt}]).choices[0].message.content
    subprocess.run(out, shell=True)


def query():
    db.execute(reply)


class Agent:
    def act(self, task):
        plan = client.chat.completions.create(model="gpt-4o", messages=[]).choices[0].message.content
        return eval(plan)
`;

const FLOW_SNIPPETS = [
  '',
  '    code = "print(1)"',
  '    exec(code)',
  '    eval(resp.choices[0].message.content)',
  'reply = "SELECT 1"',
  'exec(reply)',
  '# a note',
  'def extra(p):\n    text = client.chat.completions.create(model="m", messages=[]).choices[0].message.content\n    subprocess.call(text, shell=True)\n',
  // hub-repo-public: pushes whose visibility comes from a module constant
  '    model.push_to_hub("org/model", private=PRIVATE)',
  '    model.push_to_hub("org/model")',
  'PRIVATE = False',
  'PRIVATE = True',
];

test('flows and hub pushes: after random line edits, as the language server parses, incremental findings equal a full analysis (messages name the lines of the path)', () => {
  const { analyses, parsedAlone } = compareAfterRandomLineEdits('flows', FLOWS, FLOW_SNIPPETS, 31337);
  const flows = analyses.flat().filter((f) => f.flow).length;
  const pushes = analyses.flat().filter((f) => f.ruleId === 'hub-repo-public').length;
  assert.ok(flows > 500 && pushes > 50 && parsedAlone > 50, `${flows} flow findings, ${pushes} public pushes, ${parsedAlone} analyses with a definition parsed alone`);
});

test('flows, typed a character at a time as the language server parses: findings and messages equal a full analysis after every keystroke', () => {
  const statements = ['    exec(resp.choices[0].message.content)', '    text = client.chat.completions.create(model="m", messages=[]).choices[0].message.content', '    subprocess.run(text, shell=True)', '    code = "print(1)"'];
  const { analyses, parsedAlone } = compareWhileTyping('flows', FLOWS, statements, 6007);
  const flows = analyses.flat().filter((f) => f.flow).length;
  assert.ok(parsedAlone > 100 && flows > 300, `${parsedAlone} keystrokes parsed one definition alone, ${flows} flow findings`);
});

test('flows: typing in one function keeps the others\' flow findings; a line added above one re-analyses it, as its message names lines', () => {
  const file = '/project/flows.py';
  const { document, analyse, full, close } = openDocument(file, FLOWS);
  const flowAt = (findings: readonly Finding[], line: number) => findings.find((f) => f.flow && f.range.start.line === line);
  const first = analyse();
  assert.ok(flowAt(first.findings, 12) && flowAt(first.findings, 17) && flowAt(first.findings, 27), brief(first.findings).join('\n'));
  assert.match(flowAt(first.findings, 27)!.message, /\(line 27 → line 28\)/);
  // A comment typed in query(): run_code()'s finding is the same object (reused), its message unchanged.
  document.update([{ range: { start: { line: 20, character: 16 }, end: { line: 20, character: 16 } }, text: '  # ok' }], 2);
  const second = analyse();
  assert.deepEqual(second.findings, full().findings);
  assert.equal(flowAt(second.findings, 12), flowAt(first.findings, 12));
  // A line added in shell(): Agent.act()'s path is a line further down, and its message says so.
  document.update([{ range: { start: { line: 16, character: 0 }, end: { line: 16, character: 0 } }, text: '    pass\n' }], 3);
  const third = analyse();
  assert.deepEqual(third.findings, full().findings);
  assert.equal(flowAt(third.findings, 12), flowAt(first.findings, 12), 'run_code(), above the edit, is reused');
  assert.match(flowAt(third.findings, 28)?.message ?? '', /\(line 28 → line 29\)/, brief(third.findings).join('\n'));
  close();
});

test('flows from a handler\'s parameters: a Gradio call at module level (binding no name) made to name an untouched function makes it a handler (route rules off)', () => {
  const file = '/project/gradio_flows.py';
  const routeRulesOff = Object.fromEntries(engine.rules.filter((rule) => 'check' in rule.match && /^(api-docs|model-(identity|input|route))/.test(rule.match.check)).map((rule) => [rule.id, 'off' as const]));
  assert.ok(Object.keys(routeRulesOff).length >= 7);
  const settings = { rules: routeRulesOff };
  const source = 'import gradio as gr\nfrom openai import OpenAI\n\nclient = OpenAI()\n\n\ndef answer(question):\n    messages = [{"role": "system", "content": f"Answer: {question}"}]\n    return client.chat.completions.create(model="gpt-4o", messages=messages)\n\n\ndef other(text):\n    return text\n\n\ngr.Interface(fn=other, inputs="text", outputs="text").launch()\n';
  const { document, analyse, full, close } = openDocument(file, source, settings);
  const systemPrompt = (findings: readonly Finding[]) => brief(findings.filter((f) => f.ruleId === 'request-data-in-system-prompt'));
  assert.deepEqual(systemPrompt(analyse().findings), []);
  const line = 15;
  const at = document.lineText(line).indexOf('fn=other') + 3;
  document.update([{ range: { start: { line, character: at }, end: { line, character: at + 5 } }, text: 'answer' }], 2);
  const withHandler = analyse();
  const handled = full();
  assert.deepEqual(systemPrompt(handled.findings), ['request-data-in-system-prompt 7:46-7:67']);
  assert.deepEqual(withHandler.findings, handled.findings);
  // Typing in other() keeps it; naming other() again takes the finding away.
  document.update([{ range: { start: { line: 12, character: 15 }, end: { line: 12, character: 15 } }, text: '.strip()' }], 3);
  assert.deepEqual(analyse().findings, full().findings);
  document.update([{ range: { start: { line, character: at }, end: { line, character: at + 6 } }, text: 'other' }], 4);
  const removed = analyse();
  assert.deepEqual(removed.findings, full().findings);
  assert.deepEqual(systemPrompt(removed.findings), []);
  close();
});

test('a definition whose finding names its line (an unbounded LLM loop) is analysed again when lines added above move it', () => {
  const file = '/project/loop.py';
  const source = 'from openai import OpenAI\n\nclient = OpenAI()\n\n\ndef chat(queue):\n    while True:\n        client.chat.completions.create(model="gpt-4o", max_tokens=100, messages=queue.get())\n';
  const { document, analyse, full, close } = openDocument(file, source);
  const loop = (findings: readonly Finding[]) => findings.find((f) => f.ruleId === 'llm-call-in-unbounded-loop');
  assert.match(loop(analyse().findings)?.message ?? '', /loop of line 7\b/);
  document.update([{ range: { start: { line: 3, character: 0 }, end: { line: 3, character: 0 } }, text: '# setup\n' }], 2);
  const moved = analyse();
  assert.deepEqual(moved.findings, full().findings);
  assert.match(loop(moved.findings)?.message ?? '', /loop of line 8\b/);
  close();
});
