// Memory at scale: the real API and controller (plus the shared Postgres and Redis) with hollow nodes in their
// own process, 10,000 pods through Deployments in several namespaces, and each component's memory idle,
// settled, at its peak during mass deletion, and the API's before and after a watch storm.
// Node processes are measured by RSS; Postgres and Redis by PSS (/proc/<pid>/smaps_rollup), Postgres as its
// server processes plus the backends of this run's database only (the server is shared with other users).
//
//   npm run bench -- scale [--pods 10000] [--nodes 100] [--namespaces 10] [--settle 60] [--watchers 300]
//     [--stalled 30] [--rate 200] [--storm-seconds 30] [--storm-idle 120] [--skip-storm] [--skip-pods]
//
// BENCH_NODE_ARGS adds Node flags to the API and the controller (e.g. '--heap-prof --heap-prof-dir=/tmp/hp').
const { spawn } = require('node:child_process');
const https = require('node:https');
const { writeFileSync, mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const os = require('node:os');
const { Client } = require('pg');
const {
  freshDatabase,
  startApi,
  startProcess,
  request,
  agentFor,
  percentile,
  median,
  progress,
  ROOT,
  sleep,
  waitFor,
  limited,
  deployment,
  pidsByComm,
} = require('./support');

const DB = 'flotilla_bench_scale';
// A Redis database of its own, so its keys neither mix with nor are flushed by other users of the server.
const REDIS_DB = Number(process.env.BENCH_REDIS_DB || 13);
const STALL_SECONDS = 10;
// Large enough that a stalled watcher's stream outgrows the kernel's socket buffers within the storm.
const PAYLOAD_BYTES = 2048;
const MAX_IN_FLIGHT = 64;

function options(argv) {
  const o = {
    pods: 10000,
    nodes: 100,
    namespaces: 10,
    settle: 60,
    watchers: 300,
    stalled: 30,
    rate: 200,
    stormSeconds: 30,
    stormIdle: 120,
    skipStorm: false,
    skipPods: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i].replace(/^--/, '').replace(/-([a-z])/g, (_, c) => c.toUpperCase());
    if (!(key in o)) throw new Error(`unknown option ${argv[i]}`);
    if (typeof o[key] === 'boolean') o[key] = true;
    else o[key] = Number(argv[++i]);
  }
  if (o.pods % 100 !== 0) throw new Error('--pods must be a multiple of 100 (Deployments of 100 replicas)');
  return o;
}

// ---- memory ------------------------------------------------------------------------------------------

function kb(file, field) {
  try {
    const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : 0;
  } catch {
    return 0; // the process is gone
  }
}

const rssKb = (pid) => kb(`/proc/${pid}/status`, 'VmRSS');
const pssKb = (pid) => kb(`/proc/${pid}/smaps_rollup`, 'Pss');

/** Postgres's part for this run: the postmaster, its shared helper processes, and this database's backends. */
async function postgresPids(pg) {
  const { rows } = await pg.query(
    `SELECT pid FROM pg_stat_activity WHERE pid <> pg_backend_pid() AND (datname = current_database() OR (datname IS NULL AND backend_type <> 'client backend'))`,
  );
  const pids = rows.map((r) => r.pid);
  const postmaster = pidsByComm('postgres').find((p) => {
    try {
      const ppid = Number(readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ')[1]);
      return !readFileSync(`/proc/${ppid}/comm`, 'utf8').startsWith('postgres');
    } catch {
      return false;
    }
  });
  if (postmaster) pids.push(postmaster);
  return pids;
}

/** Samples every component once a second; phases read their window of samples. */
function memorySampler(pg, procs) {
  const samples = [];
  let timer;
  let busy = false;
  const redisPids = pidsByComm('redis-server');
  const once = async () => {
    if (busy) return;
    busy = true;
    try {
      const pgPids = await postgresPids(pg);
      const s = { t: Date.now() };
      for (const [name, pid] of Object.entries(procs)) s[name] = rssKb(pid) / 1024;
      s.postgres = pgPids.reduce((a, p) => a + pssKb(p), 0) / 1024;
      s.postgresBackends = pgPids.length;
      s.redis = redisPids.reduce((a, p) => a + pssKb(p), 0) / 1024;
      s.controlPlane = s.api + s.controller + s.postgres + s.redis;
      samples.push(s);
    } finally {
      busy = false;
    }
  };
  return {
    samples,
    start: () => (timer = setInterval(() => void once().catch(() => undefined), 1000)),
    stop: () => clearInterval(timer),
    now: async () => (await once(), samples[samples.length - 1]),
    since: (t) => samples.filter((s) => s.t >= t),
  };
}

const COMPONENTS = ['api', 'controller', 'hollow', 'postgres', 'redis', 'controlPlane'];
const round = (x) => Math.round(x);

/** Medians of each component over a window of samples (a settled figure, not one sample's noise). */
function settledOf(samples) {
  return Object.fromEntries(COMPONENTS.map((c) => [c, round(median(samples.map((s) => s[c])))]));
}

/** Each component's own peak, and the control plane's peak as a sum at one instant. */
function peakOf(samples) {
  return Object.fromEntries(COMPONENTS.map((c) => [c, round(Math.max(...samples.map((s) => s[c])))]));
}

// ---- pods --------------------------------------------------------------------------------------------

/** The run's pods as the change log says they are, read incrementally (a count over every body would load Postgres). */
function podTracker(pg) {
  const pods = new Map();
  let rv = 0;
  return {
    async poll() {
      for (;;) {
        const { rows } = await pg.query(
          `SELECT resource_version::text AS rv, namespace || '/' || name AS key, type, object->'status'->>'phase' AS phase
           FROM changes WHERE resource_version > $1 AND resource = 'core/pods' AND namespace LIKE 'scale-%' ORDER BY resource_version LIMIT 20000`,
          [rv],
        );
        for (const r of rows) {
          if (r.type === 'DELETED') pods.delete(r.key);
          else pods.set(r.key, r.phase);
        }
        if (rows.length > 0) rv = Number(rows[rows.length - 1].rv);
        if (rows.length < 20000) return;
      }
    },
    total: () => pods.size,
    running: () => [...pods.values()].filter((p) => p === 'Running').length,
  };
}

// ---- watch storm -------------------------------------------------------------------------------------

/** Opens a watch on the storm namespace; a stalled one stops reading at once, so the API's writes back up. */
function openWatch(api, ns, rv, stalled) {
  return new Promise((resolve, reject) => {
    const w = { events: 0, closed: false, res: undefined };
    const req = https.request(
      new URL(`/api/v1/namespaces/${ns}/configmaps?watch=true&resourceVersion=${rv}&timeoutSeconds=600`, api.url),
      { agent: false, ca: api.ca, headers: { authorization: `Bearer ${api.token}` } },
      (res) => {
        w.res = res;
        const done = () => (w.closed = true);
        res.on('end', done);
        res.on('close', done);
        res.on('error', done);
        let tail = '';
        res.on('data', (d) => {
          const s = tail + d.toString();
          let i = -1;
          let from = 0;
          while ((i = s.indexOf('\n', from)) >= 0) {
            w.events++;
            from = i + 1;
          }
          tail = s.slice(from);
        });
        if (stalled) res.pause();
        resolve(w);
      },
    );
    req.on('error', (e) => (w.res ? (w.closed = true) : reject(e)));
    req.end();
    w.req = req;
  });
}

/**
 * Creates ConfigMaps at `rate` a second (open loop: a slow answer does not slow the sender) for `seconds`; the
 * latency of each write. Creates, not updates of a fixed set: concurrent updates of one object wait on its row
 * lock, which would measure lock contention instead of the cost of watchers.
 */
async function paced(api, ns, phase, rate, seconds, payload) {
  const lat = [];
  const pending = [];
  let failed = 0;
  const t0 = Date.now();
  const n = rate * seconds;
  let inFlight = 0;
  for (let i = 0; i < n; i++) {
    const due = t0 + (i * 1000) / rate;
    if (due > Date.now()) await sleep(due - Date.now());
    // At most as many writes in flight as the client has connections: past that the API is saturated and
    // a backlog would measure this sender's queue rather than the API.
    while (inFlight >= MAX_IN_FLIGHT) await sleep(2);
    inFlight++;
    const s = Date.now();
    pending.push(
      request(api, 'POST', `/api/v1/namespaces/${ns}/configmaps`, {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: `${phase}-${i}` },
        data: { p: payload },
      })
        .then(
          (r) => (r.status === 201 ? lat.push(Date.now() - s) : failed++),
          () => failed++,
        )
        .finally(() => inFlight--),
    );
  }
  await Promise.all(pending);
  const seconds_ = (Date.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { writes: n, failed, writesPerSecond: Math.round(n / seconds_), p50Ms: round(percentile(lat, 50)), p99Ms: round(percentile(lat, 99)) };
}

/** The API's own account of its memory (prom-client's Node metrics): what RSS is made of. */
async function apiHeap(api) {
  const text = (await request(api, 'GET', '/metrics')).body;
  const get = (name) => {
    const m = new RegExp(`^flotilla_api_${name}(?:\\{[^}]*\\})? ([0-9.e+]+)$`, 'm').exec(text);
    return m ? round(Number(m[1]) / 2 ** 20) : undefined;
  };
  return { heapUsed: get('nodejs_heap_size_used_bytes'), heapTotal: get('nodejs_heap_size_total_bytes'), external: get('nodejs_external_memory_bytes') };
}

async function makeNamespace(api, ns) {
  const r = await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  if (r.status !== 201) throw new Error(`namespace ${ns}: ${r.status} ${r.body}`);
  await waitFor(`namespace ${ns}`, async () => (await request(api, 'GET', `/api/v1/namespaces/${ns}`)).status === 200, 30_000, 200);
}

async function dropNamespace(api, ns) {
  await request(api, 'DELETE', `/api/v1/namespaces/${ns}`);
  await waitFor(`namespace ${ns} gone`, async () => (await request(api, 'GET', `/api/v1/namespaces/${ns}`)).status === 404, 300_000, 1000);
}

/**
 * The quiet writes and the storm go to namespaces of their own, and the storm's is deleted before the
 * "after" figure: what the API keeps of the storm's objects is state, not memory the storm failed to give back.
 */
async function watchStorm(api, mem, o) {
  const quietNs = 'scale-quiet';
  const ns = 'scale-storm';
  const payload = 'x'.repeat(PAYLOAD_BYTES);
  await makeNamespace(api, quietNs);
  await makeNamespace(api, ns);

  progress(`storm: ${o.rate} writes/s for ${o.stormSeconds} s with no watchers`);
  const none = await paced(api, quietNs, 'quiet', o.rate, o.stormSeconds, payload);
  progress(`  no watchers: p50 ${none.p50Ms} ms, p99 ${none.p99Ms} ms, ${none.writesPerSecond}/s, ${none.failed} failed`);
  await sleep(10_000);
  const before = await mem.now();
  const heapBefore = await apiHeap(api);

  const list = JSON.parse((await request(api, 'GET', `/api/v1/namespaces/${ns}/configmaps?limit=1`)).body);
  progress(`storm: opening ${o.watchers} watchers (${o.stalled} stalled)`);
  const watches = [];
  for (let i = 0; i < o.watchers; i++) watches.push(await openWatch(api, ns, list.metadata.resourceVersion, i < o.stalled));
  const tLoad = Date.now();
  progress(`storm: ${o.rate} writes/s for ${o.stormSeconds} s with ${o.watchers} watchers`);
  const loaded = await paced(api, ns, 'storm', o.rate, o.stormSeconds, payload);
  progress(`  ${o.watchers} watchers: p50 ${loaded.p50Ms} ms, p99 ${loaded.p99Ms} ms, ${loaded.writesPerSecond}/s, ${loaded.failed} failed`);
  // Stalled watchers must have been closed by the API's stall bound by now (plus slack for a loaded machine).
  await sleep((STALL_SECONDS + 5) * 1000);
  // A paused response does not report its connection's end; read what the kernel holds, then count the
  // streams that ended before they had everything (closed by the API's bound, not still open).
  for (const w of watches.slice(0, o.stalled)) w.res.resume();
  await sleep(5000);
  const stalledClosed = watches.slice(0, o.stalled).filter((w) => w.closed && w.events < loaded.writes).length;
  const healthyEvents = watches.slice(o.stalled).map((w) => w.events);
  const peak = peakOf(mem.since(tLoad)).api;
  for (const w of watches) w.req.destroy();
  progress(`storm: load over (${stalledClosed}/${o.stalled} stalled watchers closed by the API); deleting its namespace, then idle ${o.stormIdle} s`);
  await dropNamespace(api, ns);
  await sleep(o.stormIdle * 1000);
  const after = await mem.now();
  const heapAfter = await apiHeap(api);
  const r = {
    watchers: o.watchers,
    stalled: o.stalled,
    stalledClosedByApi: stalledClosed,
    healthyEventsMin: Math.min(...healthyEvents),
    writes: { noWatchers: none, withWatchers: loaded, p99Ratio: Number((loaded.p99Ms / none.p99Ms).toFixed(2)) },
    apiMb: { before: round(before.api), peak, afterIdle: round(after.api), idleSeconds: o.stormIdle },
    apiHeapMb: { before: heapBefore, afterIdle: heapAfter },
  };
  r.apiMb.afterOverBefore = Number((r.apiMb.afterIdle / r.apiMb.before).toFixed(2));
  progress(`storm: API ${r.apiMb.before} MB before, peak ${peak} MB, ${r.apiMb.afterIdle} MB after ${o.stormIdle} s idle; heap ${JSON.stringify(r.apiHeapMb)}`);
  // The pod phase starts from the same objects as the idle figure.
  await dropNamespace(api, quietNs);
  return r;
}

// ---- main --------------------------------------------------------------------------------------------

async function main(argv) {
  const o = options(argv);
  const deployments = o.pods / 100;
  const namespaces = Array.from({ length: Math.min(o.namespaces, deployments) }, (_, i) => `scale-${i}`);
  const db = freshDatabase(DB);
  const redisUrl = `${db.redisUrl.replace(/\/\d*$/, '')}/${REDIS_DB}`;
  const pg = new Client({ connectionString: db.databaseUrl });
  await pg.connect();
  const prefix = `bench-scale-${Date.now()}`;
  const shared = {
    DATABASE_URL: db.databaseUrl,
    REDIS_URL: redisUrl,
    FLOTILLA_QUEUE_PREFIX: prefix,
    FLOTILLA_HOLLOW_NODES: String(o.nodes),
    FLOTILLA_HOLLOW_NODE_PREFIX: 'hollow',
    FLOTILLA_HOLLOW_START_MS: '500',
    FLOTILLA_HOLLOW_LEASE_SECONDS: '10',
    FLOTILLA_NODE_GRACE_SECONDS: '60',
    FLOTILLA_LOG_LEVEL: 'warn',
    // As scripts/up.sh runs them.
    MALLOC_ARENA_MAX: '2',
  };
  progress(`API, controller and ${o.nodes} hollow nodes on database ${DB}, Redis db ${REDIS_DB}`);
  const api = await startApi({ databaseUrl: db.databaseUrl, redisUrl, env: { MALLOC_ARENA_MAX: '2', FLOTILLA_WATCH_STALL_SECONDS: String(STALL_SECONDS) } });
  agentFor(api);
  const nodeArgs = (process.env.BENCH_NODE_ARGS || '').split(' ').filter(Boolean);
  const hollow = startProcess('apps/controller/dist/hollow-main.js', shared, 'hollow nodes', nodeArgs);
  // With the young-generation bound scripts/up.sh gives it (see there).
  const controller = startProcess('apps/controller/dist/main.js', { ...shared, FLOTILLA_HOLLOW_NODES: '0' }, 'controller', [
    '--max-semi-space-size=4',
    ...nodeArgs,
  ]);
  const mem = memorySampler(pg, { api: api.pid, controller: controller.pid, hollow: hollow.pid });
  // Interrupted, the processes it started go with it (they would otherwise keep loading the shared machine).
  for (const sig of ['SIGINT', 'SIGTERM'])
    process.once(sig, () => {
      for (const c of [controller.child, hollow.child, api.child]) c.kill('SIGTERM');
      process.exit(130);
    });
  const result = {
    suite: 'scale',
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, loadAverageAtStart: os.loadavg()[0] },
    nodes: o.nodes,
    pods: o.pods,
    namespaces: namespaces.length,
    deployments,
  };
  try {
    const count = async (sql) => Number((await pg.query(sql)).rows[0].n);
    await waitFor(
      `${o.nodes} Ready nodes`,
      async () =>
        (await count(
          `SELECT count(*)::int AS n FROM objects WHERE resource = 'core/nodes' AND body->'status'->'conditions' @> '[{"type":"Ready","status":"True"}]'`,
        )) >= o.nodes,
      120_000,
    );
    mem.start();
    progress('idle: 20 s');
    await sleep(20_000);
    result.idleMb = settledOf(mem.since(Date.now() - 10_000));
    progress(`idle: ${JSON.stringify(result.idleMb)}`);

    if (!o.skipStorm) result.watchStorm = { date: new Date().toISOString(), ...(await watchStorm(api, mem, o)) };

    if (!o.skipPods) {
      result.beforePodsMb = settledOf(mem.since(Date.now() - 5_000));
      for (const ns of namespaces) {
        const r = await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
        if (r.status !== 201) throw new Error(`namespace ${ns}: ${r.status} ${r.body}`);
      }
      for (const ns of namespaces)
        await waitFor(`namespace ${ns}`, async () => (await request(api, 'GET', `/api/v1/namespaces/${ns}`)).status === 200, 30_000, 200);
      progress(`creating ${deployments} Deployments × 100 replicas in ${namespaces.length} namespaces`);
      const t0 = Date.now();
      await limited(deployments, 10, async (i) => {
        const ns = namespaces[i % namespaces.length];
        const r = await request(api, 'POST', `/apis/apps/v1/namespaces/${ns}/deployments`, deployment(ns, i));
        if (r.status !== 201) throw new Error(`deployment: ${r.status} ${r.body}`);
      });
      const tracker = podTracker(pg);
      let last = 0;
      await waitFor(
        `${o.pods} pods Running`,
        async () => {
          await tracker.poll();
          if (Date.now() - last > 5000) {
            last = Date.now();
            const s = mem.samples[mem.samples.length - 1];
            progress(
              `t=${((Date.now() - t0) / 1000).toFixed(0)}s pods=${tracker.total()} running=${tracker.running()} control plane ${round(s.controlPlane)} MB`,
            );
          }
          return tracker.running() >= o.pods;
        },
        900_000,
        1000,
      );
      result.allRunningSeconds = round((Date.now() - t0) / 1000);
      result.peakWhileCreatingMb = peakOf(mem.since(t0));
      progress(`all ${o.pods} Running in ${result.allRunningSeconds} s; settling ${o.settle} s`);
      await sleep(o.settle * 1000);
      result.settledMb = settledOf(mem.since(Date.now() - 10_000));
      result.settleSeconds = o.settle;
      result.controlPlaneMb = result.settledMb.controlPlane;
      result.growthPer1000PodsMb = Object.fromEntries(
        COMPONENTS.map((c) => [c, Number((((result.settledMb[c] - result.beforePodsMb[c]) * 1000) / o.pods).toFixed(1))]),
      );
      progress(`settled: ${JSON.stringify(result.settledMb)}`);

      progress(`deleting the ${deployments} Deployments`);
      const t1 = Date.now();
      await limited(deployments, 10, async (i) => {
        const ns = namespaces[i % namespaces.length];
        const name = deployment(ns, i).metadata.name;
        const r = await request(api, 'DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/${name}?propagationPolicy=Background`);
        if (r.status !== 200 && r.status !== 202) throw new Error(`delete: ${r.status} ${r.body}`);
      });
      last = 0;
      await waitFor(
        'every pod gone',
        async () => {
          await tracker.poll();
          if (Date.now() - last > 5000) {
            last = Date.now();
            const s = mem.samples[mem.samples.length - 1];
            progress(`t=${((Date.now() - t1) / 1000).toFixed(0)}s pods left=${tracker.total()} control plane ${round(s.controlPlane)} MB`);
          }
          return tracker.total() === 0;
        },
        900_000,
        1000,
      );
      result.allDeletedSeconds = round((Date.now() - t1) / 1000);
      await sleep(5000);
      result.peakWhileDeletingMb = peakOf(mem.since(t1));
      progress(`deleted in ${result.allDeletedSeconds} s; peak ${JSON.stringify(result.peakWhileDeletingMb)}; settling ${o.settle} s`);
      await sleep(o.settle * 1000);
      result.afterDeletionMb = settledOf(mem.since(Date.now() - 10_000));
      progress(`after deletion: ${JSON.stringify(result.afterDeletionMb)}`);
    }
  } finally {
    mem.stop();
    await Promise.all([controller.stop(), hollow.stop()]);
    api.stop();
    await pg.end();
  }
  // Leave no queue keys behind in the shared Redis.
  spawn('redis-cli', ['-u', redisUrl, 'FLUSHDB'], { stdio: 'ignore' });
  const name = o.pods === 10000 && o.nodes === 100 ? 'scale' : `scale-${o.pods}`;
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  keepSkippedParts(join(ROOT, 'bench', 'results', `${name}.json`), result, o);
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.json`), `${JSON.stringify(result, null, 2)}\n`);
  writeFileSync(join(ROOT, 'bench', 'results', `${name}.md`), report(result));
  process.stdout.write(report(result));
}

/** A run that skipped a part (--skip-storm, --skip-pods) keeps that part's figures from the last run, dated. */
function keepSkippedParts(file, result, o) {
  let old;
  try {
    old = JSON.parse(readFileSync(file, 'utf8'));
  } catch {
    return;
  }
  const podKeys = [
    'beforePodsMb',
    'peakWhileCreatingMb',
    'settledMb',
    'settleSeconds',
    'controlPlaneMb',
    'growthPer1000PodsMb',
    'allRunningSeconds',
    'peakWhileDeletingMb',
    'allDeletedSeconds',
    'afterDeletionMb',
  ];
  if (o.skipStorm && old.watchStorm) result.watchStorm = { ...old.watchStorm, date: old.watchStorm.date ?? old.date };
  if (o.skipPods && old.controlPlaneMb !== undefined) {
    for (const k of podKeys) if (old[k] !== undefined) result[k] = old[k];
    result.podsDate = old.podsDate ?? old.date;
  }
}

function report(r) {
  const row = (label, m) => (m ? `| ${label} | ${COMPONENTS.map((c) => m[c]).join(' | ')} |` : `| ${label} | ${COMPONENTS.map(() => '–').join(' | ')} |`);
  const s = r.watchStorm;
  const lines = [
    '# Memory at scale',
    '',
    `${r.date} · ${r.machine.cores} cores, ${r.machine.memoryGiB} GiB · Node ${r.machine.node} · load average ${r.machine.loadAverageAtStart.toFixed(1)} at the start (the machine is shared)`,
    '',
    `${r.nodes} hollow nodes (simulator, own process), ${r.pods} pods: ${r.deployments} Deployments × 100 replicas in ${r.namespaces} namespaces.`,
    'API, controller and hollow-node host: RSS. Postgres: PSS of the postmaster, its shared helper processes and this',
    "run's database's backends (the server is shared; PSS splits shared buffers among the processes that touched them).",
    'Redis: PSS of the server (shared with other users; queue keys in a database of their own). MB = MiB.',
    'Control plane = API + controller + Postgres + Redis.',
    '',
    `| MB | API | controller | hollow nodes | Postgres | Redis | control plane |`,
    '|---|---|---|---|---|---|---|',
    row('idle', r.idleMb),
    row('before pods (after the watch storm)', r.beforePodsMb),
    row(`peak while creating`, r.peakWhileCreatingMb),
    row(`settled, ${r.pods} pods Running (${r.settleSeconds} s after)`, r.settledMb),
    row('peak while deleting them', r.peakWhileDeletingMb),
    row('after deletion', r.afterDeletionMb),
    row('growth per 1,000 pods', r.growthPer1000PodsMb),
    '',
  ];
  if (r.controlPlaneMb !== undefined)
    lines.push(
      `**controlPlaneMb at ${r.pods} pods, settled: ${r.controlPlaneMb} MB** (target < 600; pods measured ${r.podsDate ?? r.date}). All Running ${r.allRunningSeconds} s after the`,
      `Deployments were created; all pods gone ${r.allDeletedSeconds} s after their Deployments were deleted.`,
      '',
    );
  if (s)
    lines.push(
      `## Watch storm`,
      '',
      `${s.date}.`,
      '',
      `${s.watchers} watchers on one namespace's ConfigMaps (${s.stalled} never read), ${s.writes.withWatchers.writes} creates of 2 KiB ConfigMaps at`,
      `${s.writes.withWatchers.writesPerSecond}/s, then ${s.apiMb.idleSeconds} s idle. Stalled watchers closed by the API's bounds: ${s.stalledClosedByApi} of ${s.stalled}.`,
      '',
      '| | write p50 ms | write p99 ms | writes/s | failed |',
      '|---|---|---|---|---|',
      `| 0 watchers | ${s.writes.noWatchers.p50Ms} | ${s.writes.noWatchers.p99Ms} | ${s.writes.noWatchers.writesPerSecond} | ${s.writes.noWatchers.failed} |`,
      `| ${s.watchers} watchers | ${s.writes.withWatchers.p50Ms} | ${s.writes.withWatchers.p99Ms} | ${s.writes.withWatchers.writesPerSecond} | ${s.writes.withWatchers.failed} |`,
      '',
      `API RSS: ${s.apiMb.before} MB before, peak ${s.apiMb.peak} MB, ${s.apiMb.afterIdle} MB after ${s.apiMb.idleSeconds} s idle (×${s.apiMb.afterOverBefore}; target ≤ ×1.2).`,
      `API heap (MB, its /metrics): before ${JSON.stringify(s.apiHeapMb.before)}, after ${JSON.stringify(s.apiHeapMb.afterIdle)}.`,
      `Write p99 with ${s.watchers} watchers ×${s.writes.p99Ratio} of none (target ≤ ×2).`,
      '',
    );
  lines.push('`npm run bench -- scale` regenerates this file (and `scale.json`); smaller runs write `scale-<pods>.{md,json}`.', '');
  return lines.join('\n');
}

module.exports = { main };
