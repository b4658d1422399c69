// Pod start-up benchmark: a pod created through the API, bound to a real agent's node → Ready seen through a
// watch; against the same containers (a sandbox plus one container joined to its network) created and
// started directly through the Docker API in the same run. 1 pod at a time, 20 at once, and 200 on one node.
const { spawn } = require('node:child_process');
const https = require('node:https');
const { performance } = require('node:perf_hooks');
const { randomBytes } = require('node:crypto');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const Docker = require('dockerode');
const { removeLabelled } = require('@flotilla/runtime');
const { prepare, startApi, request, percentile, progress, agentFor, ROOT, sleep, limited, eachLine } = require('./support');

const SINGLE_RUNS = Number(process.env.BENCH_SINGLE_RUNS || 15);
const BURST = 20;
const BURST_RUNS = Number(process.env.BENCH_BURST_RUNS || 2);
const MANY = Number(process.env.BENCH_MANY || 200);
const CONCURRENCY = Number(process.env.FLOTILLA_SYNC_CONCURRENCY || 8);
const IMAGE = 'flotilla/busybox:1';
const NS = 'bench-pods';

const docker = new Docker({ socketPath: (process.env.DOCKER_HOST || 'unix:///var/run/docker.sock').replace(/^unix:\/\//, '') });
const run = randomBytes(3).toString('hex');
const nodeName = `bench-node-${run}`;
const benchLabel = { 'flotilla.bench': run };

function stats(samples, raw) {
  const s = [...samples].sort((a, b) => a - b);
  const r = [...raw].sort((a, b) => a - b);
  const p50 = percentile(s, 50);
  const p99 = percentile(s, 99);
  const rawP50 = percentile(r, 50);
  const rawP99 = percentile(r, 99);
  return {
    samples: s.length,
    p50Ms: Math.round(p50),
    p99Ms: Math.round(p99),
    rawDockerP50Ms: Math.round(rawP50),
    rawDockerP99Ms: Math.round(rawP99),
    ratioP50: Number((p50 / rawP50).toFixed(2)),
    overheadP99Ms: Math.round(p99 - rawP99),
  };
}

// ---- the platform path -------------------------------------------------------------------------------

/** Watches the namespace's pods and resolves a waiter when the named pod first reports Ready=True. */
function readyWatcher(api) {
  const waiters = new Map();
  const readyAt = new Map();
  const req = https.request(new URL(`/api/v1/namespaces/${NS}/pods?watch=true`, api.url), {
    method: 'GET',
    ca: api.ca,
    headers: { authorization: `Bearer ${api.token}` },
  });
  req.on('response', (res) => {
    res.setEncoding('utf8');
    res.on(
      'data',
      eachLine((line) => {
        const pod = JSON.parse(line).object;
        const name = pod.metadata && pod.metadata.name;
        const ready = ((pod.status && pod.status.conditions) || []).some((c) => c.type === 'Ready' && c.status === 'True');
        if (ready && !readyAt.has(name)) {
          readyAt.set(name, performance.now());
          const w = waiters.get(name);
          if (w) w(readyAt.get(name));
        }
      }),
    );
  });
  req.on('error', () => undefined);
  req.end();
  return {
    until: (name) => (readyAt.has(name) ? Promise.resolve(readyAt.get(name)) : new Promise((resolve) => waiters.set(name, resolve))),
    forget: (name) => {
      readyAt.delete(name);
      waiters.delete(name);
    },
    stop: () => req.destroy(),
  };
}

function podManifest(name) {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: 'bench' } },
    spec: { nodeName, terminationGracePeriodSeconds: 0, containers: [{ name: 'app', image: IMAGE, command: ['sleep', '3600'] }] },
  };
}

async function createPods(api, watcher, names) {
  return Promise.all(
    names.map(async (name) => {
      const t0 = performance.now();
      const r = await retrying(() => request(api, 'POST', `/api/v1/namespaces/${NS}/pods`, podManifest(name)));
      if (r.status !== 201) throw new Error(`create ${name}: ${r.status} ${r.body}`);
      const t1 = await watcher.until(name);
      return t1 - t0;
    }),
  );
}

/** A request retried on connection resets (the API closes idle keep-alive sockets under load). */
async function retrying(fn) {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (e) {
      if (i >= 5) throw e;
      await sleep(100 * (i + 1));
    }
  }
}

async function deletePods(api, watcher, names) {
  await limited(names.length, 32, (i) => retrying(() => request(api, 'DELETE', `/api/v1/namespaces/${NS}/pods/${names[i]}`, { gracePeriodSeconds: 0 })));
  for (const n of names) watcher.forget(n);
  // Wait until the agent has removed every container, so the next round starts from an idle engine.
  for (let i = 0; i < 600; i++) {
    const left = await docker.listContainers({ all: true, filters: { label: [`flotilla.node=${nodeName}`] } });
    if (left.length === 0) return;
    await sleep(100);
  }
  throw new Error('containers of deleted pods were not removed');
}

// ---- the raw Docker path -----------------------------------------------------------------------------

let rawNet;
async function rawPod(i) {
  const t0 = performance.now();
  const sandbox = await docker.createContainer({
    name: `bench-raw-${run}-${i}-pod`,
    Image: IMAGE,
    Cmd: ['/bin/pause'],
    Labels: benchLabel,
    HostConfig: { NetworkMode: rawNet, IpcMode: 'shareable' },
  });
  await sandbox.start();
  const app = await docker.createContainer({
    name: `bench-raw-${run}-${i}-app`,
    Image: IMAGE,
    Cmd: ['sleep', '3600'],
    Labels: benchLabel,
    HostConfig: { NetworkMode: `container:${sandbox.id}`, IpcMode: `container:${sandbox.id}` },
  });
  await app.start();
  return performance.now() - t0;
}

async function rawCleanup() {
  const list = await docker.listContainers({ all: true, filters: { label: [`flotilla.bench=${run}`] } });
  await Promise.all(
    list.map((c) =>
      docker
        .getContainer(c.Id)
        .remove({ force: true })
        .catch(() => undefined),
    ),
  );
}

// ---- main --------------------------------------------------------------------------------------------

function startAgent(api, redisUrl) {
  const child = spawn(process.execPath, [join(ROOT, 'apps/agent/dist/main.js')], {
    env: {
      ...process.env,
      FLOTILLA_API_URL: api.url,
      FLOTILLA_CA_FILE: api.caFile,
      FLOTILLA_NODE_TOKEN: api.token,
      FLOTILLA_NODE_NAME: nodeName,
      FLOTILLA_SYNC_CONCURRENCY: String(CONCURRENCY),
      FLOTILLA_DOCKER_LABELS: `flotilla.bench=${run}`,
      FLOTILLA_LOG_LEVEL: 'warn',
      REDIS_URL: redisUrl,
    },
    // The agent's warnings (its log lines are on stdout) go with the bench's progress, on stderr.
    stdio: ['ignore', 2, 'inherit'],
  });
  return child;
}

async function main() {
  const { databaseUrl, redisUrl } = prepare('flotilla_bench_pods');
  const api = await startApi({ databaseUrl, redisUrl });
  agentFor(api);
  const info = await docker.info();
  let agent;
  try {
    await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
    agent = startAgent(api, redisUrl);
    for (let i = 0; i < 300; i++) {
      const r = await request(api, 'GET', `/api/v1/nodes/${nodeName}`);
      if (r.status === 200) break;
      await sleep(100);
    }
    const net = await docker.createNetwork({ Name: `bench-raw-${run}`, Driver: 'bridge', Labels: benchLabel });
    rawNet = `bench-raw-${run}`;
    const watcher = readyWatcher(api);
    await sleep(300);

    // Warm-up: one pod each way (first network creation, image metadata in the engine's cache).
    progress('warm-up');
    await createPods(api, watcher, ['warm']);
    await deletePods(api, watcher, ['warm']);
    await rawPod('warm');
    await rawCleanup();

    progress(`1 pod at a time × ${SINGLE_RUNS}`);
    const single = [];
    const singleRaw = [];
    for (let i = 0; i < SINGLE_RUNS; i++) {
      const [t] = await createPods(api, watcher, [`one-${i}`]);
      single.push(t);
      await deletePods(api, watcher, [`one-${i}`]);
      singleRaw.push(await rawPod(`one-${i}`));
      await rawCleanup();
    }

    progress(`${BURST} pods at once × ${BURST_RUNS}`);
    const burst = [];
    const burstRaw = [];
    for (let r = 0; r < BURST_RUNS; r++) {
      const names = Array.from({ length: BURST }, (_, i) => `burst-${r}-${i}`);
      burst.push(...(await createPods(api, watcher, names)));
      await deletePods(api, watcher, names);
      burstRaw.push(...(await Promise.all(Array.from({ length: BURST }, (_, i) => rawPod(`burst-${r}-${i}`)))));
      await rawCleanup();
    }

    progress(`1 pod: ${JSON.stringify(stats(single, singleRaw))}`);
    progress(`20 pods: ${JSON.stringify(stats(burst, burstRaw))}`);
    progress(`${MANY} pods on one node`);
    const manyNames = Array.from({ length: MANY }, (_, i) => `many-${i}`);
    const t0 = performance.now();
    const manyLat = await createPods(api, watcher, manyNames);
    const manyMs = performance.now() - t0;
    progress(`${MANY} pods Ready in ${Math.round(manyMs)} ms; removing them`);
    await deletePods(api, watcher, manyNames);
    const r0 = performance.now();
    await limited(MANY, CONCURRENCY, (i) => rawPod(`many-${i}`));
    const manyRawMs = performance.now() - r0;
    progress(`raw Docker: ${MANY} pods started in ${Math.round(manyRawMs)} ms`);
    await rawCleanup();
    watcher.stop();
    await docker
      .getNetwork(net.id)
      .remove()
      .catch(() => undefined);

    const result = {
      suite: 'pods',
      date: new Date().toISOString(),
      machine: { cpus: info.NCPU, memoryGiB: Math.round(info.MemTotal / 2 ** 30), docker: info.ServerVersion },
      agentSyncConcurrency: CONCURRENCY,
      image: IMAGE,
      pod: 'one container (sleep) + sandbox, image present, terminationGracePeriodSeconds 0',
      onePod: stats(single, singleRaw),
      twentyPods: stats(burst, burstRaw),
      manyPods: {
        pods: MANY,
        allReadyMs: Math.round(manyMs),
        rawDockerAllStartedMs: Math.round(manyRawMs),
        rawDockerConcurrency: CONCURRENCY,
        ratio: Number((manyMs / manyRawMs).toFixed(2)),
        p50Ms: Math.round(
          percentile(
            [...manyLat].sort((a, b) => a - b),
            50,
          ),
        ),
        p99Ms: Math.round(
          percentile(
            [...manyLat].sort((a, b) => a - b),
            99,
          ),
        ),
      },
    };
    mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench', 'results', 'pods.json'), `${JSON.stringify(result, null, 2)}\n`);
    writeFileSync(join(ROOT, 'bench', 'results', 'pods.md'), report(result));
    process.stdout.write(report(result));
  } finally {
    if (agent) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent.once('exit', r));
    }
    await cleanupDocker();
    api.stop();
  }
}

async function cleanupDocker() {
  for (const label of [`flotilla.node=${nodeName}`, `flotilla.bench=${run}`]) await removeLabelled(docker, label);
}

function report(r) {
  const row = (label, s) =>
    `| ${label} | ${s.samples} | ${s.p50Ms} | ${s.p99Ms} | ${s.rawDockerP50Ms} | ${s.rawDockerP99Ms} | ${s.ratioP50} | ${s.overheadP99Ms} |`;
  return `# Pod start-up benchmark

${r.date} · ${r.machine.cpus} CPUs, ${r.machine.memoryGiB} GiB · Docker ${r.machine.docker} · agent sync concurrency ${r.agentSyncConcurrency}

Platform: \`POST pods\` (bound to the agent's node through \`spec.nodeName\`) → the pod's \`Ready=True\` seen on a watch.
Raw Docker: the same sandbox + container created and started through the Docker API (dockerode), in the same run.
Pod: ${r.pod}; image \`${r.image}\`.

| pods at once | samples | p50 ms | p99 ms | raw Docker p50 ms | raw Docker p99 ms | p50 ratio | p99 overhead ms |
|---|---|---|---|---|---|---|---|
${row('1', r.onePod)}
${row('20', r.twentyPods)}

**${r.manyPods.pods} pods on one node**: all Ready in ${r.manyPods.allReadyMs} ms (per-pod p50 ${r.manyPods.p50Ms} ms, p99 ${r.manyPods.p99Ms} ms);
raw Docker at concurrency ${r.manyPods.rawDockerConcurrency}: all started in ${r.manyPods.rawDockerAllStartedMs} ms (ratio ${r.manyPods.ratio}).

\`npm run bench -- pods\` regenerates this file (and \`pods.json\`).
`;
}

module.exports = { main };
