import type { KubeObject } from '@flotilla/resources';
import { nodeUnsupportedWarnings, podAnnotationsOf, podSecurityLevel, podSecurityMessage, podSecurityViolations, type PodSecurityLevel } from './pod-security';

type Spec = Parameters<typeof podSecurityViolations>[0];
const one = (sc: Record<string, unknown>, extra: Record<string, unknown> = {}): Spec =>
  ({ containers: [{ name: 'c', securityContext: sc, ...extra }] }) as Spec;
// A pod that passes restricted: the starting point for each restricted case.
const compliant = (sc: Record<string, unknown> = {}, pod: Record<string, unknown> = {}): Spec =>
  ({
    securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
    containers: [{ name: 'c', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] }, ...sc } }],
    ...pod,
  }) as Spec;

describe('pod security: baseline', () => {
  const cases: [string, Spec, string][] = [
    [
      'hostProcess (pod)',
      { securityContext: { windowsOptions: { hostProcess: true } }, containers: [] },
      'hostProcess (pod must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    [
      'hostProcess (container)',
      one({ windowsOptions: { hostProcess: true } }),
      'hostProcess (container "c" must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    ['privileged', one({ privileged: true }), 'privileged (container "c" must not set securityContext.privileged=true)'],
    ['host namespaces', { hostPID: true, hostIPC: true, containers: [] }, 'host namespaces (hostPID=true, hostIPC=true)'],
    ['hostPath', { volumes: [{ name: 'v', hostPath: { path: '/' } }] }, 'hostPath volumes (volume "v")'],
    [
      'capabilities',
      one({ capabilities: { add: ['CHOWN', 'SYS_ADMIN'] } }),
      'non-default capabilities (container "c" must not include "SYS_ADMIN" in securityContext.capabilities.add)',
    ],
    ['hostPort', one({}, { ports: [{ hostPort: 80 }, { hostPort: 81 }] }), 'hostPort (container "c" uses hostPorts 80, 81)'],
    [
      'AppArmor field',
      one({ appArmorProfile: { type: 'Unconfined' } }),
      'forbidden AppArmor profile (container "c" must not set securityContext.appArmorProfile.type to "Unconfined")',
    ],
    [
      'SELinux type',
      { securityContext: { seLinuxOptions: { type: 'spc_t' } }, containers: [] },
      'seLinuxOptions (pod set forbidden securityContext.seLinuxOptions: type "spc_t")',
    ],
    [
      'SELinux user/role',
      one({ seLinuxOptions: { user: 'u', role: 'r' } }),
      'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: user "u", role "r")',
    ],
    ['procMount', one({ procMount: 'Unmasked' }), 'procMount (container "c" must not set securityContext.procMount to "Unmasked")'],
    [
      'seccomp Unconfined',
      one({ seccompProfile: { type: 'Unconfined' } }),
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    ['unsafe sysctl', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] }, containers: [] }, 'forbidden sysctls (kernel.msgmax)'],
    ['runAsUser=0 (this platform keeps it)', one({ runAsUser: 0 }), 'runAsUser=0 (container "c" must not set runAsUser=0)'],
  ];
  it.each(cases)('refuses %s', (_, spec, message) => {
    expect(podSecurityViolations(spec)).toEqual([message]);
    expect(podSecurityViolations(spec, 'privileged')).toEqual([]);
  });

  const allowed: [string, Spec][] = [
    ['an empty pod', { containers: [{ name: 'c' }] }],
    ['baseline capabilities', one({ capabilities: { add: ['NET_BIND_SERVICE', 'CHOWN'] } })],
    ['allowed SELinux type and level', one({ seLinuxOptions: { type: 'container_t', level: 's0:c1,c2' } })],
    ['Default procMount', one({ procMount: 'Default' })],
    [
      'RuntimeDefault and Localhost profiles',
      one({ seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' }, appArmorProfile: { type: 'RuntimeDefault' } }),
    ],
    ['safe sysctls', { securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '0' }] }, containers: [] }],
  ];
  it.each(allowed)('admits %s', (_, spec) => expect(podSecurityViolations(spec)).toEqual([]));

  it('reads the AppArmor annotations', () => {
    const annotations = {
      'container.apparmor.security.beta.kubernetes.io/c': 'unconfined',
      'container.apparmor.security.beta.kubernetes.io/d': 'runtime/default',
      'container.apparmor.security.beta.kubernetes.io/e': 'localhost/p',
    };
    expect(podSecurityViolations({ containers: [] }, 'baseline', annotations)).toEqual([
      'forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c="unconfined")',
    ]);
    const deploy = { kind: 'Deployment', metadata: {}, spec: { template: { metadata: { annotations }, spec: {} } } } as unknown as KubeObject;
    expect(podAnnotationsOf(deploy)).toBe(annotations);
  });
});

describe('pod security: restricted', () => {
  it('admits a compliant pod and refuses a default one with every reason', () => {
    expect(podSecurityViolations(compliant(), 'restricted')).toEqual([]);
    expect(podSecurityViolations({ containers: [{ name: 'c' }] }, 'restricted')).toEqual([
      'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false)',
      'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)',
      'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
      'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"])',
    ]);
  });
  const cases: [string, Spec, string][] = [
    [
      'a restricted volume type',
      compliant({}, { volumes: [{ name: 'n', nfs: { server: 's', path: '/' } }] }),
      'restricted volume types (volume "n" uses restricted volume type "nfs")',
    ],
    [
      'runAsNonRoot=false on a container',
      compliant({ runAsNonRoot: false }),
      'runAsNonRoot != true (container "c" must not set securityContext.runAsNonRoot=false)',
    ],
    [
      'seccomp unset on the container and pod',
      compliant({}, { securityContext: { runAsNonRoot: true } }),
      'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    ],
    [
      'an added capability other than NET_BIND_SERVICE',
      compliant({ capabilities: { drop: ['ALL'], add: ['NET_BIND_SERVICE', 'CHOWN'] } }),
      'unrestricted capabilities (container "c" must not include "CHOWN" in securityContext.capabilities.add)',
    ],
  ];
  it.each(cases)('refuses %s', (_, spec, message) => {
    expect(podSecurityViolations(spec, 'restricted')).toEqual([message]);
    expect(podSecurityViolations(spec, 'baseline')).toEqual([]);
  });
  it('lets the container setting win over the pod setting', () => {
    const spec = compliant({ runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } }, { securityContext: {} });
    expect(podSecurityViolations(spec, 'restricted')).toEqual([]);
  });
});

describe('pod security: levels and messages', () => {
  it.each<[string | undefined, PodSecurityLevel]>([
    [undefined, 'baseline'],
    ['privileged', 'privileged'],
    ['restricted', 'restricted'],
    ['bogus', 'baseline'],
  ])('label %s is level %s', (label, level) => expect(podSecurityLevel(label)).toBe(level));
  it('words the message as Kubernetes does', () => {
    expect(podSecurityMessage(['a', 'b'], 'restricted')).toBe('violates PodSecurity "restricted:latest": a, b');
    expect(podSecurityMessage(['a'])).toBe('violates PodSecurity "baseline:latest": a');
  });
});

describe('nodeUnsupportedWarnings: admitted, but no node can honour it', () => {
  it('names local seccomp and AppArmor profiles and SELinux options by field path', () => {
    const spec = {
      securityContext: { seLinuxOptions: { level: 's0:c1,c2' } },
      containers: [
        { name: 'a', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } },
        {
          name: 'b',
          securityContext: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' }, appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } },
        },
      ],
    };
    expect(nodeUnsupportedWarnings(spec, 'spec.template.spec')).toEqual([
      'spec.template.spec.securityContext.seLinuxOptions: the nodes have no SELinux; the pod will not start',
      'spec.template.spec.containers[1].securityContext.seccompProfile: Localhost profiles are not installed on any node; the pod will not start',
      'spec.template.spec.containers[1].securityContext.appArmorProfile: Localhost profiles are not installed on any node; the pod will not start',
    ]);
    expect(nodeUnsupportedWarnings({ containers: [{ name: 'a', securityContext: { seccompProfile: { type: 'RuntimeDefault' } } }] })).toEqual([]);
    // Volumes are made group-owned by fsGroup on the nodes, so nothing to warn about.
    expect(nodeUnsupportedWarnings({ securityContext: { fsGroup: 2000 }, volumes: [{ name: 'd', emptyDir: {} }], containers: [] })).toEqual([]);
    expect(nodeUnsupportedWarnings({ securityContext: { fsGroup: 2000 }, containers: [] })).toEqual([]);
  });
});
