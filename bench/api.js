// API benchmark: GET, LIST of 1,000 pods, CREATE at concurrency 1 and 64 (autocannon in a second
// process), watch delivery latency under 200 writes/s, resident memory idle and under load, and
// the cost of TLS (the same GET and CREATE against a plain-HTTP API, side by side in one run).
const { spawn } = require('node:child_process');
const { writeFileSync, mkdirSync } = require('node:fs');
const { join } = require('node:path');
const { prepare, startApi, request, rssMb, autocannon, median, percentile, progress, agentFor, ROOT, waitFor } = require('./support');

const SECONDS = Number(process.env.BENCH_SECONDS || 8);

async function seed(api) {
  agentFor(api);
  await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench-watch' } });
  const pods = Array.from({ length: 1000 }, (_, i) => ({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(4, '0')}`, labels: { app: 'bench', shard: String(i % 10) } },
    spec: { containers: [{ name: 'app', image: 'flotilla/web:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
  }));
  for (let i = 0; i < pods.length; i += 16) {
    const rs = await Promise.all(pods.slice(i, i + 16).map((p) => request(api, 'POST', '/api/v1/namespaces/bench/pods', p)));
    const bad = rs.find((r) => r.status !== 201);
    if (bad) throw new Error(`seeding failed: ${bad.status} ${bad.body}`);
    if (i % 200 === 0) progress(`seeded ${i + 16}/1000 pods`);
  }
}

async function watchLatency(api) {
  const child = spawn(
    process.execPath,
    [
      join(__dirname, 'watch-client.js'),
      api.url,
      api.token,
      api.caFile ?? '-',
      '/api/v1/namespaces/bench-watch/configmaps?watch=true&resourceVersion=0',
      '2000',
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  await waitFor('the watch client to be ready', () => out.includes('READY'), 30_000, 20);
  progress('watch delivery: 2,000 writes at 200/s');
  const started = Date.now();
  const writes = [];
  for (let i = 0; i < 2000; i++) {
    const due = started + i * 5;
    const wait = due - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sentAt = Date.now();
    const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'w-' }, data: { sentAt: String(sentAt) } };
    writes.push(request(api, 'POST', '/api/v1/namespaces/bench-watch/configmaps', body).then(() => Date.now() - sentAt));
  }
  const writeLatencies = (await Promise.all(writes)).sort((a, b) => a - b);
  const achieved = Math.round(2000 / ((Date.now() - started) / 1000));
  await new Promise((r) => child.on('exit', r));
  const lat = JSON.parse(out.split('\n')[1]).sort((a, b) => a - b);
  return {
    events: lat.length,
    p50Ms: percentile(lat, 50),
    p99Ms: percentile(lat, 99),
    writesPerSecond: achieved,
    writeP50Ms: percentile(writeLatencies, 50),
    writeP99Ms: percentile(writeLatencies, 99),
  };
}

async function main() {
  const runs = Number(process.env.BENCH_RUNS || 3);
  const db = prepare('flotilla_bench');
  progress('starting the API (TLS), a plain-HTTP API, and an API with group commit off, for comparison');
  const api = await startApi(db);
  const plain = await startApi({ ...db, tls: false });
  const serial = await startApi({ ...db, env: { FLOTILLA_GROUP_COMMIT: 'off' } });
  await seed(api);
  await new Promise((r) => setTimeout(r, 5000));
  const idleRssMb = rssMb(api.pid);
  let loadRssMb = idleRssMb;
  const sampler = setInterval(() => (loadRssMb = Math.max(loadRssMb, rssMb(api.pid))), 250);

  const getPath = '/api/v1/namespaces/bench/pods/pod-0500';
  const listPath = '/api/v1/namespaces/bench/pods';
  const create = {
    path: '/api/v1/namespaces/bench/configmaps',
    method: 'POST',
    body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'c-' }, data: { k: 'v' } },
  };
  const plan = [];
  for (const c of [1, 64]) plan.push(['GET pod', api, { path: getPath, connections: c }], ['GET pod', plain, { path: getPath, connections: c }]);
  for (const c of [1, 64]) plan.push(['LIST 1,000 pods', api, { path: listPath, connections: c }]);
  for (const c of [1, 64]) plan.push(['CREATE configmap', api, { ...create, connections: c }], ['CREATE configmap', plain, { ...create, connections: c }]);
  plan.push(['CREATE configmap, group commit off', serial, { ...create, connections: 64 }]);

  // Every case runs once per round, the rounds one after another, so a noisy moment hits one sample of each.
  const samples = plan.map(() => []);
  for (let round = 1; round <= runs; round++) {
    for (const [i, [name, target, opts]] of plan.entries()) {
      progress(`round ${round}/${runs}: ${name} c=${opts.connections} over ${target.url.split(':')[0]} (${SECONDS}s)`);
      samples[i].push(await autocannon(target, { ...opts, seconds: SECONDS }));
    }
  }
  const cases = plan.map(([name, target, opts], i) => {
    const s = samples[i];
    const p99s = s.map((x) => x.p99Ms);
    return {
      case: name,
      transport: target.url.startsWith('https') ? 'tls' : 'http',
      concurrency: opts.connections,
      p50Ms: median(s.map((x) => x.p50Ms)),
      p99Ms: median(p99s),
      p99RangeMs: [Math.min(...p99s), Math.max(...p99s)],
      requestsPerSecond: Math.round(median(s.map((x) => x.requestsPerSecond))),
      errors: s.reduce((n, x) => n + x.errors, 0),
      runs: s.length,
    };
  });
  const watch = await watchLatency(api);
  clearInterval(sampler);
  api.stop();
  plain.stop();
  serial.stop();
  const find = (name, c, transport) => cases.find((x) => x.case === name && x.concurrency === c && x.transport === transport);
  const tlsCost = (name, c) => {
    const t = find(name, c, 'tls');
    const h = find(name, c, 'http');
    return { case: name, concurrency: c, tlsP50Ms: t.p50Ms, httpP50Ms: h.p50Ms, addedP50Ms: Math.round((t.p50Ms - h.p50Ms) * 100) / 100 };
  };
  const grouped = find('CREATE configmap', 64, 'tls');
  const alone = find('CREATE configmap, group commit off', 64, 'tls');
  const result = {
    date: new Date().toISOString(),
    machine: `${require('node:os').cpus().length} cores, Node ${process.version}`,
    secondsPerCase: SECONDS,
    runs,
    cases,
    groupCommit: {
      concurrency: 64,
      onRequestsPerSecond: grouped.requestsPerSecond,
      offRequestsPerSecond: alone.requestsPerSecond,
      throughputRatio: Math.round((grouped.requestsPerSecond / alone.requestsPerSecond) * 100) / 100,
      onP99Ms: grouped.p99Ms,
      offP99Ms: alone.p99Ms,
    },
    watchDeliveryP50Ms: watch.p50Ms,
    watchDeliveryP99Ms: watch.p99Ms,
    watchWritesPerSecond: watch.writesPerSecond,
    watchWriteP50Ms: watch.writeP50Ms,
    watchWriteP99Ms: watch.writeP99Ms,
    watchEvents: watch.events,
    idleRssMb,
    loadRssMb,
    tls: [tlsCost('GET pod', 1), tlsCost('GET pod', 64), tlsCost('CREATE configmap', 1), tlsCost('CREATE configmap', 64)],
  };
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench/results/api.json'), `${JSON.stringify(result, null, 2)}\n`);
  const gc = result.groupCommit;
  const md = [
    '# API benchmark',
    '',
    `${result.date} · ${result.machine} · autocannon in a second process, ${SECONDS}s per case, keep-alive, ${runs} rounds of every case. Each figure is the median over the rounds; the p99 range is the lowest and highest of them.`,
    '',
    '| case | transport | concurrency | p50 ms | p99 ms | p99 range ms | req/s | errors |',
    '|---|---|---|---|---|---|---|---|',
    ...cases.map(
      (c) => `| ${c.case} | ${c.transport} | ${c.concurrency} | ${c.p50Ms} | ${c.p99Ms} | ${c.p99RangeMs.join('–')} | ${c.requestsPerSecond} | ${c.errors} |`,
    ),
    '',
    `Group commit (concurrent creates share one commit), CREATE at c=64 over TLS: ${gc.onRequestsPerSecond} creates/s with it, ${gc.offRequestsPerSecond} without (${gc.throughputRatio}×); p99 ${gc.onP99Ms} ms against ${gc.offP99Ms} ms. Both APIs ran side by side in the same rounds (the second with FLOTILLA_GROUP_COMMIT=off).`,
    '',
    `Watch delivery (write sent → event at a watcher in another process), ${watch.events} events at ${watch.writesPerSecond} writes/s: p50 ${watch.p50Ms} ms, p99 ${watch.p99Ms} ms. The writes themselves (sent → answered): p50 ${watch.writeP50Ms} ms, p99 ${watch.writeP99Ms} ms.`,
    '',
    `API resident memory: idle ${idleRssMb} MB (1,000 pods cached), under load ${loadRssMb} MB (its watch cache then holds every configmap the rounds created).`,
    '',
    '| TLS cost | concurrency | TLS p50 ms | HTTP p50 ms | added ms |',
    '|---|---|---|---|---|',
    ...result.tls.map((t) => `| ${t.case} | ${t.concurrency} | ${t.tlsP50Ms} | ${t.httpP50Ms} | ${t.addedP50Ms} |`),
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench/results/api.md'), md);
  process.stdout.write(md);
  process.exit(0);
}

module.exports = { main };
