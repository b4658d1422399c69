// DockerRuntime against the real Docker engine (images from docker/images/build.sh; everything labelled and removed).
import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import * as path from 'node:path';
import Docker from 'dockerode';
import type { Container, ContainerStatus, Pod, PodSpec } from '@flotilla/resources';
import { DockerRuntime, containerName, legacyContainerName } from '@flotilla/runtime';
import type { DataResolver } from '@flotilla/runtime';
import type { PodRuntimeStatus } from '@flotilla/runtime';
import { cleanupNode } from '../apps/agent/testing/harness';
import { eventually } from './support/eventually';

jest.setTimeout(60_000);

const docker = new Docker({ socketPath: '/var/run/docker.sock' });
const run = randomUUID().slice(0, 6);
const nodeName = `test-node-${run}`;
const nsA = `rt${run}-a`;
const nsB = `rt${run}-b`;
const testLabels = { 'flotilla.test': '1' };

const configMaps: Record<string, Record<string, string>> = {
  [`${nsA}/app-config`]: { GREETING: 'hello', LEVEL: 'debug', 'settings.conf': 'mode=fast\n' },
};
const secrets: Record<string, Record<string, string>> = { [`${nsA}/app-secret`]: { PASSWORD: 's3cr3t' } };
const resolver: DataResolver = {
  configMap: async (ns, name) => configMaps[`${ns}/${name}`],
  secret: async (ns, name) => secrets[`${ns}/${name}`],
};

function makeRuntime(): DockerRuntime {
  return new DockerRuntime({ docker, nodeName, extraLabels: testLabels, backoff: { baseMs: 200, maxMs: 2000 } });
}

let rt: DockerRuntime;
const runtimes: DockerRuntime[] = [];

function pod(name: string, spec: Partial<PodSpec> & { containers: Container[] }, namespace = nsA): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: randomUUID(), labels: { app: name } },
    spec: { restartPolicy: 'Always', terminationGracePeriodSeconds: 1, ...spec },
  };
}

const sh = (name: string, script: string, extra: Partial<Container> = {}): Container => ({
  name,
  image: 'flotilla/busybox:1',
  command: ['sh', '-c', script],
  ...extra,
});

async function until(p: Pod, pred: (s: PodRuntimeStatus) => boolean, timeoutMs = 20_000, runtime?: DockerRuntime): Promise<PodRuntimeStatus> {
  let last: PodRuntimeStatus | undefined;
  return eventually(
    async () => {
      last = await (runtime ?? rt).syncPod(p, resolver);
      if (!pred(last)) throw new Error(`condition not reached; last status: ${JSON.stringify(last, null, 1)}`);
      return last;
    },
    { timeoutMs, intervalMs: 100 },
  );
}

const cs = (s: PodRuntimeStatus, name: string): ContainerStatus => {
  const found = [...s.containerStatuses, ...s.initContainerStatuses].find((c) => c.name === name);
  if (!found) throw new Error(`no status for ${name}`);
  return found;
};

async function execText(p: Pod, container: string, cmd: string[]): Promise<{ code: number; out: string }> {
  const session = await rt.exec(p, container, cmd);
  const chunks: Buffer[] = [];
  session.stdout.on('data', (b: Buffer) => chunks.push(b));
  session.stderr?.on('data', (b: Buffer) => chunks.push(b));
  const code = await session.exitCode();
  return { code, out: Buffer.concat(chunks).toString('utf8') };
}

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(Buffer.isBuffer(c) ? c : Buffer.from(c));
  return Buffer.concat(chunks).toString('utf8');
}

async function leftovers(uid: string): Promise<{ containers: number; volumes: number }> {
  const c = await docker.listContainers({ all: true, filters: { label: [`flotilla.pod.uid=${uid}`] } });
  const v = await docker.listVolumes({ filters: { label: [`flotilla.pod.uid=${uid}`] } });
  return { containers: c.length, volumes: (v.Volumes ?? []).length };
}

beforeAll(() => {
  execFileSync('bash', [path.resolve(__dirname, '../docker/images/build.sh')], { stdio: 'pipe' });
  rt = makeRuntime();
  runtimes.push(rt);
});

afterEach(async () => {
  await rt.removeOrphans(new Set(), 0);
});

afterAll(async () => {
  for (const r of runtimes) await r.close();
  // Belt and braces: anything of this run's node, its networks and PVC volumes. Twice, a moment apart: a
  // sync already in flight when a runtime closed may still create one last container.
  for (const pause of [0, 1000]) {
    await new Promise((r) => setTimeout(r, pause));
    await cleanupNode(nodeName);
  }
});

describe('DockerRuntime (real Docker engine)', () => {
  it('runs a two-container pod whose containers share localhost, hostname and an emptyDir', async () => {
    const p = pod('shared', {
      volumes: [{ name: 'scratch', emptyDir: {} }],
      containers: [
        sh('web', 'mkdir -p /tmp/www && echo served-by-web > /tmp/www/index.html && exec httpd -f -p 8080 -h /tmp/www', {
          volumeMounts: [{ name: 'scratch', mountPath: '/data' }],
        }),
        sh('writer', 'echo from-writer > /data/note && exec sleep 3600', { volumeMounts: [{ name: 'scratch', mountPath: '/data' }] }),
      ],
    });
    const t0 = Date.now();
    const s = await until(p, (x) => x.phase === 'Running' && x.conditions.find((c) => c.type === 'Ready')?.status === 'True');
    console.log(`two-container pod: Running and Ready after ${Date.now() - t0} ms`);
    expect(s.podIP).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
    expect(s.containerStatuses.map((c) => c.state?.running !== undefined)).toEqual([true, true]);

    // Running is not listening: the web server and the writer's file come a moment after the containers start.
    await eventually(async () =>
      expect((await execText(p, 'writer', ['sh', '-c', 'timeout 3 wget -qO- http://localhost:8080/'])).out).toContain('served-by-web'),
    );
    await eventually(async () => expect((await execText(p, 'web', ['cat', '/data/note'])).out).toBe('from-writer\n'));
    expect((await execText(p, 'writer', ['hostname'])).out.trim()).toBe('shared');

    // Level-triggered: a second sync changes nothing.
    const ids = s.containerStatuses.map((c) => c.containerID);
    const again = await rt.syncPod(p, resolver);
    expect(again.containerStatuses.map((c) => c.containerID)).toEqual(ids);
  });

  it('starts a one-container pod quickly and removes everything on killPod', async () => {
    const p = pod('quick', {
      volumes: [{ name: 'tmp', emptyDir: {} }],
      containers: [sh('main', 'exec sleep 3600', { volumeMounts: [{ name: 'tmp', mountPath: '/tmp/x' }] })],
    });
    const t0 = Date.now();
    const first = await rt.syncPod(p, resolver);
    const firstMs = Date.now() - t0;
    expect(first.phase).toBe('Running');
    console.log(`one-container pod: first syncPod returned Running in ${firstMs} ms`);
    expect(await leftovers(p.metadata.uid as string)).toEqual({ containers: 2, volumes: 1 });
    const t1 = Date.now();
    await rt.killPod(p, 1);
    console.log(`killPod (sh ignores SIGTERM, grace 1 s): ${Date.now() - t1} ms`);
    expect(await leftovers(p.metadata.uid as string)).toEqual({ containers: 0, volumes: 0 });
  });

  it('runs init containers in order before the app container, which sees what they wrote', async () => {
    const vol = [{ name: 'work', mountPath: '/work' }];
    const p = pod('inits', {
      volumes: [{ name: 'work', emptyDir: {} }],
      initContainers: [sh('first', 'sleep 0.3; echo one >> /work/log', { volumeMounts: vol }), sh('second', 'echo two >> /work/log', { volumeMounts: vol })],
      containers: [sh('app', 'cat /work/log; exec sleep 3600', { volumeMounts: vol })],
    });
    const early = await rt.syncPod(p, resolver);
    expect(early.phase).toBe('Pending');
    expect(early.conditions.find((c) => c.type === 'Initialized')?.status).toBe('False');
    expect(cs(early, 'app').state?.waiting?.reason).toBe('PodInitializing');
    const s = await until(p, (x) => x.phase === 'Running');
    expect(s.initContainerStatuses.map((c) => c.state?.terminated?.reason)).toEqual(['Completed', 'Completed']);
    expect(s.conditions.find((c) => c.type === 'Initialized')?.status).toBe('True');
    // Docker's log driver writes the last lines a moment after the container runs.
    await eventually(async () => expect(await readAll(await rt.logs(p, 'app', {}))).toBe('one\ntwo\n'));
  });

  it('resolves env from values, configMaps, secrets, envFrom and fieldRefs, and projects a configMap volume', async () => {
    const p = pod('envs', {
      volumes: [{ name: 'cfg', configMap: { name: 'app-config' } }],
      containers: [
        sh('app', 'exec sleep 3600', {
          envFrom: [{ configMapRef: { name: 'app-config' }, prefix: 'CFG_' }],
          env: [
            { name: 'PLAIN', value: 'x' },
            { name: 'EXPANDED', value: '$(PLAIN)-$(CFG_LEVEL)' },
            { name: 'GREETING', valueFrom: { configMapKeyRef: { name: 'app-config', key: 'GREETING' } } },
            { name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'app-secret', key: 'PASSWORD' } } },
            { name: 'POD_NAME', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
            { name: 'POD_NS', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
            { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
          ],
          volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
        }),
      ],
    });
    const s = await until(p, (x) => x.phase === 'Running');
    const env = (await execText(p, 'app', ['env'])).out;
    expect(env).toContain('PLAIN=x\n');
    expect(env).toContain('EXPANDED=x-debug\n');
    expect(env).toContain('GREETING=hello\n');
    expect(env).toContain('PASSWORD=s3cr3t\n');
    expect(env).toContain('CFG_LEVEL=debug\n');
    expect(env).toContain('POD_NAME=envs\n');
    expect(env).toContain(`POD_NS=${nsA}\n`);
    expect(env).toContain(`POD_IP=${s.podIP}\n`);
    expect((await execText(p, 'app', ['cat', '/etc/app/settings.conf'])).out).toBe('mode=fast\n');
    expect((await execText(p, 'app', ['sh', '-c', 'echo x > /etc/app/new'])).code).not.toBe(0);

    // A changed configMap is projected again on the next sync (no restart).
    configMaps[`${nsA}/app-config`] = { ...configMaps[`${nsA}/app-config`], 'settings.conf': 'mode=slow\n' };
    try {
      await rt.syncPod(p, resolver);
      expect((await execText(p, 'app', ['cat', '/etc/app/settings.conf'])).out).toBe('mode=slow\n');
    } finally {
      configMaps[`${nsA}/app-config`]['settings.conf'] = 'mode=fast\n';
    }

    // A missing secret is a config error the user can read.
    const bad = pod('bad-env', { containers: [sh('app', 'sleep 1', { env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'nope', key: 'k' } } }] })] });
    const b = await rt.syncPod(bad, resolver);
    expect(cs(b, 'app').state?.waiting).toEqual({ reason: 'CreateContainerConfigError', message: 'secret "nope" not found' });
    expect(b.phase).toBe('Pending');
  });

  it('restarts a failing container with growing back-off and reports CrashLoopBackOff; logs --previous shows the last run', async () => {
    const p = pod('crasher', { containers: [sh('app', 'echo run $(cat /proc/uptime); exit 1')] });
    const t0 = Date.now();
    const s = await until(p, (x) => cs(x, 'app').restartCount >= 2 && cs(x, 'app').state?.waiting?.reason === 'CrashLoopBackOff');
    const c = cs(s, 'app');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(600); // 200 ms + 400 ms of back-off at least
    expect(c.lastState?.terminated).toMatchObject({ exitCode: 1, reason: 'Error' });
    // After n restarts the runtime waits 2^n × base (200 ms, 400 ms, 800 ms, 1.6 s …); on a loaded machine the
    // status may be read a restart or two later, and kubelet prints a second or more in whole seconds.
    const delay = 200 * 2 ** c.restartCount;
    const printed = delay < 1000 ? `${delay}ms` : `${Math.round(delay / 1000)}s`;
    expect(c.state?.waiting?.message).toMatch(new RegExp(`^back-off ${printed} restarting failed container=app pod=crasher_${nsA}\\(`));
    expect(s.phase).toBe('Running');
    expect(s.conditions.find((x) => x.type === 'Ready')?.status).toBe('False');
    const prev = await readAll(await rt.logs(p, 'app', { previous: true }));
    expect(prev).toMatch(/^run [\d.]+ [\d.]+\n$/);
    const current = await readAll(await rt.logs(p, 'app', {}));
    expect(current).toMatch(/^run [\d.]+ [\d.]+\n$/);
    expect(current).not.toBe(prev);
  });

  it('reports Succeeded for restartPolicy Never and exit 0, Failed for exit 1', async () => {
    const ok = pod('job-ok', { restartPolicy: 'Never', containers: [sh('app', 'echo done')] });
    const s = await until(ok, (x) => x.phase === 'Succeeded');
    expect(cs(s, 'app').state?.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(s.conditions.find((x) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'PodCompleted' });
    const bad = pod('job-bad', { restartPolicy: 'Never', containers: [sh('app', 'exit 3')] });
    const f = await until(bad, (x) => x.phase === 'Failed');
    expect(cs(f, 'app').state?.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(cs(f, 'app').restartCount).toBe(0);
  });

  it('reports OOMKilled for a container that exceeds its memory limit', async () => {
    const p = pod('oom', {
      restartPolicy: 'Never',
      containers: [sh('hog', 'x=$(head -c 200m /dev/zero | tr "\\0" x); echo survived', { resources: { limits: { memory: '16Mi', cpu: '500m' } } })],
    });
    const s = await until(p, (x) => x.phase === 'Failed');
    expect(cs(s, 'hog').state?.terminated).toMatchObject({ reason: 'OOMKilled', exitCode: 137 });
    const info = await docker.getContainer(cs(s, 'hog').containerID?.replace('docker://', '') ?? '').inspect();
    expect(info.HostConfig.Memory).toBe(16 * 1024 * 1024);
    expect(info.HostConfig.NanoCpus).toBe(500_000_000);
  });

  it('flips Ready with an httpGet readiness probe and restarts a container whose liveness probe fails', async () => {
    const p = pod('probed', {
      containers: [
        sh('web', 'mkdir -p /tmp/www; touch /tmp/alive; (sleep 1; echo ok > /tmp/www/ready) & exec httpd -f -p 8080 -h /tmp/www', {
          ports: [{ name: 'http', containerPort: 8080 }],
          readinessProbe: { httpGet: { path: '/ready', port: 'http' }, periodSeconds: 0.2, failureThreshold: 1 },
          livenessProbe: { exec: { command: ['test', '-f', '/tmp/alive'] }, periodSeconds: 0.2, failureThreshold: 2 },
        }),
      ],
    });
    const running = await until(p, (x) => x.phase === 'Running');
    expect(running.conditions.find((c) => c.type === 'Ready')?.status).toBe('False');
    const ready = await until(p, (x) => x.conditions.find((c) => c.type === 'Ready')?.status === 'True', 20_000);
    expect(cs(ready, 'web').ready).toBe(true);

    // Not ready again when the endpoint fails.
    await execText(p, 'web', ['rm', '/tmp/www/ready']);
    await until(p, (x) => !cs(x, 'web').ready, 15_000);

    // Liveness: remove the file; the runtime kills and restarts the container by itself.
    await execText(p, 'web', ['rm', '/tmp/alive']);
    const restarted = await until(p, (x) => cs(x, 'web').restartCount === 1 && cs(x, 'web').state?.running !== undefined, 30_000);
    expect(restarted.containerStatuses[0].lastState?.terminated?.exitCode).toBe(137);
  });

  it('reports ErrImagePull and then ImagePullBackOff for an image that is not here and cannot be pulled', async () => {
    const p = pod('noimage', { containers: [{ name: 'app', image: `flotilla/does-not-exist-${run}:1` }] });
    const s = await rt.syncPod(p, resolver);
    expect(cs(s, 'app').state?.waiting?.reason).toBe('ErrImagePull');
    expect(cs(s, 'app').state?.waiting?.message).toContain(`failed to pull image "flotilla/does-not-exist-${run}:1"`);
    expect(s.phase).toBe('Pending');
    expect(s.reason).toBe('ErrImagePull');
    const again = await rt.syncPod(p, resolver);
    expect(cs(again, 'app').state?.waiting?.reason).toBe('ImagePullBackOff');
    const never = pod('never', { containers: [{ name: 'app', image: `flotilla/does-not-exist-${run}:1`, imagePullPolicy: 'Never' }] });
    expect(cs(await rt.syncPod(never, resolver), 'app').state?.waiting?.reason).toBe('ErrImageNeverPull');
  });

  it('adopts running pods after a restart without restarting them, and removes orphans', async () => {
    const p = pod('adopted', { containers: [sh('app', 'exec sleep 3600')] });
    const orphan = pod('orphan', {
      volumes: [{ name: 'v', emptyDir: {} }],
      containers: [sh('app', 'exec sleep 3600', { volumeMounts: [{ name: 'v', mountPath: '/v' }] })],
    });
    const before = await until(p, (x) => x.phase === 'Running');
    // The orphan is made by an agent that then goes away (its pod is deleted while it is down): a runtime
    // that still knew the pod would react to its containers dying and race the removal.
    const gone = makeRuntime();
    await until(orphan, (x) => x.phase === 'Running', 20_000, gone);
    await gone.close();
    const startedAt = cs(before, 'app').state?.running?.startedAt;

    const fresh = makeRuntime();
    runtimes.push(fresh);
    const managed = await fresh.listManaged();
    const mine = managed.find((m) => m.podUid === p.metadata.uid);
    expect(mine).toMatchObject({ namespace: nsA, name: 'adopted' });
    expect(mine?.containers.map((c) => `${c.role}:${c.name}:${c.state}`).sort()).toEqual(['container:app:running', 'sandbox:POD:running']);

    const after = await fresh.syncPod(p, resolver);
    expect(cs(after, 'app').containerID).toBe(cs(before, 'app').containerID);
    expect(cs(after, 'app').state?.running?.startedAt).toBe(startedAt);
    expect(cs(after, 'app').restartCount).toBe(0);

    const removed = await fresh.removeOrphans(new Set([p.metadata.uid as string]), 0);
    expect(removed).toContain(orphan.metadata.uid);
    expect(await leftovers(orphan.metadata.uid as string)).toEqual({ containers: 0, volumes: 0 });
    expect((await leftovers(p.metadata.uid as string)).containers).toBe(2);
    // Only one agent per node: retire the fresh one before the first removes the pod.
    await fresh.close();
  });

  it("finds containers an older agent named with the uid's first 8 digits: adopts them, serves their logs and exec, keeps one previous", async () => {
    // Runs until told to stop (a file in its own /tmp, which a new instance does not have), then fails.
    const p = pod('legacy', {
      containers: [sh('app', 'echo run-$(cat /proc/sys/kernel/random/uuid); until [ -f /tmp/stop ]; do sleep 0.1; done; exit 1')],
    });
    const before = await until(p, (x) => x.phase === 'Running');
    const ref = { uid: p.metadata.uid as string, name: 'legacy', namespace: nsA };
    // What an agent before the full-uid names left behind: the same containers under the old names.
    for (const c of ['POD', 'app']) await docker.getContainer(containerName(ref, c)).rename({ name: legacyContainerName(ref, c) });

    const after = await rt.syncPod(p, resolver);
    expect(cs(after, 'app').containerID).toBe(cs(before, 'app').containerID);
    expect(cs(after, 'app').restartCount).toBe(0);
    await eventually(async () => expect(await readAll(await rt.logs(p, 'app'))).toMatch(/^run-/));
    expect(await execText(p, 'app', ['echo', 'inside'])).toEqual({ code: 0, out: 'inside\n' });

    // A restart keeps exactly one previous instance, whichever scheme named the one it replaces.
    const first = await readAll(await rt.logs(p, 'app'));
    expect((await execText(p, 'app', ['touch', '/tmp/stop'])).code).toBe(0);
    await until(p, (x) => cs(x, 'app').restartCount === 1 && x.phase === 'Running');
    expect(await readAll(await rt.logs(p, 'app', { previous: true }))).toBe(first);
    await eventually(async () => expect(await readAll(await rt.logs(p, 'app'))).not.toBe(first));
    expect((await execText(p, 'app', ['touch', '/tmp/stop'])).code).toBe(0);
    await until(p, (x) => cs(x, 'app').restartCount === 2 && x.phase === 'Running');
    const apps = await docker.listContainers({ all: true, filters: { label: [`flotilla.pod.uid=${ref.uid}`, 'flotilla.container.name=app'] } });
    expect(apps).toHaveLength(2);
    expect(apps.flatMap((c) => c.Names).sort()).toEqual([`/${containerName(ref, 'app')}`, `/${containerName(ref, 'app')}_prev`]);
  });

  it('isolates namespaces: pods reach each other by IP within a namespace but not across', async () => {
    const server = (name: string, ns: string): Pod => pod(name, { containers: [sh('web', 'echo hi > /tmp/index.html; exec httpd -f -p 8080 -h /tmp')] }, ns);
    const a1 = server('a1', nsA);
    const a2 = server('a2', nsA);
    const b1 = server('b1', nsB);
    const [, sa2, sb1] = await Promise.all([a1, a2, b1].map((p) => until(p, (x) => x.phase === 'Running')));
    expect(sa2.podIP).not.toBe(sb1.podIP);
    const get = (ip: string | undefined): Promise<{ code: number; out: string }> =>
      execText(a1, 'web', ['sh', '-c', `timeout 2 wget -qO- http://${ip}:8080/index.html`]);
    expect(await get(sa2.podIP)).toEqual({ code: 0, out: 'hi\n' });
    expect((await get(sb1.podIP)).code).not.toBe(0);
    // And by name: the pod name resolves only inside its own namespace network.
    expect((await execText(a1, 'web', ['sh', '-c', 'timeout 2 wget -qO- http://a2:8080/index.html'])).out).toBe('hi\n');
    expect((await execText(a1, 'web', ['sh', '-c', 'timeout 2 wget -qO- http://b1:8080/index.html'])).code).not.toBe(0);
  });

  it('serves logs with tailLines, timestamps and limitBytes', async () => {
    const p = pod('talker', { containers: [sh('app', 'for i in 1 2 3 4 5; do echo line $i; echo err $i >&2; done; exec sleep 3600')] });
    await until(p, (x) => x.phase === 'Running');
    const all = await eventually(async () => {
      const text = await readAll(await rt.logs(p, 'app', {}));
      expect(text.split('\n').filter(Boolean)).toHaveLength(10);
      return text;
    });
    expect(all).toContain('err 5\n');
    const tail = await readAll(await rt.logs(p, 'app', { tailLines: 2 }));
    expect(tail.split('\n').filter(Boolean)).toHaveLength(2);
    const ts = await readAll(await rt.logs(p, 'app', { tailLines: 1, timestamps: true }));
    expect(ts).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z (line|err) 5\n$/);
    const limited = await readAll(await rt.logs(p, 'app', { limitBytes: 7 }));
    expect(limited).toHaveLength(7);
    await expect(rt.logs(p, 'app', { previous: true })).rejects.toThrow('previous terminated container "app" in pod "talker" not found');
  });
});
