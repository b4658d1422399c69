// The HTTP(S) side of an ingress: routes each request by Host and path to a pool, proxies it round-robin to
// the pool's backends, and terminates TLS with a certificate chosen by SNI.
import { Agent, createServer as createHttpServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { createSecureContext, type SecureContext, type TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import { BackendSet, type Backend } from './backend-set';
import { RouteTable, normalizeHost, type HttpRoute } from './http-routes';

export interface TlsCertificate {
  /** PEM chain (leaf first). */
  cert: string;
  /** PEM private key. */
  key: string;
}

export interface HttpIngressOptions {
  /** Backend attempts per request when a backend refuses the connection. Default 2. */
  attempts?: number;
  /** Whole-request timeout towards a backend. Default 60 s. */
  upstreamTimeoutMs?: number;
  /** Called once per proxied or refused request (for access logs and tests). */
  onRequest?: (info: { host: string; path: string; status: number; route?: HttpRoute; backend?: Backend }) => void;
  /** Server name on error pages. */
  serverName?: string;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization'];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/**
 * An ingress: one route table and pool map shared by any number of HTTP and HTTPS listeners. `update` swaps
 * routes, pools and certificates atomically; requests in flight finish on what they started with.
 */
export class HttpIngress {
  private routes = new RouteTable();
  private readonly pools = new Map<string, BackendSet>();
  private certs = new Map<string, { ctx: SecureContext; digest: string }>();
  private readonly servers: Server[] = [];
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256, keepAliveMsecs: 10_000 });
  private readonly attempts: number;
  private readonly timeoutMs: number;

  constructor(private readonly opts: HttpIngressOptions = {}) {
    this.attempts = opts.attempts ?? 2;
    this.timeoutMs = opts.upstreamTimeoutMs ?? 60_000;
  }

  /** Replaces the routes and the backends of every pool (pools not listed become empty). */
  update(routes: readonly HttpRoute[], pools: Record<string, readonly Backend[]>): void {
    for (const [name, set] of this.pools) if (!(name in pools)) set.replace([]);
    for (const [name, list] of Object.entries(pools)) {
      let set = this.pools.get(name);
      if (!set) this.pools.set(name, (set = new BackendSet()));
      set.replace(list);
    }
    for (const [name, set] of this.pools) if (set.size === 0 && !(name in pools)) this.pools.delete(name);
    this.routes = new RouteTable(routes);
  }

  /** Certificates by host name (`*.example.com` allowed); a host with none gets no TLS handshake. */
  setCertificates(byHost: Record<string, TlsCertificate>): void {
    const next = new Map<string, { ctx: SecureContext; digest: string }>();
    for (const [host, c] of Object.entries(byHost)) {
      const digest = createHash('sha256').update(c.cert).update('\0').update(c.key).digest('hex');
      const prev = this.certs.get(host.toLowerCase());
      next.set(host.toLowerCase(), prev && prev.digest === digest ? prev : { ctx: createSecureContext({ cert: c.cert, key: c.key }), digest });
    }
    this.certs = next;
  }

  routeTable(): RouteTable {
    return this.routes;
  }

  private contextFor(servername: string): SecureContext | undefined {
    const h = servername.toLowerCase();
    const exact = this.certs.get(h);
    if (exact) return exact.ctx;
    const dot = h.indexOf('.');
    return dot > 0 ? this.certs.get(`*${h.slice(dot)}`)?.ctx : undefined;
  }

  listenHttp(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createHttpServer((req, res) => this.handle(req, res, 'http'));
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    return this.listen(server, port, host);
  }

  listenHttps(port: number, host = '127.0.0.1'): Promise<number> {
    const server = createHttpsServer(
      {
        SNICallback: (servername, cb) => {
          const ctx = this.contextFor(servername);
          if (ctx) cb(null, ctx);
          else cb(new Error(`no certificate for ${servername}`));
        },
      },
      (req, res) => this.handle(req, res, 'https'),
    );
    server.on('upgrade', (req: IncomingMessage, socket: Socket, head: Buffer) => this.upgrade(req, socket, head));
    server.on('tlsClientError', () => undefined);
    return this.listen(server, port, host);
  }

  private listen(server: Server, port: number, host: string): Promise<number> {
    server.keepAliveTimeout = 30_000;
    server.headersTimeout = 35_000;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', reject);
        server.on('error', () => undefined);
        server.on('clientError', (_e, socket: Socket) => socket.destroy());
        this.servers.push(server);
        resolve((server.address() as AddressInfo).port);
      });
    });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.servers.splice(0).map(
        (s) =>
          new Promise<void>((r) => {
            s.close(() => r());
            s.closeAllConnections();
          }),
      ),
    );
    this.agent.destroy();
  }

  private page(res: ServerResponse, status: number, title: string, detail: string): void {
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head><body><h1>${status} ${escapeHtml(title)}</h1><p>${detail}</p><hr><p>${escapeHtml(this.opts.serverName ?? 'flotilla ingress')}</p></body></html>\n`;
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(body), 'cache-control': 'no-store' });
    res.end(body);
  }

  private handle(req: IncomingMessage, res: ServerResponse, scheme: 'http' | 'https'): void {
    const host = normalizeHost(req.headers.host ?? ((req.socket as TLSSocket).servername || ''));
    const path = req.url ?? '/';
    const route = this.routes.match(host, path);
    const done = (status: number, backend?: Backend): void => this.opts.onRequest?.({ host, path, status, route, backend });
    if (!route) {
      this.page(
        res,
        404,
        'Not Found',
        `No Service or Ingress rule matches host <code>${escapeHtml(host || '(none)')}</code> and path <code>${escapeHtml(path.split('?')[0])}</code>. ` +
          `Every Service answers at <code>&lt;service&gt;.&lt;namespace&gt;.&lt;base domain&gt;</code>; Ingress objects add host and path rules.`,
      );
      return done(404);
    }
    const pool = this.pools.get(route.pool);
    if (!pool || pool.size === 0) {
      this.page(res, 503, 'Service Unavailable', `<code>${escapeHtml(route.pool)}</code> has no ready endpoints right now. Try again shortly.`);
      return done(503);
    }
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP_BY_HOP.includes(k)) headers[k] = v;
    const client = req.socket.remoteAddress ?? '';
    headers['x-forwarded-for'] = req.headers['x-forwarded-for'] ? `${String(req.headers['x-forwarded-for'])}, ${client}` : client;
    headers['x-forwarded-host'] = req.headers.host ?? host;
    headers['x-forwarded-proto'] = scheme;
    // A body can be sent once only, so only requests without one are retried on another backend.
    const retriable = !req.headers['content-length'] && !req.headers['transfer-encoding'];
    const tryBackend = (left: number): void => {
      const backend = pool.next();
      if (!backend) {
        this.page(res, 503, 'Service Unavailable', `<code>${escapeHtml(route.pool)}</code> has no ready endpoints right now.`);
        return done(503);
      }
      const up = request({ host: backend.host, port: backend.port, method: req.method, path, headers, agent: this.agent, timeout: this.timeoutMs }, (upRes) => {
        const out: Record<string, string | string[]> = {};
        for (const [k, v] of Object.entries(upRes.headers)) if (v !== undefined && !HOP_BY_HOP.includes(k)) out[k] = v;
        res.writeHead(upRes.statusCode ?? 502, upRes.statusMessage, out);
        upRes.pipe(res);
        upRes.on('error', () => res.destroy());
        done(upRes.statusCode ?? 502, backend);
      });
      up.on('timeout', () => up.destroy(new Error('backend timed out')));
      up.on('error', (e: NodeJS.ErrnoException) => {
        if (res.headersSent) return res.destroy();
        const refused = e.code === 'ECONNREFUSED' || e.code === 'EHOSTUNREACH' || e.code === 'ECONNRESET';
        if (refused && retriable && left > 1) return tryBackend(left - 1);
        this.page(res, 502, 'Bad Gateway', `The backend of <code>${escapeHtml(route.pool)}</code> did not answer (${escapeHtml(e.code ?? e.message)}).`);
        done(502, backend);
      });
      if (retriable) up.end();
      else req.pipe(up);
    };
    tryBackend(this.attempts);
  }

  /** WebSocket and other Upgrade requests: splice the raw sockets after replaying the request head. */
  private upgrade(req: IncomingMessage, socket: Socket, head: Buffer): void {
    socket.on('error', () => undefined);
    const route = this.routes.match(normalizeHost(req.headers.host), req.url ?? '/');
    const backend = route ? this.pools.get(route.pool)?.next() : undefined;
    if (!backend) {
      socket.end(`HTTP/1.1 ${route ? '503 Service Unavailable' : '404 Not Found'}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      return;
    }
    const up = connect({ host: backend.host, port: backend.port }, () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      up.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('close', () => up.destroy());
  }
}
