import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import Docker from 'dockerode';
import { hardenDocker, unsafeDockerPath } from './docker-client';

describe('unsafeDockerPath', () => {
  it.each(['/images/flotilla/busybox:1/json', '/containers/abc123/json?', `/images/x@sha256:${'a'.repeat(64)}/json`, '/_ping'])('allows %s', (p) => {
    expect(unsafeDockerPath(p)).toBeUndefined();
  });
  it.each([
    '/images/../../etc/passwd/json',
    '/images/..//127.0.0.1:1/probe/json',
    '/images/a/./b/json',
    '/images/%2e%2e/x/json',
    '/images/a b/json',
    '/images/a\nb/json',
    '/images/x#y/json',
    'relative',
  ])('refuses %j', (p) => {
    expect(unsafeDockerPath(p)).toMatch(/path/);
  });
});

describe('hardenDocker against a redirecting engine', () => {
  let engine: Server;
  let probe: TcpServer;
  let probeHits = 0;
  const probeSockets = new Set<import('node:net').Socket>();
  let enginePort = 0;

  beforeAll(async () => {
    probe = createTcpServer((s) => {
      probeHits++;
      probeSockets.add(s);
      // A well-formed answer, so the unhardened control case does not crash the test runner.
      s.end('HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n');
    });
    await new Promise<void>((ok) => probe.listen(0, '127.0.0.1', ok));
    const probePort = (probe.address() as AddressInfo).port;
    // Every request is answered the way the engine answers a dot-segment path: a redirect elsewhere.
    engine = createServer((_req, res) => {
      res.writeHead(301, { location: `http://127.0.0.1:${probePort}/probe` });
      res.end();
    });
    await new Promise<void>((ok) => engine.listen(0, '127.0.0.1', ok));
    enginePort = (engine.address() as AddressInfo).port;
  });
  afterAll(async () => {
    engine.closeAllConnections();
    await new Promise((ok) => engine.close(ok));
    for (const s of probeSockets) s.destroy();
    await new Promise((ok) => probe.close(ok));
  });

  it('never follows a redirect and fails the call instead', async () => {
    const docker = hardenDocker(new Docker({ host: '127.0.0.1', port: enginePort }));
    await expect(docker.getImage('busybox').inspect()).rejects.toThrow();
    await new Promise((ok) => setTimeout(ok, 200));
    expect(probeHits).toBe(0);
  });

  it('refuses an unsafe path without sending anything', async () => {
    const docker = hardenDocker(new Docker({ host: '127.0.0.1', port: 1 }));
    await expect(docker.getImage('../../etc/passwd').inspect()).rejects.toThrow(/refused Docker request/);
  });

  it('an unhardened client does follow it (the test can fail)', async () => {
    const docker = new Docker({ host: '127.0.0.1', port: enginePort });
    await docker
      .getImage('busybox')
      .inspect()
      .catch(() => undefined);
    await new Promise((ok) => setTimeout(ok, 200));
    expect(probeHits).toBeGreaterThan(0);
    probeHits = 0;
  });
});
