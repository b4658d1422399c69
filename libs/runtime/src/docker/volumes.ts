// Pod volumes on Docker: emptyDir, configMap and secret as per-pod volumes, claims as per-namespace volumes,
// fsGroup ownership, projected files written into the sandbox, and each container's mounts (subPath included).
import { closeSync } from 'node:fs';
import * as path from 'node:path';
import type Docker from 'dockerode';
import type { Container, Pod, Volume } from '@flotilla/resources';
import type { DataResolver } from '../env';
import { configError } from '../errors';
import { applyFsGroup } from '../fsgroup';
import { LABEL, podRef, podVolumeName, pvcVolumeName } from '../labels';
import { bindOpened, mountSubPath, openSubPath } from '../subpath';
import { tarArchive } from '../tar';
import { PROJECTED_ROOT, PROJECT_SCRIPT, emptyDirDriverOpts, projectedEntries, renderProjected, volumeKind } from '../volumes';
import { errorMessage, mine, objectLabels, type DockerContext } from './context';
import type { Instance } from './observe';
import type { PodState } from './pod-state';
import { execIn } from './streams';

export async function ensureVolumes(ctx: DockerContext, pod: Pod, st: PodState): Promise<void> {
  const { ref } = st;
  await Promise.all(
    (pod.spec.volumes ?? []).map(async (v) => {
      const kind = volumeKind(v);
      if (kind === 'emptyDir' || kind === 'configMap' || kind === 'secret') {
        const tmpfs = kind === 'emptyDir' ? emptyDirDriverOpts(v, pod.spec.securityContext?.fsGroup) : undefined;
        await ctx.docker.createVolume({
          Name: podVolumeName(ref, v.name),
          Labels: objectLabels(ctx, { [LABEL.podUid]: ref.uid, [LABEL.podNamespace]: ref.namespace, [LABEL.podName]: ref.name, [LABEL.volume]: v.name }),
          ...(kind === 'emptyDir' && tmpfs ? { Driver: 'local', DriverOpts: tmpfs } : {}),
        });
        if (kind === 'emptyDir' && !tmpfs) await ensureFsGroup(ctx, pod, st, v.name, podVolumeName(ref, v.name), false);
      } else if (kind === 'persistentVolumeClaim' && v.persistentVolumeClaim) {
        const name = await pvcVolume(ctx, ref.namespace, v.persistentVolumeClaim.claimName);
        await ctx.docker.createVolume({
          Name: name,
          Labels: objectLabels(ctx, { [LABEL.pvc]: v.persistentVolumeClaim.claimName, [LABEL.namespace]: ref.namespace }),
        });
        await ensureFsGroup(ctx, pod, st, v.name, name, false);
      }
    }),
  );
}

/**
 * Makes a volume group-owned by the pod's fsGroup once per pod, as kubelet does at volume set-up (a memory
 * emptyDir gets it as a tmpfs mount option instead). A failure keeps the containers mounting it from starting,
 * with the reason.
 */
async function ensureFsGroup(ctx: DockerContext, pod: Pod, st: PodState, volume: string, dockerVolume: string, readOnly: boolean): Promise<void> {
  const gid = pod.spec.securityContext?.fsGroup;
  if (gid === undefined || st.fsGroupDone.has(volume)) return;
  try {
    const { Mountpoint } = await ctx.docker.getVolume(dockerVolume).inspect();
    const policy = pod.spec.securityContext?.fsGroupChangePolicy === 'OnRootMismatch' ? 'OnRootMismatch' : 'Always';
    await applyFsGroup(Mountpoint, gid, { readOnly, policy });
    st.fsGroupDone.add(volume);
    st.volumeErrors.delete(volume);
  } catch (e) {
    st.volumeErrors.set(volume, `MountVolume.SetUp failed for volume "${volume}": ${errorMessage(e)}`);
  }
}

/** The claim's volume: one made earlier (found by its labels, whatever its name) or the injective name. */
async function pvcVolume(ctx: DockerContext, namespace: string, claim: string): Promise<string> {
  const found = await ctx.docker.listVolumes({ filters: JSON.stringify({ label: [`${LABEL.pvc}=${claim}`, `${LABEL.namespace}=${namespace}`] }) });
  return found.Volumes?.[0]?.Name ?? pvcVolumeName(namespace, claim);
}

/** The claims whose volumes this node's engine holds: the agent asks the API which of them are gone. */
export async function claimVolumes(ctx: DockerContext): Promise<{ namespace: string; claim: string }[]> {
  const vols = await ctx.docker.listVolumes({ filters: mine(ctx, LABEL.pvc) });
  const out: { namespace: string; claim: string }[] = [];
  for (const v of vols.Volumes ?? []) {
    const claim = v.Labels?.[LABEL.pvc];
    const namespace = v.Labels?.[LABEL.namespace];
    if (claim && namespace) out.push({ namespace, claim });
  }
  return out;
}

/** Writes configMap and secret volumes' files into the sandbox's copy when their content changed. */
export async function refreshProjected(ctx: DockerContext, pod: Pod, st: PodState, sandbox: Instance, resolve: DataResolver): Promise<void> {
  for (const v of pod.spec.volumes ?? []) {
    if (!v.configMap && !v.secret) continue;
    try {
      const files = await renderProjected(st.ref.namespace, v, resolve);
      st.volumeErrors.delete(v.name);
      if (st.projected.get(v.name) === files.hash) continue;
      const { dir, entries, topLevel } = projectedEntries(files);
      const root = `${PROJECTED_ROOT}/${v.name}`;
      await ctx.docker.getContainer(sandbox.info.Id).putArchive(tarArchive(entries), { path: root });
      const res = await execIn(ctx, sandbox.info.Id, ['sh', '-c', PROJECT_SCRIPT, 'project', root, dir, ...topLevel], 10_000);
      if (res.exitCode !== 0) throw new Error(`writing volume ${v.name} failed: ${res.output}`);
      // Each version directory is new, so the group is applied again after every write.
      st.fsGroupDone.delete(v.name);
      await ensureFsGroup(ctx, pod, st, v.name, podVolumeName(st.ref, v.name), true);
      if (st.volumeErrors.has(v.name)) continue;
      st.projected.set(v.name, files.hash);
    } catch (e) {
      st.volumeErrors.set(v.name, errorMessage(e));
    }
  }
}

/** The container's volume mounts and binds; a mount that cannot be made is a CreateContainerConfigError. */
export async function mountsFor(
  ctx: DockerContext,
  pod: Pod,
  c: Container,
  env: ReadonlyMap<string, string>,
): Promise<{ mounts: Docker.MountSettings[]; binds: string[] }> {
  const ref = podRef(pod);
  const mounts: Docker.MountSettings[] = [];
  const binds: string[] = [];
  const volumes = new Map<string, Volume>((pod.spec.volumes ?? []).map((v) => [v.name, v]));
  for (const [index, m] of (c.volumeMounts ?? []).entries()) {
    const v = volumes.get(m.name);
    if (!v) throw configError(`volumeMount "${m.name}" names no volume of the pod`);
    const kind = volumeKind(v);
    let source: string;
    let readOnly = !!m.readOnly;
    let sub: string | undefined;
    try {
      sub = mountSubPath(m, env);
    } catch (e) {
      throw configError(`volumeMount "${m.name}": ${errorMessage(e)}`);
    }
    switch (kind) {
      case 'emptyDir':
        source = podVolumeName(ref, v.name);
        break;
      case 'configMap':
      case 'secret':
        source = podVolumeName(ref, v.name);
        readOnly = true;
        break;
      case 'persistentVolumeClaim':
        source = await pvcVolume(ctx, ref.namespace, v.persistentVolumeClaim?.claimName ?? '');
        readOnly = readOnly || !!v.persistentVolumeClaim?.readOnly;
        break;
      case 'hostPath': {
        if (!ctx.opts.allowHostPath) throw configError(`hostPath volumes are not allowed on this node (volume "${v.name}")`);
        const hp = path.posix.join(v.hostPath?.path ?? '/', sub ?? '');
        binds.push(`${hp}:${m.mountPath}${readOnly ? ':ro' : ''}`);
        continue;
      }
      default:
        throw configError(`volume "${v.name}" has a type this node does not support`);
    }
    if (sub !== undefined) {
      // Docker 20.10 cannot mount part of a volume. The sub-path is opened component by component without
      // following links (a tenant can plant and swap links in the volume), what was opened is bind-mounted
      // under the agent's own directory, and Docker binds that: no path a tenant controls is resolved again.
      const vol = await ctx.docker.getVolume(source).inspect();
      const projected = kind === 'configMap' || kind === 'secret';
      const target = path.posix.join(ctx.subPathDir, ref.uid, c.name, String(index));
      try {
        const opened = openSubPath(vol.Mountpoint, sub, { create: !projected, projected });
        try {
          await bindOpened(opened, target);
        } finally {
          closeSync(opened.fd);
        }
      } catch (e) {
        throw configError(`volumeMount "${m.name}": ${errorMessage(e)}`);
      }
      binds.push(`${target}:${m.mountPath}${readOnly ? ':ro' : ''}`);
      continue;
    }
    // Docker copies the image's directory (content, owner and mode) into an empty volume at first mount, which
    // would undo the fsGroup ownership just applied; kubelet's volumes start as they are, so no copy then.
    // (dockerode's type insists on Labels and DriverConfig, which the engine treats as optional.)
    const noCopy = pod.spec.securityContext?.fsGroup !== undefined ? { VolumeOptions: { NoCopy: true } as Docker.MountSettings['VolumeOptions'] } : {};
    mounts.push({ Type: 'volume', Source: source, Target: m.mountPath, ReadOnly: readOnly, ...noCopy });
  }
  return { mounts, binds };
}
