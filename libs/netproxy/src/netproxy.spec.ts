import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createServer as createHttpServer, request, type Server as HttpServer } from 'node:http';
import { BackendSet } from './backend-set';
import { HttpIngress } from './http-ingress';
import { RouteTable, normalizeHost } from './http-routes';
import { parseServiceProxyConfig } from './service-proxy-config';
import { ServiceProxy } from './service-proxy';
import { TcpProxy } from './tcp-proxy';

/** A TCP server that answers every line with `<name>:<line>`. */
async function namedEcho(name: string): Promise<{ port: number; server: Server }> {
  const server = createServer((s) => {
    s.setEncoding('utf8');
    s.on('data', (d: string) => s.write(`${name}:${d}`));
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { port: (server.address() as AddressInfo).port, server };
}

function exchange(port: number, line: string, keep?: (s: Socket) => void): Promise<string> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => s.write(line));
    s.setEncoding('utf8');
    s.once('data', (d: string) => {
      if (keep) keep(s);
      else s.end();
      resolve(d);
    });
    s.on('error', reject);
    s.on('close', () => reject(new Error('closed without an answer')));
  });
}

describe('BackendSet', () => {
  it('hands out backends round-robin and drops duplicates', () => {
    const set = new BackendSet([
      { host: 'a', port: 1 },
      { host: 'b', port: 1 },
      { host: 'a', port: 1 },
    ]);
    expect([set.next(), set.next(), set.next()].map((b) => b?.host)).toEqual(['a', 'b', 'a']);
    expect(set.size).toBe(2);
  });

  it('is empty-safe and keeps going after a replace', () => {
    const set = new BackendSet();
    expect(set.next()).toBeUndefined();
    set.replace([{ host: 'x', port: 2 }]);
    expect(set.next()).toEqual({ host: 'x', port: 2 });
  });
});

describe('TcpProxy', () => {
  const servers: Server[] = [];
  afterAll(() => servers.forEach((s) => s.close()));

  it('spreads connections over its backends and follows a new backend set', async () => {
    const a = await namedEcho('a');
    const b = await namedEcho('b');
    servers.push(a.server, b.server);
    const proxy = new TcpProxy([
      { host: '127.0.0.1', port: a.port },
      { host: '127.0.0.1', port: b.port },
    ]);
    const port = await proxy.listen(0);
    const answers = await Promise.all([1, 2, 3, 4].map((i) => exchange(port, `${i}\n`)));
    expect(new Set(answers.map((x) => x[0]))).toEqual(new Set(['a', 'b']));
    proxy.backends.replace([{ host: '127.0.0.1', port: b.port }]);
    for (let i = 0; i < 4; i++) expect(await exchange(port, 'x\n')).toBe('b:x\n');
    await proxy.close(true);
  });

  it('keeps an established connection when its backend leaves the set', async () => {
    const a = await namedEcho('a');
    const b = await namedEcho('b');
    servers.push(a.server, b.server);
    const proxy = new TcpProxy([{ host: '127.0.0.1', port: a.port }]);
    const port = await proxy.listen(0);
    let held: Socket | undefined;
    expect(await exchange(port, 'one\n', (s) => (held = s))).toBe('a:one\n');
    proxy.backends.replace([{ host: '127.0.0.1', port: b.port }]);
    const second = new Promise<string>((r) => held!.once('data', (d: Buffer | string) => r(String(d))));
    held!.write('two\n');
    expect(await second).toBe('a:two\n');
    held!.end();
    await proxy.close(true);
  });

  it('skips a backend that refuses and drops the client when none is left', async () => {
    const a = await namedEcho('a');
    servers.push(a.server);
    const dead = await namedEcho('dead');
    const deadPort = dead.port;
    await new Promise((r) => dead.server.close(r));
    const proxy = new TcpProxy([
      { host: '127.0.0.1', port: deadPort },
      { host: '127.0.0.1', port: a.port },
    ]);
    const port = await proxy.listen(0);
    for (let i = 0; i < 3; i++) expect(await exchange(port, 'r\n')).toBe('a:r\n');
    proxy.backends.replace([]);
    await expect(exchange(port, 'r\n')).rejects.toThrow();
    await proxy.close(true);
  });
});

describe('ServiceProxy', () => {
  it('opens, updates and closes listeners to match the config', async () => {
    const a = await namedEcho('a');
    const sp = new ServiceProxy('127.0.0.1');
    const probe = new TcpProxy();
    const free = await probe.listen(0);
    await probe.close();
    expect(await sp.apply([{ port: free, backends: [{ host: '127.0.0.1', port: a.port }] }])).toEqual([]);
    expect(sp.ports()).toEqual([free]);
    expect(await exchange(free, 'hi\n')).toBe('a:hi\n');
    await sp.apply([]);
    expect(sp.ports()).toEqual([]);
    await expect(exchange(free, 'hi\n')).rejects.toThrow();
    await sp.close();
    a.server.close();
  });

  it('reports a port it cannot bind', async () => {
    const taken = await namedEcho('t');
    const sp = new ServiceProxy('127.0.0.1');
    const errors = await sp.apply([{ port: taken.port, backends: [] }]);
    expect(errors.map((e) => e.port)).toEqual([taken.port]);
    await sp.close();
    taken.server.close();
  });
});

describe('parseServiceProxyConfig', () => {
  it('accepts a valid file and rejects bad ports with the path of the problem', () => {
    expect(parseServiceProxyConfig('{"service":"a/b","listeners":[{"port":80,"backends":[{"host":"10.0.0.1","port":8080}]}]}').listeners[0]).toEqual({
      name: '',
      port: 80,
      backends: [{ host: '10.0.0.1', port: 8080 }],
    });
    expect(() => parseServiceProxyConfig('{"listeners":[{"port":0,"backends":[]}]}')).toThrow('listeners[0].port');
    expect(() => parseServiceProxyConfig('{"listeners":[{"port":1,"backends":[{"host":"x","port":70000}]}]}')).toThrow('backends[0].port');
    expect(() => parseServiceProxyConfig('[]')).toThrow();
  });
});

describe('RouteTable', () => {
  const table = new RouteTable([
    { host: 'shop.test', path: '/', pathType: 'Prefix', pool: 'web' },
    { host: 'shop.test', path: '/api', pathType: 'Prefix', pool: 'api' },
    { host: 'shop.test', path: '/api/health', pathType: 'Exact', pool: 'health' },
    { host: '*.wild.test', path: '/', pathType: 'Prefix', pool: 'wild' },
    { host: '', path: '/fallback', pathType: 'Prefix', pool: 'any' },
  ]);

  it('prefers the longest path and matches Prefix by path element', () => {
    expect(table.match('shop.test', '/api/items?x=1')?.pool).toBe('api');
    expect(table.match('shop.test', '/api')?.pool).toBe('api');
    expect(table.match('shop.test', '/apix')?.pool).toBe('web');
    expect(table.match('shop.test', '/api/health')?.pool).toBe('health');
    expect(table.match('shop.test', '/api/health/x')?.pool).toBe('api');
  });

  it('matches hosts case-insensitively without port, wildcards one label deep, host-less rules for any host', () => {
    expect(table.match('SHOP.test:8080', '/')?.pool).toBe('web');
    expect(table.match('a.wild.test', '/')?.pool).toBe('wild');
    expect(table.match('a.b.wild.test', '/')).toBeUndefined();
    expect(table.match('other.test', '/fallback/x')?.pool).toBe('any');
    expect(table.match('other.test', '/')).toBeUndefined();
    expect(normalizeHost('[::1]:80')).toBe('[::1]');
  });
});

describe('HttpIngress', () => {
  let backend: HttpServer;
  let backendPort: number;
  let ingress: HttpIngress;
  let port: number;

  beforeAll(async () => {
    backend = createHttpServer((req, res) => res.end(`host=${req.headers.host} xfh=${req.headers['x-forwarded-host']} path=${req.url}`));
    await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
    backendPort = (backend.address() as AddressInfo).port;
    ingress = new HttpIngress();
    port = await ingress.listenHttp(0);
  });
  afterAll(async () => {
    await ingress.close();
    backend.close();
  });

  const get = (host: string, path: string): Promise<{ status: number; body: string }> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path, headers: { host } }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('error', reject);
      req.end();
    });

  it('proxies a matching request with the original Host and X-Forwarded-Host', async () => {
    ingress.update([{ host: 'app.test', path: '/', pathType: 'Prefix', pool: 'p' }], { p: [{ host: '127.0.0.1', port: backendPort }] });
    const r = await get('app.test', '/x?y=1');
    expect(r.status).toBe(200);
    expect(r.body).toBe('host=app.test xfh=app.test path=/x?y=1');
  });

  it('answers 404 with a page when nothing matches and 503 when the pool is empty', async () => {
    ingress.update([{ host: 'app.test', path: '/', pathType: 'Prefix', pool: 'p' }], { p: [] });
    expect((await get('nope.test', '/')).status).toBe(404);
    const r = await get('app.test', '/');
    expect(r.status).toBe(503);
    expect(r.body).toContain('no ready endpoints');
  });

  it('retries a request without a body on the next backend when one refuses', async () => {
    ingress.update([{ host: 'app.test', path: '/', pathType: 'Prefix', pool: 'p' }], {
      p: [
        { host: '127.0.0.1', port: 1 },
        { host: '127.0.0.1', port: backendPort },
      ],
    });
    for (let i = 0; i < 4; i++) expect((await get('app.test', '/')).status).toBe(200);
  });
});
