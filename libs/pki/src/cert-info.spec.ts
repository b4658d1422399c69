import { createCa, issueServingCert } from './certificates';
import { caCertHash, certInfo, isSignedBy, missingNames, needsRenewal } from './cert-info';
import { KeyPairPem } from './keys';
import { makeTempDir, run } from './testing/support';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('certificate facts', () => {
  let ca: KeyPairPem;
  let serving: KeyPairPem;
  const tmp = makeTempDir();
  beforeAll(async () => {
    ca = await createCa({ commonName: 'facts-ca' });
    serving = await issueServingCert(ca, {
      commonName: 'api',
      dnsNames: ['api.example.test'],
      ipAddresses: ['10.1.2.3', '0:0:0:0:0:0:0:1'],
      validDays: 40,
    });
  });
  afterAll(() => tmp.remove());

  it('caCertHash equals the `openssl x509 -pubkey | openssl pkey -pubin -outform der | sha256sum` pipeline', () => {
    const pubkeyPem = run('openssl', ['x509', '-pubkey', '-noout'], ca.certPem);
    const der = run('openssl', ['pkey', '-pubin', '-outform', 'der'], pubkeyPem);
    const sum = run('sha256sum', [], der).toString().split(' ')[0];
    expect(sum).toMatch(/^[0-9a-f]{64}$/);
    expect(caCertHash(ca.certPem)).toBe(`sha256:${sum}`);
    expect(caCertHash(serving.certPem)).not.toBe(caCertHash(ca.certPem));
  });

  it('certInfo reads validity, names, subject, serial and CA flag as openssl does', () => {
    const info = certInfo(serving.certPem);
    const serial = run('openssl', ['x509', '-noout', '-serial'], serving.certPem).toString().trim();
    expect(`serial=${info.serialNumber.toUpperCase()}`).toBe(serial);
    const endDate = run('openssl', ['x509', '-noout', '-enddate'], serving.certPem).toString().trim().replace('notAfter=', '');
    expect(info.notAfter.getTime()).toBe(new Date(endDate).getTime());
    expect(info.dnsNames).toEqual(['api.example.test']);
    expect(info.ipAddresses).toEqual(['10.1.2.3', '::1']);
    expect(info.subject).toBe('CN=api');
    expect(info.isCa).toBe(false);
    expect(certInfo(ca.certPem)).toMatchObject({
      isCa: true,
      subject: 'CN=facts-ca',
      dnsNames: [],
      ipAddresses: [],
    });
  });

  it('certInfo explains what it expected when given something else', () => {
    expect(() => certInfo('hello')).toThrow(/not a PEM X.509 certificate/);
  });

  it('needsRenewal is true only inside the renewal window or outside validity', () => {
    const { notBefore, notAfter } = certInfo(serving.certPem);
    const at = (ms: number): Date => new Date(ms);
    expect(needsRenewal(serving.certPem, new Date(), 30)).toBe(false);
    expect(needsRenewal(serving.certPem, at(notAfter.getTime() - 31 * DAY_MS), 30)).toBe(false);
    expect(needsRenewal(serving.certPem, at(notAfter.getTime() - 29 * DAY_MS), 30)).toBe(true);
    expect(needsRenewal(serving.certPem, at(notAfter.getTime() + 1000), 0)).toBe(true);
    expect(needsRenewal(serving.certPem, at(notBefore.getTime() - 1000), 0)).toBe(true);
  });

  it('isSignedBy tells our CA from another one with the same name', async () => {
    const impostor = await createCa({ commonName: 'facts-ca' });
    expect(await isSignedBy(serving.certPem, ca.certPem)).toBe(true);
    expect(await isSignedBy(serving.certPem, impostor.certPem)).toBe(false);
  });

  it('missingNames compares host names case-insensitively and addresses by value', () => {
    expect(missingNames(serving.certPem, ['API.example.test'], ['::1', '10.1.2.3'])).toEqual([]);
    expect(missingNames(serving.certPem, ['other.test'], ['::2', '10.1.2.3'])).toEqual(['other.test', '::2']);
  });
});
