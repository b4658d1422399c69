// The node authorizer (Kubernetes' Node authorizer + NodeRestriction, simplified): an agent
// identified as system:node:<name> may touch its own Node and Lease, read the pods bound to it and
// the ConfigMaps/Secrets those pods use and the namespaces they are in, write those pods' status, and record
// Events; as every node runs the ingress, it may also read Ingresses, write their status and get the TLS Secrets
// they name. It may get a PersistentVolumeClaim by name (never list them): its engine holds the claims' volumes,
// and only the answer "this claim is gone" lets it remove one.
import type { RequestAttributes, Subjectish } from './types';

export const NODES_GROUP = 'system:nodes';
const NODE_PREFIX = 'system:node:';

export function nodeNameOf(user: Subjectish): string | undefined {
  if (!user.groups.includes(NODES_GROUP) || !user.username.startsWith(NODE_PREFIX)) return undefined;
  return user.username.slice(NODE_PREFIX.length) || undefined;
}

/** What the node authorizer needs to know about the cluster. */
export interface NodeGraph {
  /** The node a pod is bound to ('' when unscheduled or unknown). */
  podNode(namespace: string, name: string): string | undefined;
  /** Does a pod bound to `node` reference this ConfigMap/Secret (volumes, env, envFrom, image pull secrets)? */
  nodeUses(node: string, kind: 'configmaps' | 'secrets', namespace: string, name: string): boolean;
  /** Has a pod bound to `node` in this namespace (the agent re-checks its Pod Security level)? */
  nodeHasPodIn?(node: string, namespace: string): boolean;
  /** Does an Ingress in this namespace name this Secret in its spec.tls (the node's ingress serves it)? */
  ingressUses?(namespace: string, secret: string): boolean;
}

export type NodeDecision = { allowed: true; /** List/watch must be filtered to pods on this node. */ podsOnNode?: string } | { allowed: false; reason: string };

const READ = new Set(['get', 'list', 'watch']);

export function authorizeNode(node: string, a: RequestAttributes, graph: NodeGraph): NodeDecision {
  const deny = (reason: string): NodeDecision => ({ allowed: false, reason: `node "${node}" ${reason}` });
  if (a.path !== undefined) return deny('may not access non-resource URLs beyond discovery');
  const r = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  switch (`${a.group}/${r}`) {
    case '/nodes':
      if (READ.has(a.verb)) return { allowed: true };
      if (['create', 'update', 'patch'].includes(a.verb) && (a.name === node || (a.verb === 'create' && a.name === ''))) return { allowed: true };
      return deny('may only create and update its own Node object');
    case '/nodes/status':
      if (a.name === node && ['get', 'update', 'patch'].includes(a.verb)) return { allowed: true };
      return deny('may only update the status of its own Node');
    case 'coordination.k8s.io/leases':
      if (a.namespace === 'kube-node-lease' && (a.name === node || (a.verb === 'create' && a.name === ''))) return { allowed: true };
      return deny('may only use its own Lease in kube-node-lease');
    case '/pods':
      if ((a.verb === 'list' || a.verb === 'watch') && !a.name) return { allowed: true, podsOnNode: node };
      if ((a.verb === 'get' || a.verb === 'watch' || a.verb === 'delete') && a.name && graph.podNode(a.namespace, a.name) === node) return { allowed: true };
      return deny('may only read pods bound to it');
    case '/pods/status':
      if (['get', 'update', 'patch'].includes(a.verb) && graph.podNode(a.namespace, a.name) === node) return { allowed: true };
      return deny('may only update the status of pods bound to it');
    case '/namespaces':
      // The agent judges a pod again by its namespace's Pod Security label before running it (a pod can
      // reach the node past admission); it reads only namespaces it has pods in.
      if (a.verb === 'get' && a.name && graph.nodeHasPodIn?.(node, a.name)) return { allowed: true };
      return deny('may only get namespaces of pods bound to it');
    case '/configmaps':
    case '/secrets':
      if (a.verb === 'get' && a.name && graph.nodeUses(node, a.resource as 'configmaps' | 'secrets', a.namespace, a.name)) return { allowed: true };
      if (a.resource === 'secrets' && a.verb === 'get' && a.name && graph.ingressUses?.(a.namespace, a.name)) return { allowed: true };
      return deny(`may only get ${a.resource} that pods bound to it (or Ingress TLS entries) reference`);
    case '/persistentvolumeclaims':
      // By name only: the agent asks about the claims whose volumes it holds, and learns nothing it could not name.
      if (a.verb === 'get' && a.name) return { allowed: true };
      return deny('may only get persistentvolumeclaims by name');
    case 'flotilla.dev/ingresscertificates':
      // The node's ingress serves hosts without a TLS Secret with a platform-CA certificate (the API checks the hosts).
      return a.verb === 'create' ? { allowed: true } : deny('may only request ingress certificates');
    case 'flotilla.dev/kubeletcertificates':
      // The serving certificate of its exec/port-forward endpoint; the API issues it for the node's own name only.
      return a.verb === 'create' ? { allowed: true } : deny('may only request its kubelet certificate');
    case 'networking.k8s.io/ingresses':
      // Every node runs the HTTP ingress, so it routes every namespace's Ingress rules.
      if (READ.has(a.verb)) return { allowed: true };
      return deny('may only read ingresses');
    case 'networking.k8s.io/ingresses/status':
      if (['get', 'update', 'patch'].includes(a.verb)) return { allowed: true };
      return deny('may only update the status of ingresses');
    case '/events':
    case 'events.k8s.io/events':
      if (['create', 'update', 'patch'].includes(a.verb)) return { allowed: true };
      return deny('may only write events');
    case '/services':
    case '/endpoints':
    case 'discovery.k8s.io/endpointslices':
      if (a.verb === 'list' || a.verb === 'watch' || a.verb === 'get') return { allowed: true };
      return deny(`may only read ${a.resource}`);
    case 'authentication.k8s.io/selfsubjectreviews':
    case 'authorization.k8s.io/selfsubjectaccessreviews':
    case 'authorization.k8s.io/selfsubjectrulesreviews':
      return a.verb === 'create' ? { allowed: true } : deny('may only create self reviews');
    default:
      return deny(`may not ${a.verb} ${r}`);
  }
}

/** The ConfigMap and Secret names a pod spec references. */
export function podReferences(spec: unknown): { configmaps: Set<string>; secrets: Set<string> } {
  const configmaps = new Set<string>();
  const secrets = new Set<string>();
  const s = (spec ?? {}) as {
    volumes?: {
      configMap?: { name?: string };
      secret?: { secretName?: string };
      projected?: { sources?: { configMap?: { name?: string }; secret?: { name?: string } }[] };
    }[];
    containers?: Container[];
    initContainers?: Container[];
    imagePullSecrets?: { name?: string }[];
  };
  interface Container {
    env?: { valueFrom?: { configMapKeyRef?: { name?: string }; secretKeyRef?: { name?: string } } }[];
    envFrom?: { configMapRef?: { name?: string }; secretRef?: { name?: string } }[];
  }
  const add = (set: Set<string>, n: string | undefined) => n && set.add(n);
  for (const v of s.volumes ?? []) {
    add(configmaps, v.configMap?.name);
    add(secrets, v.secret?.secretName);
    for (const src of v.projected?.sources ?? []) {
      add(configmaps, src.configMap?.name);
      add(secrets, src.secret?.name);
    }
  }
  for (const c of [...(s.containers ?? []), ...(s.initContainers ?? [])]) {
    for (const e of c.env ?? []) {
      add(configmaps, e.valueFrom?.configMapKeyRef?.name);
      add(secrets, e.valueFrom?.secretKeyRef?.name);
    }
    for (const e of c.envFrom ?? []) {
      add(configmaps, e.configMapRef?.name);
      add(secrets, e.secretRef?.name);
    }
  }
  for (const p of s.imagePullSecrets ?? []) add(secrets, p.name);
  return { configmaps, secrets };
}
