// The service proxy's configuration file: which ports to listen on and the backends of each. The agent
// writes it (atomically, by rename); the proxy container watches it.
import type { Backend } from './backend-set';

export interface ServiceProxyListener {
  /** Service port name ('' when unnamed). */
  name: string;
  port: number;
  backends: Backend[];
}

export interface ServiceProxyConfig {
  /** `<namespace>/<service>`, for logs. */
  service: string;
  listeners: ServiceProxyListener[];
}

function isPort(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v > 0 && v < 65536;
}

/** Parses and validates the file's text; throws with the first problem found. */
export function parseServiceProxyConfig(text: string): ServiceProxyConfig {
  const raw = JSON.parse(text) as unknown;
  if (typeof raw !== 'object' || raw === null) throw new Error('config must be a JSON object');
  const o = raw as { service?: unknown; listeners?: unknown };
  if (!Array.isArray(o.listeners)) throw new Error('config.listeners must be an array');
  const ports = new Set<number>();
  const listeners = o.listeners.map((l: unknown, i): ServiceProxyListener => {
    const x = (l ?? {}) as { name?: unknown; port?: unknown; backends?: unknown };
    if (!isPort(x.port)) throw new Error(`listeners[${i}].port must be a port number`);
    if (ports.has(x.port)) throw new Error(`listeners[${i}].port ${x.port} is listed twice`);
    ports.add(x.port);
    if (!Array.isArray(x.backends)) throw new Error(`listeners[${i}].backends must be an array`);
    const backends = x.backends.map((b: unknown, j): Backend => {
      const y = (b ?? {}) as { host?: unknown; port?: unknown };
      if (typeof y.host !== 'string' || !y.host) throw new Error(`listeners[${i}].backends[${j}].host must be an address`);
      if (!isPort(y.port)) throw new Error(`listeners[${i}].backends[${j}].port must be a port number`);
      return { host: y.host, port: y.port };
    });
    return { name: typeof x.name === 'string' ? x.name : '', port: x.port, backends };
  });
  return { service: typeof o.service === 'string' ? o.service : '', listeners };
}

export function formatServiceProxyConfig(c: ServiceProxyConfig): string {
  return `${JSON.stringify(c, null, 1)}\n`;
}
