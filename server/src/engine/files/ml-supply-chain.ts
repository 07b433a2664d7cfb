/**
 * data/ml-supply-chain.yaml: which packages count as ML software and which images as ML images.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as jsYaml from 'js-yaml';
import { findBundledDataDir } from '../atlas/catalog';
import { normalisePackageName } from './requirement-spec';

export interface MlSupplyChain {
  isMlPackage(name: string): boolean;
  packageReason(name: string): string | undefined;
  isMlImage(repository: string): boolean;
  isPythonImage(repository: string): boolean;
}

let loaded: MlSupplyChain | undefined;

export function mlSupplyChain(): MlSupplyChain {
  if (loaded) return loaded;
  const file = path.join(path.dirname(findBundledDataDir()), 'ml-supply-chain.yaml');
  const data = jsYaml.load(fs.readFileSync(file, 'utf8')) as {
    packages: Array<{ name: string; reason: string }>;
    images: Array<{ pattern: string; reason: string }>;
    'python-images': string[];
  };
  const packages = new Map(data.packages.map((p) => [normalisePackageName(p.name), p.reason]));
  const images = data.images.map((image) => new RegExp(`^${image.pattern.split('*').map(escapeRegex).join('[^/]+')}$`));
  const python = new Set(data['python-images']);
  loaded = {
    isMlPackage: (name) => packages.has(normalisePackageName(name)),
    packageReason: (name) => packages.get(normalisePackageName(name)),
    isMlImage: (repository) => images.some((pattern) => pattern.test(repository) || pattern.test(repository.replace(/^docker\.io\/(library\/)?/, ''))),
    isPythonImage: (repository) => python.has(repository),
  };
  return loaded;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
