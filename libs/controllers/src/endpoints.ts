// Endpoints control loop: the addresses and ports of the pods a Service selects, ready and not ready apart.
import { matchesSelector, selectorFromMap } from '@flotilla/resources';
import type { EndpointAddress, EndpointSubset, Endpoints, Pod, Service, ServicePort } from '@flotilla/resources';
import { canonicalJson, clone, deleteAction, semanticEqual } from './actions';
import type { Action } from './actions';
import { isPodReady, isPodTerminal, isTerminating } from './pods';

/** Set on the Endpoints of a headless service, as Kubernetes does. */
export const HEADLESS_LABEL = 'service.kubernetes.io/headless';

type EndpointPort = NonNullable<EndpointSubset['ports']>[number];

/**
 * Plans the Endpoints object named like the Service. A Service without a selector is left alone (its Endpoints
 * are managed by hand); when the Service is gone (`svc` undefined), its Endpoints are deleted.
 */
export function planEndpoints(svc: Service | undefined, pods: Pod[], existing: Endpoints | undefined): Action[] {
  if (!svc) return existing ? [deleteAction(existing)] : [];
  if (isTerminating(svc)) return [];
  const selector = selectorFromMap(svc.spec.selector);
  if (selector.matchesNothing) return [];

  const namespace = svc.metadata.namespace;
  const selected = pods.filter((p) => (p.metadata.namespace ?? namespace) === namespace && matchesSelector(selector, p.metadata.labels));
  const subsets = endpointSubsets(svc, selected);

  const labels: Record<string, string> = { ...svc.metadata.labels };
  if (svc.spec.clusterIP === 'None') labels[HEADLESS_LABEL] = '';
  else delete labels[HEADLESS_LABEL];

  if (!existing) {
    const created: Endpoints = {
      apiVersion: 'v1',
      kind: 'Endpoints',
      metadata: { name: svc.metadata.name, namespace, labels },
      subsets,
    };
    return [{ type: 'create', object: created }];
  }
  const sameSubsets = semanticEqual(existing.subsets ?? [], subsets);
  const sameLabels = semanticEqual(existing.metadata.labels ?? {}, labels);
  if (sameSubsets && sameLabels) return [];
  const updated: Endpoints = { ...clone(existing), metadata: { ...clone(existing.metadata), labels }, subsets };
  return [{ type: 'update', object: updated }];
}

/**
 * The subsets for these pods: each pod contributes one address under the set of ports it resolves (a named
 * targetPort can resolve to different numbers, or not at all, per pod), and pods with the same port set share a
 * subset. Addresses, ports and subsets are sorted so equal inputs give equal output.
 */
export function endpointSubsets(svc: Service, pods: Pod[]): EndpointSubset[] {
  const servicePorts = svc.spec.ports ?? [];
  const headless = svc.spec.clusterIP === 'None';
  const groups = new Map<string, { ports: EndpointPort[]; ready: EndpointAddress[]; notReady: EndpointAddress[] }>();

  for (const pod of pods) {
    const ip = pod.status?.podIP;
    if (!ip || isTerminating(pod) || isPodTerminal(pod)) continue;
    let ports: EndpointPort[];
    if (servicePorts.length === 0) {
      // Only a headless service publishes addresses without ports.
      if (!headless) continue;
      ports = [];
    } else {
      ports = [];
      for (const sp of servicePorts) {
        const port = resolveTargetPort(pod, sp);
        if (port === undefined) continue;
        const ep: EndpointPort = { port, protocol: sp.protocol ?? 'TCP' };
        if (sp.name) ep.name = sp.name;
        ports.push(ep);
      }
      if (ports.length === 0) continue;
    }
    ports.sort(comparePorts);
    const key = canonicalJson(ports);
    let group = groups.get(key);
    if (!group) groups.set(key, (group = { ports, ready: [], notReady: [] }));
    (isPodReady(pod) ? group.ready : group.notReady).push(addressOf(svc, pod, ip));
  }

  return [...groups.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([, g]) => {
      const subset: EndpointSubset = {};
      if (g.ready.length) subset.addresses = g.ready.sort(compareAddresses);
      if (g.notReady.length) subset.notReadyAddresses = g.notReady.sort(compareAddresses);
      if (g.ports.length) subset.ports = g.ports;
      return subset;
    });
}

/**
 * Kubernetes' FindPort: a numeric targetPort (default: the service port) is used as is; a named one is the
 * containerPort of that name and protocol in the pod (app containers, then sidecar init containers).
 */
export function resolveTargetPort(pod: Pod, sp: ServicePort): number | undefined {
  const target = sp.targetPort ?? sp.port;
  if (typeof target === 'number') return target === 0 ? sp.port : target;
  const protocol = sp.protocol ?? 'TCP';
  const sidecars = (pod.spec.initContainers ?? []).filter((c) => c.restartPolicy === 'Always');
  for (const c of [...pod.spec.containers, ...sidecars]) {
    const found = c.ports?.find((p) => p.name === target && (p.protocol ?? 'TCP') === protocol);
    if (found) return found.containerPort;
  }
  return undefined;
}

function addressOf(svc: Service, pod: Pod, ip: string): EndpointAddress {
  const addr: EndpointAddress = {
    ip,
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name ?? '', uid: pod.metadata.uid },
  };
  if (pod.spec.nodeName) addr.nodeName = pod.spec.nodeName;
  // A pod's own DNS name under a headless service: hostname.subdomain, when the subdomain is this service.
  if (pod.spec.hostname && pod.spec.subdomain === svc.metadata.name) addr.hostname = pod.spec.hostname;
  return addr;
}

function compareAddresses(a: EndpointAddress, b: EndpointAddress): number {
  return compareIp(a.ip, b.ip) || (a.targetRef?.uid ?? '').localeCompare(b.targetRef?.uid ?? '');
}

/** IPv4 numerically (10.0.0.9 before 10.0.0.10); anything else as text. */
function compareIp(a: string, b: string): number {
  const pa = a.split('.');
  const pb = b.split('.');
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every((x) => /^\d+$/.test(x))) {
    for (let i = 0; i < 4; i++) if (Number(pa[i]) !== Number(pb[i])) return Number(pa[i]) - Number(pb[i]);
    return 0;
  }
  return a < b ? -1 : a > b ? 1 : 0;
}

function comparePorts(a: EndpointPort, b: EndpointPort): number {
  return (a.name ?? '').localeCompare(b.name ?? '') || a.port - b.port || (a.protocol ?? '').localeCompare(b.protocol ?? '');
}
