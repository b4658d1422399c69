// Namespace termination (Kubernetes' namespaced_resources_deleter), pure. A Terminating namespace is emptied:
// every object of every namespaced kind is deleted (background propagation), the status conditions say what is
// left and which finalizers hold it, and only once nothing is left is the `kubernetes` finalizer cleared,
// which removes the namespace. The worker confirms "nothing is left" in the database before it finalizes.
import type { Condition, KubeObject, Namespace } from '@flotilla/resources';
import { formatTime } from './actions';

export const NAMESPACE_FINALIZER = 'kubernetes';

/** Content is looked at again this often while a namespace waits for it to go. */
export const NAMESPACE_WAIT_MS = 1000;

export function isNamespaceTerminating(ns: Namespace): boolean {
  return ns.status?.phase === 'Terminating' || ns.metadata.deletionTimestamp !== undefined;
}

/** The objects of one namespaced kind in the namespace; `type` is the caller's handle, handed back in deletes. */
export interface NamespaceContent<T> {
  type: T;
  /** How Kubernetes names the resource in the conditions: "pods", "deployments.apps". */
  resource: string;
  objects: KubeObject[];
}

export interface NamespaceDeletionPlan<T> {
  /** Objects not yet terminating, in the order of the content given: delete each (background). */
  deletes: Array<{ type: T; object: KubeObject }>;
  /** Resource → how many objects are still there (terminating or not). */
  remaining: Array<[string, number]>;
  /** The distinct finalizer lists holding content back. */
  finalizersLeft: string[];
  /** Nothing left: clear the `kubernetes` finalizer. Otherwise look again after `requeueAfterMs`. */
  finalize: boolean;
  requeueAfterMs?: number;
}

export function planNamespaceDeletion<T>(ns: Namespace, contents: NamespaceContent<T>[]): NamespaceDeletionPlan<T> | undefined {
  if (!isNamespaceTerminating(ns)) return undefined;
  const deletes: NamespaceDeletionPlan<T>['deletes'] = [];
  const remaining: Array<[string, number]> = [];
  const finalizers = new Set<string>();
  for (const c of contents) {
    if (c.objects.length === 0) continue;
    remaining.push([c.resource, c.objects.length]);
    for (const o of c.objects) {
      if (o.metadata.finalizers?.length) finalizers.add(o.metadata.finalizers.join(','));
      if (!o.metadata.deletionTimestamp) deletes.push({ type: c.type, object: o });
    }
  }
  const finalize = remaining.length === 0;
  return { deletes, remaining, finalizersLeft: [...finalizers].sort(), finalize, requeueAfterMs: finalize ? undefined : NAMESPACE_WAIT_MS };
}

/** The conditions a terminating namespace reports, after the plan's deletes (`deleteFailures` of them failed). */
export function namespaceDeletionConditions(plan: NamespaceDeletionPlan<unknown>, deleteFailures: number, now: Date): Condition[] {
  const t = formatTime(now);
  const cond = (type: string, status: boolean, reason: string, message: string): Condition => ({
    type,
    status: status ? 'True' : 'False',
    lastTransitionTime: t,
    reason,
    message,
  });
  const contentLeft = plan.remaining.map(([k, n]) => `${k} has ${n} resource instances`).sort();
  return [
    cond('NamespaceDeletionDiscoveryFailure', false, 'ResourcesDiscovered', 'All resources successfully discovered'),
    cond('NamespaceDeletionGroupVersionParsingFailure', false, 'ParsedGroupVersions', 'All legacy kube types successfully parsed'),
    deleteFailures
      ? cond('NamespaceDeletionContentFailure', true, 'ContentDeletionFailed', `Failed to delete ${deleteFailures} resources`)
      : cond('NamespaceDeletionContentFailure', false, 'ContentDeleted', 'All content successfully deleted, may be waiting on finalization'),
    contentLeft.length
      ? cond('NamespaceContentRemaining', true, 'SomeResourcesRemain', `Some resources are remaining: ${contentLeft.join(', ')}`)
      : cond('NamespaceContentRemaining', false, 'ContentRemoved', 'All content successfully removed'),
    plan.finalizersLeft.length
      ? cond(
          'NamespaceFinalizersRemaining',
          true,
          'SomeFinalizersRemain',
          `Some content in the namespace has finalizers remaining: ${plan.finalizersLeft.join(', ')}`,
        )
      : cond('NamespaceFinalizersRemaining', false, 'ContentHasNoFinalizers', 'All content-preserving finalizers finished'),
  ];
}

/**
 * The namespace's conditions with `next` merged in, or undefined when nothing they say changed (no write). A
 * condition whose status did not change keeps its lastTransitionTime.
 */
export function mergeNamespaceConditions(current: Condition[], next: Condition[]): Condition[] | undefined {
  const same = (a: Condition, b: Condition | undefined) => b !== undefined && a.status === b.status && a.reason === b.reason && a.message === b.message;
  if (
    next.every((c) =>
      same(
        c,
        current.find((x) => x.type === c.type),
      ),
    )
  )
    return undefined;
  return next.map((c) => {
    const old = current.find((x) => x.type === c.type);
    return old && old.status === c.status ? { ...c, lastTransitionTime: old.lastTransitionTime } : c;
  });
}

/** The namespace as the finalize subresource stores it: without the `kubernetes` finalizer. */
export function finalizedNamespace(ns: Namespace): Namespace {
  const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== NAMESPACE_FINALIZER);
  return { ...ns, spec: { ...ns.spec, finalizers } };
}
