// Scheduler benchmark: 1,000 hollow (simulated) nodes, then 100 Deployments x 100 replicas created at once
// through the API; time to all pods bound and all Running, scheduling throughput, p99 per-pod scheduling
// latency (creation -> bound, from the change log's commit times), and a rolling update of all 100
// Deployments. Everything goes through the real store (Postgres) and the real controller process (BullMQ on
// Redis); the nodes are the hollow simulator in its own process. CPU seconds per process say where time goes.
const { writeFileSync, mkdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { Client } = require('pg');
const {
  freshDatabase,
  startApi,
  startProcess,
  request,
  agentFor,
  median,
  percentile,
  progress,
  ROOT,
  sleep,
  waitFor,
  deployment,
  pidsByComm,
  cpuSeconds,
} = require('./support');

const NODES = Number(process.env.BENCH_NODES || 1000);
const DEPLOYMENTS = Number(process.env.BENCH_DEPLOYMENTS || 100);
const REPLICAS = Number(process.env.BENCH_REPLICAS || 100);
const PODS = DEPLOYMENTS * REPLICAS;
const NS = 'bench-sched';
const DB = 'flotilla_bench_scheduler';

/** CPU seconds of every process whose command starts with `prefix` (Postgres and Redis are shared servers). */
function cpuSecondsOf(prefix) {
  return pidsByComm(prefix).reduce((total, pid) => total + cpuSeconds(pid), 0);
}

/** BENCH_CPU_PROF=<dir> writes a V8 CPU profile of each process there (open in Chrome DevTools). */
const NODE_ARGS = ['--max-old-space-size=4096', ...(process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [])];

/** PATCH with a JSON merge patch (support.request always sends application/json). */
function mergePatch(api, path, body) {
  const https = require('node:https');
  return new Promise((resolve, reject) => {
    const req = https.request(
      new URL(path, api.url),
      { method: 'PATCH', agent: agentFor(api), ca: api.ca, headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/merge-patch+json' } },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/**
 * The pods of a namespace as the change log says they are, read incrementally: each poll reads only the
 * changes since the last one, so watching progress costs the system under test next to nothing (a count over
 * every pod body each poll cost Postgres several CPU seconds per run).
 */
function podTracker(pg, ns) {
  const pods = new Map();
  const added = new Map();
  const bound = new Map();
  let rv = 0;
  return {
    pods,
    /** Milliseconds from each pod's creation to its bind, as committed. */
    bindLatencies: () => [...bound].filter(([name]) => added.has(name)).map(([name, t]) => t - added.get(name)),
    async poll() {
      for (;;) {
        const { rows } = await pg.query(
          `SELECT resource_version::text AS rv, name, type, object->'spec'->>'nodeName' AS node, object->'status'->>'phase' AS phase,
             object->'spec'->'containers'->0->>'image' AS image, extract(epoch FROM created_at) * 1000 AS at
           FROM changes WHERE resource_version > $1 AND resource = 'core/pods' AND namespace = $2 ORDER BY resource_version LIMIT 20000`,
          [rv, ns],
        );
        for (const r of rows) {
          if (r.type === 'DELETED') pods.delete(r.name);
          else pods.set(r.name, { node: r.node, phase: r.phase, image: r.image });
          // Commit times of each pod's creation and of its bind, for the per-pod scheduling latency.
          if (r.type === 'ADDED' && !added.has(r.name)) added.set(r.name, Number(r.at));
          if (r.node && !bound.has(r.name)) bound.set(r.name, Number(r.at));
        }
        if (rows.length > 0) rv = Number(rows[rows.length - 1].rv);
        if (rows.length < 20000) return;
      }
    },
    count(pred) {
      let n = 0;
      for (const p of pods.values()) if (pred(p)) n++;
      return n;
    },
  };
}

async function runOnce(run, runs) {
  const db = freshDatabase(DB);
  const pg = new Client({ connectionString: db.databaseUrl });
  await pg.connect();
  const count = async (sql, ...params) => Number((await pg.query(sql, params)).rows[0].n);

  progress('starting the API');
  const api = await startApi(db);
  agentFor(api);
  const prefix = `bench-${Date.now()}`;
  const shared = {
    DATABASE_URL: db.databaseUrl,
    REDIS_URL: db.redisUrl,
    FLOTILLA_QUEUE_PREFIX: prefix,
    FLOTILLA_HOLLOW_NODES: String(NODES),
    FLOTILLA_HOLLOW_NODE_PREFIX: 'hollow',
    FLOTILLA_HOLLOW_START_MS: '500',
    FLOTILLA_HOLLOW_LEASE_SECONDS: '10',
    FLOTILLA_NODE_GRACE_SECONDS: '60',
    FLOTILLA_RESYNC_SECONDS: '60',
    FLOTILLA_LOG_LEVEL: 'warn',
  };
  progress(`starting ${NODES} hollow nodes (simulator, own process)`);
  const hollow = startProcess('apps/controller/dist/hollow-main.js', shared, 'hollow nodes', NODE_ARGS);
  await waitFor(
    `${NODES} nodes`,
    () =>
      count(
        `SELECT count(*)::int AS n FROM objects WHERE resource = 'core/nodes' AND body->'status'->'conditions' @> '[{"type":"Ready","status":"True"}]'`,
      ).then((n) => n >= NODES),
    120_000,
    500,
  );
  progress('starting the controller');
  const controller = startProcess('apps/controller/dist/main.js', { ...shared, FLOTILLA_HOLLOW_NODES: '0' }, 'controller', NODE_ARGS);
  await sleep(3000);
  await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });

  const cpu0 = {
    api: cpuSeconds(api.pid),
    controller: cpuSeconds(controller.pid),
    hollow: cpuSeconds(hollow.pid),
    postgres: cpuSecondsOf('postgres'),
    redis: cpuSecondsOf('redis'),
  };
  progress(`creating ${DEPLOYMENTS} Deployments x ${REPLICAS} replicas`);
  const t0 = Date.now();
  const deps = Array.from({ length: DEPLOYMENTS }, (_, i) => deployment(NS, i, REPLICAS));
  for (let i = 0; i < deps.length; i += 20) {
    const rs = await Promise.all(deps.slice(i, i + 20).map((d) => request(api, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, d)));
    const bad = rs.find((r) => r.status !== 201);
    if (bad) throw new Error(`create failed: ${bad.status} ${bad.body}`);
  }
  const createdSeconds = (Date.now() - t0) / 1000;
  let allBoundSeconds;
  let allRunningSeconds;
  const timeline = [];
  const tracker = podTracker(pg, NS);
  await waitFor(
    'all pods bound and Running',
    async () => {
      await tracker.poll();
      const r = { total: tracker.pods.size, bound: tracker.count((p) => p.node), running: tracker.count((p) => p.phase === 'Running') };
      const s = (Date.now() - t0) / 1000;
      timeline.push({ s, ...r });
      if (timeline.length % 10 === 0) progress(`t=${s.toFixed(1)}s pods=${r.total} bound=${r.bound} running=${r.running}`);
      if (allBoundSeconds === undefined && r.bound >= PODS) allBoundSeconds = s;
      if (allRunningSeconds === undefined && r.running >= PODS) allRunningSeconds = s;
      return allBoundSeconds !== undefined && allRunningSeconds !== undefined;
    },
    600_000,
    100,
  );
  const cpu1 = {
    api: cpuSeconds(api.pid),
    controller: cpuSeconds(controller.pid),
    hollow: cpuSeconds(hollow.pid),
    postgres: cpuSecondsOf('postgres'),
    redis: cpuSecondsOf('redis'),
  };

  // Per-pod scheduling latency: commit of the pod's creation -> commit of its bind, from the change log.
  const lat = tracker.bindLatencies().sort((x, y) => x - y);
  const firstBound = timeline.find((x) => x.bound > 0)?.s ?? 0;

  progress('rolling update of every Deployment');
  const t1 = Date.now();
  for (let i = 0; i < deps.length; i += 20) {
    const rs = await Promise.all(
      deps.slice(i, i + 20).map((d) =>
        mergePatch(api, `/apis/apps/v1/namespaces/${NS}/deployments/${d.metadata.name}`, {
          spec: {
            template: {
              spec: {
                containers: [{ name: 'web', image: 'flotilla/web:2', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '32Mi' } } }],
              },
            },
          },
        }),
      ),
    );
    const bad = rs.find((r) => r.status !== 200);
    if (bad) throw new Error(`patch failed: ${bad.status} ${bad.body}`);
  }
  await waitFor(
    'every Deployment rolled out',
    async () => {
      const done = await count(
        `SELECT count(*)::int AS n FROM objects WHERE resource = 'apps/deployments' AND namespace = $1
           AND (body->'status'->>'observedGeneration')::int >= generation
           AND (body->'status'->>'updatedReplicas')::int = $2 AND (body->'status'->>'replicas')::int = $2 AND (body->'status'->>'availableReplicas')::int = $2`,
        NS,
        REPLICAS,
      );
      await tracker.poll();
      const old = tracker.count((p) => p.image === 'flotilla/web:1');
      const s = (Date.now() - t1) / 1000;
      if (Math.round(s * 10) % 20 === 0) progress(`rolling: t=${s.toFixed(1)}s deployments done=${done} old pods left=${old}`);
      return done === DEPLOYMENTS && old === 0;
    },
    600_000,
    250,
  );
  const rollingUpdateSeconds = (Date.now() - t1) / 1000;
  const cpu2 = {
    api: cpuSeconds(api.pid),
    controller: cpuSeconds(controller.pid),
    hollow: cpuSeconds(hollow.pid),
    postgres: cpuSecondsOf('postgres'),
    redis: cpuSecondsOf('redis'),
  };
  const changes = await count(`SELECT count(*)::int AS n FROM changes`);

  const diff = (a, b) => Object.fromEntries(Object.keys(a).map((k) => [k, Math.round((b[k] - a[k]) * 10) / 10]));
  const result = {
    nodes: NODES,
    deployments: DEPLOYMENTS,
    replicas: REPLICAS,
    pods: PODS,
    podsPerSecond: Math.round(PODS / allBoundSeconds),
    allBoundSeconds: Math.round(allBoundSeconds * 10) / 10,
    allRunningSeconds: Math.round(allRunningSeconds * 10) / 10,
    scheduleP50Ms: Math.round(percentile(lat, 50)),
    scheduleP99Ms: Math.round(percentile(lat, 99)),
    rollingUpdateSeconds: Math.round(rollingUpdateSeconds * 10) / 10,
    createRequestsSeconds: Math.round(createdSeconds * 10) / 10,
    firstBoundSeconds: Math.round(firstBound * 10) / 10,
    cpuSecondsCreateToRunning: diff(cpu0, cpu1),
    cpuSecondsRollingUpdate: diff(cpu1, cpu2),
    changeLogRows: changes,
    cores: require('node:os').cpus().length,
  };
  progress(`run ${run}/${runs}: ${result.podsPerSecond} pods/s, rolling update ${result.rollingUpdateSeconds} s`);
  controller.child.kill('SIGTERM');
  hollow.child.kill('SIGTERM');
  api.stop();
  await pg.end();
  await sleep(500);
  return result;
}

/** Medians over BENCH_RUNS runs (default 3), each on a fresh database: one run moves by 20-40 % on this machine. */
async function main() {
  const runs = Number(process.env.BENCH_RUNS || 3);
  const results = [];
  for (let run = 1; run <= runs; run++) results.push(await runOnce(run, runs));
  const headline = ['podsPerSecond', 'allBoundSeconds', 'allRunningSeconds', 'scheduleP50Ms', 'scheduleP99Ms', 'rollingUpdateSeconds', 'firstBoundSeconds'];
  const med = Object.fromEntries(headline.map((k) => [k, median(results.map((r) => r[k]))]));
  const cpuMed = (phase) => Object.fromEntries(Object.keys(results[0][phase]).map((k) => [k, median(results.map((r) => r[phase][k]))]));
  const summary = {
    nodes: NODES,
    deployments: DEPLOYMENTS,
    replicas: REPLICAS,
    pods: PODS,
    runs,
    ...med,
    cpuSecondsCreateToRunning: cpuMed('cpuSecondsCreateToRunning'),
    cpuSecondsRollingUpdate: cpuMed('cpuSecondsRollingUpdate'),
    changeLogRows: median(results.map((r) => r.changeLogRows)),
    cores: results[0].cores,
    perRun: results,
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/scheduler.json'), `${JSON.stringify(summary, null, 2)}\n`);
  const cpuRow = (c) => `API ${c.api} s, controller ${c.controller} s, hollow nodes ${c.hollow} s, Postgres ${c.postgres} s, Redis ${c.redis} s`;
  const range = (k) => {
    const v = results.map((r) => r[k]);
    return runs > 1 ? ` (${Math.min(...v)}–${Math.max(...v)})` : '';
  };
  const md = [
    '# Scheduler benchmark',
    '',
    `${NODES} hollow nodes (simulator, own process), ${DEPLOYMENTS} Deployments x ${REPLICAS} replicas = ${PODS} pods created at once through the API,`,
    `on ${summary.cores} cores. Controller: dispatcher + BullMQ workers + scheduler (batched binds), real Postgres and Redis.`,
    `${new Date().toISOString()}: median of ${runs} runs, each on a fresh database (range in brackets).`,
    '',
    '| measure | median (range) |',
    '|---|---|',
    `| all ${PODS} pods bound | ${med.allBoundSeconds} s${range('allBoundSeconds')} |`,
    `| all Running (hollow start delay 500 ms) | ${med.allRunningSeconds} s${range('allRunningSeconds')} |`,
    `| throughput, creation of the Deployments -> all bound | **${med.podsPerSecond} pods/s**${range('podsPerSecond')} |`,
    `| per-pod scheduling latency (pod committed -> bind committed) p50 | ${med.scheduleP50Ms} ms${range('scheduleP50Ms')} |`,
    `| per-pod scheduling latency p99 | ${med.scheduleP99Ms} ms${range('scheduleP99Ms')} |`,
    `| rolling update of all ${DEPLOYMENTS} Deployments (maxSurge/maxUnavailable 25%) converged | ${med.rollingUpdateSeconds} s${range('rollingUpdateSeconds')} |`,
    `| first pod bound | ${med.firstBoundSeconds} s${range('firstBoundSeconds')} |`,
    '',
    `CPU seconds (medians), create -> all Running: ${cpuRow(summary.cpuSecondsCreateToRunning)}.`,
    '',
    `CPU seconds (medians), rolling update: ${cpuRow(summary.cpuSecondsRollingUpdate)}.`,
    '',
    `Change-log rows written in a run: ${summary.changeLogRows}.`,
    '',
  ].join('\n');
  // Notes written by hand below the marker survive a new run.
  const file = join(ROOT, 'bench/results/scheduler.md');
  const MARK = '<!-- notes: written by hand, kept by bench/scheduler.js -->';
  let notes = '';
  try {
    const old = readFileSync(file, 'utf8');
    if (old.includes(MARK)) notes = old.slice(old.indexOf(MARK));
  } catch {
    /* first run */
  }
  writeFileSync(file, notes ? `${md}\n${notes}` : md);
  process.stdout.write(md);
}

module.exports = { main };
