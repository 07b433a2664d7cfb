/**
 * Hard-coded API keys of AI providers (catalog section D, AML.T0055): string literals that look like
 * a provider's key (`sk-proj-…`, `sk-ant-…`, `hf_…`, `AIza…`), and, for providers whose keys have
 * no recognisable prefix (Cohere, Mistral), literals passed as `api_key=` to their clients or
 * assigned to their key variables. The providers are options of the rule (rules/python/hardcoded-ai-key.yaml).
 *
 * The message names the provider and the key's prefix only; the fix replaces the literal by
 * `os.environ["<ENV>"]` and imports `os` when the file does not.
 */
import type { Node } from 'web-tree-sitter';
import { stringValue, type PythonFacts } from '../python/facts';
import { nodeRange } from '../python/fixes';
import type { RawFinding } from '../python/run-rules';
import type { TextEdit } from '../types';
import type { PythonCheck } from './index';
import { KEY_ARGUMENTS, plausibleKey, providersOf, type KeyProvider } from './key-literals';

/** `sk-proj-…` (51 characters): enough to recognise, never the key. */
function masked(text: string): string {
  const prefix = /^(sk-ant-[a-z]+\d*-|sk-proj-|sk-svcacct-|sk-admin-|sk-|hf_|AIza)/.exec(text.replace(/^Bearer\s+/, ''))?.[1] ?? '';
  return `${prefix}… (${text.length} characters)`;
}

export const hardcodedAiKey: PythonCheck = (rule, options, facts) => {
  const providers = providersOf(options);
  if (providers.length === 0) return [];
  const findings: RawFinding[] = [];
  for (const node of facts.tree.rootNode.descendantsOfType('string')) {
    if (!node) continue;
    // Keys are 20 to 300 characters: most literals (docstrings, short names) are dismissed by length first.
    const length = node.endIndex - node.startIndex;
    if (length < 22 || length > 320) continue;
    const value = stringValue(node);
    if (value.kind !== 'string' || value.value.length < 20 || value.value.length > 300) continue;
    const text = value.value;
    const provider = providerOf(facts, providers, node, text);
    if (!provider || !plausibleKey(text)) continue;
    const fixable = !/^Bearer\s/.test(text) && !writesEnvironment(node);
    const message = rule.message.replaceAll('{provider}', provider.name).replaceAll('{key}', masked(text)).replaceAll('{env}', provider.env).replaceAll('{callee}', provider.name);
    findings.push({
      ruleId: rule.id,
      severity: rule.severity,
      message,
      range: nodeRange(node),
      statementLines: statementLines(node),
      techniques: rule.atlas.techniques,
      mitigations: rule.atlas.mitigations,
      ...(fixable ? { fix: { title: `Read the key from os.environ["${provider.env}"]`, safe: false, edits: environmentFix(facts, node, provider.env) } } : {}),
    });
  }
  return findings;
};

function providerOf(facts: PythonFacts, providers: readonly KeyProvider[], node: Node, text: string): KeyProvider | undefined {
  const byPattern = providers.find((provider) => provider.pattern?.test(text));
  if (byPattern) return byPattern;
  const parent = node.parent;
  // Client(api_key="…")
  if (parent?.type === 'keyword_argument' && KEY_ARGUMENTS.has(parent.childForFieldName('name')?.text ?? '')) {
    const call = parent.parent?.parent;
    const callee = call?.type === 'call' ? call.childForFieldName('function') : undefined;
    const qualified = callee ? facts.qualifiedNameOf(callee, facts.scopeAt(callee)) : undefined;
    if (qualified) {
      const provider = providers.find((candidate) => candidate.clients.some((matches) => matches(qualified)));
      if (provider) return provider;
    }
  }
  // MISTRAL_API_KEY = "…", os.environ["MISTRAL_API_KEY"] = "…", os.environ.setdefault("MISTRAL_API_KEY", "…")
  const name = assignedName(node);
  return name ? providers.find((provider) => provider.variables?.test(name)) : undefined;
}

/** The name a literal is stored under: a variable, an attribute, an environment variable. */
function assignedName(node: Node): string | undefined {
  const parent = node.parent;
  if (parent?.type === 'assignment' && parent.childForFieldName('right')?.id === node.id) {
    const left = parent.childForFieldName('left');
    if (left?.type === 'identifier') return left.text;
    if (left?.type === 'attribute') return left.childForFieldName('attribute')?.text;
    if (left?.type === 'subscript') {
      const key = left.childForFieldName('subscript');
      return key?.type === 'string' ? key.text.replace(/^['"]|['"]$/g, '') : undefined;
    }
  }
  if (parent?.type === 'argument_list') {
    const args = parent.namedChildren.filter((child): child is Node => child !== null);
    if (args.length === 2 && args[1]?.id === node.id && args[0]?.type === 'string') return args[0].text.replace(/^['"]|['"]$/g, '');
  }
  if (parent?.type === 'keyword_argument') return parent.childForFieldName('name')?.text;
  if (parent?.type === 'pair' && parent.childForFieldName('value')?.id === node.id) return parent.childForFieldName('key')?.text.replace(/^['"]|['"]$/g, '');
  return undefined;
}

/** `os.environ["X"] = "…"` or `os.environ.setdefault("X", "…")`: replacing the literal by a read makes no sense. */
function writesEnvironment(node: Node): boolean {
  const parent = node.parent;
  if (parent?.type === 'assignment') return /environ\b/.test(parent.childForFieldName('left')?.text ?? '');
  if (parent?.type === 'argument_list') return /environ\.(setdefault|update)$|putenv$/.test(parent.parent?.childForFieldName('function')?.text ?? '');
  return false;
}

function environmentFix(facts: PythonFacts, node: Node, env: string): TextEdit[] {
  const edits: TextEdit[] = [{ range: nodeRange(node), newText: `os.environ["${env}"]` }];
  const os = facts.module.bindings.get('os');
  if (!os?.some((binding) => binding.kind === 'import' && binding.qualified === 'os')) {
    const position = { line: importInsertionLine(facts), character: 0 };
    edits.push({ range: { start: position, end: position }, newText: 'import os\n' });
  }
  return edits;
}

/** The line after the module docstring and `from __future__` imports. */
function importInsertionLine(facts: PythonFacts): number {
  let line = 0;
  let first = true;
  for (const statement of facts.tree.rootNode.namedChildren) {
    if (!statement || statement.type === 'comment') continue;
    const docstring = first && statement.type === 'expression_statement' && statement.namedChildren[0]?.type === 'string';
    first = false;
    if (!docstring && statement.type !== 'future_import_statement') break;
    line = statement.endPosition.row + 1;
  }
  return line;
}

function statementLines(node: Node): { first: number; last: number } {
  for (let current: Node | null = node.parent; current; current = current.parent) {
    if (current.type === 'expression_statement' || current.type === 'return_statement' || current.type === 'block' || current.type === 'module') {
      return current.type === 'block' || current.type === 'module'
        ? { first: node.startPosition.row, last: node.endPosition.row }
        : { first: current.startPosition.row, last: current.endPosition.row };
    }
  }
  return { first: node.startPosition.row, last: node.endPosition.row };
}
