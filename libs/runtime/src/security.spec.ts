import { BASELINE_CAPABILITIES } from '@flotilla/resources';
import type { Container, Pod } from '@flotilla/resources';
import { containerSecurity, sandboxSysctls } from './security';

const pod = (podSc: Record<string, unknown>, sc: Record<string, unknown> = {}): [Pod, Container] => {
  const c = { name: 'c', image: 'x', securityContext: sc } as Container;
  return [
    { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'n', uid: 'u' }, spec: { securityContext: podSc, containers: [c] } } as unknown as Pod,
    c,
  ];
};
const map = (podSc: Record<string, unknown>, sc: Record<string, unknown> = {}, imageUser?: string, allowPrivileged = false) =>
  containerSecurity(...pod(podSc, sc), imageUser, { allowPrivileged });

describe('containerSecurity: applied', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, Record<string, unknown>]>([
    ['runAsUser and runAsGroup as uid:gid', { runAsUser: 1000, runAsGroup: 2000 }, {}, { User: '1000:2000' }],
    ['the container winning over the pod', { runAsUser: 1000 }, { runAsUser: 1001 }, { User: '1001' }],
    ['supplementalGroups and fsGroup as extra groups', { supplementalGroups: [5, 6], fsGroup: 6 }, {}, { GroupAdd: ['5', '6'] }],
    ['readOnlyRootFilesystem', {}, { readOnlyRootFilesystem: true }, { ReadonlyRootfs: true }],
    ['allowPrivilegeEscalation=false as no-new-privileges', {}, { allowPrivilegeEscalation: false }, { SecurityOpt: ['no-new-privileges'] }],
    ['capabilities drop (ALL included)', {}, { capabilities: { drop: ['ALL'] } }, { CapDrop: ['ALL'] }],
    ['seccomp RuntimeDefault as Docker default profile', { seccompProfile: { type: 'RuntimeDefault' } }, {}, { SecurityOpt: undefined }],
  ])('%s', (_, podSc, sc, expected) => expect(map(podSc, sc, '0')).toMatchObject(expected));

  it('uses the image user with a lone runAsGroup', () => expect(map({ runAsGroup: 7 }, {}, '1000:1000').User).toBe('1000:7'));
  it('admits runAsNonRoot with a numeric non-zero user', () => expect(map({ runAsNonRoot: true }, {}, '1000').User).toBeUndefined());

  it('maps the privileged-only options when the namespace is privileged', () => {
    const sc = {
      privileged: true,
      capabilities: { add: ['NET_ADMIN'] },
      seccompProfile: { type: 'Unconfined' },
      appArmorProfile: { type: 'Unconfined' },
      procMount: 'Unmasked',
    };
    expect(map({}, sc, undefined, true)).toMatchObject({
      Privileged: true,
      CapAdd: ['NET_ADMIN'],
      SecurityOpt: ['seccomp=unconfined', 'apparmor=unconfined', 'systempaths=unconfined'],
    });
  });
});

describe('containerSecurity: refused, never ignored', () => {
  it.each<[string, Record<string, unknown>, Record<string, unknown>, string | undefined, RegExp]>([
    ['runAsNonRoot with a root image', { runAsNonRoot: true }, {}, '', /container has runAsNonRoot and image will run as root/],
    ['runAsNonRoot with an unverifiable user name', { runAsNonRoot: true }, {}, 'nobody', /image will run as root/],
    ['runAsNonRoot with runAsUser 0', {}, { runAsNonRoot: true, runAsUser: 0 }, '1000', /image will run as root/],
    ['privileged', {}, { privileged: true }, '1', /privileged containers are not allowed/],
    [
      'added capabilities beyond the default set',
      {},
      { capabilities: { add: ['CHOWN', 'NET_ADMIN'] } },
      '1',
      /adding capabilities \(NET_ADMIN\) is not allowed/,
    ],
    ['seccomp Unconfined', {}, { seccompProfile: { type: 'Unconfined' } }, '1', /seccompProfile Unconfined/],
    ['seccomp Localhost', {}, { seccompProfile: { type: 'Localhost', localhostProfile: 'p' } }, '1', /no local seccomp profiles/],
    ['AppArmor Unconfined', {}, { appArmorProfile: { type: 'Unconfined' } }, '1', /appArmorProfile Unconfined/],
    ['AppArmor Localhost', {}, { appArmorProfile: { type: 'Localhost', localhostProfile: 'p' } }, '1', /no local AppArmor profiles/],
    ['SELinux options', { seLinuxOptions: { level: 's0:c1' } }, {}, '1', /has no SELinux/],
    ['procMount Unmasked', {}, { procMount: 'Unmasked' }, '1', /procMount Unmasked/],
  ])('%s', (_, podSc, sc, imageUser, message) => expect(() => map(podSc, sc, imageUser)).toThrow(message));
});

describe('containerSecurity: what baseline admits is honoured', () => {
  it('adds the capabilities of the default set that baseline allows, after dropping ALL', () => {
    const add = [...BASELINE_CAPABILITIES];
    expect(map({}, { capabilities: { drop: ['ALL'], add } }, '1')).toMatchObject({ CapDrop: ['ALL'], CapAdd: add });
  });
});

describe('sandboxSysctls', () => {
  it('maps the pod sysctls for the sandbox, and none when there are none', () => {
    expect(sandboxSysctls(pod({ sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] })[0])).toEqual({
      'net.ipv4.ip_unprivileged_port_start': '80',
    });
    expect(sandboxSysctls(pod({})[0])).toBeUndefined();
  });
});
