// Test harness for the agent e2e suites: runs the built agent as a real process against a test platform,
// labels every Docker object it makes, and removes them all afterwards.
import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import Docker from 'dockerode';
import { removeLabelled } from '@flotilla/runtime';
import { waitFor as sharedWaitFor, type EventuallyOptions } from '../../../test/support/eventually';

const ROOT = join(__dirname, '..', '..', '..');

export interface PlatformLike {
  url: string;
  token: string;
  dataDir: string;
}

export interface AgentProcess {
  nodeName: string;
  pid: () => number | undefined;
  logs: () => string;
  /** SIGTERM and wait (containers keep running). */
  stop: () => Promise<void>;
  /** SIGKILL and wait: an agent crash. */
  kill: () => Promise<void>;
  exited: () => Promise<number | null>;
}

export const docker = new Docker({ socketPath: process.env.DOCKER_HOST?.replace(/^unix:\/\//, '') || '/var/run/docker.sock' });

export function startAgent(p: PlatformLike, nodeName: string, env: Record<string, string> = {}): AgentProcess {
  let output = '';
  const child: ChildProcess = spawn(process.execPath, [join(ROOT, 'apps/agent/dist/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      FLOTILLA_API_URL: p.url,
      FLOTILLA_CA_FILE: join(p.dataDir, 'pki', 'ca.crt'),
      FLOTILLA_NODE_TOKEN: p.token,
      FLOTILLA_NODE_NAME: nodeName,
      REDIS_URL: process.env.TEST_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
      FLOTILLA_DOCKER_LABELS: 'flotilla.test=1',
      FLOTILLA_BACKOFF_BASE_MS: '500',
      FLOTILLA_LOG_LEVEL: 'info',
      // Several agents share this host: each takes a free port for its kubelet endpoint, reached on loopback.
      FLOTILLA_NODE_IP: '127.0.0.1',
      FLOTILLA_KUBELET_ADDRESS: '127.0.0.1:0',
      ...(process.env.DOCKER_HOST ? { DOCKER_HOST: process.env.DOCKER_HOST } : {}),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const signal = async (sig: NodeJS.Signals): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill(sig);
    await exit;
  };
  return { nodeName, pid: () => child.pid, logs: () => output, stop: () => signal('SIGTERM'), kill: () => signal('SIGKILL'), exited: () => exit };
}

/** Removes every container, volume and network this node's agent made. */
export function cleanupNode(nodeName: string): Promise<void> {
  return removeLabelled(docker, `flotilla.node=${nodeName}`);
}

/** The shared waitFor (test/support/eventually), also taking the positional bounds these suites pass. */
export function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, timeout: number | EventuallyOptions = 30_000, everyMs = 100): Promise<T> {
  return sharedWaitFor(what, fn, typeof timeout === 'number' ? { timeoutMs: timeout, intervalMs: everyMs } : { intervalMs: everyMs, ...timeout });
}
