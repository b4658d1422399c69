// The Node kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { byKey, SET } from '../../merge-lists';
import { isQualifiedName, isValidLabelValue } from '../../names';
import { asArr, asObj, asStr, type Rec } from '../../pod-validation';
import { any, arr, bool, childPath, enumOf, indexPath, int, int64, mergeList, named, obj, str, strings, time } from '../../schema';
import { conditions, CORE, kindSchema, resourceList } from '../../schemas';
import { a, ageCol, type Column, nameCol, o, orNone, s, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const taint = named(
  `${CORE}.Taint`,
  'The node this Taint is attached to has the "effect" on any pod that does not tolerate the Taint.',
  {
    key: str('Required. The taint key to be applied to a node.'),
    value: str('The taint value corresponding to the taint key.'),
    effect: enumOf(['NoExecute', 'NoSchedule', 'PreferNoSchedule'], 'Required. The effect of the taint on pods that do not tolerate the taint.'),
    timeAdded: time('The time at which the taint was added. Only for NoExecute taints.'),
  },
  ['key', 'effect'],
);

const node = kindSchema('', 'Node', 'Node is a worker node in Kubernetes.', {
  spec: obj(
    {
      podCIDR: str('The pod IP range assigned to the node.'),
      podCIDRs: strings('The IP ranges assigned to the node for usage by Pods on that node.'),
      providerID: str('ID of the node assigned by the cloud provider.'),
      unschedulable: bool('Controls node schedulability of new pods. By default, node is schedulable.'),
      taints: arr(taint, "If specified, the node's taints.", { listType: 'atomic' }),
      configSource: any('Deprecated.'),
      externalID: str('Deprecated.'),
    },
    'Spec defines the behavior of a node.',
  ),
  status: obj(
    {
      capacity: resourceList('The total resources of the node.'),
      allocatable: resourceList('The resources of a node that are available for scheduling.'),
      phase: str('Deprecated.'),
      conditions: conditions('Conditions is an array of current observed node conditions.'),
      addresses: mergeList(
        obj({ type: str('Node address type, one of Hostname, ExternalIP or InternalIP.'), address: str('The node address.') }),
        'type',
        'List of addresses reachable to the node.',
      ),
      daemonEndpoints: obj({ kubeletEndpoint: obj({ Port: int('Port number of the given endpoint.') }) }, 'Endpoints of daemons running on the Node.'),
      nodeInfo: obj(
        {
          machineID: str(),
          systemUUID: str(),
          bootID: str(),
          kernelVersion: str(),
          osImage: str(),
          containerRuntimeVersion: str(),
          kubeletVersion: str(),
          kubeProxyVersion: str(),
          operatingSystem: str(),
          architecture: str(),
          swap: any(),
        },
        'Set of ids/uuids to uniquely identify the node.',
      ),
      images: arr(obj({ names: strings(), sizeBytes: int64() }), 'List of container images on this node.', { listType: 'atomic' }),
      volumesInUse: strings(),
      volumesAttached: arr(any(), undefined, { listType: 'atomic' }),
      config: any(),
      runtimeHandlers: arr(any(), undefined, { listType: 'atomic' }),
      features: any(),
    },
    'Most recently observed status of the node.',
  ),
});

function validateNode(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) return;
  const seen = new Set<string>();
  asArr(spec.taints).forEach((tv, i) => {
    const tp = indexPath('spec.taints', i);
    const t = asObj(tv);
    if (!t) return;
    const key = asStr(t.key);
    if (!key) errs.required(childPath(tp, 'key'));
    else errs.check(childPath(tp, 'key'), key, isQualifiedName(key));
    const value = asStr(t.value);
    if (value) errs.check(childPath(tp, 'value'), value, isValidLabelValue(value));
    if (t.effect === undefined || t.effect === null || t.effect === '') errs.required(childPath(tp, 'effect'));
    const id = `${key}:${String(t.effect)}`;
    if (seen.has(id)) errs.duplicate(tp, { key, effect: t.effect });
    seen.add(id);
  });
}

function nodeStatus(x: KubeObject): string {
  const conds = a(o(x.status).conditions).map(o);
  const readyCond = conds.find((c) => c.type === 'Ready');
  const out: string[] = [readyCond ? (readyCond.status === 'True' ? 'Ready' : 'NotReady') : 'Unknown'];
  if (o(x.spec).unschedulable === true) out.push('SchedulingDisabled');
  return out.join(',');
}

function nodeRoles(x: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o(o(x.metadata).labels))) {
    if (k.startsWith('node-role.kubernetes.io/')) {
      const role = k.slice('node-role.kubernetes.io/'.length);
      if (role) roles.add(role);
    } else if (k === 'kubernetes.io/role' && typeof v === 'string' && v) roles.add(v);
  }
  return roles.size ? [...roles].sort().join(',') : '<none>';
}

function nodeAddress(x: KubeObject, type: string): string {
  const addr = a(o(x.status).addresses)
    .map(o)
    .find((ad) => ad.type === type);
  return orNone(s(addr?.address));
}

const nodeInfo = (x: KubeObject, key: string): string => s(o(o(x.status).nodeInfo)[key]);

const nodeColumns: Column[] = [
  nameCol,
  { name: 'Status', description: 'The status of the node', cell: nodeStatus },
  { name: 'Roles', description: 'The roles of the node', cell: nodeRoles },
  ageCol,
  { name: 'Version', description: 'Kubelet Version reported by the node.', cell: (x) => nodeInfo(x, 'kubeletVersion') },
  wide({
    name: 'Internal-IP',
    description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
    cell: (x) => nodeAddress(x, 'InternalIP'),
  }),
  wide({
    name: 'External-IP',
    description: 'List of addresses reachable to the node. Queried from cloud provider, if available.',
    cell: (x) => nodeAddress(x, 'ExternalIP'),
  }),
  wide({
    name: 'OS-Image',
    description: 'OS Image reported by the node from /etc/os-release (e.g. Debian GNU/Linux 7 (wheezy)).',
    cell: (x) => nodeInfo(x, 'osImage') || '<unknown>',
  }),
  wide({
    name: 'Kernel-Version',
    description: "Kernel Version reported by the node from 'uname -r' (e.g. 3.16.0-0.bpo.4-amd64).",
    cell: (x) => nodeInfo(x, 'kernelVersion') || '<unknown>',
  }),
  wide({
    name: 'Container-Runtime',
    description: 'ContainerRuntime Version reported by the node through runtime remote API (e.g. containerd://1.4.2).',
    cell: (x) => nodeInfo(x, 'containerRuntimeVersion') || '<unknown>',
  }),
];

export const nodeKind: KindModule = {
  resource: { kind: 'Node', cluster: true, shortNames: ['no'], subresources: ['status'] },
  schema: node,
  validate: (e, o) => validateNode(e, o),
  columns: nodeColumns,
  mergeLists: { 'spec.podCIDRs': SET, 'status.conditions': byKey('type'), 'status.addresses': byKey('type') },
};
