// A pod's `securityContext.fsGroup` applied to its volumes as kubelet does (SetVolumeOwnership): every file and
// directory becomes group-owned by it, group readable and writable (read-only for configMap/secret files),
// directories group-executable and setgid so new files inherit the group. A tenant writes what is in the volume
// (an earlier pod may have planted links to host files), so the walk never follows a link: each entry is opened
// relative to its directory's descriptor with O_PATH|O_NOFOLLOW, changed through that descriptor (links only get
// their own group, by lchown), and only directories on the volume's own filesystem are entered.
import { constants, promises as fsp, type Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';

/** Linux O_PATH: names a file without opening it (no blocking on a FIFO, no device open). */
const O_PATH = 0o10000000;
const OPEN_FLAGS = O_PATH | constants.O_NOFOLLOW;
const S_ISGID = 0o2000;
/** kubelet's masks: group rw (r for read-only volumes), and x on directories. */
const RW_MASK = 0o660;
const RO_MASK = 0o440;
const EXEC_MASK = 0o110;
/**
 * Deeper trees are refused rather than walked: each level holds a descriptor, and a tenant can nest
 * directories without bound.
 */
export const MAX_FS_GROUP_DEPTH = 512;

export type FsGroupChangePolicy = 'OnRootMismatch' | 'Always';

export interface FsGroupOptions {
  /** configMap/secret volumes: the group may read, not write. */
  readOnly?: boolean;
  /** `OnRootMismatch` skips the walk when the root already has the group, setgid and the group permissions. */
  policy?: FsGroupChangePolicy;
}

export interface FsGroupResult {
  /** Whether the tree was walked (false when `OnRootMismatch` found the root already right). */
  walked: boolean;
  /** Entries whose group or mode was changed. */
  changed: number;
}

function proc(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** The mode an entry must have; links keep theirs (a link's mode means nothing, and chmod would follow it). */
export function fsGroupMode(mode: number, isDirectory: boolean, readOnly: boolean): number {
  const perm = mode & 0o7777;
  return perm | (readOnly ? RO_MASK : RW_MASK) | (isDirectory ? S_ISGID | EXEC_MASK : 0);
}

function rootMatches(st: Stats, gid: number, readOnly: boolean): boolean {
  return st.gid === gid && (st.mode & 0o7777) === fsGroupMode(st.mode, true, readOnly);
}

/**
 * Makes the tree at `root` (a volume's host directory) group-owned by `gid`. Throws an Error with the reason
 * when the tree is deeper than MAX_FS_GROUP_DEPTH or an entry cannot be changed.
 */
export async function applyFsGroup(root: string, gid: number, opts: FsGroupOptions = {}): Promise<FsGroupResult> {
  const readOnly = !!opts.readOnly;
  const top = await fsp.open(root, OPEN_FLAGS | constants.O_DIRECTORY);
  try {
    const st = await top.stat();
    if (opts.policy === 'OnRootMismatch' && rootMatches(st, gid, readOnly)) return { walked: false, changed: 0 };
    const result = { walked: true, changed: 0 };
    await fix(top.fd, st, gid, readOnly, result);
    await walk(top.fd, st.dev, gid, readOnly, 1, result);
    return result;
  } finally {
    await top.close();
  }
}

/** Changes the entry open as `fd` (never a link: the caller checked its own stat of this very descriptor). */
async function fix(fd: number, st: Stats, gid: number, readOnly: boolean, result: FsGroupResult): Promise<void> {
  const mode = fsGroupMode(st.mode, st.isDirectory(), readOnly);
  if (st.gid === gid && (st.mode & 0o7777) === mode) return;
  // Through /proc/self/fd the call reaches exactly the inode that was opened, whatever the name now points to.
  if (st.gid !== gid) await fsp.chown(proc(fd), -1, gid);
  // chown clears setgid on some file systems, so the mode is set after it.
  await fsp.chmod(proc(fd), mode);
  result.changed++;
}

async function walk(dirFd: number, dev: number, gid: number, readOnly: boolean, depth: number, result: FsGroupResult): Promise<void> {
  if (depth > MAX_FS_GROUP_DEPTH) throw new Error(`fsGroup: the volume is nested deeper than ${MAX_FS_GROUP_DEPTH} directories`);
  for (const name of await fsp.readdir(proc(dirFd))) {
    // `<dir fd>/<one name>`: resolved inside the directory that was opened, never through a link.
    const at = `${proc(dirFd)}/${name}`;
    let handle: FileHandle;
    try {
      handle = await fsp.open(at, OPEN_FLAGS);
    } catch (e) {
      // Removed by a running container meanwhile: nothing to change.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw e;
    }
    try {
      const st = await handle.stat();
      if (st.isSymbolicLink()) {
        // The link's own group, as kubelet does; lchown never follows the last component, and the directory
        // part is the descriptor, so nothing outside the volume is touched.
        if (st.gid !== gid) {
          await fsp.lchown(at, -1, gid).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
          result.changed++;
        }
        continue;
      }
      await fix(handle.fd, st, gid, readOnly, result);
      if (st.isDirectory() && st.dev === dev) await walk(handle.fd, dev, gid, readOnly, depth + 1, result);
    } finally {
      await handle.close();
    }
  }
}
