// L4 proxy: accepts TCP connections on one address and splices each to the next backend of a BackendSet.
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { BackendSet, backendKey, type Backend } from './backend-set';

export interface TcpProxyOptions {
  /** Give up on one backend after this long and try the next. Default 2000 ms. */
  connectTimeoutMs?: number;
  /** Backends tried per connection before the client is dropped. Default 3. */
  attempts?: number;
  /** Called when a backend could not be reached (for logs). */
  onBackendError?: (backend: Backend, error: Error) => void;
}

/**
 * One listening socket in front of a BackendSet. The set can be replaced at any time: new connections use
 * the new list, established ones keep flowing to the backend they were spliced to.
 */
export class TcpProxy {
  readonly backends: BackendSet;
  private readonly server: Server;
  private readonly open = new Set<Socket>();
  private readonly connectTimeoutMs: number;
  private readonly attempts: number;

  constructor(
    backends: BackendSet | Backend[] = [],
    private readonly opts: TcpProxyOptions = {},
  ) {
    this.backends = backends instanceof BackendSet ? backends : new BackendSet(backends);
    this.connectTimeoutMs = opts.connectTimeoutMs ?? 2000;
    this.attempts = opts.attempts ?? 3;
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true }, (client) => this.accept(client));
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  listen(port: number, host = '127.0.0.1'): Promise<number> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen({ port, host, exclusive: true }, () => {
        this.server.off('error', onError);
        this.server.on('error', () => undefined);
        resolve((this.server.address() as AddressInfo).port);
      });
    });
  }

  get listening(): boolean {
    return this.server.listening;
  }

  get connections(): number {
    return this.open.size / 2;
  }

  /** Stops accepting. With `dropConnections`, also ends every spliced connection (the service is gone). */
  close(dropConnections = false): Promise<void> {
    if (dropConnections) for (const s of this.open) s.destroy();
    return new Promise((resolve) => {
      if (!this.server.listening) return resolve();
      this.server.close(() => resolve());
      if (!dropConnections) resolve(); // do not wait for established connections to finish
    });
  }

  private track(s: Socket): void {
    this.open.add(s);
    s.once('close', () => this.open.delete(s));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    const tried = new Set<string>();
    const attempt = (left: number): void => {
      let backend = this.backends.next();
      // Skip backends this connection already failed on, as long as there are others.
      for (let i = 0; backend && tried.has(backendKey(backend)) && i < this.backends.size; i++) backend = this.backends.next();
      if (!backend || left <= 0 || client.destroyed) {
        client.resetAndDestroy();
        return;
      }
      tried.add(backendKey(backend));
      const upstream = connect({ host: backend.host, port: backend.port, allowHalfOpen: true });
      const timer = setTimeout(() => upstream.destroy(new Error(`connect timeout after ${this.connectTimeoutMs} ms`)), this.connectTimeoutMs);
      const b = backend;
      const failed = (e: Error): void => {
        clearTimeout(timer);
        this.opts.onBackendError?.(b, e);
        attempt(left - 1);
      };
      upstream.once('error', failed);
      upstream.once('connect', () => {
        clearTimeout(timer);
        upstream.off('error', failed);
        upstream.on('error', () => client.destroy());
        client.on('error', () => upstream.destroy());
        client.once('close', () => upstream.destroy());
        upstream.once('close', () => client.destroy());
        this.track(client);
        this.track(upstream);
        client.pipe(upstream);
        upstream.pipe(client);
        client.resume();
      });
    };
    attempt(this.attempts);
  }
}
