// Minimal ustar writer: enough to hand projected configMap/secret files to Docker's putArchive.

export interface TarEntry {
  path: string;
  type: 'file' | 'dir' | 'symlink';
  mode?: number;
  data?: Buffer;
  linkTarget?: string;
}

function header(entry: TarEntry, size: number): Buffer {
  const h = Buffer.alloc(512);
  const name = entry.type === 'dir' && !entry.path.endsWith('/') ? `${entry.path}/` : entry.path;
  if (Buffer.byteLength(name) > 100) {
    const cut = name.lastIndexOf('/', name.length - 2);
    const prefix = name.slice(0, cut);
    if (cut <= 0 || Buffer.byteLength(prefix) > 155 || Buffer.byteLength(name.slice(cut + 1)) > 100) {
      throw new Error(`path too long for the archive: ${name}`);
    }
    h.write(name.slice(cut + 1), 0, 100, 'utf8');
    h.write(prefix, 345, 155, 'utf8');
  } else {
    h.write(name, 0, 100, 'utf8');
  }
  const octal = (n: number, width: number): string => n.toString(8).padStart(width - 1, '0') + '\0';
  const mode = entry.mode ?? (entry.type === 'dir' ? 0o755 : entry.type === 'symlink' ? 0o777 : 0o644);
  h.write(octal(mode, 8), 100);
  h.write(octal(0, 8), 108);
  h.write(octal(0, 8), 116);
  h.write(octal(size, 12), 124);
  h.write(octal(Math.floor(Date.now() / 1000), 12), 136);
  h.write('        ', 148);
  h.write(entry.type === 'dir' ? '5' : entry.type === 'symlink' ? '2' : '0', 156);
  if (entry.linkTarget) h.write(entry.linkTarget, 157, 100, 'utf8');
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148);
  return h;
}

export function tarArchive(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = e.type === 'file' ? (e.data ?? Buffer.alloc(0)) : Buffer.alloc(0);
    parts.push(header(e, data.length), data);
    const pad = (512 - (data.length % 512)) % 512;
    if (pad) parts.push(Buffer.alloc(pad));
  }
  parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}
