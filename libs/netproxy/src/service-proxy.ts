// A set of TcpProxy listeners kept equal to a ServiceProxyConfig: the core of the service-proxy container
// and of the agent's NodePort listeners.
import type { Backend } from './backend-set';
import type { ServiceProxyListener } from './service-proxy-config';
import { TcpProxy, type TcpProxyOptions } from './tcp-proxy';

export interface ListenerError {
  port: number;
  error: Error;
}

export class ServiceProxy {
  private readonly listeners = new Map<number, TcpProxy>();

  constructor(
    private readonly host: string,
    private readonly opts: TcpProxyOptions = {},
  ) {}

  /**
   * Opens listeners that are new, swaps the backends of existing ones (established connections keep
   * flowing), and closes the ones no longer wanted. Resolves with the listeners that could not be opened.
   */
  async apply(wanted: readonly Pick<ServiceProxyListener, 'port' | 'backends'>[]): Promise<ListenerError[]> {
    const errors: ListenerError[] = [];
    const ports = new Set(wanted.map((l) => l.port));
    for (const [port, proxy] of this.listeners) {
      if (ports.has(port)) continue;
      this.listeners.delete(port);
      await proxy.close(false);
    }
    for (const l of wanted) {
      let proxy = this.listeners.get(l.port);
      if (!proxy) {
        proxy = new TcpProxy([], this.opts);
        try {
          await proxy.listen(l.port, this.host);
        } catch (e) {
          errors.push({ port: l.port, error: e as Error });
          continue;
        }
        this.listeners.set(l.port, proxy);
      }
      proxy.backends.replace(l.backends);
    }
    return errors;
  }

  /** Ports listening now. */
  ports(): number[] {
    return [...this.listeners.keys()].sort((a, b) => a - b);
  }

  backends(port: number): Backend[] {
    return this.listeners.get(port)?.backends.all() ?? [];
  }

  async close(dropConnections = true): Promise<void> {
    const all = [...this.listeners.values()];
    this.listeners.clear();
    await Promise.all(all.map((p) => p.close(dropConnections)));
  }
}
