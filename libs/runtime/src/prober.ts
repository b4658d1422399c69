// Startup, readiness and liveness probes for one running container instance, with Kubernetes' timing rules.
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Container, Probe } from '@flotilla/resources';

export type ProbeKind = 'startup' | 'readiness' | 'liveness';

export interface ProbeTarget {
  podIP: () => string | undefined;
  /** Runs a command in the container; resolves with its exit code (rejects on timeout). */
  exec: (command: string[], timeoutMs: number) => Promise<number>;
}

export interface ProbeEvents {
  /** Readiness or started changed. */
  changed: () => void;
  /** Liveness or startup failed past the failure threshold: the container must be restarted. */
  failed: (kind: 'liveness' | 'startup', message: string) => void;
}

function resolvePort(container: Container, port: number | string): number {
  if (typeof port === 'number') return port;
  if (/^\d+$/.test(port)) return Number(port);
  const named = container.ports?.find((p) => p.name === port);
  if (!named) throw new Error(`port "${port}" is not a named port of container ${container.name}`);
  return named.containerPort;
}

export async function runProbe(probe: Probe, container: Container, target: ProbeTarget): Promise<{ ok: boolean; message: string }> {
  const timeoutMs = Math.max(1, probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.exec) {
      const code = await target.exec(probe.exec.command ?? [], timeoutMs);
      return { ok: code === 0, message: `command exited with ${code}` };
    }
    if (probe.httpGet) {
      const g = probe.httpGet;
      const host = g.host ?? target.podIP();
      if (!host) return { ok: false, message: 'pod has no IP' };
      const port = resolvePort(container, g.port);
      const headers: Record<string, string> = { 'User-Agent': 'flotilla-probe/1.0', Accept: '*/*' };
      for (const h of g.httpHeaders ?? []) headers[h.name] = h.value;
      const status = await new Promise<number>((resolve, reject) => {
        const lib = g.scheme === 'HTTPS' ? https : http;
        const req = lib.request(
          { host, port, path: g.path ?? '/', method: 'GET', headers, timeout: timeoutMs, rejectUnauthorized: false, agent: false },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('timeout', () => req.destroy(new Error(`timeout after ${timeoutMs}ms`)));
        req.on('error', reject);
        req.end();
      });
      return { ok: status >= 200 && status < 400, message: `HTTP probe failed with statuscode: ${status}` };
    }
    if (probe.tcpSocket) {
      const host = probe.tcpSocket.host ?? target.podIP();
      if (!host) return { ok: false, message: 'pod has no IP' };
      const port = resolvePort(container, probe.tcpSocket.port);
      await new Promise<void>((resolve, reject) => {
        const s = net.connect({ host, port });
        const t = setTimeout(() => s.destroy(new Error(`dial tcp ${host}:${port}: i/o timeout`)), timeoutMs);
        s.once('connect', () => {
          clearTimeout(t);
          s.destroy();
          resolve();
        });
        s.once('error', (e) => {
          clearTimeout(t);
          reject(e);
        });
      });
      return { ok: true, message: '' };
    }
    return { ok: true, message: 'no handler' };
  } catch (e) {
    return { ok: false, message: e instanceof Error ? e.message : String(e) };
  }
}

interface Loop {
  timer?: NodeJS.Timeout;
  successes: number;
  failures: number;
}

/** The probes of one container instance; stops itself when told the instance is gone. */
export class ContainerProber {
  /** Whether the startup probe has succeeded (true without one). */
  started: boolean;
  /** Readiness as Kubernetes reports it: false until the readiness probe succeeds (true without one, once started). */
  private readyResult: boolean;
  lastMessage = '';
  private readonly loops = new Map<ProbeKind, Loop>();
  private stopped = false;

  constructor(
    readonly containerId: string,
    private readonly container: Container,
    private readonly target: ProbeTarget,
    private readonly events: ProbeEvents,
  ) {
    this.started = !container.startupProbe;
    this.readyResult = !container.readinessProbe;
  }

  get ready(): boolean {
    return this.started && this.readyResult;
  }

  start(): void {
    if (this.container.startupProbe) this.schedule('startup', this.container.startupProbe, true);
    else this.startMain();
  }

  stop(): void {
    this.stopped = true;
    for (const l of this.loops.values()) clearTimeout(l.timer);
    this.loops.clear();
  }

  private startMain(): void {
    if (this.container.readinessProbe) this.schedule('readiness', this.container.readinessProbe, true);
    if (this.container.livenessProbe) this.schedule('liveness', this.container.livenessProbe, true);
  }

  private schedule(kind: ProbeKind, probe: Probe, first: boolean): void {
    if (this.stopped) return;
    const loop = this.loops.get(kind) ?? { successes: 0, failures: 0 };
    this.loops.set(kind, loop);
    const delayS = first ? (probe.initialDelaySeconds ?? 0) : (probe.periodSeconds ?? 10);
    loop.timer = setTimeout(() => void this.tick(kind, probe, loop), delayS * 1000);
  }

  private async tick(kind: ProbeKind, probe: Probe, loop: Loop): Promise<void> {
    if (this.stopped) return;
    const { ok, message } = await runProbe(probe, this.container, this.target);
    if (this.stopped) return;
    const successThreshold = kind === 'readiness' ? (probe.successThreshold ?? 1) : 1;
    const failureThreshold = probe.failureThreshold ?? 3;
    if (ok) {
      loop.successes++;
      loop.failures = 0;
    } else {
      loop.failures++;
      loop.successes = 0;
      this.lastMessage = `${kind[0].toUpperCase()}${kind.slice(1)} probe failed: ${message}`;
    }
    switch (kind) {
      case 'startup':
        if (ok && loop.successes >= successThreshold) {
          this.started = true;
          this.loops.delete('startup');
          this.events.changed();
          this.startMain();
          return;
        }
        if (!ok && loop.failures >= failureThreshold) {
          this.stop();
          this.events.failed('startup', `Startup probe failed: ${message}`);
          return;
        }
        break;
      case 'readiness':
        if (ok && !this.readyResult && loop.successes >= successThreshold) {
          this.readyResult = true;
          this.events.changed();
        } else if (!ok && this.readyResult && loop.failures >= failureThreshold) {
          this.readyResult = false;
          this.events.changed();
        }
        break;
      case 'liveness':
        if (!ok && loop.failures >= failureThreshold) {
          this.stop();
          this.events.failed('liveness', `Liveness probe failed: ${message}`);
          return;
        }
        break;
    }
    this.schedule(kind, probe, false);
  }
}
