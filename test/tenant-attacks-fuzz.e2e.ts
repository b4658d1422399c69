// A fuzz pass over pod creation as a hostile tenant (issue 14): a few thousand generated pod specs with
// hostile values (NUL and lone surrogates, huge strings, negative and huge numbers, wrong types, deep
// nesting, odd paths, malformed images, ports, env, volumes, securityContext fields) and malformed bodies,
// sent as the namespace editor through the real API. Every answer is a 2xx or a 4xx in Kubernetes `Status`
// form, never a 500; a sample of the admitted specs is run by the real agent, which never exits, and the
// cluster is intact at the end. The seed is printed; FUZZ_SEED=<seed> replays a run, FUZZ_COUNT sets its size.
import { waitFor } from '../apps/agent/testing/harness';
import { AttackCluster, startAttackCluster } from './support/attacks';
import { seededRandom } from './support/fixtures';

jest.setTimeout(180_000);

const SEED = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) >>> 0 : (Math.random() * 2 ** 32) >>> 0;
const COUNT = Number(process.env.FUZZ_COUNT ?? 2000);
/** How many admitted specs are created for real (the rest are dry runs: admission and validation only). */
const RUN_ON_AGENT = 30;
const PARALLEL = 8;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

class Gen {
  constructor(readonly r: () => number) {}
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }
  chance(p: number): boolean {
    return this.r() < p;
  }

  hostileString(): string {
    switch (this.int(14)) {
      case 0:
        return 'a\u0000b';
      case 1:
        return '\ud800'; // a lone surrogate
      case 2:
        return 'x'.repeat(this.pick([64, 254, 4096, 70_000]));
      case 3:
        return '../../../../etc/passwd';
      case 4:
        return '/proc/self/root';
      case 5:
        return 'ünïcødé-名前-🚀';
      case 6:
        return '';
      case 7:
        return ' ';
      case 8:
        return '${HOME}$(id)`id`';
      case 9:
        return 'a/b\\c:d;e|f';
      case 10:
        return '\u202e\u200b\ufeff';
      case 11:
        return '%2e%2e%2f%00';
      case 12:
        return 'UPPER_case.with.dots-';
      default:
        return `n${this.int(1_000_000)}`;
    }
  }

  hostileNumber(): number {
    return this.pick([-1, 0, 1, 65535, 65536, -2147483649, 2 ** 31, 2 ** 53 + 1, 1e308, -1e308, 0.5, 1e-300]);
  }

  deep(depth: number): Json {
    let v: Json = 'leaf';
    for (let i = 0; i < depth; i++) v = this.chance(0.5) ? { k: v } : [v];
    return v;
  }

  /** Any value, hostile or of the wrong type. */
  anything(): Json {
    switch (this.int(9)) {
      case 0:
      case 1:
      case 2:
        return this.hostileString();
      case 3:
      case 4:
        return this.hostileNumber();
      case 5:
        return this.chance(0.5);
      case 6:
        return null;
      case 7:
        return this.deep(this.pick([3, 40, 600]));
      default:
        return this.chance(0.5) ? [this.hostileString(), this.hostileNumber()] : { [this.hostileString()]: this.hostileString() };
    }
  }

  image(): string {
    return this.pick([
      'flotilla/busybox:1',
      '../../etc/passwd',
      '..//127.0.0.1:18999/probe',
      'flotilla/busybox:1@sha256:' + '0'.repeat(64),
      'UPPER/case:1',
      'a:b:c',
      'localhost:99999/x',
      'x'.repeat(300),
      'flotilla/busybox:',
      '@sha256:abc',
      'flotilla/busybox:1\u0000',
      'http://example.com/x',
      'flotilla/nonexistent:1',
      ' flotilla/busybox:1',
    ]);
  }
}

/** A pod that would be admitted and run, before it is made hostile. */
function basePod(name: string): Record<string, Json> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'fuzz' } },
    spec: {
      restartPolicy: 'Never',
      terminationGracePeriodSeconds: 0,
      containers: [{ name: 'c', image: 'flotilla/busybox:1', command: ['sleep', '30'] }],
    },
  };
}

/** Fields an attacker would reach for; each mutation sets one to a generated value. */
const PATHS: readonly string[] = [
  'metadata.name',
  'metadata.generateName',
  'metadata.labels',
  'metadata.annotations',
  'metadata.ownerReferences',
  'metadata.finalizers',
  'metadata.namespace',
  'spec.nodeName',
  'spec.nodeSelector',
  'spec.hostname',
  'spec.subdomain',
  'spec.hostNetwork',
  'spec.hostPID',
  'spec.dnsPolicy',
  'spec.dnsConfig',
  'spec.hostAliases',
  'spec.tolerations',
  'spec.activeDeadlineSeconds',
  'spec.terminationGracePeriodSeconds',
  'spec.priority',
  'spec.restartPolicy',
  'spec.securityContext',
  'spec.securityContext.runAsUser',
  'spec.securityContext.fsGroup',
  'spec.securityContext.sysctls',
  'spec.securityContext.supplementalGroups',
  'spec.volumes',
  'spec.initContainers',
  'spec.containers',
  'spec.containers[0].name',
  'spec.containers[0].image',
  'spec.containers[0].command',
  'spec.containers[0].args',
  'spec.containers[0].workingDir',
  'spec.containers[0].ports',
  'spec.containers[0].env',
  'spec.containers[0].envFrom',
  'spec.containers[0].resources',
  'spec.containers[0].volumeMounts',
  'spec.containers[0].securityContext',
  'spec.containers[0].securityContext.capabilities',
  'spec.containers[0].securityContext.runAsUser',
  'spec.containers[0].livenessProbe',
  'spec.containers[0].lifecycle',
  'spec.containers[0].imagePullPolicy',
  'spec.containers[0].stdin',
];

/** A plausible but hostile value for a path: the right shape with bad contents, so validation goes deep. */
function valueFor(g: Gen, path: string): Json {
  if (g.chance(0.35)) return g.anything();
  const s = () => g.hostileString();
  const n = () => g.hostileNumber();
  switch (path) {
    case 'spec.containers[0].image':
      return g.image();
    case 'spec.containers[0].ports':
      return [{ containerPort: n(), hostPort: g.chance(0.3) ? n() : undefined, protocol: g.pick(['TCP', 'UDP', 'SCTP', 'ICMP', s()]), name: s() }] as Json;
    case 'spec.containers[0].env':
      return [
        { name: s(), value: s() },
        { name: 'X', valueFrom: { fieldRef: { fieldPath: s() } } },
        { name: 'Y', valueFrom: { secretKeyRef: { name: s(), key: s() } } },
      ];
    case 'spec.containers[0].resources':
      return { requests: { cpu: g.pick(['-1', '1e400', '0.0000001', s(), '1Ei']), memory: g.pick(['-1Gi', '9999999Ei', s(), '1']) }, limits: { [s()]: s() } };
    case 'spec.containers[0].volumeMounts':
      return [
        {
          name: g.pick(['v', s()]),
          mountPath: g.pick(['/proc', '/', '/etc/../../x', s()]),
          subPath: g.pick(['../..', '/abs', s()]),
          subPathExpr: g.chance(0.3) ? '$(HOME)/..' : undefined,
        },
      ] as Json;
    case 'spec.volumes':
      return [
        g.pick<Json>([
          { name: 'v', emptyDir: { medium: g.pick(['Memory', '', s()]), sizeLimit: g.pick(['-1', s(), '1Ei']) } },
          { name: 'v', hostPath: { path: g.pick(['/', '/etc', '/var/run/docker.sock', s()]) } },
          { name: 'v', persistentVolumeClaim: { claimName: s() } },
          { name: 'v', configMap: { name: s(), items: [{ key: s(), path: g.pick(['../../x', '/abs', s()]) }] } },
          { name: 'v', secret: { secretName: s(), defaultMode: n() } },
          { name: 'v', projected: { sources: [{ downwardAPI: { items: [{ path: s(), fieldRef: { fieldPath: s() } }] } }] } },
          { name: s(), emptyDir: {}, hostPath: { path: '/' } },
        ]),
      ];
    case 'spec.containers[0].securityContext':
      return {
        privileged: g.chance(0.5),
        allowPrivilegeEscalation: g.chance(0.5),
        readOnlyRootFilesystem: g.chance(0.5),
        runAsUser: n(),
        runAsGroup: n(),
        procMount: g.pick(['Default', 'Unmasked', s()]),
        seccompProfile: { type: g.pick(['RuntimeDefault', 'Unconfined', 'Localhost', s()]), localhostProfile: s() },
        appArmorProfile: { type: g.pick(['RuntimeDefault', 'Unconfined', 'Localhost', s()]), localhostProfile: s() },
        seLinuxOptions: { type: g.pick(['spc_t', 'container_t', s()]), level: s() },
        capabilities: { add: [g.pick(['SYS_ADMIN', 'NET_RAW', 'CHOWN', 'ALL', s()])], drop: [g.pick(['ALL', s()])] },
      } as Json;
    case 'spec.containers[0].securityContext.capabilities':
      return { add: [g.pick(['AUDIT_WRITE', 'SETFCAP', 'NET_ADMIN', 'CAP_CHOWN', 'chown', s()])] };
    case 'spec.securityContext':
      return {
        runAsNonRoot: g.chance(0.5),
        runAsUser: n(),
        fsGroup: n(),
        fsGroupChangePolicy: s(),
        supplementalGroups: [n()],
        sysctls: [{ name: g.pick(['kernel.shm_rmid_forced', 'kernel.core_pattern', 'net.ipv4.ip_forward', s()]), value: s() }],
      } as Json;
    case 'spec.securityContext.sysctls':
      return [{ name: g.pick(['net.ipv4.ping_group_range', 'kernel.core_pattern', s()]), value: s() }];
    case 'spec.containers[0].livenessProbe':
      return {
        exec: { command: [s()] },
        httpGet: { port: g.chance(0.5) ? n() : s(), path: s(), host: g.pick(['127.0.0.1', '169.254.169.254', s()]) },
        periodSeconds: n(),
        timeoutSeconds: n(),
      } as Json;
    case 'spec.containers[0].lifecycle':
      return { preStop: { exec: { command: [s()] } }, postStart: { httpGet: { port: n(), host: '127.0.0.1' } } } as Json;
    case 'spec.containers':
      return g.chance(0.5) ? [] : Array.from({ length: g.pick([2, 30]) }, (_, i) => ({ name: g.chance(0.5) ? 'dup' : `c${i}`, image: g.image() }));
    case 'spec.initContainers':
      return [{ name: g.pick(['c', 'init', s()]), image: g.image(), command: ['sh', '-c', s()] }];
    case 'spec.tolerations':
      return [{ key: s(), operator: g.pick(['Exists', 'Equal', s()]), effect: g.pick(['NoSchedule', s()]), tolerationSeconds: n() }] as Json;
    case 'spec.hostAliases':
      return [{ ip: g.pick(['127.0.0.1', '::1', '999.1.1.1', s()]), hostnames: [s()] }];
    case 'metadata.labels':
    case 'metadata.annotations':
    case 'spec.nodeSelector':
      return { [s()]: s() };
    case 'metadata.ownerReferences':
      return [{ apiVersion: 'v1', kind: g.pick(['Node', 'Namespace', s()]), name: s(), uid: s(), controller: true, blockOwnerDeletion: true }];
    default:
      return typeof g.anything() === 'number' ? n() : s();
  }
}

function setPath(obj: Record<string, Json>, path: string, value: Json): void {
  const parts = path.replace(/\[(\d+)\]/g, '.$1').split('.');
  let cur: Json = obj;
  for (const p of parts.slice(0, -1)) {
    if (cur === null || typeof cur !== 'object') return;
    const rec = cur as Record<string, Json>;
    if (rec[p] === null || typeof rec[p] !== 'object') rec[p] = {};
    cur = rec[p];
  }
  if (cur !== null && typeof cur === 'object') (cur as Record<string, Json>)[parts[parts.length - 1]] = value;
}

interface Case {
  i: number;
  /** JSON text or raw bytes: some cases are not JSON at all. */
  body: string | Buffer;
  what: string;
}

function generate(g: Gen, i: number): Case {
  const name = `fz-${i}`;
  const kind = g.int(20);
  if (kind === 0)
    return {
      i,
      what: 'invalid UTF-8',
      body: Buffer.concat([Buffer.from(`{"apiVersion":"v1","kind":"Pod","metadata":{"name":"${name}-`), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}}')]),
    };
  if (kind === 1) return { i, what: 'truncated JSON', body: JSON.stringify(basePod(name)).slice(0, g.int(80)) };
  if (kind === 2) return { i, what: 'not an object', body: JSON.stringify(g.anything()) };
  const pod = basePod(name);
  const mutations = 1 + g.int(4);
  const paths: string[] = [];
  for (let m = 0; m < mutations; m++) {
    const path = g.pick(PATHS);
    paths.push(path);
    setPath(pod, path, valueFor(g, path));
  }
  // Undefined members (optional fields the generator left out) vanish in JSON, as a client would send them.
  return { i, what: paths.join(' + '), body: JSON.stringify(pod) };
}

let c: AttackCluster;

beforeAll(async () => {
  // The fuzz pass is a burst of a few thousand writes by one user: the per-user rate limit is lifted for it.
  c = await startAttackCluster('atf', { apiEnv: { FLOTILLA_MUTATION_RATE: '100000', FLOTILLA_MUTATION_BURST: '100000' } });
  console.log(`fuzz seed ${SEED} (replay with FUZZ_SEED=${SEED}), ${COUNT} cases`);
});

afterAll(async () => {
  await c?.stop();
});

function statusProblem(status: number, body: string): string | undefined {
  if (status >= 200 && status < 300) return undefined;
  if (status < 400 || status >= 500) return `answered ${status}`;
  let parsed: { kind?: string; status?: string; code?: number; message?: string };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return `answered ${status} with a body that is not JSON`;
  }
  if (parsed.kind !== 'Status' || parsed.status !== 'Failure' || parsed.code !== status || !parsed.message)
    return `answered ${status} without a Kubernetes Status`;
  return undefined;
}

describe('fuzzing pod creation as a hostile tenant', () => {
  it('answers every generated spec with a 2xx or a 4xx Status, and the agent runs a sample of the admitted ones', async () => {
    const g = new Gen(seededRandom(SEED));
    const cases = Array.from({ length: COUNT }, (_, i) => generate(g, i));
    const problems: string[] = [];
    const answered = new Map<number, number>();
    const realPods: string[] = [];
    const started = Date.now();
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const k = cases[next++];
        // Most cases are dry runs (validation and admission in full, nothing stored); a sample of the
        // admitted ones is created so the agent has to run what got through.
        const r = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods?dryRun=All`, k.body);
        answered.set(r.status, (answered.get(r.status) ?? 0) + 1);
        const bad = statusProblem(r.status, r.body);
        if (bad) problems.push(`case ${k.i} (${k.what}): ${bad}: ${r.body.slice(0, 300)}\n  body: ${k.body.toString().slice(0, 600)}`);
        if (r.status === 201 && realPods.length < RUN_ON_AGENT) {
          const name = (JSON.parse(r.body) as { metadata: { name: string } }).metadata.name;
          realPods.push(name);
          const real = await c.api('POST', `/api/v1/namespaces/${c.ns}/pods`, k.body);
          const badReal = statusProblem(real.status, real.body);
          if (badReal) problems.push(`case ${k.i} (${k.what}) for real: ${badReal}: ${real.body.slice(0, 300)}`);
          if (real.status !== 201) realPods.pop();
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL }, worker));
    console.log(
      `fuzz seed ${SEED}: ${COUNT} cases in ${Date.now() - started} ms; answers ${JSON.stringify(Object.fromEntries(answered))}; ${realPods.length} run on the agent`,
    );
    // The API's own account of its errors, to find the layer that failed.
    const apiErrors = problems.length
      ? c.p
          .logs()
          .split('\n')
          .filter((l) => l.includes('"level":"error"'))
          .slice(-10)
      : [];
    expect({ seed: SEED, problems: problems.slice(0, 20), apiErrors }).toEqual({ seed: SEED, problems: [], apiErrors: [] });
    // The generator must reach both sides: a fuzz pass that only ever gets refused tests nothing on the agent.
    expect(answered.get(201) ?? 0).toBeGreaterThan(0);
    expect(realPods.length).toBeGreaterThan(0);

    // The agent reports on every pod it was given (running, finished, or a container error), and survives.
    await waitFor(
      'the agent (or, for a pod no node fits, the scheduler) to report every sampled pod',
      async () => {
        for (const name of realPods) {
          const p = await c.pod(name);
          if (!p) continue; // deleted already (activeDeadlineSeconds, an owner that does not exist …)
          // A pod no node fits (a node selector or affinity the generator made up) never reaches the agent:
          // the scheduler's Unschedulable condition is its answer.
          if (p.status?.conditions?.some((k) => k.type === 'PodScheduled' && k.status === 'False')) continue;
          const reported = [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])].length > 0;
          if (!reported && !['Failed', 'Succeeded'].includes(p.status?.phase ?? '')) return false;
        }
        return true;
      },
      90_000,
      1000,
    ).catch(async (e: Error) => {
      const pending = [];
      for (const name of realPods) pending.push(`${name}: ${JSON.stringify((await c.pod(name))?.status ?? null).slice(0, 400)}`);
      throw new Error(`seed ${SEED}: ${e.message}\n${pending.join('\n')}\n${c.agent.logs().slice(-3000)}`);
    });
    await c.assertIntact();

    const del = await c.api('DELETE', `/api/v1/namespaces/${c.ns}/pods`, undefined, c.p.token);
    expect(del.status).toBe(200);
    await waitFor(
      'every fuzz pod gone',
      async () => {
        const r = await c.api('GET', `/api/v1/namespaces/${c.ns}/pods`, undefined, c.p.token);
        return ((r.json() as { items?: unknown[] }).items ?? []).length === 0;
      },
      90_000,
      500,
    );
    await c.assertIntact();
  });
});
