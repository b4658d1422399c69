// Pod Security from a namespace editor: each baseline-refused field is a 403 worded as Kubernetes words
// it, and the fields that are admitted really apply on the real agent (checked from inside the container).
import { statSync } from 'node:fs';
import { BASELINE_CAPABILITIES } from '@flotilla/resources';
import type { KubeObject } from '@flotilla/resources';
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, containerReason, kubectlOk, startAttackCluster } from './support/attacks';

jest.setTimeout(180_000);

let c: AttackCluster;
beforeAll(async () => {
  c = await startAttackCluster('psa');
});
afterAll(async () => {
  await c?.stop();
});

function pod(name: string, spec: Record<string, unknown>, annotations?: Record<string, string>): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, annotations },
    spec: { terminationGracePeriodSeconds: 0, containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'] }], ...spec },
  } as KubeObject;
}
const withSc = (name: string, sc: Record<string, unknown>) =>
  pod(name, { containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'], securityContext: sc }] });

describe('baseline refuses, as a namespace editor', () => {
  it.each<[string, KubeObject, string]>([
    [
      'seccomp Unconfined',
      withSc('s1', { seccompProfile: { type: 'Unconfined' } }),
      'seccompProfile (container "c" must not set securityContext.seccompProfile.type to "Unconfined")',
    ],
    ['procMount Unmasked', withSc('s2', { procMount: 'Unmasked' }), 'procMount (container "c" must not set securityContext.procMount to "Unmasked")'],
    [
      'SELinux spc_t',
      withSc('s3', { seLinuxOptions: { type: 'spc_t' } }),
      'seLinuxOptions (container "c" set forbidden securityContext.seLinuxOptions: type "spc_t")',
    ],
    ['an unsafe sysctl', pod('s4', { securityContext: { sysctls: [{ name: 'kernel.msgmax', value: '1' }] } }), 'forbidden sysctls (kernel.msgmax)'],
    [
      'hostProcess',
      withSc('s5', { windowsOptions: { hostProcess: true } }),
      'hostProcess (container "c" must not set securityContext.windowsOptions.hostProcess=true)',
    ],
    [
      'the AppArmor annotation unconfined',
      pod('s6', {}, { 'container.apparmor.security.beta.kubernetes.io/c': 'unconfined' }),
      'forbidden AppArmor profile (container.apparmor.security.beta.kubernetes.io/c="unconfined")',
    ],
  ])('%s', (_, obj, reason) => {
    const r = c.applyAsTenant(obj);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain('Forbidden');
    expect(r.stderr).toContain(`violates PodSecurity "baseline:latest": ${reason}`);
  });
});

describe('admitted fields apply on the real agent', () => {
  it('runs with the uid, read-only root, sysctl, seccomp filter, dropped capabilities and no-new-privileges', async () => {
    const sc = {
      runAsUser: 1234,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    };
    kubectlOk(
      c.applyAsTenant(
        pod('applied', {
          securityContext: { sysctls: [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }] },
          containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '3600'], securityContext: sc }],
        }),
      ),
    );
    await waitFor('applied Running', async () => (await c.pod('applied'))?.status?.phase === 'Running', 120_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await c.pod('applied'))?.status)}`);
    });
    const run = (cmd: string) => c.kubectl(['exec', '-n', c.ns, 'applied', '--', 'sh', '-c', cmd]);
    expect(run('id -u').stdout.trim()).toBe('1234');
    expect(run('touch /x').code).not.toBe(0);
    expect(run('cat /proc/sys/net/ipv4/ip_unprivileged_port_start').stdout.trim()).toBe('80');
    const status = run('cat /proc/self/status').stdout;
    expect(status).toMatch(/^Seccomp:\s+2$/m);
    expect(status).toMatch(/^CapEff:\s+0000000000000000$/m);
    expect(status).toMatch(/^NoNewPrivs:\s+1$/m);
    await c.assertIntact();
  });

  it('honours every capability baseline admits (the runtime default set), added after dropping ALL', async () => {
    const add = [...BASELINE_CAPABILITIES];
    kubectlOk(c.applyAsTenant(withSc('caps', { capabilities: { drop: ['ALL'], add } })));
    await waitFor('caps Running', async () => (await c.pod('caps'))?.status?.phase === 'Running', 120_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await c.pod('caps'))?.status)}`);
    });
    const status = c.kubectl(['exec', '-n', c.ns, 'caps', '--', 'cat', '/proc/self/status']).stdout;
    // Bits 0,1,3-8,10,18,27,29,31: exactly the thirteen, nothing else (NET_RAW, bit 13, stays dropped).
    expect(status).toMatch(/^CapEff:\s+00000000a80405fb$/m);
    await c.assertIntact();
  });
});

describe('fsGroup makes volumes group-owned, and the walk follows no link', () => {
  it('a pod with runAsUser 1000 and fsGroup 2000 writes into an emptyDir and a claim; links planted earlier stay links', async () => {
    const claim = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'fsg' } } as KubeObject;
    (claim as unknown as { spec: unknown }).spec = { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '10Mi' } } };
    kubectlOk(c.applyAsTenant(claim));
    const data = { name: 'data', persistentVolumeClaim: { claimName: 'fsg' } };
    const baitBefore = statSync(c.bait);
    const keyBefore = statSync(`${c.bait}/admin-token`);
    // An earlier pod (root, no fsGroup) leaves links to the host's secrets and a root-only tree in the claim.
    kubectlOk(
      c.applyAsTenant(
        pod('fsg-planter', {
          restartPolicy: 'Never',
          volumes: [data],
          containers: [
            {
              name: 'c',
              image: 'flotilla/busybox:1',
              command: ['sh', '-c', `ln -s ${c.bait} /data/esc && ln -s ${c.bait}/admin-token /data/tok && mkdir -m 700 /data/sub && touch /data/sub/f`],
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            },
          ],
        }),
      ),
    );
    await waitFor('the planter Succeeded', async () => (await c.pod('fsg-planter'))?.status?.phase === 'Succeeded', 120_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await c.pod('fsg-planter'))?.status)}`);
    });

    expect((await c.api('POST', `/api/v1/namespaces/${c.ns}/secrets`, { metadata: { name: 'fsg' }, stringData: { key: 'v' } })).status).toBe(201);
    kubectlOk(
      c.applyAsTenant(
        pod('fsg', {
          securityContext: { runAsUser: 1000, fsGroup: 2000 },
          volumes: [
            { name: 'scratch', emptyDir: {} },
            data,
            { name: 'mem', emptyDir: { medium: 'Memory', sizeLimit: '1Mi' } },
            { name: 'sec', secret: { secretName: 'fsg', defaultMode: 0o600 } },
          ],
          containers: [
            {
              name: 'c',
              image: 'flotilla/busybox:1',
              command: ['sleep', '3600'],
              volumeMounts: [
                { name: 'scratch', mountPath: '/e' },
                { name: 'data', mountPath: '/data' },
                { name: 'mem', mountPath: '/m' },
                { name: 'sec', mountPath: '/s' },
              ],
            },
          ],
        }),
      ),
    );
    const r = c.applyAsTenant(pod('fsg-warn', { securityContext: { fsGroup: 2000 }, volumes: [{ name: 'scratch', emptyDir: {} }] }));
    expect(r.stderr).not.toMatch(/fsGroup/);
    await waitFor('fsg Running', async () => (await c.pod('fsg'))?.status?.phase === 'Running', 120_000).catch(async (e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify((await c.pod('fsg'))?.status)}`);
    });
    const run = (cmd: string) => kubectlOk(c.kubectl(['exec', '-n', c.ns, 'fsg', '--', 'sh', '-c', cmd]));
    // Without the group, uid 1000 could write into neither (both roots are root's, 0755).
    run('mkdir /e/d /data/d && touch /e/d/f /data/d/f /data/sub/g');
    const modes = run('stat -c "%n %g %a" /e /e/d /e/d/f /data /data/d /data/d/f /data/sub /data/sub/f /data/sub/g').trim().split('\n');
    expect(modes).toEqual([
      '/e 2000 2775',
      '/e/d 2000 2755',
      '/e/d/f 2000 644',
      '/data 2000 2775',
      '/data/d 2000 2755',
      '/data/d/f 2000 644',
      '/data/sub 2000 2770',
      '/data/sub/f 2000 664',
      '/data/sub/g 2000 644',
    ]);
    // A memory emptyDir has the group from its mount; Secret files are readable by the group (not by uid 1000
    // as owner: they are root's, 0600 asked), and not writable.
    run('touch /m/f');
    expect(run('stat -c "%n %g %a" /m /m/f /s/..data/key').trim().split('\n')).toEqual(['/m 2000 3777', '/m/f 2000 644', '/s/..data/key 2000 640']);
    expect(run('cat /s/key')).toBe('v');
    // The links themselves got the group; what they name on the host did not.
    expect(run('stat -c "%g %F" /data/esc /data/tok').trim().split('\n')).toEqual(['2000 symbolic link', '2000 symbolic link']);
    for (const [p, was] of [
      [c.bait, baitBefore],
      [`${c.bait}/admin-token`, keyBefore],
    ] as const) {
      const now = statSync(p);
      expect([now.uid, now.gid, now.mode]).toEqual([was.uid, was.gid, was.mode]);
    }
    await c.assertIntact();
  });
});

describe('admitted but not honoured by any node: a warning at apply time, a clear refusal on the node', () => {
  it.each<[string, Record<string, unknown>, RegExp, RegExp]>([
    [
      'seccomp Localhost',
      { seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/x.json' } },
      /Warning: spec\.containers\[0\]\.securityContext\.seccompProfile: Localhost profiles are not installed on any node/,
      /no local seccomp profiles/,
    ],
    [
      'AppArmor Localhost',
      { appArmorProfile: { type: 'Localhost', localhostProfile: 'x' } },
      /Warning: spec\.containers\[0\]\.securityContext\.appArmorProfile: Localhost profiles are not installed on any node/,
      /no local AppArmor profiles/,
    ],
    [
      'SELinux level',
      { seLinuxOptions: { level: 's0:c1,c2' } },
      /Warning: spec\.containers\[0\]\.securityContext\.seLinuxOptions: the nodes have no SELinux/,
      /has no SELinux/,
    ],
  ])('%s', async (label, sc, warning, refusal) => {
    const name = `w-${label.split(' ')[0].toLowerCase()}`;
    const r = c.applyAsTenant(withSc(name, sc));
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(warning);
    const p = await waitFor(
      `${name} refused by the agent`,
      async () => {
        const got = await c.pod(name);
        return containerReason(got) === 'CreateContainerConfigError' ? got : undefined;
      },
      60_000,
    );
    expect(JSON.stringify(p.status)).toMatch(refusal);
  });
});
