// The pod spec's security fields as Docker container options, as a pure function: every field that
// admission lets through is either applied or refused with a CreateContainerConfigError, never
// silently ignored. Container settings win over pod settings, as in Kubernetes.
import { BASELINE_CAPABILITIES } from '@flotilla/resources';
import type { Container, Pod } from '@flotilla/resources';
import { configError } from './errors';

export interface SecurityHostOptions {
  /** Privileged namespaces only: privileged, added capabilities, unconfined seccomp/AppArmor, unmasked /proc. */
  allowPrivileged?: boolean;
}

export interface SecurityHostConfig {
  User?: string;
  Privileged: boolean;
  ReadonlyRootfs: boolean;
  CapAdd?: string[];
  CapDrop?: string[];
  SecurityOpt?: string[];
  GroupAdd?: string[];
}

/** `imageUser` is the image's Config.User (for runAsNonRoot and a lone runAsGroup). */
export function containerSecurity(pod: Pod, c: Container, imageUser: string | undefined, opts: SecurityHostOptions): SecurityHostConfig {
  const podSc = pod.spec.securityContext ?? {};
  const sc = { ...podSc, ...c.securityContext };
  const refuse = (what: string) => configError(`container ${c.name}: ${what}`);
  if (sc.privileged && !opts.allowPrivileged) throw refuse('privileged containers are not allowed on this node');
  // What baseline admits (the runtime's default set) is honoured; anything beyond it only where privileged
  // pods are allowed.
  const beyond = (sc.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
  if (beyond.length && !opts.allowPrivileged) throw refuse(`adding capabilities (${beyond.join(', ')}) is not allowed on this node`);
  let user: string | undefined;
  if (sc.runAsUser !== undefined) user = `${sc.runAsUser}${sc.runAsGroup !== undefined ? `:${sc.runAsGroup}` : ''}`;
  else if (sc.runAsGroup !== undefined) user = `${imageUser?.split(':')[0] || '0'}:${sc.runAsGroup}`;
  if (sc.runAsNonRoot) {
    const uidPart = (user ?? imageUser ?? '').split(':')[0];
    // A user name cannot be verified without the image's /etc/passwd: Kubernetes refuses it too.
    if (uidPart === '' || uidPart === '0' || !/^\d+$/.test(uidPart)) {
      throw configError(
        `container has runAsNonRoot and image will run as root (pod: "${pod.metadata.name}_${pod.metadata.namespace ?? 'default'}(${pod.metadata.uid})", container: ${c.name})`,
      );
    }
  }
  const secOpt: string[] = [];
  if (sc.allowPrivilegeEscalation === false) secOpt.push('no-new-privileges');

  const seccomp = sc.seccompProfile?.type;
  if (seccomp === 'Unconfined') {
    if (!opts.allowPrivileged) throw refuse('seccompProfile Unconfined is not allowed on this node');
    secOpt.push('seccomp=unconfined');
  } else if (seccomp === 'Localhost') throw refuse('seccompProfile Localhost: no local seccomp profiles are configured on this node');

  const appArmor = sc.appArmorProfile?.type;
  if (appArmor === 'Unconfined') {
    if (!opts.allowPrivileged) throw refuse('appArmorProfile Unconfined is not allowed on this node');
    secOpt.push('apparmor=unconfined');
  } else if (appArmor === 'Localhost') throw refuse('appArmorProfile Localhost: no local AppArmor profiles are configured on this node');

  const se = sc.seLinuxOptions;
  if (se && (se.user || se.role || se.type || se.level)) throw refuse('seLinuxOptions: the container engine on this node has no SELinux');

  if (c.securityContext?.procMount === 'Unmasked') {
    if (!opts.allowPrivileged) throw refuse('procMount Unmasked is not allowed on this node');
    secOpt.push('systempaths=unconfined');
  }

  const groups = [...(podSc.supplementalGroups ?? []), ...(podSc.fsGroup !== undefined ? [podSc.fsGroup] : [])];
  return {
    User: user,
    Privileged: !!sc.privileged,
    ReadonlyRootfs: !!sc.readOnlyRootFilesystem,
    CapDrop: sc.capabilities?.drop,
    CapAdd: sc.capabilities?.add,
    SecurityOpt: secOpt.length ? secOpt : undefined,
    GroupAdd: groups.length ? [...new Set(groups)].map(String) : undefined,
  };
}

/** The pod's sysctls, set on the sandbox that owns the network namespace (the containers join it). */
export function sandboxSysctls(pod: Pod): Record<string, string> | undefined {
  const list = pod.spec.securityContext?.sysctls ?? [];
  return list.length ? Object.fromEntries(list.map((s) => [s.name, s.value])) : undefined;
}
