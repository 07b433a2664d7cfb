/**
 * Which kind of file a path is, by its name: the engine's only dispatch decision.
 */
import * as path from 'node:path';
import type { FileKind } from './types';

const BY_EXTENSION: Record<string, FileKind> = {
  '.py': 'python',
  '.pyw': 'python',
  '.pyi': 'python',
  '.ipynb': 'notebook',
  '.ts': 'typescript',
  '.tsx': 'typescript',
  '.mts': 'typescript',
  '.cts': 'typescript',
  '.js': 'javascript',
  '.jsx': 'javascript',
  '.mjs': 'javascript',
  '.cjs': 'javascript',
  '.yaml': 'yaml',
  '.yml': 'yaml',
  '.toml': 'toml',
  '.dockerfile': 'dockerfile',
  '.dvc': 'yaml',
};

export function fileKindOf(file: string): FileKind | undefined {
  const base = path.basename(file);
  const lower = base.toLowerCase();
  if (/^(requirements|constraints).*\.(txt|in)$/.test(lower)) return 'requirements';
  if (lower === 'dockerfile' || lower.startsWith('dockerfile.') || lower === 'containerfile') return 'dockerfile';
  if (lower === 'mlproject' || lower === 'dvc.lock') return 'yaml';
  if (lower.endsWith('.d.ts')) return undefined; // declarations hold no calls worth reviewing
  return BY_EXTENSION[path.extname(lower)];
}
