/**
 * TOML files: the dependencies of a pyproject.toml, PEP 621 (`[project] dependencies`,
 * `optional-dependencies`), PEP 735 `[dependency-groups]` and Poetry
 * (`[tool.poetry.dependencies]`, `[tool.poetry.group.<g>.dependencies]`, `dev-dependencies`).
 * Other TOML files have no such tables and give no facts. Malformed TOML: one located problem.
 */
import { emptyFacts, type FileFacts } from '../files/facts';
import { readRequirementSpec } from '../files/requirement-spec';
import { parseToml, TomlSyntaxError, tomlGet, type TomlString, type TomlTable, type TomlValue } from '../files/toml';
import { normalisePackageName } from '../files/requirement-spec';
import type { Position, Range } from '../types';
import { lineStarts, offsetToLocation } from '../yaml/located-yaml';
import { fileOutput } from './file-common';
import { notAnalysed, type AnalyzerInput, type AnalyzerOutput, type FileAnalyzer } from './types';

export class TomlAnalyzer implements FileAnalyzer {
  readonly kind = 'toml' as const;
  readonly ruleLanguages = ['toml'] as const;

  analyze(input: AnalyzerInput): AnalyzerOutput {
    let root: TomlTable;
    try {
      root = parseToml(input.text);
    } catch (error) {
      if (!(error instanceof TomlSyntaxError)) throw error;
      const where = offsetToLocation(lineStarts(input.text), error.offset);
      return notAnalysed(input.file, `invalid TOML: ${error.reason}; not analysed`, where);
    }
    const starts = lineStarts(input.text);
    const position = (offset: number): Position => offsetToLocation(starts, offset);
    const facts = emptyFacts();
    const pep508 = (value: TomlValue | undefined): void => {
      if (value?.kind !== 'array') return;
      for (const item of value.items) if (item.kind === 'string') readPep508(item, position, facts);
    };
    pep508(tomlGet(root, 'project', 'dependencies'));
    for (const group of tables(tomlGet(root, 'project', 'optional-dependencies'))) pep508(group);
    for (const group of tables(tomlGet(root, 'dependency-groups'))) pep508(group);
    const poetry = tomlGet(root, 'tool', 'poetry');
    readPoetry(tomlGet(poetry, 'dependencies'), position, facts);
    readPoetry(tomlGet(poetry, 'dev-dependencies'), position, facts);
    for (const group of tables(tomlGet(poetry, 'group'))) readPoetry(tomlGet(group, 'dependencies'), position, facts);
    return fileOutput(input, facts);
  }
}

function tables(value: TomlValue | undefined): TomlValue[] {
  return value?.kind === 'table' ? [...value.entries.values()].map((entry) => entry.value) : [];
}

function stringAt(node: TomlString, position: (offset: number) => Position): (index: number) => Position {
  return (index) => position(node.offsets[Math.min(index, node.offsets.length - 1)]!);
}

function lines(range: Range): { first: number; last: number } {
  return { first: range.start.line, last: range.end.line };
}

function readPep508(node: TomlString, position: (offset: number) => Position, facts: FileFacts): void {
  const at = stringAt(node, position);
  const range: Range = { start: position(node.start), end: position(node.end) };
  const result = readRequirementSpec(node.value, { at, statementLines: lines(range), hashed: false });
  if (!result) return;
  if ('dependency' in result) facts.dependencies.push(result.dependency);
  else facts.vcsDependencies.push(result.vcs);
}

/** Poetry: `torch = "^2.1"`, `torch = "2.1.0"` (exact), `torch = { version = "…", extras = […] }`, `x = { git = "…", rev = "…" }`. */
function readPoetry(table: TomlValue | undefined, position: (offset: number) => Position, facts: FileFacts): void {
  if (table?.kind !== 'table') return;
  for (const entry of table.entries.values()) {
    if (entry.key === 'python') continue;
    const nameRange: Range = { start: position(entry.keyStart), end: position(entry.keyEnd) };
    const value = entry.value;
    const range: Range = { start: nameRange.start, end: position(value.end) };
    const version = value.kind === 'string' ? value : value.kind === 'table' ? tomlGet(value, 'version') : undefined;
    if (value.kind === 'table') {
      const git = tomlGet(value, 'git');
      if (git?.kind === 'string') {
        const ref = tomlGet(value, 'rev') ?? tomlGet(value, 'tag') ?? tomlGet(value, 'branch');
        facts.vcsDependencies.push({ url: git.value, range: { start: position(git.start), end: position(git.end) }, ref: ref?.kind === 'string' ? ref.value : undefined, statementLines: lines(range) });
        continue;
      }
      if (tomlGet(value, 'path') || tomlGet(value, 'url')) continue;
    }
    const constraint = version?.kind === 'string' ? version.value.trim() : '';
    // Poetry reads a bare version ("2.1.0") as exact; "*", "^", "~", ">=" allow others.
    const pin = !constraint || constraint === '*' ? 'none' : /^(==\s*)?\d[\w.+!-]*$/.test(constraint) ? 'exact' : 'range';
    facts.dependencies.push({
      name: entry.key,
      normalised: normalisePackageName(entry.key),
      range,
      nameRange,
      specifier: constraint,
      pin,
      hashed: false,
      ...(version?.kind === 'string' && version.offsets.length === version.value.length + 1
        ? { pinInsert: { range: { start: position(version.offsets[0]!), end: position(version.offsets[version.offsets.length - 1]!) }, prefix: '', suffix: '' } }
        : {}),
      statementLines: lines(range),
    });
  }
}
