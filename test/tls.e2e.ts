// Transport security of the API: the serving certificate covers every local name, chains to the
// platform CA (sent in the chain, so agents can pin it by hash), and a certificate due for renewal is
// replaced by the running process without dropping open connections.
import { Agent, request } from 'node:https';
import { checkServerIdentity, connect, DetailedPeerCertificate, PeerCertificate, TLSSocket } from 'node:tls';
import { caCertHash } from '@flotilla/pki';
import { Platform, startPlatform } from './support/platform';
import { eventually } from './support/eventually';

let p: Platform;

beforeAll(async () => {
  // Renew whenever less than 100 days are left (always, for a 90-day certificate), checking every second.
  p = await startPlatform({ FLOTILLA_TLS_RENEW_BEFORE_DAYS: '100', FLOTILLA_TLS_CHECK_SECONDS: '1' });
});

afterAll(async () => {
  await p?.stop();
});

/** Connects to the test API (on 127.0.0.1) and verifies its certificate as if it were reached as `asHost`. */
function peer(asHost: string, servername?: string): Promise<{ cert: DetailedPeerCertificate; chainLength: number; authorized: boolean }> {
  return new Promise((resolve, reject) => {
    const opts = {
      host: '127.0.0.1',
      port: p.port,
      ca: p.caCert,
      servername,
      checkServerIdentity: (_h: string, c: PeerCertificate) => checkServerIdentity(asHost, c),
    };
    const s: TLSSocket = connect(opts, () => {
      const cert = s.getPeerCertificate(true);
      let chainLength = 1;
      for (let c = cert; c.issuerCertificate && c.issuerCertificate !== c; c = c.issuerCertificate) chainLength++;
      resolve({ cert, chainLength, authorized: s.authorized });
      s.end();
    });
    s.on('error', reject);
  });
}

function get(agent: Agent, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, p.url), { agent, headers: { authorization: `Bearer ${p.token}` } }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('API TLS', () => {
  it('is verified for 127.0.0.1, localhost and ::1 against the platform CA', async () => {
    expect((await peer('127.0.0.1')).authorized).toBe(true);
    expect((await peer('localhost', 'localhost')).authorized).toBe(true);
    expect((await peer('::1')).authorized).toBe(true);
    await expect(peer('example.com')).rejects.toThrow(/altnames|not in the cert/i);
  });

  it('sends the CA in its chain, and the CA is the one whose hash agents pin', async () => {
    const { cert, chainLength } = await peer('127.0.0.1');
    expect(chainLength).toBeGreaterThanOrEqual(2);
    const ca = cert.issuerCertificate;
    const pem = `-----BEGIN CERTIFICATE-----\n${ca.raw.toString('base64').replace(/(.{64})/g, '$1\n')}\n-----END CERTIFICATE-----\n`;
    expect(caCertHash(pem)).toBe(caCertHash(p.caCert));
  });

  it('renews its serving certificate while running, keeping open connections working', async () => {
    const keepAlive = new Agent({ keepAlive: true, maxSockets: 1, ca: p.caCert });
    expect(await get(keepAlive, '/version')).toBe(200);
    const before = (await peer('127.0.0.1')).cert.serialNumber;
    await eventually(async () => expect((await peer('127.0.0.1')).cert.serialNumber).not.toBe(before), { timeoutMs: 30_000, intervalMs: 500 });
    expect(await get(keepAlive, '/version')).toBe(200); // the connection opened before the renewal still answers
    await eventually(() => expect(p.logs()).toContain('serving certificate renewed'));
    keepAlive.destroy();
  });
});
