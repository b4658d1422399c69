// The Pod kind: how it is served, its schema and everything else the generic code reads (kind-module.ts).
import { FieldErrors } from '../../field-errors';
import { POD_SPEC, POD_STATUS, listsUnder } from '../../merge-lists';
import { defaultPodSpec } from '../../pod-defaults';
import { asArr, asObj, type Rec, validatePodSpec } from '../../pod-validation';
import { doc } from '../../schema';
import { kindSchema, podSpec, podStatus } from '../../schemas';
import { a, ageCol, type Column, nameCol, o, orNone, podSummary, s, wide } from '../../table-columns';
import type { KubeObject } from '../../types';
import type { KindModule } from '../kind-module';

const pod = kindSchema('', 'Pod', 'Pod is a collection of containers that can run on a host. This resource is created by clients and scheduled onto hosts.', {
  spec: doc(podSpec, 'Specification of the desired behavior of the pod.'),
  status: doc(podStatus, 'Most recently observed status of the pod. Read-only.'),
});

function validatePod(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  validatePodSpec(errs, obj.spec, 'spec');
  if (old) {
    // Pod updates may only change images, activeDeadlineSeconds, tolerations additions and a few more.
    const spec = asObj(obj.spec);
    const before = asObj(old.spec);
    if (spec && before) {
      const strip = (s: Rec): string => {
        const copy: Rec = { ...s, activeDeadlineSeconds: undefined, tolerations: undefined, schedulingGates: undefined, nodeName: undefined };
        copy.containers = asArr(s.containers).map((c) => ({ ...(asObj(c) ?? {}), image: undefined }));
        copy.initContainers = asArr(s.initContainers).map((c) => ({ ...(asObj(c) ?? {}), image: undefined }));
        return JSON.stringify(copy);
      };
      if (strip(spec) !== strip(before))
        errs.forbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        );
    }
  }
}

const podColumns: Column[] = [
  nameCol,
  { name: 'Ready', description: 'The aggregate readiness state of this pod for accepting traffic.', cell: (x, now) => podSummary(x, now).ready },
  { name: 'Status', description: 'The aggregate status of the containers in this pod.', cell: (x, now) => podSummary(x, now).status },
  {
    name: 'Restarts',
    description: 'The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.',
    cell: (x, now) => podSummary(x, now).restarts,
  },
  ageCol,
  wide({
    name: 'IP',
    description: 'IP address allocated to the pod. Routable at least within the cluster. Empty if not yet allocated.',
    cell: (x) => orNone(s(o(x.status).podIP)),
  }),
  wide({ name: 'Node', description: 'NodeName is a request to schedule this pod onto a specific node.', cell: (x) => orNone(s(o(x.spec).nodeName)) }),
  wide({
    name: 'Nominated Node',
    description: 'nominatedNodeName is set only when this pod preempts other pods on the node.',
    cell: (x) => orNone(s(o(x.status).nominatedNodeName)),
  }),
  wide({
    name: 'Readiness Gates',
    description: 'If specified, all readiness gates will be evaluated for pod readiness.',
    cell: (x) => {
      const gates = a(o(x.spec).readinessGates).map((g) => s(o(g).conditionType));
      if (gates.length === 0) return '<none>';
      const conds = a(o(x.status).conditions).map(o);
      const met = gates.filter((g) => conds.some((c) => c.type === g && c.status === 'True')).length;
      return `${met}/${gates.length}`;
    },
  }),
];

function qosClass(pod: KubeObject): string {
  const spec = (pod.spec ?? {}) as { containers?: { resources?: { requests?: Record<string, unknown>; limits?: Record<string, unknown> } }[] };
  const containers = spec.containers ?? [];
  let any = false;
  let guaranteed = containers.length > 0;
  for (const c of containers) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    if (Object.keys(req).length || Object.keys(lim).length) any = true;
    for (const r of ['cpu', 'memory']) {
      if (lim[r] === undefined || (req[r] !== undefined && String(req[r]) !== String(lim[r]))) guaranteed = false;
    }
  }
  return guaranteed ? 'Guaranteed' : any ? 'Burstable' : 'BestEffort';
}

export const podKind: KindModule = {
  resource: {
    kind: 'Pod',
    shortNames: ['po'],
    categories: ['all'],
    subresources: ['status', 'binding', 'log', 'exec', 'eviction', 'portforward'],
    selectableFields: ['spec.nodeName', 'status.phase', 'spec.restartPolicy', 'spec.schedulerName', 'status.podIP'],
  },
  schema: pod,
  validate: validatePod,
  defaults: (o) => defaultPodSpec(o.spec),
  columns: podColumns,
  mergeLists: { ...listsUnder('spec', POD_SPEC), ...listsUnder('status', POD_STATUS) },
  // kubectl's `get pods` hides finished pods unless asked; the Completed condition is what it reads.
  rowConditions: (x) => {
    const phase = s(o(x.status).phase);
    return phase === 'Succeeded' || phase === 'Failed' ? [{ type: 'Completed', status: 'True' }] : undefined;
  },
  protobuf: 'core.Pod',
  podTemplatePath: '',
  lifecycle: {
    initialStatus: (obj) => ({ phase: 'Pending', qosClass: qosClass(obj) }),
    // A pod bound to a node stops gracefully: its agent stops the containers, then removes the pod.
    deletionGracePeriod: (obj, requested) => {
      const spec = obj.spec as { nodeName?: string; terminationGracePeriodSeconds?: number };
      const phase = (obj.status as { phase?: string } | undefined)?.phase;
      const bound = Boolean(spec?.nodeName) && phase !== 'Succeeded' && phase !== 'Failed';
      return bound ? (requested ?? spec.terminationGracePeriodSeconds ?? 30) : 0;
    },
  },
};
