// Shared pieces for the benchmark suites: a fresh database, API processes, HTTPS helpers, RSS.
const { spawn, execFileSync } = require('node:child_process');
const { randomBytes } = require('node:crypto');
const { mkdtempSync, readFileSync, readdirSync, existsSync } = require('node:fs');
const https = require('node:https');
const http = require('node:http');
const net = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const ROOT = join(__dirname, '..');

function envFile() {
  const f = join(ROOT, '.flotilla', 'env');
  const out = {};
  if (existsSync(f)) for (const l of readFileSync(f, 'utf8').split('\n')) if (l.includes('=')) out[l.slice(0, l.indexOf('='))] = l.slice(l.indexOf('=') + 1);
  return out;
}

function progress(msg) {
  process.stderr.write(`[bench] ${msg}\n`);
}

/** Prepares the machine (set-up script) and a fresh database for the suite. */
function prepare(dbName) {
  if (process.env.BENCH_SKIP_SETUP === '1') progress('BENCH_SKIP_SETUP=1: using the current build as it is');
  else {
    progress('preparing machine (scripts/setup.sh)');
    execFileSync('bash', [join(ROOT, 'scripts/setup.sh')], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  return freshDatabase(dbName);
}

/** A fresh database with the migrations applied (the services themselves are assumed up: scripts/setup.sh). */
function freshDatabase(dbName) {
  const env = { ...envFile(), ...process.env };
  const base = new URL(env.DATABASE_URL);
  const admin = new URL(base);
  admin.pathname = '/postgres';
  execFileSync('psql', [admin.toString(), '-qc', `DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`, '-c', `CREATE DATABASE ${dbName}`], { stdio: 'ignore' });
  const db = new URL(base);
  db.pathname = `/${dbName}`;
  execFileSync('node', [join(ROOT, 'libs/store/dist/migrate-cli.js')], { env: { ...process.env, DATABASE_URL: db.toString() }, stdio: 'ignore' });
  return { databaseUrl: db.toString(), redisUrl: env.REDIS_URL || 'redis://127.0.0.1:6379' };
}

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// BENCH_API_NODE_ARGS adds Node flags to the API under test (e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof' to profile it);
// BENCH_API_STDOUT=1 shows its standard output (e.g. for '--trace-gc').
async function startApi({ databaseUrl, redisUrl, tls = true, env = {} }) {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-bench-'));
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  const child = spawn(process.execPath, [...(process.env.BENCH_API_NODE_ARGS || '').split(' ').filter(Boolean), join(ROOT, 'apps/api/dist/main.js')], {
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      REDIS_URL: redisUrl,
      FLOTILLA_API_PORT: String(port),
      FLOTILLA_API_HOST: '127.0.0.1',
      FLOTILLA_DATA_DIR: dataDir,
      FLOTILLA_BOOTSTRAP_TOKEN: token,
      FLOTILLA_LOG_LEVEL: 'warn',
      FLOTILLA_TLS: tls ? 'on' : 'off-behind-proxy',
      ...env,
    },
    stdio: ['ignore', process.env.BENCH_API_STDOUT ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const caFile = join(dataDir, 'pki', 'ca.crt');
  let ca;
  try {
    await waitFor(
      'the API to be ready',
      async () => {
        ca = tls ? readFileSync(caFile, 'utf8') : undefined;
        return (await request({ url, ca, token }, 'GET', '/readyz')).status === 200;
      },
      30_000,
      100,
    );
  } catch (e) {
    child.kill();
    throw e;
  }
  return { url, token, ca, caFile: tls ? caFile : undefined, pid: child.pid, child, stop: () => child.kill('SIGTERM') };
}

const agents = new Map();
function agentFor(api) {
  if (!agents.has(api.url))
    agents.set(
      api.url,
      api.url.startsWith('https') ? new https.Agent({ keepAlive: true, ca: api.ca, maxSockets: 64 }) : new http.Agent({ keepAlive: true, maxSockets: 64 }),
    );
  return agents.get(api.url);
}

function request(api, method, path, body) {
  const mod = api.url.startsWith('https') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(
      new URL(path, api.url),
      {
        method,
        agent: api.agent === false ? undefined : agents.get(api.url),
        ca: api.ca,
        headers: { authorization: `Bearer ${api.token}`, 'content-type': 'application/json' },
      },
      (res) => {
        let data = '';
        res.on('data', (d) => (data += d));
        res.on('end', () => resolve({ status: res.statusCode, body: data }));
      },
    );
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}

function rssMb(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Math.round(Number(m[1]) / 1024) : NaN;
}

/** Runs autocannon in its own process (the load generator must not share the API's CPU accounting). */
function autocannon(api, { path, method = 'GET', body, connections, seconds, accept }) {
  const args = [
    '-j',
    '-c',
    String(connections),
    '-d',
    String(seconds),
    '-m',
    method,
    '-H',
    `authorization=Bearer ${api.token}`,
    '-H',
    'content-type=application/json',
  ];
  if (accept) args.push('-H', `accept=${accept}`);
  if (body) args.push('-b', JSON.stringify(body));
  args.push(new URL(path, api.url).toString());
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/autocannon'), args, {
      env: { ...process.env, NODE_EXTRA_CA_CERTS: api.caFile ?? '' },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('exit', (code) => {
      try {
        const r = JSON.parse(out);
        resolve({
          p50Ms: r.latency.p50,
          p99Ms: r.latency.p99,
          requestsPerSecond: Math.round(r.requests.average),
          errors: r.errors + r.non2xx,
          total: r.requests.total,
        });
      } catch (e) {
        reject(new Error(`autocannon exited ${code}: ${e.message}`));
      }
    });
  });
}

/** The median of numbers (of an even count: the mean of the middle two, to one decimal). */
function median(xs) {
  const v = [...xs].sort((a, b) => a - b);
  return v.length % 2 ? v[(v.length - 1) / 2] : Math.round(((v[v.length / 2 - 1] + v[v.length / 2]) / 2) * 10) / 10;
}

function percentile(sorted, p) {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` until it returns something truthy (returned), or throws after `timeoutMs`. */
async function waitFor(what, fn, timeoutMs, everyMs = 200) {
  const deadline = Date.now() + timeoutMs;
  let lastErr;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      lastErr = e; // not yet (e.g. the server is still starting); reported if time runs out
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${lastErr ? `: ${lastErr.message ?? lastErr}` : ''}`);
    await sleep(everyMs);
  }
}

/** A 'data' handler that calls `onLine` with each complete, non-empty line (a watch sends one JSON event a line). */
function eachLine(onLine) {
  let buf = '';
  return (chunk) => {
    buf += chunk;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line.trim()) onLine(line);
    }
  };
}

/** Runs `fn(0)` … `fn(n - 1)`, at most `limit` at a time; returns their results in order. */
async function limited(n, limit, fn) {
  const out = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}

/**
 * A Deployment of `replicas` copies of the web image, each asking 10m cpu and 32Mi: the load the scale and
 * scheduler benchmarks create (named web-000, web-001, … so a run can find them again).
 */
function deployment(ns, i, replicas = 100) {
  const name = `web-${String(i).padStart(3, '0')}`;
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace: ns },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [{ name: 'web', image: 'flotilla/web:1', ports: [{ containerPort: 80 }], resources: { requests: { cpu: '10m', memory: '32Mi' } } }],
        },
      },
    },
  };
}

/**
 * Starts one of the built apps (e.g. apps/controller/dist/main.js) with `nodeArgs`; keeps the tail of its
 * output (log lines are on stdout, a crash's trace on stderr) for `log()` and says so when it exits with an error. `stop()` sends SIGTERM and waits for the exit.
 */
function startProcess(entry, env, name, nodeArgs = []) {
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, entry)], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const keep = (d) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  child.on('exit', (code) => code && progress(`${name} exited with ${code}: ${log.slice(-2000)}`));
  return {
    child,
    pid: child.pid,
    log: () => log,
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}

/** The pids whose command name starts with `prefix` (e.g. every postgres or redis-server process). */
function pidsByComm(prefix) {
  const out = [];
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      if (readFileSync(`/proc/${pid}/comm`, 'utf8').startsWith(prefix)) out.push(Number(pid));
    } catch {
      /* gone */
    }
  }
  return out;
}

/** User plus system CPU seconds a process has used so far (0 once it is gone). */
function cpuSeconds(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(f[11]) + Number(f[12])) / 100;
  } catch {
    return 0;
  }
}

module.exports = {
  ROOT,
  prepare,
  freshDatabase,
  startApi,
  startProcess,
  request,
  rssMb,
  autocannon,
  median,
  percentile,
  progress,
  agentFor,
  sleep,
  waitFor,
  limited,
  eachLine,
  deployment,
  pidsByComm,
  cpuSeconds,
};
