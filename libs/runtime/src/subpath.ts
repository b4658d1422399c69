// Safe resolution of a volumeMount's subPath inside a volume's host directory (CVE-2017-1002101 class).
// Docker resolves symlinks of a bind source on the host when it binds, so checking a path and then handing
// Docker that path leaves a window in which a tenant can swap a component for a link. Instead every component
// is opened relative to the previous one's descriptor without following links, and the descriptor that was
// opened is bind-mounted onto a directory the agent owns: Docker then binds a path no tenant can change.
import { execFile } from 'node:child_process';
import {
  closeSync,
  constants,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  readlinkSync,
  rmSync,
  rmdirSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { expandVars } from './env';

/** Linux O_PATH: a descriptor that names a file without opening it (no blocking on a FIFO, no device open). */
const O_PATH = 0o10000000;
// libuv adds O_CLOEXEC to every open, so no child (mount, umount) inherits these descriptors.
const OPEN_FLAGS = O_PATH | constants.O_NOFOLLOW;

/** Lexical check: relative, no `..`, no empty components. Returns the components or an error message. */
export function subPathComponents(subPath: string): string[] | string {
  if (subPath.startsWith('/')) return `subPath "${subPath}" must be relative`;
  const parts = subPath.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) return `subPath "${subPath}" must not contain ".."`;
  if (parts.length === 0) return `subPath "${subPath}" names no path`;
  return parts;
}

/**
 * subPathExpr as kubelet expands it: `$(VAR)` from the container's environment (downward-API values included),
 * `$$` escapes; a variable the container does not define expands to nothing. The result is checked like a subPath.
 */
export function expandSubPathExpr(expr: string, env: ReadonlyMap<string, string>): string[] | string {
  const expanded = expandVars(expr, env, '');
  const parts = subPathComponents(expanded);
  return typeof parts === 'string' ? `subPathExpr "${expr}" expands to "${expanded}": ${parts.replace(/^subPath "[^"]*" /, '')}` : parts;
}

/**
 * The sub-path a volumeMount names, from `subPath` or its `subPathExpr` expanded with `env`, normalised to
 * components joined by `/`; undefined when it names none. Throws an Error with the reason when it would leave the volume.
 */
export function mountSubPath(m: { subPath?: string; subPathExpr?: string }, env: ReadonlyMap<string, string>): string | undefined {
  if (m.subPath && m.subPathExpr) throw new Error('subPath and subPathExpr are mutually exclusive');
  if (!m.subPath && !m.subPathExpr) return undefined;
  const parts = m.subPathExpr ? expandSubPathExpr(m.subPathExpr, env) : subPathComponents(m.subPath ?? '');
  if (typeof parts === 'string') throw new Error(parts);
  return parts.join('/');
}

/** The runtime's own `..data` link in a projected volume must point at a `..v<hex>` sibling. */
export function isProjectedVersionDir(target: string): boolean {
  return /^\.\.v[0-9a-f]+$/.test(target);
}

/** A path that resolves `name` inside the directory open as `dirFd`, like openat(dirFd, name) (one component, never `..`). */
function at(dirFd: number, name: string): string {
  return `/proc/self/fd/${dirFd}/${name}`;
}

export interface OpenedSubPath {
  /** An O_PATH descriptor of what the subPath names; the caller closes it. */
  fd: number;
  isDirectory: boolean;
}

/**
 * Opens `subPath` inside `root` one component at a time, each relative to the previous descriptor and without
 * following links; creates missing directories when `create`. Throws an Error with the reason when a component
 * is a link, is missing, or is not a directory where one is needed. For projected volumes (`projected`), only
 * the runtime's own `..data` link is followed, and only to a `..v<hex>` directory.
 */
export function openSubPath(root: string, subPath: string, opts: { create: boolean; projected: boolean }): OpenedSubPath {
  const parts = subPathComponents(subPath);
  if (typeof parts === 'string') throw new Error(parts);
  let fd = openSync(root, OPEN_FLAGS | constants.O_DIRECTORY);
  try {
    if (opts.projected) {
      const target = readlinkSync(at(fd, '..data'));
      if (!isProjectedVersionDir(target)) throw new Error(`volume's ..data link points to "${target}", not a version directory`);
      parts.unshift(target);
    }
    for (const [i, part] of parts.entries()) {
      let next: number;
      try {
        next = openSync(at(fd, part), OPEN_FLAGS);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT' || !opts.create) throw new Error(`subPath "${subPath}": ${part} does not exist`);
        // mkdir does not follow a link in its last component: a link planted meanwhile makes it fail (EEXIST).
        mkdirSync(at(fd, part), { mode: 0o755 });
        next = openSync(at(fd, part), OPEN_FLAGS);
      }
      closeSync(fd);
      fd = next;
      const st = fstatSync(fd);
      if (st.isSymbolicLink()) throw new Error(`subPath "${subPath}": component "${part}" is a symlink, which could leave the volume`);
      if (!st.isDirectory() && i < parts.length - 1) throw new Error(`subPath "${subPath}": component "${part}" is not a directory`);
    }
    const isDirectory = fstatSync(fd).isDirectory();
    const opened = { fd, isDirectory };
    fd = -1;
    return opened;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

function run(cmd: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: 10_000 }, (err, _stdout, stderr) => {
      if (err) reject(new Error(`${cmd} ${args.join(' ')}: ${(stderr || err.message).trim()}`));
      else resolve();
    });
  });
}

/**
 * Bind-mounts the opened descriptor onto `target` (kubelet's trick: `/proc/<pid>/fd/<fd>` names exactly what was
 * opened, and `--no-canonicalize` keeps mount from resolving it to a path again). Whatever was mounted at
 * `target` before is unmounted first, so a restart binds what it opened now.
 */
export async function bindOpened(opened: OpenedSubPath, target: string): Promise<void> {
  await unmountUnder(target);
  mkdirSync(path.dirname(target), { recursive: true, mode: 0o700 });
  removeEmpty(target);
  if (opened.isDirectory) mkdirSync(target, { mode: 0o700 });
  else writeFileSync(target, '', { mode: 0o600 });
  try {
    await run('mount', ['--no-canonicalize', '--bind', `/proc/${process.pid}/fd/${opened.fd}`, target]);
  } catch (e) {
    throw new Error(`the subPath cannot be bound safely on this node (bind mount failed; the agent needs CAP_SYS_ADMIN): ${(e as Error).message}`);
  }
}

/** Removes the empty directory or file a bind was made on (never recursively: it could still hold a volume). */
function removeEmpty(target: string): void {
  try {
    rmdirSync(target);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') unlinkSync(target);
    else if (code !== 'ENOENT') throw e;
  }
}

/** Decodes the octal escapes (`\040` for a space) mountinfo uses in paths. */
function unescapeMountPath(p: string): string {
  return p.replace(/\\([0-7]{3})/g, (_m, o: string) => String.fromCharCode(parseInt(o, 8)));
}

/** The mount points in a `/proc/self/mountinfo` text that are `dir` or below it, deepest (latest) first. */
export function mountPointsUnder(mountinfo: string, dir: string): string[] {
  const base = dir.replace(/\/+$/, '');
  const out: string[] = [];
  for (const line of mountinfo.split('\n')) {
    const field = line.split(' ')[4];
    if (!field) continue;
    const mp = unescapeMountPath(field);
    if (mp === base || mp.startsWith(`${base}/`)) out.push(mp);
  }
  return out.reverse();
}

/** Unmounts everything mounted at or below `dir` (lazily: a container still holding it keeps its own copy). */
export async function unmountUnder(dir: string): Promise<void> {
  for (const mp of mountPointsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), dir)) await run('umount', ['-l', mp]);
}

/** Unmounts and removes `dir` (one pod's subPath binds). */
export async function removeSubPathBinds(dir: string): Promise<void> {
  await unmountUnder(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** Pod uids that have a directory of subPath binds under `root`, or mounts left there (e.g. the dir was removed by hand). */
export function subPathBindOwners(root: string): string[] {
  const uids = new Set<string>();
  try {
    for (const d of readdirSync(root)) uids.add(d);
  } catch {
    // no binds made yet
  }
  for (const mp of mountPointsUnder(readFileSync('/proc/self/mountinfo', 'utf8'), root)) {
    const uid = path.relative(root, mp).split('/')[0];
    if (uid) uids.add(uid);
  }
  return [...uids];
}
