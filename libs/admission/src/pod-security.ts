// Pod security, after Kubernetes' Pod Security Standards (both levels, as the PodSecurity admission
// plugin checks them). The level comes from the namespace label `pod-security.kubernetes.io/enforce`
// (privileged | baseline | restricted); unlabelled namespaces are baseline. The messages are worded as
// Kubernetes words them, so kubectl users recognise them.
import { BASELINE_CAPABILITIES, podTemplateOf } from '@flotilla/resources';
import type { KubeObject } from '@flotilla/resources';

export const ENFORCE_LABEL = 'pod-security.kubernetes.io/enforce';
export const WARN_LABEL = 'pod-security.kubernetes.io/warn';
export const APPARMOR_ANNOTATION_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

export type PodSecurityLevel = 'privileged' | 'baseline' | 'restricted';

interface SeccompProfile {
  type?: string;
  localhostProfile?: string;
}
interface SELinuxOptions {
  user?: string;
  role?: string;
  type?: string;
  level?: string;
}
interface SecurityContext {
  privileged?: boolean;
  runAsUser?: number;
  runAsNonRoot?: boolean;
  allowPrivilegeEscalation?: boolean;
  capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: SeccompProfile;
  appArmorProfile?: SeccompProfile;
  seLinuxOptions?: SELinuxOptions;
  procMount?: string;
  windowsOptions?: { hostProcess?: boolean };
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
  securityContext?: Omit<SecurityContext, 'privileged' | 'capabilities' | 'allowPrivilegeEscalation' | 'procMount'> & {
    sysctls?: { name?: string; value?: string }[];
    fsGroup?: number;
  };
  volumes?: ({ name?: string } & Record<string, unknown>)[];
  containers?: ContainerLike[];
  initContainers?: ContainerLike[];
  ephemeralContainers?: ContainerLike[];
}

/**
 * Fields a level admits that this platform's nodes cannot honour, so the agent refuses the pod
 * (CreateContainerConfigError): local seccomp and AppArmor profiles (none are installed) and SELinux options
 * (the engine has none). Sent as `Warning:` headers, so `kubectl apply` shows them before the pod is stuck.
 */
export function nodeUnsupportedWarnings(spec: PodSpecLike, where = 'spec'): string[] {
  const out: string[] = [];
  const check = (sc: Omit<SecurityContext, 'privileged'> | undefined, path: string) => {
    if (!sc) return;
    if (sc.seccompProfile?.type === 'Localhost') out.push(`${path}.seccompProfile: Localhost profiles are not installed on any node; the pod will not start`);
    if (sc.appArmorProfile?.type === 'Localhost') out.push(`${path}.appArmorProfile: Localhost profiles are not installed on any node; the pod will not start`);
    const se = sc.seLinuxOptions;
    if (se && (se.user || se.role || se.type || se.level)) out.push(`${path}.seLinuxOptions: the nodes have no SELinux; the pod will not start`);
  };
  check(spec.securityContext, `${where}.securityContext`);
  for (const [field, list] of [
    ['initContainers', spec.initContainers],
    ['containers', spec.containers],
  ] as const) {
    (list ?? []).forEach((c, i) => check(c.securityContext, `${where}.${field}[${i}].securityContext`));
  }
  return out;
}

/** The level a namespace label names; anything unknown or absent is baseline (this platform's default). */
export function podSecurityLevel(label: string | undefined): PodSecurityLevel {
  return label === 'privileged' || label === 'restricted' ? label : 'baseline';
}

/** The pod spec inside a Pod or a workload's pod template (its kind module says where); undefined for other kinds. */
export function podSpecOf(obj: KubeObject): PodSpecLike | undefined {
  return podTemplateOf(obj)?.spec as PodSpecLike | undefined;
}

/** The pod-template annotations of the same kinds (AppArmor profiles may be set there). */
export function podAnnotationsOf(obj: KubeObject): Record<string, string> | undefined {
  return podTemplateOf(obj)?.metadata?.annotations;
}

// Namespaced sysctls that cannot affect other pods on the node (Kubernetes' safe set).
export const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ping_group_range',
  'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);
const ALLOWED_SELINUX_TYPES = new Set(['', 'container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);
const RESTRICTED_VOLUME_TYPES = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

const quoted = (names: string[]) => names.map((n) => `"${n}"`).join(', ');
const plural = (word: string, n: number) => (n > 1 ? `${word}s` : word);
const who = (c: ContainerLike) => `container "${c.name ?? ''}"`;

/**
 * The violations of `level`, worded as Kubernetes' PodSecurity admission words them (empty = allowed).
 * `annotations` are the pod's (or pod template's) annotations, for the AppArmor annotation form.
 */
export function podSecurityViolations(spec: PodSpecLike, level: PodSecurityLevel = 'baseline', annotations: Record<string, string> = {}): string[] {
  if (level === 'privileged') return [];
  const out = baselineViolations(spec, annotations);
  if (level === 'restricted') out.push(...restrictedViolations(spec));
  return out;
}

function baselineViolations(spec: PodSpecLike, annotations: Record<string, string>): string[] {
  const out: string[] = [];
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const podSc = spec.securityContext ?? {};

  const hostProcess = [
    ...(podSc.windowsOptions?.hostProcess === true ? ['pod'] : []),
    ...containers.filter((c) => c.securityContext?.windowsOptions?.hostProcess === true).map(who),
  ];
  if (hostProcess.length) out.push(`hostProcess (${hostProcess.join(', ')} must not set securityContext.windowsOptions.hostProcess=true)`);

  const privileged = containers.filter((c) => c.securityContext?.privileged === true).map((c) => c.name ?? '');
  if (privileged.length) out.push(`privileged (${plural('container', privileged.length)} ${quoted(privileged)} must not set securityContext.privileged=true)`);

  const hostNs = (['hostNetwork', 'hostPID', 'hostIPC'] as const).filter((k) => spec[k] === true);
  if (hostNs.length) out.push(`host namespaces (${hostNs.map((k) => `${k}=true`).join(', ')})`);

  const hostPaths = (spec.volumes ?? []).filter((v) => v.hostPath !== undefined && v.hostPath !== null).map((v) => v.name ?? '');
  if (hostPaths.length) out.push(`hostPath volumes (${plural('volume', hostPaths.length)} ${quoted(hostPaths)})`);

  for (const c of containers) {
    const add = (c.securityContext?.capabilities?.add ?? []).filter((cap) => !BASELINE_CAPABILITIES.has(cap));
    if (add.length) out.push(`non-default capabilities (${who(c)} must not include ${quoted(add)} in securityContext.capabilities.add)`);
  }
  for (const c of containers) {
    const ports = (c.ports ?? []).map((p) => p.hostPort).filter((p): p is number => typeof p === 'number' && p !== 0);
    if (ports.length) out.push(`hostPort (${who(c)} uses ${plural('hostPort', ports.length)} ${ports.join(', ')})`);
  }

  // AppArmor: the field form (RuntimeDefault and Localhost allowed) and the older annotation form.
  const appArmor: string[] = [];
  if (podSc.appArmorProfile?.type === 'Unconfined') appArmor.push('pod must not set securityContext.appArmorProfile.type to "Unconfined"');
  for (const c of containers)
    if (c.securityContext?.appArmorProfile?.type === 'Unconfined') appArmor.push(`${who(c)} must not set securityContext.appArmorProfile.type to "Unconfined"`);
  const badAnnotations = Object.entries(annotations)
    .filter(([k, v]) => k.startsWith(APPARMOR_ANNOTATION_PREFIX) && v !== 'runtime/default' && !v.startsWith('localhost/'))
    .map(([k, v]) => `${k}="${v}"`);
  if (badAnnotations.length) appArmor.push(...badAnnotations);
  if (appArmor.length) out.push(`forbidden AppArmor ${plural('profile', appArmor.length)} (${appArmor.join('; ')})`);

  const seLinux: string[] = [];
  const checkSELinux = (owner: string, o: SELinuxOptions | undefined) => {
    if (!o) return;
    const bad = [
      ...(!ALLOWED_SELINUX_TYPES.has(o.type ?? '') ? [`type "${o.type ?? ''}"`] : []),
      ...(o.user ? [`user "${o.user}"`] : []),
      ...(o.role ? [`role "${o.role}"`] : []),
    ];
    if (bad.length) seLinux.push(`${owner} set forbidden securityContext.seLinuxOptions: ${bad.join(', ')}`);
  };
  checkSELinux('pod', podSc.seLinuxOptions);
  for (const c of containers) checkSELinux(who(c), c.securityContext?.seLinuxOptions);
  if (seLinux.length) out.push(`seLinuxOptions (${seLinux.join('; ')})`);

  const procMount = containers.filter((c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
  if (procMount.length)
    out.push(`procMount (${procMount.map((c) => `${who(c)} must not set securityContext.procMount to "${c.securityContext?.procMount ?? ''}"`).join(', ')})`);

  const unconfined = [
    ...(podSc.seccompProfile?.type === 'Unconfined' ? ['pod'] : []),
    ...containers.filter((c) => c.securityContext?.seccompProfile?.type === 'Unconfined').map(who),
  ];
  if (unconfined.length) out.push(`seccompProfile (${unconfined.join(', ')} must not set securityContext.seccompProfile.type to "Unconfined")`);

  const sysctls = (podSc.sysctls ?? []).map((s) => s.name ?? '').filter((n) => !SAFE_SYSCTLS.has(n));
  if (sysctls.length) out.push(`forbidden sysctls (${sysctls.join(', ')})`);

  // Not in Kubernetes' baseline: this platform has always refused runAsUser=0 in unprivileged
  // namespaces (tenants were promised that no tenant process runs as uid 0), so baseline keeps it.
  const rootUsers = [...(podSc.runAsUser === 0 ? ['pod'] : []), ...containers.filter((c) => c.securityContext?.runAsUser === 0).map(who)];
  if (rootUsers.length) out.push(`runAsUser=0 (${rootUsers.join(', ')} must not set runAsUser=0)`);
  return out;
}

function restrictedViolations(spec: PodSpecLike): string[] {
  const out: string[] = [];
  // Ephemeral containers are checked too; init containers as containers, as Kubernetes does.
  const containers = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const podSc = spec.securityContext ?? {};

  const badVolumes: string[] = [];
  for (const v of spec.volumes ?? []) {
    const type = Object.keys(v).find((k) => k !== 'name' && v[k] !== undefined && v[k] !== null);
    if (type !== undefined && type !== 'hostPath' && !RESTRICTED_VOLUME_TYPES.has(type))
      badVolumes.push(`volume "${v.name ?? ''}" uses restricted volume type "${type}"`);
  }
  if (badVolumes.length) out.push(`restricted volume types (${badVolumes.join(', ')})`);

  const escalating = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name ?? '');
  if (escalating.length)
    out.push(
      `allowPrivilegeEscalation != false (${plural('container', escalating.length)} ${quoted(escalating)} must set securityContext.allowPrivilegeEscalation=false)`,
    );

  // Container wins over pod: a container is compliant if it sets the field itself, or inherits it.
  const unsetNonRoot = containers.filter((c) => (c.securityContext?.runAsNonRoot ?? podSc.runAsNonRoot) !== true);
  const falseNonRoot = [...(podSc.runAsNonRoot === false ? ['pod'] : []), ...containers.filter((c) => c.securityContext?.runAsNonRoot === false).map(who)];
  if (falseNonRoot.length) out.push(`runAsNonRoot != true (${falseNonRoot.join(', ')} must not set securityContext.runAsNonRoot=false)`);
  else if (unsetNonRoot.length)
    out.push(
      `runAsNonRoot != true (pod or ${plural('container', unsetNonRoot.length)} ${quoted(unsetNonRoot.map((c) => c.name ?? ''))} must set securityContext.runAsNonRoot=true)`,
    );

  const seccompOk = (t: string | undefined) => t === 'RuntimeDefault' || t === 'Localhost';
  const noSeccomp = containers.filter((c) => !seccompOk(c.securityContext?.seccompProfile?.type ?? podSc.seccompProfile?.type)).map((c) => c.name ?? '');
  if (noSeccomp.length)
    out.push(
      `seccompProfile (pod or ${plural('container', noSeccomp.length)} ${quoted(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")`,
    );

  const caps: string[] = [];
  const noDrop = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')).map((c) => c.name ?? '');
  if (noDrop.length) caps.push(`${plural('container', noDrop.length)} ${quoted(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
  for (const c of containers) {
    const add = (c.securityContext?.capabilities?.add ?? []).filter((cap) => cap !== 'NET_BIND_SERVICE');
    if (add.length) caps.push(`${who(c)} must not include ${quoted(add)} in securityContext.capabilities.add`);
  }
  if (caps.length) out.push(`unrestricted capabilities (${caps.join('; ')})`);
  return out;
}

export function podSecurityMessage(violations: string[], level: PodSecurityLevel = 'baseline'): string {
  return `violates PodSecurity "${level}:latest": ${violations.join(', ')}`;
}
