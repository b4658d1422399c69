// The one admission path for stored writes that the cluster's state decides — LimitRange defaults and
// bounds, Pod Security, ResourceQuota — run by the API for a user's write and by the controller for every
// object a controller creates, inside the write's own transaction, so a pod a ReplicaSet creates counts
// against quota exactly as one a user creates (issue 14: controllers used to skip all three).
import { KubeObject, podTemplateOf, resourceFor, ResourceType } from '@flotilla/resources';
import { resourceKey, Store, WriteTx } from '@flotilla/store';
import { applyLimitRangeDefaults, limitRangeViolations } from './limit-range';
import {
  ENFORCE_LABEL,
  nodeUnsupportedWarnings,
  podAnnotationsOf,
  podSecurityLevel,
  podSecurityMessage,
  podSecurityViolations,
  podSpecOf,
  WARN_LABEL,
} from './pod-security';
import { deltaFor, exceeded, formatUsage, usageInTx } from './quota';

/** A refused write; `message` is Kubernetes' wording (`pods "x" is forbidden: exceeded quota: ...`). */
export class AdmissionDenied extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AdmissionDenied';
  }
}

/** `pods "x"`, `jobs.batch "y"`: how Kubernetes names the object in a refusal. */
export function qualifiedName(type: ResourceType, obj: KubeObject): string {
  return `${type.group ? `${type.plural}.${type.group}` : type.plural} "${obj.metadata.name ?? obj.metadata.generateName ?? ''}"`;
}

/**
 * Admits a create (`old` undefined) or an update of `obj` in `namespace`. Mutates `obj` (LimitRange
 * defaults). Locks each ResourceQuota row of the namespace in `tx` before counting usage, so concurrent
 * creates (API or controller) cannot both take the last slot. Throws AdmissionDenied.
 */
export async function admitInTx(
  tx: WriteTx,
  store: Store,
  type: ResourceType,
  namespace: string,
  obj: KubeObject,
  old?: KubeObject,
  /** Collects Pod Security `warn` messages (the API sends them as Warning headers). */
  warnings?: string[],
): Promise<void> {
  const rk = resourceKey(type);
  const deny = (why: string) => new AdmissionDenied(`${qualifiedName(type, obj)} is forbidden: ${why}`);
  if (rk === 'core/pods' && !old) {
    const ranges = store.cache.list('core/limitranges', namespace).map((e) => e.obj);
    applyLimitRangeDefaults(obj, ranges);
    const bad = limitRangeViolations(obj, ranges);
    if (bad.length) throw deny(bad.join(', '));
  }
  const spec = podSpecOf(obj);
  if (spec && namespace && namespace !== 'kube-system') {
    const labels = store.cache.get('core/namespaces', '', namespace)?.obj.metadata.labels;
    const annotations = podAnnotationsOf(obj) ?? {};
    const enforce = podSecurityLevel(labels?.[ENFORCE_LABEL]);
    const v = podSecurityViolations(spec, enforce, annotations);
    if (v.length) throw deny(podSecurityMessage(v, enforce));
    warnings?.push(...nodeUnsupportedWarnings(spec, podTemplateOf(obj)?.specPath ?? 'spec'));
    // The warn label only warns (kubectl prints it); it never refuses, as in Kubernetes.
    const warnLabel = labels?.[WARN_LABEL];
    if (warnLabel !== undefined && warnings) {
      const warn = podSecurityLevel(warnLabel);
      const w = podSecurityViolations(spec, warn, annotations);
      if (w.length) warnings.push(`would violate PodSecurity "${warn}:latest": ${w.join(', ')}`);
    }
  }
  if (!old && type.namespaced && namespace) await checkQuotaInTx(tx, store, rk, namespace, obj, deny);
}

async function checkQuotaInTx(
  tx: WriteTx,
  store: Store,
  rk: string,
  namespace: string,
  obj: KubeObject,
  deny: (why: string) => AdmissionDenied,
): Promise<void> {
  const names = store.cache
    .list('core/resourcequotas', namespace)
    .map((e) => e.name)
    .sort();
  if (names.length === 0) return;
  const quotaType = resourceFor('', 'v1', 'resourcequotas') as ResourceType;
  for (const name of names) {
    // The row lock serialises every write this quota limits: the usage read next is exact.
    const quota = await tx.read(quotaType, namespace, name);
    const hard = ((quota?.spec ?? {}) as { hard?: Record<string, string | number> }).hard;
    if (!quota || !hard) continue;
    const { delta, missing } = deltaFor(rk, obj, hard);
    if (Object.keys(delta).length === 0) continue;
    if (missing.length) throw deny(`failed quota: ${name}: ${missing.join(', ')}`);
    const used = await usageInTx(tx, namespace, hard);
    const over = exceeded(name, hard, used, delta);
    if (over) throw deny(over);
    for (const [k, v] of Object.entries(delta)) used[k] = (used[k] ?? 0) + v;
    const status = { hard: { ...hard }, used: formatUsage(hard, used) };
    await store.updateIn(tx, quotaType, { ...quota, status }, namespace, 'status');
  }
}
