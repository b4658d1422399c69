// The Service kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { byKey, CONDITIONS, listsUnder } from '../../merge-lists';
import { isDNS1035Label, isDNS1123Label, isDNS1123Subdomain, isPortName, isValidPortNum, PORT_RANGE_MESSAGE } from '../../names';
import { items, rec, setDefault } from '../../pod-defaults';
import { asArr, asObj, asStr, type Rec, validateLabels } from '../../pod-validation';
import { arr, bool, childPath, enumOf, indexPath, int, intOrStr, mergeList, named, obj, str, stringMap, strings } from '../../schema';
import { conditions, CORE, kindSchema } from '../../schemas';
import { a, ageCol, type Column, formatMap, n, nameCol, o, orNone, s, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import { getPath } from '../../validation-helpers';
import type { KindModule } from '../kind-module';

const servicePort = named(
  `${CORE}.ServicePort`,
  "Information on service's port.",
  {
    name: str('The name of this port within the service. Must be a DNS_LABEL, and unique within the ServiceSpec; optional if only one port is defined.'),
    protocol: enumOf(['SCTP', 'TCP', 'UDP'], 'The IP protocol for this port. Supports "TCP", "UDP", and "SCTP". Default is TCP.'),
    appProtocol: str('The application protocol for this port.'),
    port: int('The port that will be exposed by this service.'),
    targetPort: intOrStr("Number or name of the port to access on the pods targeted by the service. Defaults to the value of the 'port' field."),
    nodePort: int('The port on each node on which this service is exposed when type is NodePort or LoadBalancer.'),
  },
  ['port'],
);

const loadBalancerStatus = obj(
  {
    ingress: arr(
      obj({ ip: str(), hostname: str(), ipMode: str(), ports: arr(obj({ port: int(), protocol: str(), error: str() }), undefined, { listType: 'atomic' }) }),
      'A list containing ingress points for the load-balancer.',
      { listType: 'atomic' },
    ),
  },
  'The current status of the load-balancer, if one is present.',
);

const service = kindSchema(
  '',
  'Service',
  'Service is a named abstraction of software service (for example, mysql) consisting of local port (for example 3306) that the proxy listens on, and the selector that determines which pods will answer requests sent through the proxy.',
  {
    spec: named(`${CORE}.ServiceSpec`, 'The attributes that a user creates on a service.', {
      ports: { ...mergeList(servicePort, 'port', 'The list of ports that are exposed by this service.'), listMapKeys: ['port', 'protocol'] },
      selector: stringMap('Route service traffic to pods with label keys and values matching this selector.'),
      clusterIP: str('The IP address of the service, usually assigned randomly. "None" makes a headless service.'),
      clusterIPs: strings('IP addresses assigned to this service.'),
      type: enumOf(['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'], 'How the Service is exposed. Defaults to ClusterIP.'),
      externalIPs: strings('IP addresses for which nodes in the cluster will also accept traffic for this service.'),
      sessionAffinity: enumOf(['ClientIP', 'None'], 'Supports "ClientIP" and "None". Used to maintain session affinity.'),
      loadBalancerIP: str('Deprecated.'),
      loadBalancerSourceRanges: strings(),
      externalName: str(
        'The external reference that discovery mechanisms will return as an alias for this service (a DNS CNAME record). Requires type ExternalName.',
      ),
      externalTrafficPolicy: enumOf(['Cluster', 'Local'], 'How nodes distribute service traffic they receive on an externally-facing address.'),
      healthCheckNodePort: int(),
      publishNotReadyAddresses: bool(),
      sessionAffinityConfig: obj({ clientIP: obj({ timeoutSeconds: int() }) }),
      ipFamilies: strings('IP families (IPv4, IPv6) assigned to this service.'),
      ipFamilyPolicy: enumOf(['SingleStack', 'PreferDualStack', 'RequireDualStack'], 'The dual-stack-ness requested or required by this Service.'),
      allocateLoadBalancerNodePorts: bool(),
      loadBalancerClass: str(),
      internalTrafficPolicy: enumOf(['Cluster', 'Local'], 'How nodes distribute service traffic they receive on the ClusterIP.'),
      trafficDistribution: str(),
    }),
    status: obj({ loadBalancer: loadBalancerStatus, conditions: conditions() }, 'Most recently observed status of the service.'),
  },
);

const NODE_PORT_MIN = 30000;

const NODE_PORT_MAX = 32767;

function validateService(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const type = asStr(spec.type) ?? 'ClusterIP';
  const ports = asArr(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const en = asStr(spec.externalName);
    if (!en) errs.required('spec.externalName');
    else errs.check('spec.externalName', en, isDNS1123Subdomain(en.endsWith('.') ? en.slice(0, -1) : en));
  } else if (ports.length === 0 && !headless && (spec.ports === undefined || spec.ports === null || Array.isArray(spec.ports))) {
    errs.required('spec.ports');
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((pv, i) => {
    const pp = indexPath('spec.ports', i);
    const port = asObj(pv);
    if (!port) return;
    const name = asStr(port.name);
    if (ports.length > 1 && !name) errs.required(childPath(pp, 'name'));
    if (name) {
      errs.check(childPath(pp, 'name'), name, isDNS1123Label(name));
      if (names.has(name)) errs.duplicate(childPath(pp, 'name'), name);
      names.add(name);
    }
    if (port.port === undefined || port.port === null) errs.required(childPath(pp, 'port'));
    else if (typeof port.port === 'number' && !isValidPortNum(port.port)) errs.invalid(childPath(pp, 'port'), port.port, PORT_RANGE_MESSAGE);
    const key = `${String(port.port)}/${String(port.protocol ?? 'TCP')}`;
    if (seen.has(key)) errs.duplicate(pp, { port: port.port, protocol: port.protocol ?? 'TCP' });
    seen.add(key);
    const tp = port.targetPort;
    if (typeof tp === 'number') {
      if (!isValidPortNum(tp)) errs.invalid(childPath(pp, 'targetPort'), tp, PORT_RANGE_MESSAGE);
    } else if (typeof tp === 'string' && tp !== '') {
      if (/^\d+$/.test(tp)) {
        if (!isValidPortNum(Number(tp))) errs.invalid(childPath(pp, 'targetPort'), tp, PORT_RANGE_MESSAGE);
      } else errs.check(childPath(pp, 'targetPort'), tp, isPortName(tp));
    }
    const np = port.nodePort;
    if (typeof np === 'number' && np !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') errs.forbidden(childPath(pp, 'nodePort'), `may not be used when \`type\` is '${type}'`);
      else if (np < NODE_PORT_MIN || np > NODE_PORT_MAX)
        errs.invalid(childPath(pp, 'nodePort'), np, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
    }
  });
  validateLabels(errs, spec.selector, 'spec.selector');
  if (old) {
    const before = asStr(getPath(old, 'spec.clusterIP'));
    const now = asStr(spec.clusterIP);
    if (before && now && before !== now) errs.invalid('spec.clusterIP', now, 'field is immutable');
  }
}

function defaultService(o: Rec): void {
  const spec = rec(o.spec);
  if (!spec) return;
  setDefault(spec, 'type', 'ClusterIP');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.type !== 'ExternalName') setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (spec.type === 'LoadBalancer') setDefault(spec, 'allocateLoadBalancerNodePorts', true);
  for (const pv of items(spec.ports)) {
    const p = rec(pv);
    if (!p) continue;
    setDefault(p, 'protocol', 'TCP');
    if ((p.targetPort === undefined || p.targetPort === null || p.targetPort === 0 || p.targetPort === '') && p.port !== undefined && p.port !== null)
      p.targetPort = p.port;
  }
}

function serviceExternalIP(x: KubeObject): string {
  const spec = o(x.spec);
  const type = s(spec.type) || 'ClusterIP';
  const external = a(spec.externalIPs).map(s).filter(Boolean);
  switch (type) {
    case 'ClusterIP':
    case 'NodePort':
      return external.length ? external.join(',') : '<none>';
    case 'LoadBalancer': {
      const ingress = a(o(o(x.status).loadBalancer).ingress)
        .map((i) => s(o(i).ip) || s(o(i).hostname))
        .filter(Boolean);
      const all = [...ingress, ...external];
      return all.length ? all.join(',') : '<pending>';
    }
    case 'ExternalName':
      return s(spec.externalName);
    default:
      return '<unknown>';
  }
}

function servicePorts(x: KubeObject): string {
  const ports = a(o(x.spec).ports).map(o);
  if (ports.length === 0) return '<none>';
  return ports.map((p) => `${String(p.port ?? '')}${n(p.nodePort) ? `:${n(p.nodePort)}` : ''}/${s(p.protocol) || 'TCP'}`).join(',');
}

const serviceColumns: Column[] = [
  nameCol,
  { name: 'Type', description: 'type determines how the Service is exposed.', cell: (x) => s(o(x.spec).type) || 'ClusterIP' },
  {
    name: 'Cluster-IP',
    description: 'clusterIP is the IP address of the service and is usually assigned randomly.',
    cell: (x) => orNone(s(o(x.spec).clusterIP)),
  },
  {
    name: 'External-IP',
    description: 'externalIPs is a list of IP addresses for which nodes in the cluster will also accept traffic for this service.',
    cell: serviceExternalIP,
  },
  { name: 'Port(s)', description: 'The list of ports that are exposed by this service.', cell: servicePorts },
  ageCol,
  wide({
    name: 'Selector',
    description: 'Route service traffic to pods with label keys and values matching this selector.',
    cell: (x) => formatMap(o(x.spec).selector),
  }),
];

export const serviceKind: KindModule = {
  resource: { kind: 'Service', shortNames: ['svc'], categories: ['all'], subresources: ['status'] },
  schema: service,
  validate: validateService,
  defaults: defaultService,
  columns: serviceColumns,
  // Kubernetes keys service ports by port+protocol for server-side apply; the patch merge key is port.
  mergeLists: { 'spec.ports': byKey('port'), ...listsUnder('status', CONDITIONS) },
  nameCheck: isDNS1035Label,
  protobuf: 'core.Service',
};
