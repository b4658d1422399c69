// Safe resolution of a volumeMount's subPath inside a volume's host directory (CVE-2017-1002101 class).
// Docker resolves symlinks of a bind source on the host, so every component is checked with lstat and
// a symlink anywhere is refused; missing directories are created one component at a time, never through a link.
import { lstatSync, mkdirSync, readlinkSync } from 'node:fs';
import * as path from 'node:path';

/** Lexical check: relative, no `..`, no empty components. Returns the components or an error message. */
export function subPathComponents(subPath: string): string[] | string {
  if (subPath.startsWith('/')) return `subPath "${subPath}" must be relative`;
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return `subPath "${subPath}" must not contain ".."`;
  if (parts.length === 0) return `subPath "${subPath}" names no path`;
  return parts;
}

/** The runtime's own `..data` link in a projected volume must point at a `..v<hex>` sibling. */
export function isProjectedVersionDir(target: string): boolean {
  return /^\.\.v[0-9a-f]+$/.test(target);
}

/**
 * Walks `subPath` inside `root` without following any symlink; creates missing directories when `create`.
 * Throws an Error with the reason when the path leaves the volume or cannot be resolved safely.
 * For projected volumes (`projected`), the `..data` link is resolved by hand and checked first.
 */
export function resolveSubPath(root: string, subPath: string, opts: { create: boolean; projected: boolean }): string {
  const parts = subPathComponents(subPath);
  if (typeof parts === 'string') throw new Error(parts);
  let cur = root;
  if (opts.projected) {
    const target = readlinkSync(path.posix.join(root, '..data'));
    if (!isProjectedVersionDir(target)) throw new Error(`volume's ..data link points to "${target}", not a version directory`);
    cur = path.posix.join(root, target);
  }
  for (const [i, part] of parts.entries()) {
    const next = path.posix.join(cur, part);
    let st;
    try {
      st = lstatSync(next);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !opts.create) throw new Error(`subPath "${subPath}": ${part} does not exist`);
      mkdirSync(next, { mode: 0o755 });
      st = lstatSync(next);
    }
    if (st.isSymbolicLink()) throw new Error(`subPath "${subPath}": component "${part}" is a symlink, which could leave the volume`);
    if (!st.isDirectory() && i < parts.length - 1) throw new Error(`subPath "${subPath}": component "${part}" is not a directory`);
    cur = next;
  }
  return cur;
}
