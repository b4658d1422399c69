// What this node's engine holds, from Docker's labels alone: the pods a restarted agent adopts (or removes as
// orphans), every pod container instance (for the log shipper), and the networks and volumes nothing uses.
import { LABEL, PREVIOUS_SUFFIX, type ContainerRole } from '../labels';
import { engineGarbage, type EngineGarbage, type EngineKeep } from '../engine-gc';
import type { ContainerInstance, ManagedPod } from '../pod-runtime';
import { mine, type DockerContext } from './context';
import type { NamespaceNetworks } from './networks';

/** Every container of a pod on this node (sandboxes included), current and previous instances. */
export async function listInstances(ctx: DockerContext): Promise<ContainerInstance[]> {
  const list = await ctx.docker.listContainers({ all: true, filters: mine(ctx, LABEL.podUid) });
  return list.map((c) => {
    const labels = c.Labels ?? {};
    return {
      id: c.Id,
      podUid: labels[LABEL.podUid],
      podNamespace: labels[LABEL.podNamespace] ?? '',
      podName: labels[LABEL.podName] ?? '',
      name: labels[LABEL.containerName] ?? '',
      role: (labels[LABEL.role] as ContainerRole) ?? 'container',
      state: c.State,
      restartCount: Number(labels[LABEL.restartCount] ?? 0),
      previous: (c.Names ?? []).some((n) => n.endsWith(PREVIOUS_SUFFIX)),
    };
  });
}

/** Every pod this node has containers or volumes for. */
export async function listManaged(ctx: DockerContext): Promise<ManagedPod[]> {
  const pods = new Map<string, ManagedPod>();
  const entry = (uid: string, namespace: string, name: string): ManagedPod => {
    let p = pods.get(uid);
    if (!p) {
      p = { podUid: uid, namespace, name, containers: [], volumes: [] };
      pods.set(uid, p);
    }
    return p;
  };
  for (const c of await listInstances(ctx)) {
    const { id, name, role, state, restartCount, previous } = c;
    entry(c.podUid, c.podNamespace, c.podName).containers.push({ id, name, role, state, restartCount, previous });
  }
  const vols = await ctx.docker.listVolumes({ filters: mine(ctx, LABEL.podUid) });
  for (const v of vols.Volumes ?? []) entry(v.Labels[LABEL.podUid], v.Labels[LABEL.podNamespace] ?? '', v.Labels[LABEL.podName] ?? '').volumes.push(v.Name);
  return [...pods.values()];
}

/**
 * Removes what this node's agent made that belongs to nothing any more: namespace networks no container uses
 * (left behind, they exhaust Docker's address pools and slow every `docker run`), and volumes of pods not
 * kept. Only objects labelled with this node are looked at. A network a pod joins in the meantime refuses
 * removal, which is fine; a pod that looked it up just before gets a missing network, fails, and its retry
 * creates it again because the cache entry is dropped here.
 */
export async function removeUnusedEngineObjects(ctx: DockerContext, networks: NamespaceNetworks, keep: EngineKeep): Promise<EngineGarbage> {
  const { docker } = ctx;
  const [nets, containers, vols] = await Promise.all([
    docker.listNetworks({ filters: mine(ctx) }),
    docker.listContainers({ all: true, filters: mine(ctx) }),
    docker.listVolumes({ filters: mine(ctx) }),
  ]);
  const garbage = engineGarbage(
    {
      networks: nets.map((n) => ({ id: n.Id, labels: n.Labels ?? {} })),
      containers: containers.map((c) => ({ id: c.Id, labels: c.Labels ?? {} })),
      volumes: (vols.Volumes ?? []).map((v) => ({ id: v.Name, labels: v.Labels ?? {} })),
    },
    keep,
  );
  const removed: EngineGarbage = { networks: [], volumes: [] };
  const nsOf = new Map(nets.map((n) => [n.Id, n.Labels?.[LABEL.namespace]]));
  for (const id of garbage.networks) {
    const ns = nsOf.get(id);
    if (ns !== undefined) networks.forget(ns);
    try {
      await docker.getNetwork(id).remove();
      removed.networks.push(id);
    } catch {
      // In use again (a pod joined since the listing) or already gone: either way nothing to do.
    }
    if (ns !== undefined) networks.forget(ns);
  }
  for (const name of garbage.volumes) {
    try {
      await docker.getVolume(name).remove();
      removed.volumes.push(name);
    } catch {
      // Still mounted by a container being removed; the next resync tries again.
    }
  }
  return removed;
}
