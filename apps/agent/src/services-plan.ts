// Pure decisions of the agent's service networking: which backends each Service port has (ready endpoints
// only, targetPort resolved per endpoint subset), which NodePort it is published on, and the ingress routes.
import type { Endpoints, Ingress, Pod, Service, ServicePort } from '@flotilla/resources';
import type { Backend, HttpRoute } from '@flotilla/netproxy';

export const NODE_PORT_MIN = 30000;
export const NODE_PORT_MAX = 32767;

export interface ResolvedPort {
  /** Service port name ('' when unnamed). */
  name: string;
  port: number;
  /** From spec.ports[].nodePort, or allocated by hashing when the API left it empty (NodePort services only). */
  nodePort?: number;
  backends: Backend[];
}

export interface ResolvedService {
  namespace: string;
  name: string;
  type: string;
  createdAt: string;
  ports: ResolvedPort[];
}

export function objectKey(o: { metadata: { namespace?: string; name?: string } }): string {
  return `${o.metadata.namespace ?? 'default'}/${o.metadata.name ?? ''}`;
}

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/**
 * The API does not allocate nodePorts yet, so a port without one gets a stable one derived from the service
 * and port: every agent computes the same number without talking to each other. Collisions are possible
 * (the API should allocate; see the report) and are settled by `assignNodePorts`.
 */
export function hashedNodePort(namespace: string, name: string, port: number): number {
  return NODE_PORT_MIN + (fnv1a(`${namespace}/${name}/${port}`) % (NODE_PORT_MAX - NODE_PORT_MIN + 1));
}

/**
 * Ready backends of one Service port. Endpoints name their ports after the Service's ports, with the
 * targetPort already resolved for the pods of each subset (a named targetPort can be a different number
 * per pod), so the subset's port of the same name is the one to use. Hand-written Endpoints without ports
 * fall back to a numeric targetPort.
 */
export function resolveBackends(svc: Service, sp: ServicePort, ep: Endpoints | undefined): Backend[] {
  const out: Backend[] = [];
  const single = (svc.spec.ports ?? []).length === 1;
  const proto = sp.protocol ?? 'TCP';
  for (const subset of ep?.subsets ?? []) {
    const ports = (subset.ports ?? []).filter((p) => (p.protocol ?? 'TCP') === proto);
    let target: number | undefined = ports.find((p) => (p.name ?? '') === (sp.name ?? ''))?.port;
    if (target === undefined && single && ports.length === 1) target = ports[0].port;
    if (target === undefined && (subset.ports ?? []).length === 0)
      target = typeof sp.targetPort === 'number' ? sp.targetPort : sp.targetPort ? undefined : sp.port;
    if (target === undefined) continue;
    for (const a of subset.addresses ?? []) if (a.ip) out.push({ host: a.ip, port: target });
  }
  return out;
}

/** An Endpoints address the agent refused to route to (see `podAddresses`). */
export interface DroppedBackend {
  namespace: string;
  service: string;
  ip: string;
}

/**
 * The second wall behind Endpoints (Kubernetes' CVE-2021-25740): the addresses each namespace's Services may
 * route to, namely the IPs of that namespace's live pods on this node. Endpoints are written by the endpoints
 * controller, but also by cluster admins and by anything with a bug or a stolen credential; an address from
 * them is routed only if it is one of these, so hand-written Endpoints cannot point the ingress, a NodePort
 * or a service proxy at another tenant's pod, the host or anything else the host reaches.
 *
 * Why pod IPs and not "within the namespace network's subnet": the subnet also holds the bridge's gateway,
 * which is the host itself (every host port on it), and the namespace's service proxies; the pod rule is the
 * stricter one and works because the agent only ever reaches pods over this engine's bridges. A multi-host
 * network will need the namespace's subnets on other nodes (or the API's pods of the namespace) here.
 * Finished pods are left out: their address is free to be handed out again.
 */
export function podAddresses(pods: Iterable<Pod>): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const pod of pods) {
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp) continue;
    const ns = pod.metadata.namespace ?? 'default';
    const ips = [pod.status?.podIP, ...(pod.status?.podIPs ?? []).map((p) => p.ip)].filter((ip): ip is string => !!ip);
    if (ips.length === 0) continue;
    let set = out.get(ns);
    if (!set) out.set(ns, (set = new Set()));
    for (const ip of ips) set.add(ip);
  }
  return out;
}

/**
 * Every proxied Service (TCP ports; ExternalName has nothing to proxy), sorted by age then key. Backends
 * outside `allowed` (the Service's namespace's pod addresses, from `podAddresses`) are left out and listed
 * in `dropped`.
 */
export function resolveServices(
  services: Iterable<Service>,
  endpoints: ReadonlyMap<string, Endpoints>,
  allowed: ReadonlyMap<string, ReadonlySet<string>>,
  dropped: DroppedBackend[] = [],
): ResolvedService[] {
  const out: ResolvedService[] = [];
  for (const svc of services) {
    const type = svc.spec?.type ?? 'ClusterIP';
    if (type === 'ExternalName' || svc.metadata.deletionTimestamp) continue;
    const ep = endpoints.get(objectKey(svc));
    const ns = svc.metadata.namespace ?? 'default';
    const name = svc.metadata.name ?? '';
    const mine = allowed.get(ns);
    const ports = (svc.spec.ports ?? [])
      .filter((sp) => (sp.protocol ?? 'TCP') === 'TCP')
      .map((sp) => ({
        name: sp.name ?? '',
        port: sp.port,
        nodePort: type === 'NodePort' || type === 'LoadBalancer' ? (sp.nodePort ?? hashedNodePort(ns, name, sp.port)) : undefined,
        backends: resolveBackends(svc, sp, ep).filter((b) => {
          if (mine?.has(b.host)) return true;
          if (!dropped.some((d) => d.namespace === ns && d.service === name && d.ip === b.host)) dropped.push({ namespace: ns, service: name, ip: b.host });
          return false;
        }),
      }));
    out.push({ namespace: ns, name, type, createdAt: svc.metadata.creationTimestamp ?? '', ports });
  }
  return out.sort((a, b) => a.createdAt.localeCompare(b.createdAt) || `${a.namespace}/${a.name}`.localeCompare(`${b.namespace}/${b.name}`));
}

export interface NodePortBinding {
  nodePort: number;
  service: string;
  port: number;
  backends: Backend[];
}

/** One listener per nodePort; when two services claim the same one, the older keeps it. */
export function assignNodePorts(services: readonly ResolvedService[]): { bindings: NodePortBinding[]; conflicts: string[] } {
  const taken = new Map<number, NodePortBinding>();
  const conflicts: string[] = [];
  for (const s of services) {
    for (const p of s.ports) {
      if (p.nodePort === undefined) continue;
      const key = `${s.namespace}/${s.name}`;
      const held = taken.get(p.nodePort);
      if (held) {
        conflicts.push(`nodePort ${p.nodePort} of ${key}:${p.port} is already used by ${held.service}:${held.port}`);
        continue;
      }
      taken.set(p.nodePort, { nodePort: p.nodePort, service: key, port: p.port, backends: p.backends });
    }
  }
  return { bindings: [...taken.values()].sort((a, b) => a.nodePort - b.nodePort), conflicts };
}

export function poolName(namespace: string, service: string, port: number | string): string {
  return `${namespace}/${service}:${port}`;
}

export interface TlsAssignment {
  host: string;
  namespace: string;
  secretName: string;
}

export interface IngressPlan {
  routes: HttpRoute[];
  pools: Record<string, Backend[]>;
  tls: TlsAssignment[];
  /** Rules that were not used, and why (for logs). */
  ignored: string[];
}

type IngressBackend = { service?: { name: string; port: { number?: number; name?: string } } };

/**
 * Routes for the node's ingress. Every Service gets `<service>.<namespace>.<baseDomain>` → its first port.
 * Ingress rules add host/path routes. Hosts are tenant property: a name under the base domain belongs to the
 * namespace it names, and any other host (and the catch-all of host-less rules) to the namespace of the
 * oldest Ingress that claims it, so one tenant cannot take over another's traffic by writing an Ingress.
 */
export function planIngress(services: readonly ResolvedService[], ingresses: Iterable<Ingress>, baseDomain: string): IngressPlan {
  const routes: HttpRoute[] = [];
  const pools: Record<string, Backend[]> = {};
  const tls: TlsAssignment[] = [];
  const ignored: string[] = [];
  const byKey = new Map(services.map((s) => [`${s.namespace}/${s.name}`, s]));
  const base = baseDomain.toLowerCase().replace(/^\.+|\.+$/g, '');

  for (const s of services) {
    const first = s.ports[0];
    if (!first) continue;
    const pool = poolName(s.namespace, s.name, first.port);
    pools[pool] = first.backends;
    routes.push({ host: `${s.name}.${s.namespace}.${base}`, path: '/', pathType: 'Prefix', pool, source: `service ${s.namespace}/${s.name}` });
  }

  const list = [...ingresses]
    .filter((i) => !i.metadata.deletionTimestamp)
    .filter((i) => !i.spec?.ingressClassName || i.spec.ingressClassName === 'flotilla')
    .sort((a, b) => (a.metadata.creationTimestamp ?? '').localeCompare(b.metadata.creationTimestamp ?? '') || objectKey(a).localeCompare(objectKey(b)));
  const owner = new Map<string, string>();
  const ownedBy = (host: string, ns: string): boolean => {
    if (base && host.endsWith(`.${base}`)) {
      const labels = host.slice(0, -(base.length + 1)).split('.');
      return labels.length >= 2 && labels[labels.length - 1] === ns;
    }
    const cur = owner.get(host);
    if (cur === undefined) owner.set(host, ns);
    return (cur ?? ns) === ns;
  };
  const poolFor = (ns: string, backend: IngressBackend | undefined): string | undefined => {
    const ref = backend?.service;
    if (!ref?.name) return undefined;
    const svc = byKey.get(`${ns}/${ref.name}`);
    const sp = svc?.ports.find((p) => (ref.port.number !== undefined ? p.port === ref.port.number : p.name === ref.port.name));
    const pool = poolName(ns, ref.name, sp?.port ?? ref.port.number ?? ref.port.name ?? '');
    pools[pool] = sp?.backends ?? pools[pool] ?? [];
    return pool;
  };

  for (const ing of list) {
    const ns = ing.metadata.namespace ?? 'default';
    const source = `ingress ${objectKey(ing)}`;
    for (const rule of ing.spec?.rules ?? []) {
      const host = (rule.host ?? '').toLowerCase();
      if (!ownedBy(host, ns)) {
        ignored.push(`${source}: host ${host} belongs to another namespace`);
        continue;
      }
      for (const p of rule.http?.paths ?? []) {
        const pool = poolFor(ns, p.backend);
        if (!pool) {
          ignored.push(`${source}: path ${p.path ?? '/'} has no service backend`);
          continue;
        }
        routes.push({ host, path: p.path || '/', pathType: p.pathType === 'Exact' ? 'Exact' : 'Prefix', pool, source });
      }
    }
    const def = (ing.spec as { defaultBackend?: IngressBackend } | undefined)?.defaultBackend;
    const defPool = def && ownedBy('', ns) ? poolFor(ns, def) : undefined;
    if (defPool) routes.push({ host: '', path: '/', pathType: 'Prefix', pool: defPool, source });
    for (const t of ing.spec?.tls ?? []) {
      if (!t.secretName) continue;
      for (const h of t.hosts ?? []) {
        const host = h.toLowerCase();
        if (ownedBy(host, ns)) tls.push({ host, namespace: ns, secretName: t.secretName });
        else ignored.push(`${source}: TLS host ${host} belongs to another namespace`);
      }
    }
  }
  return { routes, pools, tls, ignored };
}
