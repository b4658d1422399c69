// Label keys and Docker object names the runtime uses to find what it made (and to adopt it after a restart).
import { createHash } from 'node:crypto';
import type { Pod } from '@flotilla/resources';

export const LABEL = {
  node: 'flotilla.node',
  podUid: 'flotilla.pod.uid',
  podName: 'flotilla.pod.name',
  podNamespace: 'flotilla.pod.namespace',
  role: 'flotilla.role',
  containerName: 'flotilla.container.name',
  restartCount: 'flotilla.restart-count',
  specHash: 'flotilla.container.hash',
  instance: 'flotilla.instance',
  namespace: 'flotilla.namespace',
  volume: 'flotilla.volume',
  pvc: 'flotilla.pvc',
} as const;

export type ContainerRole = 'sandbox' | 'init' | 'container';

/** The sandbox's slot in container names, as kubelet's dockershim called it. */
export const SANDBOX_NAME = 'POD';
/** Suffix of the kept, exited previous instance of a container (what `logs --previous` reads). */
export const PREVIOUS_SUFFIX = '_prev';

export interface PodRef {
  uid: string;
  name: string;
  namespace: string;
}

export function podRef(pod: Pod): PodRef {
  const { uid, name, namespace } = pod.metadata;
  if (!uid || !name) throw new Error('pod needs metadata.uid and metadata.name to run');
  return { uid, name, namespace: namespace ?? 'default' };
}

/** The uid's 32 hex digits: a pod's whole identity, so no two pods ever contend for one container name. */
export function uidHex(uid: string): string {
  return uid.replace(/-/g, '');
}

/**
 * `flotilla_<namespace>_<pod>_<container>_<uid hex>`; the sandbox uses `POD` as container name. Docker puts
 * no length limit on container names, so the whole uid fits: the 8-digit prefix earlier agents used (see
 * `legacyContainerName`) let two pods of one name whose uids share it (one in 2^32) contend for one name.
 */
export function containerName(ref: PodRef, container: string): string {
  return `flotilla_${ref.namespace}_${ref.name}_${container}_${uidHex(ref.uid)}`;
}

/** What agents before the full-uid names called a container: still found, by its labels, after an upgrade. */
export function legacyContainerName(ref: PodRef, container: string): string {
  return `flotilla_${ref.namespace}_${ref.name}_${container}_${uidHex(ref.uid).slice(0, 8)}`;
}

/** `<prefix>-ns-<namespace>`: the prefix is fixed per engine, so one network per namespace. */
export function namespaceNetworkName(prefix: string, namespace: string): string {
  return `${prefix}-ns-${namespace}`;
}

export function podVolumeName(ref: PodRef, volume: string): string {
  return `flotilla-${ref.uid}-${volume}`;
}

/**
 * Docker keeps a volume in a directory named after it, so a volume name longer than a file name (255 bytes)
 * cannot be created; container and network names have no such limit.
 */
export const MAX_VOLUME_NAME = 255;

/**
 * `flotilla-pvc_<namespace>_<claim>`: `_` never occurs in a namespace or claim name, so distinct pairs never
 * share a volume (the older `-` separator mapped `a`/`x-data` and `a-x`/`data` to one name). A claim name
 * too long for that (claims may have 253 characters) is cut and followed by `_<sha256 of namespace/claim>`:
 * a third `_` keeps the long form apart from every short one, and the digest keeps long forms apart.
 */
export function pvcVolumeName(namespace: string, claim: string): string {
  const plain = `flotilla-pvc_${namespace}_${claim}`;
  if (plain.length <= MAX_VOLUME_NAME && CLAIM_NAME_CHARS.test(claim)) return plain;
  const digest = createHash('sha256').update(`${namespace}/${claim}`).digest('hex');
  const readable = `flotilla-pvc_${namespace}_${claim.replace(/[^a-zA-Z0-9.-]/g, '-')}`;
  return `${readable.slice(0, MAX_VOLUME_NAME - digest.length - 1)}_${digest}`;
}

/**
 * What a stored claim's name may hold. A pod may name a claim that cannot exist (admission checks only that
 * `claimName` is set, as Kubernetes does), with characters Docker refuses in a volume name (`\u202e`, `_`, `/`):
 * such a name takes the digest form too, so the pod gets a status instead of failing its sync forever.
 */
const CLAIM_NAME_CHARS = /^[a-zA-Z0-9][a-zA-Z0-9.-]*$/;
