// Pod volumes on Docker: emptyDir and projected configMap/secret volumes per pod, PVCs per claim, hostPath by option.
import { createHash } from 'node:crypto';
import type { Volume } from '@flotilla/resources';
import type { DataResolver } from './env';
import { configError } from './errors';
import type { TarEntry } from './tar';
import { memoryToBytes } from '@flotilla/resources';

/** Where the sandbox mounts projected volumes so the runtime can write them (app containers get them read-only). */
export const PROJECTED_ROOT = '/.flotilla/volumes';

export type VolumeKind = 'emptyDir' | 'configMap' | 'secret' | 'persistentVolumeClaim' | 'hostPath';

export function volumeKind(v: Volume): VolumeKind | undefined {
  if (v.emptyDir) return 'emptyDir';
  if (v.configMap) return 'configMap';
  if (v.secret) return 'secret';
  if (v.persistentVolumeClaim) return 'persistentVolumeClaim';
  if (v.hostPath) return 'hostPath';
  return undefined;
}

/**
 * A memory emptyDir is a tmpfs mounted when a container first uses it, after the agent could walk it: an
 * fsGroup is given as the mount's group, with setgid so what is written inherits it (kubelet's 02777 and more).
 */
export function emptyDirDriverOpts(v: Volume, fsGroup?: number): Record<string, string> | undefined {
  if (v.emptyDir?.medium !== 'Memory') return undefined;
  const size = v.emptyDir.sizeLimit ? `,size=${memoryToBytes(v.emptyDir.sizeLimit)}` : '';
  const group = fsGroup !== undefined ? `,gid=${fsGroup}` : '';
  return { type: 'tmpfs', device: 'tmpfs', o: `mode=${fsGroup !== undefined ? '3777' : '1777'}${group}${size}` };
}

export interface ProjectedFiles {
  /** Files relative to the volume root. */
  files: { path: string; data: Buffer; mode: number }[];
  hash: string;
}

/** Renders a configMap or secret volume's files; a missing non-optional source is a mount error. */
export async function renderProjected(namespace: string, v: Volume, resolve: DataResolver): Promise<ProjectedFiles> {
  const src = v.configMap ?? v.secret;
  if (!src) throw new Error(`volume ${v.name} is not a configMap or secret volume`);
  const kind = v.configMap ? 'configmap' : 'secret';
  const sourceName = v.configMap ? v.configMap.name : (v.secret?.secretName ?? '');
  const data = v.configMap ? await resolve.configMap(namespace, sourceName) : await resolve.secret(namespace, sourceName);
  const files: ProjectedFiles['files'] = [];
  const defaultMode = src.defaultMode ?? 0o644;
  if (!data) {
    if (!src.optional) throw configError(`MountVolume.SetUp failed for volume "${v.name}": ${kind} "${sourceName}" not found`);
  } else if (src.items?.length) {
    for (const item of src.items) {
      if (!(item.key in data)) {
        if (src.optional) continue;
        throw configError(`MountVolume.SetUp failed for volume "${v.name}": configmap references non-existent config key: ${item.key}`);
      }
      files.push({ path: item.path, data: Buffer.from(data[item.key]), mode: item.mode ?? defaultMode });
    }
  } else {
    for (const [k, val] of Object.entries(data)) files.push({ path: k, data: Buffer.from(val), mode: defaultMode });
  }
  for (const f of files) {
    if (f.path.startsWith('/') || f.path.split('/').some((p) => p === '..' || p === '') || f.path.startsWith('..')) {
      throw configError(`volume "${v.name}": invalid item path "${f.path}"`);
    }
  }
  const h = createHash('sha256');
  for (const f of [...files].sort((a, b) => a.path.localeCompare(b.path))) h.update(`${f.path}\0${f.mode}\0`).update(f.data).update('\0');
  return { files, hash: h.digest('hex').slice(0, 16) };
}

/** Archive entries for one version directory `..v<hash>` (swapped in atomically-enough by PROJECT_SCRIPT). */
export function projectedEntries(p: ProjectedFiles): { dir: string; entries: TarEntry[]; topLevel: string[] } {
  const dir = `..v${p.hash}`;
  const entries: TarEntry[] = [{ path: dir, type: 'dir', mode: 0o755 }];
  const dirs = new Set<string>();
  for (const f of p.files) {
    const parts = f.path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const d = parts.slice(0, i).join('/');
      if (!dirs.has(d)) {
        dirs.add(d);
        entries.push({ path: `${dir}/${d}`, type: 'dir', mode: 0o755 });
      }
    }
    entries.push({ path: `${dir}/${f.path}`, type: 'file', mode: f.mode, data: f.data });
  }
  const topLevel = [...new Set(p.files.map((f) => f.path.split('/')[0]))];
  return { dir, entries, topLevel };
}

/**
 * Run in the sandbox after the new version directory is unpacked: point `..data` at it, link each top-level
 * key through `..data` (as kubelet's atomic writer does), and drop older versions. Args: root, new dir, keys.
 */
export const PROJECT_SCRIPT = [
  'set -e',
  'cd "$1"; new="$2"; shift 2',
  'ln -sfn "$new" ..data.tmp && mv -fT ..data.tmp ..data',
  'for f in * .[!.]*; do [ -L "$f" ] && rm -f "$f"; done',
  'for k in "$@"; do ln -s "..data/$k" "$k"; done',
  'for d in ..v*; do [ "$d" = "$new" ] || rm -rf "$d"; done',
].join('\n');
