// Pod security, after Kubernetes' Pod Security Standards: tenant pods (and the pod templates of
// workloads) may not be privileged, use host paths, host namespaces, host ports or added
// capabilities, or run as root by uid, unless an admin labelled the namespace
// `pod-security.kubernetes.io/enforce=privileged`.
import type { KubeObject } from '@flotilla/resources';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';

interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  capabilities?: { add?: string[] };
}
interface ContainerLike {
  name?: string;
  securityContext?: SecurityContext;
  ports?: { hostPort?: number }[];
}
interface PodSpecLike {
  hostNetwork?: boolean;
  hostPID?: boolean;
  hostIPC?: boolean;
  securityContext?: { runAsUser?: number };
  volumes?: { name?: string; hostPath?: unknown }[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

/** The pod spec inside a Pod, Deployment, ReplicaSet, Job or CronJob; undefined for other kinds. */
export function podSpecOf(obj: KubeObject): PodSpecLike | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  switch (obj.kind) {
    case 'Pod':
      return spec as PodSpecLike | undefined;
    case 'Deployment':
    case 'ReplicaSet':
    case 'Job':
    case 'StatefulSet':
    case 'DaemonSet':
      return (spec?.template as { spec?: PodSpecLike } | undefined)?.spec;
    case 'CronJob':
      return ((spec?.jobTemplate as { spec?: { template?: { spec?: PodSpecLike } } } | undefined)?.spec?.template as { spec?: PodSpecLike } | undefined)?.spec;
    default:
      return undefined;
  }
}

/** The violations, worded as Kubernetes' PodSecurity admission words them (empty = allowed). */
export function podSecurityViolations(spec: PodSpecLike): string[] {
  const out: string[] = [];
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
  const privileged = containers.filter((c) => c.securityContext?.privileged === true).map((c) => c.name ?? '');
  if (privileged.length)
    out.push(`privileged (container${privileged.length > 1 ? 's' : ''} ${quoted(privileged)} must not set securityContext.privileged=true)`);
  const hostNs = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
  if (hostNs.length) out.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(', ')})`);
  const hostPaths = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined && v.hostPath !== null).map((v) => v.name ?? '');
  if (hostPaths.length) out.push(`hostPath volumes (volume${hostPaths.length > 1 ? 's' : ''} ${quoted(hostPaths)})`);
  for (const c of containers) {
    const add = c.securityContext?.capabilities?.add ?? [];
    if (add.length) out.push(`non-default capabilities (container "${c.name ?? ''}" must not include ${quoted(add)} in securityContext.capabilities.add)`);
  }
  for (const c of containers) {
    const ports = (c.ports ?? []).map((p) => p.hostPort).filter((p): p is number => typeof p === 'number' && p !== 0);
    if (ports.length) out.push(`hostPort (container "${c.name ?? ''}" uses hostPort${ports.length > 1 ? 's' : ''} ${ports.join(', ')})`);
  }
  const rootUsers = [
    ...(spec.securityContext?.runAsUser === 0 ? ['pod'] : []),
    ...containers.filter((c) => c.securityContext?.runAsUser === 0).map((c) => `container "${c.name ?? ''}"`),
  ];
  if (rootUsers.length) out.push(`runAsUser=0 (${rootUsers.join(', ')} must not set runAsUser=0)`);
  return out;
}

export function podSecurityMessage(violations: string[]): string {
  return `violates PodSecurity "baseline:latest": ${violations.join(', ')}`;
}
