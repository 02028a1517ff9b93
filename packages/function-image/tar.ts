/**
 * A deterministic POSIX ustar writer: entries sorted by path, every parent
 * directory present, one fixed mtime, numeric owners only (no user or group
 * names), no device numbers, no PAX or GNU extensions. The same entries always
 * give the same bytes.
 */
import { posix } from 'node:path';

export type TarEntry =
  | { type: 'file'; path: string; data: Buffer; mode?: number; uid?: number; gid?: number }
  | { type: 'dir'; path: string; mode?: number; uid?: number; gid?: number }
  | { type: 'symlink'; path: string; target: string; uid?: number; gid?: number };

const BLOCK = 512;

/** `a/b/c` from `/a/b/c/`, `./a/b/c`; refuses `..` and empty paths. */
function normalizePath(path: string): string {
  const clean = posix.normalize(path.replace(/^\/+/, '').replace(/^\.\//, '')).replace(/\/+$/, '');
  if (!clean || clean === '.' || clean.split('/').includes('..')) throw new Error(`unsafe tar path: ${JSON.stringify(path)}`);
  return clean;
}

function octal(value: number, width: number): string {
  const digits = value.toString(8);
  if (digits.length > width - 1) throw new Error(`${value} does not fit a ${width}-byte tar field`);
  return digits.padStart(width - 1, '0') + '\0';
}

/** ustar keeps 100 bytes of name plus a 155-byte prefix split at a slash. */
function splitName(name: string): { name: string; prefix: string } {
  if (Buffer.byteLength(name) <= 100) return { name, prefix: '' };
  for (let i = name.lastIndexOf('/'); i > 0; i = name.lastIndexOf('/', i - 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100) return { name: rest, prefix };
  }
  throw new Error(`tar path too long for ustar: ${name}`);
}

function header(entry: TarEntry, name: string, size: number, mtime: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const split = splitName(name);
  const write = (text: string, offset: number, width: number) => {
    if (Buffer.byteLength(text) > width) throw new Error(`tar field too long: ${text}`);
    block.write(text, offset, width, 'utf8');
  };
  const defaultMode = entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644;
  const mode = entry.type === 'symlink' ? 0o777 : (entry.mode ?? defaultMode);
  write(split.name, 0, 100);
  write(octal(mode & 0o7777, 8), 100, 8);
  write(octal(entry.uid ?? 0, 8), 108, 8);
  write(octal(entry.gid ?? 0, 8), 116, 8);
  write(octal(size, 12), 124, 12);
  write(octal(mtime, 12), 136, 12);
  block.fill(' ', 148, 156); // checksum counts as spaces while it is computed
  write(entry.type === 'file' ? '0' : entry.type === 'dir' ? '5' : '2', 156, 1);
  if (entry.type === 'symlink') write(entry.target, 157, 100);
  write('ustar\0', 257, 6);
  write('00', 263, 2);
  write(split.prefix, 345, 155);
  let sum = 0;
  for (const byte of block) sum += byte;
  write(octal(sum, 7) + ' ', 148, 8);
  return block;
}

/** Adds the missing parent directories (0755, root) and sorts by path, parents first. */
function completeEntries(entries: readonly TarEntry[]): TarEntry[] {
  const byPath = new Map<string, TarEntry>();
  for (const entry of entries) {
    const path = normalizePath(entry.path);
    if (byPath.has(path)) throw new Error(`duplicate tar entry: ${path}`);
    byPath.set(path, { ...entry, path });
  }
  for (const path of [...byPath.keys()]) {
    for (let parent = posix.dirname(path); parent !== '.'; parent = posix.dirname(parent)) {
      const existing = byPath.get(parent);
      if (existing && existing.type !== 'dir') throw new Error(`${parent} is a ${existing.type}, not a directory, but holds ${path}`);
      if (!existing) byPath.set(parent, { type: 'dir', path: parent });
    }
  }
  return [...byPath.values()].sort((a, b) => Buffer.compare(Buffer.from(a.path), Buffer.from(b.path)));
}

/** The tar archive of `entries`, every timestamp set to `mtime` (seconds since the epoch). */
export function writeTar(entries: readonly TarEntry[], mtime: number): Buffer {
  const parts: Buffer[] = [];
  for (const entry of completeEntries(entries)) {
    const name = entry.type === 'dir' ? `${entry.path}/` : entry.path;
    const data = entry.type === 'file' ? entry.data : Buffer.alloc(0);
    parts.push(header(entry, name, data.length, mtime));
    if (data.length) {
      parts.push(data);
      const pad = (BLOCK - (data.length % BLOCK)) % BLOCK;
      if (pad) parts.push(Buffer.alloc(pad));
    }
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}
