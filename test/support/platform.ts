// Starts a real API server process (the built apps/api) on a free port with its own data directory,
// and runs the real kubectl against it with a generated kubeconfig over verified HTTPS.
import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request as httpRequest } from 'node:http';
import { request } from 'node:https';
import { ROOT, testDatabaseUrl, testRedisUrl } from './env';
import { eventually, GiveUp } from './eventually';

export interface Platform {
  url: string;
  port: number;
  token: string;
  dataDir: string;
  caCert: string;
  kubeconfig: string;
  /** The API process, for tests that measure it. */
  pid: number;
  logs: () => string;
  /** Kills the API process (SIGKILL) and leaves it down; `restart` brings it back. */
  kill?: () => Promise<void>;
  /** Starts the API again (killing it first if it runs) on the same port, data directory and database; `pid` follows. */
  restart?: () => Promise<void>;
  stop: () => Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A server process a suite started must neither keep jest from exiting nor outlive it when the suite's
 * clean-up failed before stopping it (e.g. the Docker engine restarted): killed when the test process exits.
 */
export function endWithTestProcess(child: ChildProcess): void {
  const kill = () => child.kill('SIGKILL');
  process.once('exit', kill);
  child.once('exit', () => process.removeListener('exit', kill));
  child.unref();
  // With stdio 'pipe' the streams are sockets, each a handle of its own.
  (child.stdout as Socket | null)?.unref();
  (child.stderr as Socket | null)?.unref();
}

export async function startPlatform(extraEnv: Record<string, string> = {}): Promise<Platform> {
  const dataDir = mkdtempSync(join(tmpdir(), 'flotilla-test-'));
  const port = await freePort();
  const token = randomBytes(24).toString('base64url');
  let output = '';
  const env = {
    ...process.env,
    DATABASE_URL: testDatabaseUrl(),
    REDIS_URL: testRedisUrl(),
    FLOTILLA_API_PORT: String(port),
    FLOTILLA_API_HOST: '127.0.0.1',
    FLOTILLA_DATA_DIR: dataDir,
    FLOTILLA_BOOTSTRAP_TOKEN: token,
    FLOTILLA_LOG_LEVEL: 'warn',
    ...extraEnv,
  };
  const url = `https://127.0.0.1:${port}`;
  let caCert = '';
  // The same port, data directory (CA, serving certificate) and database on every start, so a restarted API
  // is the same API to its clients.
  const launch = async (): Promise<ChildProcess> => {
    const child = spawn(process.execPath, [join(ROOT, 'apps/api/dist/main.js')], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    endWithTestProcess(child);
    // Generous: on a loaded machine Node's start and the first migrations check take tens of seconds.
    await eventually(
      async () => {
        if (child.exitCode !== null) throw new GiveUp(`API exited with ${child.exitCode}:\n${output}`);
        caCert = readFileSync(join(dataDir, 'pki', 'ca.crt'), 'utf8');
        const r = await httpsGet(url, '/readyz', caCert);
        if (r.status !== 200) throw new Error(`/readyz answered ${r.status}`);
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    ).catch((err: unknown) => {
      if (err instanceof GiveUp) throw err;
      // The caller never gets a handle to stop it: a left-running API keeps jest from exiting.
      child.kill('SIGKILL');
      throw new Error(`API did not become ready (${String(err)}):\n${output}`);
    });
    return child;
  };
  let child = await launch();
  const kill = async (signal: NodeJS.Signals) => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill(signal);
    await exited;
  };
  const kubeconfig = join(dataDir, 'admin.kubeconfig');
  const platform: Platform = {
    url,
    port,
    token,
    dataDir,
    caCert,
    kubeconfig,
    pid: child.pid ?? 0,
    logs: () => output,
    kill: () => kill('SIGKILL'),
    restart: async () => {
      await kill('SIGKILL');
      child = await launch();
      platform.pid = child.pid ?? 0;
    },
    stop: async () => {
      await kill('SIGTERM');
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return platform;
}

/** A plain-HTTP GET to 127.0.0.1:`port` with `host` as the Host header: how the node ingress and NodePorts are reached. */
export function getViaHost(port: number, path: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: { host, connection: 'close' }, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

export function httpsGet(
  base: string,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return httpsRequest(base, 'GET', path, ca, headers);
}

export function httpsRequest(
  base: string,
  method: string,
  path: string,
  ca: string,
  headers: Record<string, string> = {},
  body?: string | Buffer,
): Promise<{ status: number; body: string; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, base), { method, ca, headers }, (res) => {
      let data = '';
      res.on('data', (d: Buffer) => (data += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data, headers: res.headers }));
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** One JSON request to the platform's API as its admin: the status and the parsed body (undefined when empty). */
export async function adminApi<T>(p: Platform, method: string, path: string, body?: unknown): Promise<{ status: number; obj: T }> {
  const r = await httpsRequest(
    p.url,
    method,
    path,
    p.caCert,
    { authorization: `Bearer ${p.token}`, 'content-type': 'application/json' },
    body === undefined ? undefined : JSON.stringify(body),
  );
  return { status: r.status, obj: (r.body ? JSON.parse(r.body) : undefined) as T };
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The real kubectl, with its own HOME so its discovery cache starts empty. */
export function kubectlFor(p: Platform): (args: string[], input?: string) => KubectlResult {
  const home = join(p.dataDir, 'home');
  return (args, input) => {
    const r = spawnSync('/usr/bin/kubectl', ['--kubeconfig', p.kubeconfig, ...args], {
      env: { PATH: process.env.PATH ?? '', HOME: home },
      input,
      encoding: 'utf8',
      timeout: 60_000,
    });
    return { code: r.status ?? -1, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
}

/** kubectl's stdout; throws with its exit code and output when it failed. */
export function ok(r: KubectlResult): string {
  if (r.code !== 0) throw new Error(`kubectl failed (${r.code}): ${r.stderr}\n${r.stdout}`);
  return r.stdout;
}

export function writeManifest(p: Platform, name: string, yaml: string): string {
  const file = join(p.dataDir, name);
  writeFileSync(file, yaml);
  return file;
}
