/**
 * Deployment checks: container images (AML.T0010.004), model-serving configs (KServe storage
 * URIs, compose published ports, Flask debug environment), data remotes (DVC, MLproject).
 */
import type { Fix, Range, Severity } from '../../types';
import type { RawFinding } from '../../python/run-rules';
import type { LoadedRule } from '../../rules/loader';
import { mlSupplyChain } from '../../files/ml-supply-chain';
import type { YamlDocumentFact } from '../../files/facts';
import { entries, get, items, scalar, type YamlNode, type YamlScalar } from '../../files/yaml-tree';
import { fileFinding, fill, isPublicHttp, type FileCheck } from './index';

function text(options: Readonly<Record<string, unknown>>, key: string): string | undefined {
  return typeof options[key] === 'string' ? (options[key] as string) : undefined;
}

/** ML images used by tag (or without one) instead of by digest. */
const containerImageUnpinned: FileCheck = (rule, options, facts) => {
  const ml = mlSupplyChain();
  const installsMl = facts.dependencies.some((dependency) => ml.isMlPackage(dependency.normalised));
  return facts.images
    .filter((image) => !image.digest && (image.servesModels || ml.isMlImage(image.repository) || (installsMl && ml.isPythonImage(image.repository))))
    .map((image) => {
      const mutable = !image.tag || image.tag === 'latest';
      return fileFinding(rule, {
        range: image.range,
        statementLines: image.statementLines,
        severity: mutable ? rule.severity : 'info',
        message: fill((mutable ? undefined : text(options, 'tag-message')) ?? rule.message, { image: image.reference, tag: image.tag ?? 'latest' }),
      });
    });
};

function walkScalars(node: YamlNode, visit: (key: string | undefined, value: YamlScalar) => void, key?: string): void {
  if (node.kind === 'scalar') visit(key, node);
  else if (node.kind === 'seq') for (const item of node.items) walkScalars(item, visit, key);
  else for (const entry of node.entries) walkScalars(entry.value, visit, entry.key);
}

function lines(document: YamlDocumentFact, node: YamlScalar): { range: Range; statementLines: { first: number; last: number } } {
  const range = document.range(node.start, node.end);
  return { range, statementLines: { first: range.start.line, last: range.end.line } };
}

/** KServe storageUri over http:// or hf:// without a commit. */
const kserveStorageUri: FileCheck = (rule, options, facts) => {
  const findings: RawFinding[] = [];
  for (const document of facts.yaml) {
    if (document.role !== 'kubernetes' || scalar(get(document.root, 'kind'))?.value !== 'InferenceService') continue;
    walkScalars(document.root, (key, value) => {
      if (key !== 'storageUri' && key !== 'storageUris') return;
      if (isPublicHttp(value.value)) findings.push(fileFinding(rule, { ...lines(document, value), message: fill(text(options, 'http-message') ?? rule.message, { uri: value.value }) }));
      else if (/^hf:\/\//.test(value.value) && !/^hf:\/\/[^/]+\/[^/:]+:[0-9a-f]{40}$/i.test(value.value)) findings.push(fileFinding(rule, { ...lines(document, value), message: fill(rule.message, { uri: value.value }) }));
    });
  }
  return findings;
};

interface ServerSpec {
  name: string;
  ports: number[];
  severity?: Severity;
  image?: string;
  command?: string;
}

function serverSpecs(options: Readonly<Record<string, unknown>>): ServerSpec[] {
  return Array.isArray(options.servers) ? (options.servers as ServerSpec[]) : [];
}

function commandText(node: YamlNode | undefined): string {
  if (!node) return '';
  if (node.kind === 'scalar') return node.value;
  if (node.kind === 'seq') return node.items.map(commandText).join(' ');
  return '';
}

/** A published port: its container port(s), host IP, and how to fix the short syntax. */
function readPort(node: YamlNode): { targets: number[]; hostIp?: string; at: YamlScalar } | undefined {
  if (node.kind === 'scalar') {
    // [host_ip:][host_port:]container_port[/protocol]; IPv6 hosts in brackets.
    const value = node.value.replace(/\/(tcp|udp|sctp)$/, '');
    const ipv6 = /^\[([^\]]+)\]:(.*)$/.exec(value);
    const parts = ipv6 ? [ipv6[1]!, ...ipv6[2]!.split(':')] : value.split(':');
    const hostIp = parts.length === 3 ? parts[0] : undefined;
    return { targets: portRange(parts[parts.length - 1] ?? ''), hostIp, at: node };
  }
  if (node.kind === 'map') {
    const target = scalar(get(node, 'target'));
    if (!target || get(node, 'published') === undefined) return undefined;
    return { targets: portRange(target.value), hostIp: scalar(get(node, 'host_ip'))?.value, at: target };
  }
  return undefined;
}

function portRange(text: string): number[] {
  const match = /^(\d+)(?:-(\d+))?$/.exec(text.trim());
  if (!match) return [];
  const low = Number(match[1]);
  const high = Number(match[2] ?? match[1]);
  const out: number[] = [];
  for (let port = low; port <= high && out.length < 100; port++) out.push(port);
  return out;
}

/** docker-compose publishing model-server or management ports on every interface. */
const composeModelPort: FileCheck = (rule, options, facts) => {
  const findings: RawFinding[] = [];
  const specs = serverSpecs(options);
  for (const document of facts.yaml) {
    if (document.role !== 'compose') continue;
    for (const service of entries(get(document.root, 'services'))) {
      const image = scalar(get(service.value, 'image'))?.value ?? '';
      const command = `${commandText(get(service.value, 'entrypoint'))} ${commandText(get(service.value, 'command'))}`;
      for (const portNode of items(get(service.value, 'ports'))) {
        const port = readPort(portNode);
        if (!port || (port.hostIp !== undefined && port.hostIp !== '0.0.0.0' && port.hostIp !== '::')) continue;
        const onPort = (candidate: (typeof specs)[number]) => port.targets.some((target) => candidate.ports.includes(target));
        let spec = specs.find((candidate) => onPort(candidate) && ((candidate.image && new RegExp(candidate.image, 'i').test(image)) || (candidate.command && new RegExp(candidate.command, 'i').test(command))));
        // A locally built service (no image to recognise) that explicitly publishes a model-server
        // port on every interface: judged by the port number alone, as a warning.
        const guessed = !spec && !image && port.hostIp !== undefined ? specs.find(onPort) : undefined;
        if (guessed) spec = { ...guessed, name: `${guessed.name} (judged by its port number: the image is built locally)`, severity: 'warning' };
        if (!spec) continue;
        let fix: Fix | undefined;
        if (portNode.kind === 'scalar') {
          const range = document.range(portNode.start, portNode.end);
          if (range.start.line === range.end.line) {
            const value = portNode.value;
            const newText = port.hostIp ? value.replace(/^(0\.0\.0\.0|\[::\]|::)/, '127.0.0.1') : value.includes(':') ? `127.0.0.1:${value}` : `127.0.0.1::${value}`;
            // A plain scalar stays plain; a quoted one keeps its quotes (the range is inside them).
            fix = { title: 'Publish on 127.0.0.1 only', safe: false, edits: [{ range, newText }] };
          }
        }
        const local = port.hostIp ? port.at.value.replace(/^(0\.0\.0\.0|\[::\]|::)/, '127.0.0.1') : `127.0.0.1:${port.at.value}`;
        findings.push(fileFinding(rule, { ...lines(document, port.at), severity: spec.severity ?? rule.severity, message: fill(rule.message, { server: spec.name, port: port.at.value, service: service.key, local }), fix }));
      }
    }
  }
  return findings;
};

/** FLASK_DEBUG=1 / FLASK_ENV=development set by a deployment file. */
const flaskDebugEnv: FileCheck = (rule, _options, facts) =>
  facts.environment
    .filter((variable) => (variable.name === 'FLASK_DEBUG' && /^(1|true|yes|on)$/i.test(variable.value)) || (variable.name === 'FLASK_ENV' && variable.value.toLowerCase() === 'development'))
    .map((variable) =>
      fileFinding(rule, {
        range: variable.range,
        statementLines: variable.statementLines,
        message: fill(rule.message, { name: variable.name, value: variable.value }),
        fix: { title: variable.name === 'FLASK_DEBUG' ? 'Set FLASK_DEBUG=0' : 'Set FLASK_ENV=production', safe: false, edits: [{ range: variable.range, newText: variable.name === 'FLASK_DEBUG' ? '0' : 'production' }] },
      }),
    );

/** DVC and MLproject files fetching data or models over public http://. */
const insecureDataRemote: FileCheck = (rule, _options, facts) => {
  const findings: RawFinding[] = [];
  for (const document of facts.yaml) {
    if (document.role !== 'dvc' && document.role !== 'mlproject') continue;
    walkScalars(document.root, (_key, value) => {
      for (const match of value.value.matchAll(/http:\/\/[^\s"'<>]+/g)) {
        if (!isPublicHttp(match[0])) continue;
        // Point at the URL itself when the scalar is written as its value; otherwise at the scalar.
        const exact = value.end - value.start === value.value.length;
        const start = exact ? value.start + match.index : value.start;
        const end = exact ? start + match[0].length : value.end;
        const range = document.range(start, end);
        findings.push(fileFinding(rule, { range, statementLines: { first: range.start.line, last: range.end.line }, message: fill(rule.message, { url: match[0] }) }));
      }
    });
  }
  return findings;
};

export const deploymentChecks: Array<[string, FileCheck]> = [
  ['container-image-unpinned', containerImageUnpinned],
  ['kserve-storage-uri-unpinned', kserveStorageUri],
  ['compose-model-port-published', composeModelPort],
  ['flask-debug-env', flaskDebugEnv],
  ['insecure-data-remote', insecureDataRemote],
];

export type { LoadedRule };
