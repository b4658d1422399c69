// Taints and tolerations, shared by the scheduler's filter and the node-lifecycle controller's evictions.
import type { Node, Taint, Toleration } from '@flotilla/resources';

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';

/** Kubernetes' ToleratesTaint: effect and key must match when set; Equal compares values, Exists does not. */
export function toleratesTaint(toleration: Toleration, taint: Taint): boolean {
  if (toleration.effect && toleration.effect !== taint.effect) return false;
  if (toleration.key && toleration.key !== taint.key) return false;
  switch (toleration.operator ?? 'Equal') {
    case 'Exists':
      return true;
    case 'Equal':
      return (toleration.value ?? '') === (taint.value ?? '');
    default:
      return false;
  }
}

/** True when any of the tolerations tolerates the taint. */
export function tolerates(tolerations: readonly Toleration[] | undefined, taint: Taint): boolean {
  if (!tolerations) return false;
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/**
 * The taints the scheduler sees on a node: its own, plus the ones the node-lifecycle controller
 * would add for a node that is not Ready (TaintNodesByCondition), so a node whose taint has not been
 * written yet is already avoided, and pods that tolerate the condition may still land there.
 * A node that has never reported Ready counts as not-ready; a Ready=Unknown one as unreachable.
 */
export function effectiveTaints(node: Node): Taint[] {
  const own = node.spec?.taints ?? [];
  const ready = node.status?.conditions?.find((c) => c.type === 'Ready');
  let key: string | undefined;
  if (!ready || ready.status === 'False') key = TAINT_NOT_READY;
  else if (ready.status === 'Unknown') key = TAINT_UNREACHABLE;
  if (key === undefined || own.some((t) => t.key === key && t.effect === 'NoSchedule')) return own;
  return [...own, { key, effect: 'NoSchedule' }];
}

/** Kubernetes' reason text for a taint the pod does not tolerate. */
export function untoleratedTaintReason(taint: Taint): string {
  return `node(s) had untolerated taint {${taint.key}: ${taint.value ?? ''}}`;
}
