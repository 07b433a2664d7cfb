/**
 * YAML configs: docker-compose files, Kubernetes/KServe manifests, GitHub Actions workflows,
 * DVC and MLproject files, conda environments. The file's role is decided from its name and
 * content; facts are read with exact positions (engine/files/yaml-tree.ts). Shell in workflow
 * `run:` steps is read like notebook and Dockerfile commands. Malformed YAML: one located problem.
 */
import * as path from 'node:path';
import { emptyFacts, mergeFacts, type FileFacts, type YamlDocumentFact } from '../files/facts';
import { joinContinuations, type LocatedLine } from '../files/located-text';
import { readRequirementSpec } from '../files/requirement-spec';
import { readShellLine } from '../files/shell';
import { entries, get, items, parseYamlStream, scalar, YamlStreamError, type YamlNode, type YamlScalar, type YamlStream } from '../files/yaml-tree';
import type { Range } from '../types';
import { parseImageReference } from './dockerfile';
import { fileOutput } from './file-common';
import { notAnalysed, type AnalyzerInput, type AnalyzerOutput, type FileAnalyzer } from './types';

export class YamlAnalyzer implements FileAnalyzer {
  readonly kind = 'yaml' as const;
  readonly ruleLanguages = ['yaml'] as const;

  analyze(input: AnalyzerInput): AnalyzerOutput {
    let stream: YamlStream;
    try {
      stream = parseYamlStream(input.text);
    } catch (error) {
      if (!(error instanceof YamlStreamError)) throw error;
      return notAnalysed(input.file, `invalid YAML: ${error.reason}; not analysed`, { line: error.line, character: error.character });
    }
    let facts = emptyFacts();
    for (const root of stream.documents) {
      const document: YamlDocumentFact = { role: roleOf(input.file, root), root, range: stream.range };
      facts.yaml.push(document);
      facts = mergeFacts(facts, readDocument(document, input.text));
    }
    return fileOutput(input, facts);
  }
}

export function roleOf(file: string, root: YamlNode): YamlDocumentFact['role'] {
  const base = path.basename(file).toLowerCase();
  const normalised = file.replace(/\\/g, '/');
  if (/(^|\/)\.github\/workflows\/[^/]+$/.test(normalised) || (get(root, 'jobs')?.kind === 'map' && (get(root, 'on') ?? get(root, 'true')) !== undefined)) return 'github-workflow';
  if (base === 'mlproject' || base === 'mlproject.yaml' || base === 'mlproject.yml' || get(root, 'entry_points')?.kind === 'map') return 'mlproject';
  if (base === 'dvc.yaml' || base === 'dvc.lock' || base.endsWith('.dvc') || isDvcContent(root)) return 'dvc';
  if (/^(docker-)?compose([.-].*)?\.ya?ml$/.test(base) || entries(get(root, 'services')).some((service) => get(service.value, 'image') !== undefined || get(service.value, 'build') !== undefined)) return 'compose';
  if (scalar(get(root, 'apiVersion')) && scalar(get(root, 'kind'))) return 'kubernetes';
  if (get(root, 'dependencies')?.kind === 'seq' && (/^environment.*\.ya?ml$/.test(base) || get(root, 'channels') !== undefined)) return 'conda';
  return 'other';
}

/** dvc.yaml stages (`stages: {x: {cmd: …}}`) or a .dvc file (`outs:`/`deps:` lists of `path:`). */
function isDvcContent(root: YamlNode): boolean {
  if (entries(get(root, 'stages')).some((stage) => get(stage.value, 'cmd') !== undefined)) return true;
  return ['outs', 'deps'].some((key) => items(get(root, key)).some((item) => get(item, 'path') !== undefined));
}

function scalarRange(document: YamlDocumentFact, node: YamlScalar): { range: Range; statementLines: { first: number; last: number } } {
  const range = document.range(node.start, node.end);
  return { range, statementLines: { first: range.start.line, last: range.end.line } };
}

function readDocument(document: YamlDocumentFact, text: string): FileFacts {
  let facts = emptyFacts();
  const root = document.root;
  const image = (node: YamlNode | undefined, source: 'compose' | 'kubernetes', servesModels: boolean): void => {
    const value = scalar(node);
    if (!value || !value.value || value.value.includes('$')) return;
    facts.images.push({ ...parseImageReference(value.value), reference: value.value, ...scalarRange(document, value), source, ...(servesModels ? { servesModels } : {}) });
  };
  switch (document.role) {
    case 'compose':
      for (const service of entries(get(root, 'services'))) {
        image(get(service.value, 'image'), 'compose', false);
        const environment = get(service.value, 'environment');
        for (const item of items(environment)) {
          const entry = scalar(item);
          const match = entry && /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(entry.value);
          if (!entry || !match) continue;
          const exact = entry.end - entry.start === entry.value.length;
          const valueStart = exact ? entry.start + match[1]!.length + 1 : entry.start;
          const range = document.range(valueStart, exact ? entry.end : entry.end);
          facts.environment.push({ name: match[1]!, value: match[2]!, range, statementLines: { first: range.start.line, last: range.end.line } });
        }
        for (const entry of entries(environment)) {
          const value = scalar(entry.value);
          if (value) facts.environment.push({ name: entry.key, value: value.value, ...scalarRange(document, value) });
        }
      }
      break;
    case 'kubernetes': {
      const inferenceService = scalar(get(root, 'kind'))?.value === 'InferenceService';
      walk(root, (key, node, parentKey) => {
        if (key === 'image' && (inferenceService || parentKey === 'containers' || parentKey === 'initContainers')) image(node, 'kubernetes', inferenceService);
        if (key === 'env') {
          for (const variable of items(node)) {
            const name = scalar(get(variable, 'name'))?.value;
            const value = scalar(get(variable, 'value'));
            if (name && value) facts.environment.push({ name, value: value.value, ...scalarRange(document, value) });
          }
        }
      });
      break;
    }
    case 'github-workflow':
      for (const job of entries(get(root, 'jobs'))) {
        for (const step of items(get(job.value, 'steps'))) {
          const run = scalar(get(step, 'run'));
          if (run) for (const line of joinContinuations(scalarLines(document, run, text))) facts = mergeFacts(facts, readShellLine(line.text, { at: line.at, statementLines: line.lines }));
        }
      }
      break;
    case 'conda':
      for (const item of items(get(root, 'dependencies'))) {
        const spec = scalar(item);
        if (spec) readSpecScalar(document, spec, text, facts, true);
        for (const pip of items(get(item, 'pip'))) {
          const pipSpec = scalar(pip);
          if (pipSpec) readSpecScalar(document, pipSpec, text, facts, false);
        }
      }
      break;
    default:
      break;
  }
  return facts;
}

function readSpecScalar(document: YamlDocumentFact, node: YamlScalar, text: string, facts: FileFacts, conda: boolean): void {
  const [line] = scalarLines(document, node, text);
  if (!line || line.text.trimStart().startsWith('-')) return;
  // conda's `pytorch::pytorch=2.1` names a channel first.
  const channel = conda ? /^[\w.-]+::/.exec(line.text)?.[0].length ?? 0 : 0;
  const result = readRequirementSpec(line.text.slice(channel), { at: (i) => line.at(i + channel), statementLines: line.lines, hashed: false, conda });
  if (!result) return;
  if ('dependency' in result) facts.dependencies.push(result.dependency);
  else facts.vcsDependencies.push(result.vcs);
}

/** Every key/value below a node, with the key of the enclosing sequence's parent (`containers`). */
function walk(node: YamlNode, visit: (key: string, value: YamlNode, parentKey: string | undefined) => void, parentKey?: string): void {
  if (node.kind === 'map') {
    for (const entry of node.entries) {
      visit(entry.key, entry.value, parentKey);
      walk(entry.value, visit, entry.key);
    }
  } else if (node.kind === 'seq') for (const item of node.items) walk(item, visit, parentKey);
}

/**
 * The lines of a scalar's value with their positions in the file: exact for values written as
 * they read (plain or quoted without escapes, on one line) and for literal blocks (`run: |`);
 * other styles (folded, escaped) are not mapped and give no lines.
 */
export function scalarLines(document: YamlDocumentFact, node: YamlScalar, text: string): LocatedLine[] {
  const raw = text.slice(node.start, node.end);
  const start = document.range(node.start, node.start).start;
  if (raw === node.value && !raw.includes('\n')) return [{ text: raw, at: (i) => ({ line: start.line, character: start.character + i }), lines: { first: start.line, last: start.line } }];
  if (!node.literal) return [];
  const rawLines = raw.split('\n');
  const valueLines = node.value.split('\n');
  const out: LocatedLine[] = [];
  valueLines.forEach((value, k) => {
    const rawLine = rawLines[k];
    if (rawLine === undefined || !rawLine.endsWith(value)) return;
    const line = start.line + k;
    const column = (k === 0 ? start.character : 0) + rawLine.length - value.length;
    out.push({ text: value, at: (i) => ({ line, character: column + i }), lines: { first: line, last: line } });
  });
  return out;
}
