/**
 * A minimal tar reader for legacy PyTorch checkpoints (torch < 0.4 wrote `sys_info`, `pickle`,
 * `storages` and `tensors` into an uncompressed tar). Lists members without reading their data.
 */
import { ArtifactError, type Budget, type ByteSource } from './bytes';

export interface TarEntry {
  name: string;
  offset: number;
  size: number;
  type: string;
}

export function looksLikeTar(head: Buffer): boolean {
  if (head.length < 512) return false;
  const magic = head.toString('latin1', 257, 262);
  if (magic !== 'ustar') return false;
  return checksumOk(head.subarray(0, 512));
}

function checksumOk(block: Buffer): boolean {
  const stored = parseInt(block.toString('latin1', 148, 156).replace(/[\0 ]+$/, '').trim(), 8);
  let sum = 0;
  for (let i = 0; i < 512; i++) sum += i >= 148 && i < 156 ? 32 : block[i]!;
  return stored === sum;
}

function parseSize(field: Buffer): number {
  if (field[0]! & 0x80) {
    let value = 0;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i]!;
    return value;
  }
  const text = field.toString('latin1').replace(/\0.*$/s, '').trim();
  return text === '' ? 0 : parseInt(text, 8);
}

export function readTarEntries(source: ByteSource, budget: Budget, maxEntries = 10_000): TarEntry[] {
  const entries: TarEntry[] = [];
  let at = 0;
  let longName: string | undefined;
  while (at + 512 <= source.size) {
    const block = source.read(at, 512);
    budget.charge(512, at);
    if (block.every((byte) => byte === 0)) break;
    if (!checksumOk(block)) throw new ArtifactError('malformed', 'tar: damaged header', at);
    const size = parseSize(block.subarray(124, 136));
    const type = String.fromCharCode(block[156] || 48);
    const prefix = block.toString('utf8', 345, 500).replace(/\0.*$/s, '');
    let name = block.toString('utf8', 0, 100).replace(/\0.*$/s, '');
    if (prefix) name = `${prefix}/${name}`;
    const dataAt = at + 512;
    if (dataAt + size > source.size) throw new ArtifactError('truncated', `tar: member ${name} runs past the end of the file`, at);
    if (type === 'L') {
      longName = source.read(dataAt, Math.min(size, 4096)).toString('utf8').replace(/\0.*$/s, '');
    } else if (type !== 'x' && type !== 'g') {
      entries.push({ name: longName ?? name, offset: dataAt, size, type });
      longName = undefined;
      if (entries.length > maxEntries) throw new ArtifactError('malformed', `tar: more than ${maxEntries} members`, at);
    }
    at = dataAt + Math.ceil(size / 512) * 512;
  }
  return entries;
}
