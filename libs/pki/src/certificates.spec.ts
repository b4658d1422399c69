import { PeerCertificate, TLSSocket } from 'node:tls';
import { createServer, get, Server } from 'node:https';
import { AddressInfo, createServer as createTcpServer } from 'node:net';
import { webcrypto } from 'node:crypto';
import { x509 } from './x509-provider';
import { createCa, issueClientCert, issueServingCert } from './certificates';
import { certInfo } from './cert-info';
import { KeyPairPem } from './keys';
import { makeTempDir, run } from './testing/support';

const DAY_MS = 24 * 60 * 60 * 1000;

function parse(pem: string): x509.X509Certificate {
  return new x509.X509Certificate(pem);
}

/** Whether this machine can bind ::1 (containers often run with IPv6 disabled). */
async function ipv6LoopbackWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createTcpServer();
    probe.once('error', () => resolve(false));
    probe.listen(0, '::1', () => probe.close(() => resolve(true)));
  });
}

async function startHttpsServer(serving: KeyPairPem, host: string): Promise<{ server: Server; port: number }> {
  const server = createServer({ cert: serving.certPem, key: serving.keyPem }, (_req, res) => res.end('ok'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return { server, port: (server.address() as AddressInfo).port };
}

/**
 * GETs `/` over HTTPS trusting only `caPem`, with Node's default identity check against `host`
 * (or `servername` when the TLS name should differ from where we connect).
 */
async function httpsGet(host: string, port: number, caPem: string, servername?: string): Promise<{ body: string; peer: PeerCertificate }> {
  return new Promise((resolve, reject) => {
    const req = get(
      {
        host,
        port,
        ca: caPem,
        agent: false,
        ...(servername ? { servername } : {}),
      },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerCertificate();
        let body = '';
        res.on('data', (chunk: Buffer) => (body += chunk.toString()));
        res.on('end', () => resolve({ body, peer }));
      },
    );
    req.once('error', reject);
  });
}

describe('createCa', () => {
  let ca: KeyPairPem;
  beforeAll(async () => {
    ca = await createCa({ commonName: 'test-ca' });
  });

  it('is a self-signed P-256 CA valid for ten years', async () => {
    const cert = parse(ca.certPem);
    expect(cert.subject).toBe('CN=test-ca');
    expect(cert.issuer).toBe(cert.subject);
    expect(await cert.isSelfSigned()).toBe(true);
    expect((cert.publicKey.algorithm as webcrypto.EcKeyAlgorithm).namedCurve).toBe('P-256');
    const days = (cert.notAfter.getTime() - cert.notBefore.getTime()) / DAY_MS;
    expect(days).toBeGreaterThan(3649);
    expect(days).toBeLessThan(3651);
    expect(ca.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
  });

  it('marks basicConstraints CA:true and keyUsage keyCertSign+cRLSign as critical, with a key id', () => {
    const cert = parse(ca.certPem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(true);
    expect(bc?.critical).toBe(true);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign);
    expect(ku?.critical).toBe(true);
    expect(cert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId).toMatch(/^[0-9a-f]{40}$/);
  });

  it('honours validDays and rejects nonsense', async () => {
    const short = certInfo((await createCa({ validDays: 2 })).certPem);
    expect(Math.round((short.notAfter.getTime() - short.notBefore.getTime()) / 60000)).toBe(2 * 24 * 60 + 1);
    await expect(createCa({ validDays: 0 })).rejects.toThrow(/validDays must be a positive number/);
  });
});

describe('issueServingCert', () => {
  let ca: KeyPairPem;
  let otherCa: KeyPairPem;
  let serving: KeyPairPem;
  const tmp = makeTempDir();

  beforeAll(async () => {
    [ca, otherCa] = await Promise.all([createCa(), createCa({ commonName: 'someone-else' })]);
    serving = await issueServingCert(ca, {
      commonName: 'flotilla-api',
      dnsNames: ['localhost', 'api.example.test'],
      ipAddresses: ['127.0.0.1', '::1'],
    });
  });
  afterAll(() => tmp.remove());

  it('carries DNS and IP SANs, both address families', () => {
    const info = certInfo(serving.certPem);
    expect(info.dnsNames).toEqual(['localhost', 'api.example.test']);
    expect(info.ipAddresses).toEqual(['127.0.0.1', '::1']);
    expect(info.isCa).toBe(false);
    expect(info.subject).toBe('CN=flotilla-api');
  });

  it('has the leaf extensions a TLS server needs', () => {
    const cert = parse(serving.certPem);
    const bc = cert.getExtension(x509.BasicConstraintsExtension);
    expect(bc?.ca).toBe(false);
    const ku = cert.getExtension(x509.KeyUsagesExtension);
    expect(ku?.usages).toBe(x509.KeyUsageFlags.digitalSignature);
    expect(ku?.critical).toBe(true);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]);
    const caKeyId = parse(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
    expect(cert.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId).toBe(caKeyId);
    expect(cert.issuer).toBe(parse(ca.certPem).subject);
  });

  it('is backdated a minute, lasts 90 days by default and gets a fresh random serial each time', async () => {
    const before = Date.now();
    const again = await issueServingCert(ca, {
      commonName: 'x',
      dnsNames: ['x'],
      ipAddresses: [],
    });
    const info = certInfo(again.certPem);
    expect(before - info.notBefore.getTime()).toBeGreaterThanOrEqual(59_000);
    expect(before - info.notBefore.getTime()).toBeLessThan(62_000);
    expect(Math.round((info.notAfter.getTime() - before) / DAY_MS)).toBe(90);
    expect(info.serialNumber).toMatch(/^[0-9a-f]{32}$/);
    expect(info.serialNumber).not.toBe(certInfo(serving.certPem).serialNumber);
  });

  it('never outlives its CA', async () => {
    const shortCa = await createCa({ validDays: 5 });
    const leaf = await issueServingCert(shortCa, {
      commonName: 'x',
      dnsNames: ['x'],
      ipAddresses: [],
      validDays: 90,
    });
    expect(certInfo(leaf.certPem).notAfter.getTime()).toBe(certInfo(shortCa.certPem).notAfter.getTime());
  });

  it('refuses misplaced names, a non-CA issuer and a key that does not fit the CA', async () => {
    await expect(
      issueServingCert(ca, {
        commonName: 'x',
        dnsNames: ['10.0.0.1'],
        ipAddresses: [],
      }),
    ).rejects.toThrow(/put IP addresses in ipAddresses/);
    await expect(
      issueServingCert(ca, {
        commonName: 'x',
        dnsNames: [],
        ipAddresses: ['example.com'],
      }),
    ).rejects.toThrow(/not an IPv4 or IPv6 address/);
    await expect(
      issueServingCert(serving, {
        commonName: 'x',
        dnsNames: ['x'],
        ipAddresses: [],
      }),
    ).rejects.toThrow(/is not a CA/);
    await expect(issueServingCert({ certPem: ca.certPem, keyPem: otherCa.keyPem }, { commonName: 'x', dnsNames: ['x'], ipAddresses: [] })).rejects.toThrow(
      /does not belong to CA certificate/,
    );
  });

  it('passes `openssl verify` against the CA file', () => {
    const caFile = tmp.file('ca.crt', ca.certPem);
    const leafFile = tmp.file('serving.crt', serving.certPem);
    expect(run('openssl', ['verify', '-CAfile', caFile, leafFile]).toString()).toBe(`${leafFile}: OK\n`);
    const otherFile = tmp.file('other.crt', otherCa.certPem);
    expect(() => run('openssl', ['verify', '-CAfile', otherFile, leafFile])).toThrow(/unable to get local issuer certificate/);
  });

  describe('over TLS with default hostname checks', () => {
    const servers: Server[] = [];
    afterAll(async () => {
      await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
    });

    it.each(['127.0.0.1', 'localhost'])('is trusted when reached as %s', async (host) => {
      const { server, port } = await startHttpsServer(serving, host);
      servers.push(server);
      const { body, peer } = await httpsGet(host, port, ca.certPem);
      expect(body).toBe('ok');
      expect(peer.serialNumber.toLowerCase()).toBe(certInfo(serving.certPem).serialNumber);
    });

    it('is trusted when reached as ::1', async () => {
      if (!(await ipv6LoopbackWorks())) {
        // Not a failure of the certificate: this host cannot bind ::1 (IPv6 disabled in the sandbox).
        console.warn('skipping the ::1 handshake: IPv6 loopback is unavailable on this host');
        return;
      }
      const { server, port } = await startHttpsServer(serving, '::1');
      servers.push(server);
      const { body, peer } = await httpsGet('::1', port, ca.certPem);
      expect(body).toBe('ok');
      expect(peer.subject.CN).toBe('flotilla-api');
    });

    it('is refused by a client that trusts a different CA', async () => {
      const { server, port } = await startHttpsServer(serving, '127.0.0.1');
      servers.push(server);
      await expect(httpsGet('127.0.0.1', port, otherCa.certPem)).rejects.toMatchObject({
        code: expect.stringMatching(/^(UNABLE_TO_VERIFY_LEAF_SIGNATURE|UNABLE_TO_GET_ISSUER_CERT_LOCALLY|SELF_SIGNED_CERT_IN_CHAIN)$/),
      });
    });

    it('is refused for a name it does not carry', async () => {
      const { server, port } = await startHttpsServer(serving, '127.0.0.1');
      servers.push(server);
      await expect(httpsGet('127.0.0.1', port, ca.certPem, 'elsewhere.example.test')).rejects.toMatchObject({
        code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      });
    });
  });
});

describe('issueClientCert', () => {
  it('names the user in CN and each group in its own O, for client authentication only', async () => {
    const ca = await createCa();
    const client = await issueClientCert(ca, {
      commonName: 'system:node:worker-1',
      organizations: ['system:nodes', 'tenant:a'],
    });
    const cert = parse(client.certPem);
    const cn = cert.subjectName.getField('CN');
    const o = cert.subjectName.getField('O');
    expect(cn).toEqual(['system:node:worker-1']);
    expect(o).toEqual(['system:nodes', 'tenant:a']);
    expect(cert.getExtension(x509.ExtendedKeyUsageExtension)?.usages).toEqual([x509.ExtendedKeyUsage.clientAuth]);
    expect(Math.round((cert.notAfter.getTime() - Date.now()) / DAY_MS)).toBe(365);
    const tmp = makeTempDir();
    try {
      const out = run('openssl', ['verify', '-purpose', 'sslclient', '-CAfile', tmp.file('ca.crt', ca.certPem), tmp.file('c.crt', client.certPem)]).toString();
      expect(out).toMatch(/: OK\n$/);
    } finally {
      tmp.remove();
    }
  });
});
