/**
 * `download-without-checksum`: an https download of a model or data file whose enclosing function
 * (the module, for top-level code) shows no sign of an integrity check. The rule's YAML lists the
 * download calls, where their URL is, which arguments verify on their own (`hash_prefix=`,
 * `known_hash=`), and whether only URLs naming a file with a model/data extension count (for
 * general HTTP clients such as requests.get, which mostly call APIs).
 *
 * "A sign of a check" is any identifier in that function, outside the download call itself, that
 * names hashing or verification: `hashlib`, `sha256`, `hexdigest`, `checksum`, `expected_hash`,
 * `verify_sha256(...)`… Comments, strings and keyword names (`known_hash=None`) do not count.
 */
import type { Node } from 'web-tree-sitter';
import type { z } from 'zod';
import { readArgument } from '../python/arguments';
import type { CallFact, PythonFacts } from '../python/facts';
import { nodeRange } from '../python/fixes';
import { displayCallee, type RawFinding } from '../python/run-rules';
import { compileNamePattern } from '../rules/name-pattern';
import { lazily, zodLibrary } from '../lazily';
import { sharedSchemas, type ArgumentSelector } from '../rules/schema-parts';
import { readOptions } from '../rules/validated-options';
import type { PythonCheck } from './index';

const DEFAULT_HASH_NAMES = '^hashlib$|sha(?:1|224|256|384|512)|md5|blake2|checksum|hexdigest|(?:expected|known|file)_?hash|hash_?prefix|(?:verify|check)_?(?:hash|digest|integrity)|^digest$';
const DEFAULT_EXTENSIONS = [
  'pt', 'pth', 'bin', 'ckpt', 'safetensors', 'onnx', 'pkl', 'pickle', 'joblib', 'h5', 'hdf5', 'keras', 'pb', 'tflite', 'gguf', 'ggml',
  'npy', 'npz', 'csv', 'tsv', 'parquet', 'jsonl', 'arrow', 'feather', 'msgpack', 'zip', 'tar', 'gz', 'tgz', 'bz2', 'xz', '7z', 'model',
];

/** The check's options, validated when the rule is loaded. */
export const downloadCheckOptionsSchema = lazily(() => {
  const { z } = zodLibrary();
  const { ArgumentSelectorSchema, RegexSchema } = sharedSchemas();
  return z.strictObject({
    downloads: z.array(
      z.strictObject({
        calls: z.array(z.string().min(1)).min(1),
        url: ArgumentSelectorSchema,
        /** Arguments that make the call verify the file itself when passed (and not None/False). */
        'verified-by': z.array(ArgumentSelectorSchema).default([]),
        /** Only URLs whose path ends in a model/data file extension are downloads of files. */
        'file-urls-only': z.boolean().default(false),
      }),
    ).min(1),
    /** Regular expression over identifiers that count as an integrity check. */
    'hash-names': RegexSchema.default(DEFAULT_HASH_NAMES),
    extensions: z.array(z.string().min(1)).default(DEFAULT_EXTENSIONS),
  });
});

type Options = z.infer<ReturnType<typeof downloadCheckOptionsSchema>>;

interface Compiled {
  downloads: Array<Options['downloads'][number] & { patterns: Array<(name: string) => boolean> }>;
  hashNames: RegExp;
  fileUrl: RegExp;
}

const compiledOptions = new WeakMap<object, Compiled | undefined>();

function compile(options: Readonly<Record<string, unknown>>): Compiled | undefined {
  if (compiledOptions.has(options)) return compiledOptions.get(options);
  const parsed = readOptions(options, downloadCheckOptionsSchema);
  let compiled: Compiled | undefined;
  if (parsed) {
    try {
      const extensions = parsed.extensions.map((e) => e.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|');
      compiled = {
        downloads: parsed.downloads.map((d) => ({ ...d, patterns: d.calls.map(compileNamePattern) })),
        hashNames: new RegExp(parsed['hash-names'], 'iu'),
        fileUrl: new RegExp(`^https://[^?#]*\\.(?:${extensions})(?:[?#]|$)`, 'iu'),
      };
    } catch {
      compiled = undefined;
    }
  }
  compiledOptions.set(options, compiled);
  return compiled;
}

export const downloadWithoutChecksum: PythonCheck = (rule, options, facts) => {
  const compiled = compile(options);
  if (!compiled) return [];
  const findings: RawFinding[] = [];
  const checkedScopes = new Map<number, boolean>();
  for (const call of facts.calls) {
    const name = call.qualifiedName;
    if (!name) continue;
    const download = compiled.downloads.find((d) => d.patterns.some((matches) => matches(name)));
    if (!download) continue;
    const url = readArgument(facts, call, download.url);
    if (url.state !== 'present' || url.value.kind !== 'string') continue;
    const text = url.value.value;
    if (!/^https:\/\//i.test(text)) continue; // http:// is insecure-download's; unreadable URLs are not judged
    if (download['file-urls-only'] && !compiled.fileUrl.test(text)) continue;
    if (download['verified-by'].some((selector) => verifies(facts, call, selector))) continue;
    const body = enclosingBody(call);
    const key = body?.id ?? -1;
    let checked = checkedScopes.get(key);
    if (checked === undefined) {
      checked = body ? hasIntegrityCheck([body], false, call.node, compiled.hashNames) : hasIntegrityCheck([...facts.topLevel], true, call.node, compiled.hashNames);
      // The answer depends on the download call excluded; cache only the positive one per body.
      if (checked) checkedScopes.set(key, true);
    }
    if (checked) continue;
    const callee = displayCallee(call.callee);
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message: rule.message.replaceAll('{callee}', callee),
      range: nodeRange(call.callee),
      statementLines: call.statementLines,
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
    });
  }
  return findings;
};

function verifies(facts: PythonFacts, call: CallFact, selector: ArgumentSelector): boolean {
  const argument = readArgument(facts, call, selector);
  if (argument.state !== 'present') return false;
  const value = argument.value;
  return !(value.kind === 'none' || (value.kind === 'bool' && !value.value) || (value.kind === 'string' && value.value === ''));
}

/** The function the call is in (a method's own body, not its class); undefined for the module. */
function enclosingBody(call: CallFact): Node | undefined {
  for (let scope: typeof call.scope | undefined = call.scope; scope; scope = scope.parent) {
    if (scope.kind === 'function' && scope.node) return scope.node;
  }
  return undefined;
}

/**
 * Whether an identifier in `body` names a check. Skipped: the download call itself, keyword names
 * (`known_hash=None` is not a check; `verify_checksum(...)` is), and for the module the bodies of
 * functions and classes, which are not module code.
 */
function hasIntegrityCheck(body: Node[], isModule: boolean, download: Node, hashNames: RegExp): boolean {
  const stack: Node[] = [...body];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.id === download.id) continue;
    if (isModule && (node.type === 'function_definition' || node.type === 'class_definition')) continue;
    if (node.type === 'keyword_argument') {
      const value = node.childForFieldName('value');
      if (value) stack.push(value);
      continue;
    }
    if (node.type === 'identifier' && hashNames.test(node.text)) return true;
    for (const child of node.namedChildren) if (child) stack.push(child);
  }
  return false;
}
