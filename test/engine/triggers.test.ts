/**
 * Trigger words decide which files are parsed at all. They may only ever skip work: the findings
 * with triggers must be the findings without them, on every fixture, trial project, example and
 * rule documentation snippet.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { before, test } from 'node:test';
import { Engine } from '../../server/src/engine/engine';
import { checkTriggerSets } from '../../server/src/engine/checks/triggers';
import { compileRule } from '../../server/src/engine/python/run-rules';
import { callTriggerSets, patternWords, triggered, triggerWordsOf } from '../../server/src/engine/rules/triggers';
import { identifier, WordScanner } from '../../server/src/engine/rules/word-scanner';

const ROOT = path.join(__dirname, '../..');

let engine: Engine;
let everyRule: Engine;
before(async () => {
  engine = await Engine.create();
  everyRule = await Engine.create({ ignoreTriggers: true });
});

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(full) : entry.isFile() ? [full] : [];
  });
}

/** Tricky texts, then every Python file of the fixtures, trial projects and examples. */
function pythonTexts(tricky: readonly string[]): string[] {
  const files = ['test/fixtures', 'test/trials', 'examples'].flatMap((dir) => filesUnder(path.join(ROOT, dir))).filter((file) => file.endsWith('.py'));
  return [...tricky, ...files.map((file) => fs.readFileSync(file, 'utf8'))];
}

const summary = (result: { findings: Array<{ ruleId: string; range: unknown; message: string }> }) =>
  result.findings.map((finding) => `${finding.ruleId} ${JSON.stringify(finding.range)} ${finding.message}`);

test('triggers never hide a finding: fixtures, trials and the example project', () => {
  const files = ['test/fixtures', 'test/trials', 'examples'].flatMap((dir) => filesUnder(path.join(ROOT, dir))).filter((file) => engine.supports(file));
  assert.ok(files.length > 150, `${files.length} files`);
  let findings = 0;
  for (const file of files) {
    const text = fs.readFileSync(file, 'utf8');
    const expected = summary(everyRule.analyze(file, text));
    findings += expected.length;
    assert.deepEqual(summary(engine.analyze(file, text)), expected, path.relative(ROOT, file));
  }
  assert.ok(findings > 100, `${findings} findings compared`);
});

test('triggers never hide a finding: every rule\'s documented bad and good examples', () => {
  const extension: Record<string, string> = { python: '.py', typescript: '.ts', javascript: '.js' };
  let compared = 0;
  for (const rule of engine.rules) {
    const ext = extension[rule.languages[0]!];
    if (!ext) continue;
    for (const text of [rule.docs.bad, rule.docs.good]) {
      const file: string = `/p/${rule.id}${ext}`;
      assert.deepEqual(summary(engine.analyze(file, text)), summary(everyRule.analyze(file, text)), `${rule.id}: ${text}`);
      compared++;
    }
  }
  assert.ok(compared > 80, `${compared} examples`);
});

test('a call pattern needs each of its literal segments written as a whole identifier', () => {
  assert.deepEqual(patternWords('flask.Flask().run'), ['flask', 'Flask', 'run']);
  assert.deepEqual(patternWords('openai.*().chat.completions.create'), ['openai', 'chat', 'completions', 'create']);
  assert.deepEqual(patternWords('builtins.eval'), ['eval'], 'builtins are never imported');
  assert.deepEqual(patternWords('globalThis.document.write'), ['document', 'write']);
  assert.deepEqual(callTriggerSets(['torch.load', 'torch.serialization.load']), [[identifier('torch'), identifier('load')]], 'a set that holds another adds nothing');
  assert.deepEqual(callTriggerSets(['torch.load', '**']), [], 'a pattern without a literal segment matches any text');
});

test('a file that only mentions a rule\'s words inside longer names is not parsed', () => {
  const sklearnLike = [
    'import numpy as np',
    'class Estimator:',
    '    def __init__(self, array):',
    '        self.array = np.asarray(array)',
    '    def run(self, download=False):',
    '        return self.array.sum()',
    '',
  ].join('\n');
  // Before whole-identifier words: `ray` (ray.init) in `array`, `init` in `__init__`, `load` in `download`.
  assert.equal(engine.analyze('/p/estimator.py', sklearnLike).parsed, false);
  assert.equal(engine.analyze('/p/cluster.py', 'import ray\nray.init(address="0.0.0.0")\n').parsed, true);
});

test('route checks run only where a web app class, gradio or streamlit is written; the loop check where an LLM is called', () => {
  const auth = compileRule(engine.rule('model-route-without-auth')!);
  const occurs = (text: string) => (word: string) => new RegExp(`(?<![A-Za-z0-9_$])${word.replace(identifier(''), '')}(?![A-Za-z0-9_$])`).test(text);
  assert.ok(auth.requiredTriggers);
  assert.equal(triggered(auth.requiredTriggers, occurs('requests.get(url)')), false);
  assert.equal(triggered(auth.requiredTriggers, occurs('from fastapi import FastAPI')), true);
  assert.equal(triggered(auth.requiredTriggers, occurs('import streamlit as st')), true);
  const loop = compileRule(engine.rule('llm-call-in-unbounded-loop')!);
  assert.equal(triggered(loop.requiredTriggers!, occurs('while True:\n    x = queue.get()')), false);
  assert.equal(triggered(loop.requiredTriggers!, occurs('while True:\n    client.chat.completions.create(model=m)')), true);
  assert.equal(checkTriggerSets('hardcoded-ai-key', {}), undefined);
});

test('the verdict gate parses only files where a security decision is named; argmax on a loaded network counts as a verdict', () => {
  const gate = compileRule(engine.rule('model-verdict-only-gate')!);
  assert.ok(gate.textFilter);
  const library = 'def fit(self, X):\n    if self.predict(X)[0] == 1:\n        self.n_iter_ += 1\n';
  assert.equal(gate.textFilter(library), false);
  assert.equal(engine.analyze('/p/library.py', library).parsed, false);
  const gateText = 'def check(tx):\n    if clf.predict([tx])[0] == 0:\n        ALLOW(tx)\n';
  assert.equal(gate.textFilter(gateText), true, 'case-insensitive');
  const argmax = [
    'from transformers import AutoModelForSequenceClassification',
    'model = AutoModelForSequenceClassification.from_pretrained("org/m", revision="0123456789abcdef0123456789abcdef01234567")',
    'def moderate(enc, message):',
    '    if model(**enc).logits.argmax(-1).item() == 0:',
    '        publish(message)  # allowed',
    '',
  ].join('\n');
  // Its trigger words used to be predict, classify and pipeline only: this file was never analysed.
  assert.deepEqual(engine.analyze('/p/moderate.py', argmax).findings.map((f) => [f.ruleId, f.range.start.line]), [['model-verdict-only-gate', 3]]);
});

test('the verdict gate\'s text filter passes wherever a security word is outside triple-quoted strings, by a parse of the same text', async () => {
  const { securityWordOutsideLongStrings, textOutsideLongStrings } = await import('../../server/src/engine/checks/verdict-words');
  const { SECURITY_DECISION } = await import('../../server/src/engine/checks/verdict-words');
  const { createPythonParser } = await import('../../server/src/engine/python/parser');
  const parser = await createPythonParser();
  const tricky = [
    'x = 1\n"""allow"""\n',
    "x = 1\n'''access'''\n",
    'x = r"""\\"""allow"""\n', // a raw triple-quoted string holding an escaped quote, then the word
    'x = "\\"""" + "safe"\n', // a one-line string with an escaped quote: no triple-quoted string at all
    "x = 'it''s' # '''\nblock = 1\n", // quotes in a comment start nothing
    'x = f"{d["k"]}"  # allow\n',
    'x = """never closed\nallow\n',
    's = "unterminated\nallow = 1\n',
    's = "unterminated\nx = """allow"""\n', // a one-line string ends with its line
    "# '''\nallow = 1\n# '''\n", // triple quotes in comments pair with nothing
    'def f():\n    """Grant access."""\n    return 1\n',
    'x = b\'\'\'bytes\'\'\' + """\nmulti\nline\n""" + "deny"\n',
    'if clf.predict(x)[0]:\n    go("""fraud""")\n',
  ];
  const texts = pythonTexts(tricky);
  let positive = 0;
  for (const text of texts) {
    const tree = parser.parse(text)!;
    try {
      // The check reads each branch with textOutsideLongStrings; the whole module read so is what any branch can show.
      const expected = SECURITY_DECISION.test(textOutsideLongStrings(tree.rootNode));
      if (expected) positive++;
      assert.equal(securityWordOutsideLongStrings(text), expected, text.slice(0, 300));
    } finally {
      tree.delete();
    }
  }
  assert.ok(positive > 10 && positive < texts.length - 5, `${positive} of ${texts.length} texts have a word outside long strings`);
});

test('the hard-coded key check parses only files with a literal shaped like a key; names without a prefix count (AZURE_OPENAI_KEY, mistral_key)', () => {
  const keyRule = compileRule(engine.rule('hardcoded-ai-key')!);
  assert.ok(keyRule.textFilter);
  // Tokenizers say token everywhere; no literal here could be a key.
  const tokenizer = 'def tokenize(text):\n    tokens = text.split(" ")\n    return [t for t in tokens if t != "https://example.org/a1"]\n';
  assert.equal(keyRule.textFilter(tokenizer), false);
  assert.equal(engine.analyze('/p/tokenize.py', tokenizer).parsed, false);
  for (const [text, line] of [
    ['AZURE_OPENAI_KEY = "9f3b7c1e5a2d4f6081b3c5e7a9d1f2b4"\n', 0],
    ['import os\nos.environ["COHERE_KEY"] = "Qw3Er5Ty7Ui9Op2As4Df6Gh8"\n', 1],
    ['Mistral_Key = "Mx7Kp2Wq9Lz4Rt6Yv1Bn3Hs8"\n', 0],
  ] as const) {
    assert.equal(keyRule.textFilter(text), true, text);
    // Their trigger words used to be api_key, API_KEY, token and TOKEN: these files were never analysed.
    assert.deepEqual(engine.analyze('/p/keys.py', text).findings.map((f) => [f.ruleId, f.range.start.line]), [['hardcoded-ai-key', line]], text);
  }
});

test('the hard-coded key filter reads a provider\'s variable names in strings too (a user\'s provider may name keys any way)', async () => {
  const { keyLiteralFilter } = await import('../../server/src/engine/checks/key-literals');
  const filter = keyLiteralFilter({ providers: [{ name: 'Acme', env: 'ACME_KEY', variables: '^acme-service-key$' }] });
  assert.equal(filter('settings = {"acme-service-key": "Ab3x9YzAb3x9YzAb3x9Yz7"}\n'), true);
  assert.equal(filter('settings = {"other-service-key": "Ab3x9YzAb3x9YzAb3x9Yz7"}\n'), false);
  assert.equal(keyLiteralFilter({ providers: 'none' })('OPENAI_API_KEY = "sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"\n'), false, 'no valid provider: nothing to report');
});

test('the hard-coded key filter passes wherever the check reports a key (by the check itself, every rule run): fixtures, trials, examples and generated literals in each way a key is named', () => {
  const keyFilter = compileRule(engine.rule('hardcoded-ai-key')!).textFilter!;
  // Literals built from pieces that decode in every way a key's characters can be written.
  const starts = ['', '', '', 'Bearer ', 'Bearer\\t', 'Bearer \\t ', 'Bearer\\\n '];
  const keyPieces = ['Ab3', 'sk-', 'sk-proj-', 'hf_', 'AIza', 'x9Yz', 'Q', '7', '-', '_', '+', '/', '=', '.', '\\x41', '\\x31', '\\u0042'];
  const otherPieces = ['\\\\', '\\n', '\\t', '\\\n', '\\\r\n', ' ', ':', '{', "'", '"', '\\"', "\\'", '\\N{BULLET}', '\\U00000043', '\\101', 'Bearer ', '\\xE5', '\\u00e9', '\\0', '\\x20', '\\8', '\\18', '\\UFFFFFFFF', '\\U0010FFFF', '\\x4'];
  let seed = 7;
  // A linear congruential generator's high bits (its low bits repeat with a short period).
  const random = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2147483648), Math.floor((seed / 2147483648) * n));
  const literals: string[] = [];
  while (literals.length < 1500) {
    const quote = ['"', "'", '"""', "'''"][random(4)]!;
    const prefix = ['', '', '', '', 'r', 'b', 'f', 'rb', 'u'][random(9)]!;
    let body = starts[random(starts.length)]!;
    for (let j = random(16) + 2; j > 0; j--) body += random(12) === 0 ? otherPieces[random(otherPieces.length)] : keyPieces[random(keyPieces.length)];
    // A piece that would end the literal early is left out.
    if (quote.length === 1 && body.split(/\\[\s\S]/).join('').includes(quote)) continue;
    if (quote.length === 1 && body.replace(/\\[\s\S]/g, '').includes('\n')) continue;
    literals.push(`${prefix}${quote}${body}${quote}`);
  }
  literals.push(
    '"AbcDefGhiJklMnoPqrStuVw\\x31"', // its only digit is an escape
    '"01234567890123456789012\\101"', // its only letter is an octal escape
    '"Bearer \\t sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"', // whitespace written and escaped
    "'sk-proj-Hn2Kd8Wq4Zt6\\\nLm1Rv9Bx3Cy7'", // continued on the next line
    "'sk-proj-Hn2Kd8Wq4Zt6\\\r\nLm1Rv9Bx3Cy7'", // continued after a CRLF line break
    '"sk-proj-\\x48n2Kd8Wq4Zt6Lm1Rv9Bx3Cy\\67"', // escaped key characters, decoded
    // Each provider's prefix, alone and after Bearer.
    '"sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"',
    '"Bearer sk-proj-Hn2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"',
    '"sk-ant-api03-Zx8Q2wLm4Nv6Rb1Tc9Yd3Pf7Kh5Js0Ag2Ue4Wi6"',
    '"hf_Ab3De5Gh7Jk9Lm2No4Pq6Rs8Tu1Vw3Xy5Za7"',
    '"AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q"',
  );
  // Each literal by its prefix alone, under a provider's variable name, and passed to a provider's client.
  const named = literals.flatMap((literal) => [`KEY = ${literal}\n`, `OPENAI_API_KEY = ${literal}\n`, `from mistralai import Mistral\nclient = Mistral(api_key=${literal})\n`]);
  const files = ['test/fixtures', 'test/trials', 'examples'].flatMap((dir) => filesUnder(path.join(ROOT, dir))).filter((file) => file.endsWith('.py'));
  let reported = 0;
  let skipped = 0;
  for (const text of [...named, ...files.map((file) => fs.readFileSync(file, 'utf8'))]) {
    const passes = keyFilter(text);
    if (everyRule.analyze('/p/keys.py', text).findings.some((finding) => finding.ruleId === 'hardcoded-ai-key')) {
      reported++;
      assert.equal(passes, true, text.slice(0, 300));
    } else if (!passes) skipped++;
  }
  assert.ok(reported > 250, `${reported} texts with a key`);
  // Bearer before a key without a known prefix: a space in the value, no key.
  assert.equal(keyFilter('OPENAI_API_KEY = "Bearer Ab3x9YzAb3x9YzAb3x9Yz7"\n'), false);
  // Escapes are decoded: letters a key never holds (NLTK's stemmers) are no key; escaped key characters are.
  assert.equal(keyFilter('token = 1\nvowels = "abcdfghjklmnoprtvyz01\\xE5"\n'), false);
  assert.equal(keyFilter('OPENAI_API_KEY = "sk-proj-\\x48n2Kd8Wq4Zt6Lm1Rv9Bx3Cy7"\n'), true);
  assert.ok(skipped > 2000, `${skipped} texts without a key not parsed for it`);
});

test('python-layout finds every function the parser finds, each to its end at least, and keeps every module-level call in module code', async () => {
  const { pythonLayout } = await import('../../server/src/engine/checks/python-layout');
  const { createPythonParser } = await import('../../server/src/engine/python/parser');
  const parser = await createPythonParser();
  const tricky = [
    'def f():\n    x = (\n1)\n    return x\ny = clf.predict(z)\n', // a continuation line at column 0 ends nothing
    'def f():\n    s = """\ndef g():\n    pass\n"""\n    return s\nclf.predict(1)\n', // nor does a def inside a string
    'def f(): return clf.predict(x)\nclass C:\n    v = clf.predict(y)\n    async def m(self):\n        pass\n    w = 1\n',
    'def f():\n    x = 1 \\\n+ 2\n    # a comment at column 0 below\n# here\n    return x\n@app.route(clf.predict(0))\ndef g():\n    pass\n',
    'x = f"{clf.predict(a)}"\ndef f():\n    return 1\n',
    'def outer():\n    def inner():\n        return clf.predict(x)\n    return inner\n\n\nz = [\n    clf.predict(q),\n]\n',
    'def f():\r\n    return 1\r\nclf.predict(2)\r\n',
    "def f():\n    s = 'it\\'s'  # it's\n    return s\nclf.predict(3)\n",
    'def f():\n    return 1  # threshold\n        # score\n\n# fallback\nx = 1\n', // comments after the last statement are not the function's
    'def f():\n    return """\nmulti\n"""   \n\n\ndef g(): pass  # margin', // a string at the end; no line break at the end of the text
    'class C:\n    def m(self):\n        return (1 +\n                2)\n    # between\n    def n(self): return [\n1]\n',
  ];
  const files = ['test/fixtures', 'test/trials', 'examples'].flatMap((dir) => filesUnder(path.join(ROOT, dir))).filter((file) => file.endsWith('.py'));
  let functions = 0;
  let moduleCalls = 0;
  for (const text of [...tricky, ...files.map((file) => fs.readFileSync(file, 'utf8'))]) {
    const layout = pythonLayout(text);
    const tree = parser.parse(text)!;
    try {
      if (!layout) {
        assert.ok(tree.rootNode.hasError || /^[ ]*[\t\f]/m.test(text), `no layout for a clean file: ${text.slice(0, 200)}`);
        continue;
      }
      for (const node of tree.rootNode.descendantsOfType('function_definition')) {
        const found = layout.functions.find((stretch) => stretch.start === node!.startIndex);
        assert.ok(found && found.end >= node!.endIndex, `function at ${node!.startPosition.row + 1}: ${text.slice(0, 200)}`);
        // Its text up to codeEnd is a part of the function's own text (what the check tests for signs of confidence).
        assert.ok(found.codeEnd > found.start && found.codeEnd <= node!.endIndex, `function at ${node!.startPosition.row + 1} ends its code at ${found.codeEnd}, the parser at ${node!.endIndex}: ${text.slice(0, 200)}`);
        functions++;
      }
      for (const call of tree.rootNode.descendantsOfType('call')) {
        let inFunction = false;
        for (let up = call!.parent; up; up = up.parent) if (up.type === 'function_definition') inFunction = true;
        if (inFunction) continue;
        assert.ok(!layout.functions.some((stretch) => call!.startIndex >= stretch.start && call!.startIndex < stretch.end), `module-level call ${call!.text} taken for a function's: ${text.slice(0, 200)}`);
        moduleCalls++;
      }
    } finally {
      tree.delete();
    }
  }
  assert.ok(functions > 200 && moduleCalls > 200, `${functions} functions, ${moduleCalls} module-level calls`);
  assert.equal(pythonLayout('def f():\n\treturn 1\n'), undefined, 'tabs: no layout');
  assert.equal(pythonLayout('x = (1,\n'), undefined, 'a bracket left open: no layout');
  assert.equal(pythonLayout('x = """open\n'), undefined, 'a string left open: no layout');
});

test('the verdict gate parses a file only when one function holds a verdict call and a security word, or module code calls predict', () => {
  const gate = compileRule(engine.rule('model-verdict-only-gate')!);
  // A library: predictions in one function, "allowed" values in another.
  const library = 'def fit(self, X):\n    return self.predict(X)\n\n\ndef check(value):\n    if value not in ALLOWED:\n        raise ValueError("not allowed")\n';
  assert.equal(gate.textFilter!(library), false);
  assert.equal(engine.analyze('/p/library.py', library).parsed, false);
  // The call and the word in one function, but so is a sign of a confidence threshold.
  const thresholded = 'def screen(tx, threshold):\n    if clf.predict([tx])[0] == 1:\n        tx.block()\n';
  assert.equal(gate.textFilter!(thresholded), false);
  assert.deepEqual(everyRule.analyze('/p/thresholded.py', thresholded).findings, [], 'the check reports nothing there either');
  // The method's name and the word only in comments: no call (sklearn's MultiTaskElasticNet.fit).
  const commented = 'def fit(self, X, y):\n    # we allow y to be sparse\n    if X is None:\n        raise ValueError(X)\n    # return self for chaining fit and predict calls\n    return self\n';
  assert.equal(gate.textFilter!(commented), false);
  assert.deepEqual(everyRule.analyze('/p/commented.py', commented).findings, [], 'the check reports nothing there either');
  const cases: Array<[string, number[]]> = [
    // the call at module level, the branch inside a function below it
    ['import joblib\nclf = joblib.load("m.joblib")  # atlas-lens: ignore[joblib-load]\nlabel = clf.predict(x)[0]\n\n\ndef gate(tx):\n    if label == 1:\n        tx.block()\n', [6]],
    // the security word only in the function's name
    ['def authorize(clf, features):\n    if clf.predict([features])[0]:\n        return True\n    return False\n', [1]],
    // a sign of confidence after the function's last statement is not the function's
    ['def authorize(clf, features):\n    if clf.predict([features])[0]:\n        return True\n    return False\n# threshold: see below\n', [1]],
    // a method of a class, the class body holding another predict
    ['class Guard:\n    kind = "predict"\n\n    def screen(self, tx):\n        if self.clf.predict([tx])[0] == 1:\n            tx.reject()\n', [4]],
    // module code inside an f-string is code
    ['def helper():\n    return 1\n\n\nnote = f"{\'blocked\' if clf.predict([x])[0] else \'ok\'}"\n', [4]],
    // a comment between the dot and the method's name, inside brackets
    ['def screen(clf, tx):\n    if (clf.  # the fraud model\n            predict([tx])[0]):\n        tx.block()\n', [1]],
    // a pipeline's call shows no verdict word in its function
    ['from transformers import pipeline\nspam = pipeline("text-classification")\n\n\ndef screen(msg):\n    if spam(msg)[0]["label"] == "SPAM":\n        msg.reject()\n', [5]],
  ];
  for (const [text, lines] of cases) {
    assert.equal(gate.textFilter!(text), true, text);
    assert.deepEqual(engine.analyze('/p/gate.py', text).findings.filter((f) => f.ruleId === 'model-verdict-only-gate').map((f) => f.range.start.line), lines, text);
  }
});

test('route parameters are a source only where a web app is written: dict.get() and a system message are not enough to parse a file', () => {
  const library = 'def build(config):\n    name = config.get("name")\n    return [{"role": "system", "content": name}]\n';
  assert.equal(engine.analyze('/p/build.py', library).parsed, false);
  const app = 'from fastapi import FastAPI\n\napp = FastAPI()\n\n\n@app.post("/chat")\ndef chat(name: str):\n    return [{"role": "system", "content": name}]\n';
  assert.deepEqual(engine.analyze('/p/app.py', app).findings.filter((f) => f.ruleId === 'request-data-in-system-prompt').map((f) => f.range.start.line), [7]);
});

test('a builtin sink is triggered by its bare name or by the builtins module, never by a method of the same name (model.eval(), re.compile())', () => {
  const rule = compileRule(engine.rule('llm-output-code-execution')!);
  const runs = (text: string): boolean => {
    const present = new WordScanner(triggerWordsOf(rule.triggers)).present(text);
    return triggered(rule.triggers, (word) => present.has(word));
  };
  assert.equal(runs('import re\nfrom transformers import AutoModel\nmodel.eval()\npattern = re.compile("x")\n'), false);
  assert.equal(runs('result = eval(reply)\n'), true);
  const throughModule = 'import builtins\nfrom openai import OpenAI\n\nclient = OpenAI()\nreply = client.chat.completions.create(model="m", messages=[]).choices[0].message.content\nbuiltins.exec(reply)\n';
  assert.equal(runs(throughModule), true);
  assert.deepEqual(engine.analyze('/p/agent.py', throughModule).findings.filter((f) => f.ruleId === 'llm-output-code-execution').map((f) => f.range.start.line), [5]);
});

test('a call pattern that starts with a module runs only where the file imports it: "transformers" and "pipeline" in prose parse nothing', () => {
  const prose = 'def transform(X):\n    """Apply a list of transformers to X, as a pipeline does."""\n    return X\n';
  assert.equal(engine.analyze('/p/prose.py', prose).parsed, false);
  const hf = (text: string) => engine.analyze('/p/hf.py', text).findings.filter((f) => f.ruleId === 'hf-model-unpinned').map((f) => f.range.start.line);
  assert.deepEqual(hf('from transformers import pipeline\n\nclf = pipeline("text-classification", model="org/model")\n'), [2]);
  // The import under an alias, far from the call; and the module only named after a continuation.
  assert.deepEqual(hf('import os, \\\n    transformers as hf\n\n\ndef load():\n    return hf.pipeline("text-classification", model="org/model")\n'), [5]);
  // A wildcard pattern (**.from_pretrained) needs no import of transformers: any loader class counts.
  assert.deepEqual(hf('from our_models import Classifier\n\nmodel = Classifier.from_pretrained("org/model")\n'), [2]);
});

test('importedRoots holds every module an import statement names, by a parse of the same text: fixtures, trials, examples and tricky forms', async () => {
  const { importedRoots } = await import('../../server/src/engine/python/imported-modules');
  const { createPythonParser } = await import('../../server/src/engine/python/parser');
  const parser = await createPythonParser();
  const tricky = [
    'import os, \\\n    transformers as t\n',
    'from \\\n    transformers import pipeline\n',
    'from huggingface_hub \\\n    import snapshot_download\n',
    'if ready: import yaml\n',
    'x = 1; from torch import load\n',
    'try: import joblib\nexcept ImportError: joblib = None\n',
    'def load():\n    import pickle\n    return pickle\n',
    'import a.b.c as d\r\nfrom e.f import (\r\n    g,\r\n)\r\nimport h, \\\r\n    i\r\n',
    'import\n\n    broken_module\n',
    'from\nbroken_from import x\n',
    '"""a docstring"""\nimport j\n',
    // broken statements the parser still reads an import from
    'foo from bar import baz\n',
    'print "a" import yaml\n',
    'async from ll import mm\n',
    'x = 1 \\\nfrom jj import kk\n',
  ];
  const texts = pythonTexts(tricky);
  let imports = 0;
  for (const text of texts) {
    const tree = parser.parse(text)!;
    const roots = importedRoots(text);
    for (const statement of tree.rootNode.descendantsOfType(['import_statement', 'import_from_statement'])) {
      const names = statement!.type === 'import_from_statement' ? [statement!.childForFieldName('module_name')] : statement!.namedChildren.map((child) => (child?.type === 'aliased_import' ? child.childForFieldName('name') : child));
      for (const name of names) {
        if (name?.type !== 'dotted_name') continue; // a relative import names the project's own modules
        imports++;
        assert.ok(roots.has(name.namedChildren[0]!.text), `${name.text} in ${JSON.stringify(text.slice(0, 200))}`);
      }
    }
    tree.delete();
  }
  assert.ok(imports > 300, `${imports} imports compared`);
  assert.deepEqual(['os', 'transformers', 'huggingface_hub', 'yaml', 'torch', 'joblib', 'pickle', 'a', 'e', 'h', 'i'].filter((root) => !tricky.some((text) => importedRoots(text).has(root))), []);
  assert.equal(importedRoots('x = 1\n# imports below\ny = np.frombuffer(b)\n').size, 0, 'no keyword, no module');
  assert.equal(importedRoots('"""Construct a ColumnTransformer from the given transformers."""\n').has('transformers'), false, '"from" in a sentence');
});
