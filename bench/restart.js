// Restart benchmark (issue 15): the API runs under scripts/supervise.sh as scripts/up.sh runs it, with 1,000 pods
// stored (so the watch-cache snapshot is not empty), and is killed with SIGKILL BENCH_RESTARTS times (default 7).
// Each kill is timed to: a new process (the supervisor's delay), /readyz answering 200, and the first
// authenticated LIST answering 200 (what a client sees). The API's own start phases, from its "API listening"
// log line, say where the time went. Target: serving again within 2 s of the kill.
const { spawn } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } = require('node:fs');
const https = require('node:https');
const { cpus, loadavg, tmpdir, totalmem } = require('node:os');
const { join } = require('node:path');
const { performance } = require('node:perf_hooks');
const { prepare, request, agentFor, median, progress, sleep, waitFor, ROOT } = require('./support');

const RESTARTS = Number(process.env.BENCH_RESTARTS || 7);
const PODS = 1000;

/** One request on a fresh connection (the killed process's keep-alive sockets are gone). */
function once(api, path) {
  return new Promise((resolve) => {
    const req = https.request(new URL(path, api.url), { ca: api.ca, agent: false, headers: { authorization: `Bearer ${api.token}` }, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

async function seed(api) {
  agentFor(api);
  await request(api, 'POST', '/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'bench' } });
  for (let i = 0; i < PODS; i += 16) {
    const batch = Array.from({ length: Math.min(16, PODS - i) }, (_, j) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: `pod-${String(i + j).padStart(4, '0')}`, labels: { app: 'bench' } },
      spec: { containers: [{ name: 'app', image: 'flotilla/web:1', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] },
    }));
    const rs = await Promise.all(batch.map((p) => request(api, 'POST', '/api/v1/namespaces/bench/pods', p)));
    const bad = rs.find((r) => r.status !== 201);
    if (bad) throw new Error(`seeding failed: ${bad.status} ${bad.body}`);
  }
}

const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return { median: median(s), min: s[0], max: s[s.length - 1] };
};

async function main() {
  const load = loadavg()[0];
  const { databaseUrl, redisUrl } = prepare('flotilla_bench_restart');
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-restart-'));
  mkdirSync(join(dataDir, 'run'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  const token = randomBytes(24).toString('base64url');
  let output = '';
  const supervisor = spawn('bash', [join(ROOT, 'scripts/supervise.sh'), 'api', process.execPath, join(ROOT, 'apps/api/dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_API_PORT: String(port),
      FLOTILLA_API_HOST: '127.0.0.1',
      FLOTILLA_BOOTSTRAP_TOKEN: token,
      FLOTILLA_ADMIN_USER: 'bench-admin',
      FLOTILLA_ADMIN_PASSWORD: 'correct-horse-battery-staple',
      FLOTILLA_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  supervisor.stdout.on('data', (d) => (output += d));
  supervisor.stderr.on('data', (d) => (output += d));
  const childPid = () => Number(readFileSync(join(dataDir, 'run', 'api.child.pid'), 'utf8')) || 0;
  const api = { url: `https://127.0.0.1:${port}`, token, ca: undefined };
  const listPath = '/api/v1/namespaces/bench/pods?limit=1';
  try {
    await waitFor(
      'the supervised API',
      async () => {
        try {
          api.ca = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
        } catch {
          return false;
        }
        return (await once(api, '/readyz')) === 200;
      },
      60_000,
      100,
    );
    progress(`seeding ${PODS} pods`);
    await seed(api);
    const runs = [];
    for (let i = 0; i < RESTARTS; i++) {
      // Each process runs past the supervisor's 10 s: a shorter run would read as a crash loop and back off.
      await sleep(10_500);
      const before = childPid();
      const linesBefore = output.split('\n').length;
      const killedAt = performance.now();
      process.kill(before, 'SIGKILL');
      await waitFor('a new API process', async () => childPid() > 0 && childPid() !== before, 10_000, 5);
      const respawnMs = performance.now() - killedAt;
      await waitFor('/readyz', async () => (await once(api, '/readyz')) === 200, 60_000, 10);
      const readyMs = performance.now() - killedAt;
      await waitFor('an authenticated LIST', async () => (await once(api, listPath)) === 200, 60_000, 10);
      const servingMs = performance.now() - killedAt;
      await waitFor('the start phases logged', async () => /"msg":"API listening"/.test(output.split('\n').slice(linesBefore).join('\n')), 10_000, 20);
      const line = output
        .split('\n')
        .slice(linesBefore)
        .find((l) => l.includes('"msg":"API listening"'));
      const phases = JSON.parse(line).startMs;
      const pause = output
        .split('\n')
        .slice(linesBefore)
        .find((l) => l.includes('"component":"supervisor"'));
      const pauseMs = pause ? JSON.parse(pause).delayMs : undefined;
      runs.push({ pauseMs, respawnMs: Math.round(respawnMs), readyMs: Math.round(readyMs), servingMs: Math.round(servingMs), phases });
      progress(
        `kill ${i + 1}/${RESTARTS}: supervisor pause ${pauseMs} ms, new process ${runs[i].respawnMs} ms, /readyz ${runs[i].readyMs} ms, LIST ${runs[i].servingMs} ms; ${JSON.stringify(phases)}`,
      );
    }
    const phaseNames = Object.keys(runs[0].phases);
    const result = {
      at: new Date().toISOString(),
      machine: { cores: cpus().length, memGiB: Math.round(totalmem() / 2 ** 30), node: process.version, loadAverage: Number(load.toFixed(1)) },
      restarts: RESTARTS,
      storedPods: PODS,
      respawnMs: stats(runs.map((r) => r.respawnMs)),
      readyMs: stats(runs.map((r) => r.readyMs)),
      servingMs: stats(runs.map((r) => r.servingMs)),
      phasesMedianMs: Object.fromEntries(phaseNames.map((n) => [n, median([...runs.map((r) => r.phases[n])].sort((a, b) => a - b))])),
      runs,
    };
    writeResults(result);
    return result;
  } finally {
    supervisor.kill('SIGTERM');
    await new Promise((r) => supervisor.once('exit', r));
    rmSync(dataDir, { recursive: true, force: true });
  }
}

function writeResults(r) {
  const dir = join(__dirname, 'results');
  writeFileSync(join(dir, 'restart.json'), JSON.stringify(r, null, 2) + '\n');
  const row = (name, s) => `| ${name} | ${s.median} | ${s.min} | ${s.max} |`;
  const md = `# API restart after kill -9

${r.at} · ${r.machine.cores} cores, ${r.machine.memGiB} GiB · Node ${r.machine.node} · load average ${r.machine.loadAverage} at the start (the machine is shared)

The API under scripts/supervise.sh (as scripts/up.sh runs it), ${r.storedPods} pods stored, killed with SIGKILL ${r.restarts} times.
Times from the kill. Target: serving again within 2 s.

| ms after kill -9 | median | min | max |
|---|---|---|---|
${row('new process started (supervisor)', r.respawnMs)}
${row('/readyz 200', r.readyMs)}
${row('first authenticated LIST 200', r.servingMs)}

Where a start goes (median ms, from the API's "API listening" log line; \`modules\` is from process start to
the first line of start-up, the others one after another):

| ${Object.keys(r.phasesMedianMs).join(' | ')} |
|${Object.keys(r.phasesMedianMs)
    .map(() => '---')
    .join('|')}|
| ${Object.values(r.phasesMedianMs).join(' | ')} |

\`npm run bench -- restart\` regenerates this file (and \`restart.json\`); BENCH_RESTARTS sets the number of kills.
`;
  writeFileSync(join(dir, 'restart.md'), md);
  progress(`wrote bench/results/restart.{md,json}: serving again ${r.servingMs.median} ms (median) after kill -9`);
}

module.exports = { main };
