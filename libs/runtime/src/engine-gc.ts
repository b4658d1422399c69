// Which Docker objects made by this node's agent belong to nothing any more. Pure, so the decision is tested
// without an engine; the runtime lists the objects and removes what this returns.
import { LABEL } from './labels';

export interface LabelledObject {
  id: string;
  labels: Record<string, string>;
}

export interface EngineInventory {
  /** Networks labelled with this node. */
  networks: readonly LabelledObject[];
  /** Containers labelled with this node (pods' and Service proxies'), running or not. */
  containers: readonly LabelledObject[];
  /** Volumes labelled with this node. */
  volumes: readonly LabelledObject[];
}

export interface EngineKeep {
  /** Pod uids the agent still owns (known, terminating or being synced); undefined: keep every pod volume. */
  podUids?: ReadonlySet<string>;
  /**
   * `namespace/claim` of claims the API answered are gone. Only these claims' volumes are removed: a claim the
   * agent could not ask about (API unreachable, refused) keeps its volume, since its data cannot be recreated.
   */
  goneClaims?: ReadonlySet<string>;
}

export interface EngineGarbage {
  networks: string[];
  volumes: string[];
}

/** How a claim is named in EngineKeep.goneClaims. */
export function claimKey(namespace: string, claim: string): string {
  return `${namespace}/${claim}`;
}

/** The namespace a container is there for: a pod's, or a Service proxy's. */
function containerNamespace(labels: Record<string, string>): string | undefined {
  return labels[LABEL.podNamespace] ?? labels[LABEL.namespace];
}

/**
 * A namespace network goes once no container of this node uses that namespace (the last pod or proxy is gone);
 * a pod volume once its pod is not kept; a claim's volume only once the claim is known to be gone.
 */
export function engineGarbage(inv: EngineInventory, keep: EngineKeep): EngineGarbage {
  const inUse = new Set<string>();
  for (const c of inv.containers) {
    const ns = containerNamespace(c.labels);
    if (ns !== undefined) inUse.add(ns);
  }
  const networks = inv.networks.filter((n) => {
    const ns = n.labels[LABEL.namespace];
    return ns !== undefined && !inUse.has(ns);
  });
  const volumes = inv.volumes.filter((v) => {
    const uid = v.labels[LABEL.podUid];
    if (uid !== undefined) return keep.podUids !== undefined && !keep.podUids.has(uid);
    const claim = v.labels[LABEL.pvc];
    const ns = v.labels[LABEL.namespace];
    if (claim === undefined || ns === undefined) return false;
    return keep.goneClaims?.has(claimKey(ns, claim)) ?? false;
  });
  return { networks: networks.map((n) => n.id), volumes: volumes.map((v) => v.id) };
}
