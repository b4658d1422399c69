import { readFileSync, statSync, readdirSync, writeFileSync, unlinkSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCa } from './certificates';
import { certInfo, isSignedBy } from './cert-info';
import { ensurePki } from './ensure-pki';
import { makeTempDir, run } from './testing/support';

const DAY_MS = 24 * 60 * 60 * 1000;
const base = { hostNames: ['api.flotilla.test'], ipAddresses: ['10.0.0.5'] };

describe('ensurePki', () => {
  let tmp: ReturnType<typeof makeTempDir>;
  let dir: string;
  beforeEach(() => {
    tmp = makeTempDir();
    dir = join(tmp.dir, 'pki');
  });
  afterEach(() => tmp.remove());

  const mode = (file: string): number => statSync(join(dir, file)).mode & 0o777;

  it('creates a CA and a serving certificate in a private directory, keys readable only by us', async () => {
    const result = await ensurePki(dir, base);
    expect(result.created.sort()).toEqual(['ca.crt', 'ca.key', 'serving.crt', 'serving.key']);
    expect(result.renewed).toBe(false);
    expect(mode('.')).toBe(0o700);
    expect(mode('ca.key')).toBe(0o600);
    expect(mode('serving.key')).toBe(0o600);
    expect(mode('ca.crt')).toBe(0o644);
    expect(readdirSync(dir).sort()).toEqual(['ca.crt', 'ca.key', 'serving.crt', 'serving.key']);
    expect(readFileSync(join(dir, 'serving.crt'), 'utf8')).toBe(result.serving.certPem);
    const out = run('openssl', ['verify', '-CAfile', join(dir, 'ca.crt'), join(dir, 'serving.crt')]).toString();
    expect(out).toBe(`${join(dir, 'serving.crt')}: OK\n`);
  });

  it('always serves localhost, both loopbacks and this host name, plus what was asked', async () => {
    const { serving } = await ensurePki(dir, {
      hostNames: ['API.flotilla.test', '192.168.1.9'],
      ipAddresses: ['10.0.0.5'],
    });
    const info = certInfo(serving.certPem);
    expect(info.dnsNames).toEqual(expect.arrayContaining(['localhost', hostname().toLowerCase(), 'api.flotilla.test']));
    expect(info.ipAddresses.sort()).toEqual(['10.0.0.5', '127.0.0.1', '192.168.1.9', '::1']);
  });

  it('changes nothing on a second run', async () => {
    const first = await ensurePki(dir, base);
    const second = await ensurePki(dir, base);
    expect(second.created).toEqual([]);
    expect(second.renewed).toBe(false);
    expect(second.reason).toBeUndefined();
    expect(certInfo(second.serving.certPem).serialNumber).toBe(certInfo(first.serving.certPem).serialNumber);
    expect(second.ca).toEqual(first.ca);
  });

  it('renews the serving certificate when it is about to expire, keeping the CA', async () => {
    const first = await ensurePki(dir, base);
    const nearExpiry = new Date(certInfo(first.serving.certPem).notAfter.getTime() - 10 * DAY_MS);
    const second = await ensurePki(dir, { ...base, now: nearExpiry });
    expect(second.renewed).toBe(true);
    expect(second.reason).toMatch(/within 30 days/);
    expect(second.created.sort()).toEqual(['serving.crt', 'serving.key']);
    expect(certInfo(second.serving.certPem).serialNumber).not.toBe(certInfo(first.serving.certPem).serialNumber);
    expect(second.ca.certPem).toBe(first.ca.certPem);
    expect(mode('serving.key')).toBe(0o600);
    // The same `now` with a smaller window is fine again.
    const third = await ensurePki(dir, {
      ...base,
      now: nearExpiry,
      renewBeforeDays: 5,
    });
    expect(third.created).toEqual([]);
  });

  it('re-issues when a new host name or address is requested', async () => {
    const first = await ensurePki(dir, base);
    const second = await ensurePki(dir, {
      ...base,
      hostNames: [...base.hostNames, 'new.flotilla.test'],
    });
    expect(second.renewed).toBe(true);
    expect(second.reason).toBe('serving certificate lacks new.flotilla.test');
    expect(certInfo(second.serving.certPem).dnsNames).toContain('new.flotilla.test');
    expect(certInfo(second.serving.certPem).serialNumber).not.toBe(certInfo(first.serving.certPem).serialNumber);
    const third = await ensurePki(dir, { ...base, ipAddresses: ['fd00::7'] });
    expect(third.reason).toBe('serving certificate lacks fd00::7');
  });

  it('adopts a CA from configuration and re-issues what the old CA signed', async () => {
    const first = await ensurePki(dir, base);
    const configured = await createCa({ commonName: 'configured' });
    const second = await ensurePki(dir, {
      ...base,
      caCertPem: configured.certPem,
      caKeyPem: configured.keyPem,
    });
    expect(second.ca).toEqual(configured);
    expect(second.reason).toBe('serving certificate was signed by a different CA');
    expect(await isSignedBy(second.serving.certPem, configured.certPem)).toBe(true);
    expect(await isSignedBy(second.serving.certPem, first.ca.certPem)).toBe(false);
    expect(readFileSync(join(dir, 'ca.crt'), 'utf8')).toBe(configured.certPem);
    expect(mode('ca.key')).toBe(0o600);
    const third = await ensurePki(dir, {
      ...base,
      caCertPem: configured.certPem,
      caKeyPem: configured.keyPem,
    });
    expect(third.created).toEqual([]);
  });

  it('repairs a serving key that does not match its certificate', async () => {
    await ensurePki(dir, base);
    const stray = await createCa();
    writeFileSync(join(dir, 'serving.key'), stray.keyPem);
    const second = await ensurePki(dir, base);
    expect(second.reason).toBe('serving key does not match the certificate');
    expect(second.created.sort()).toEqual(['serving.crt', 'serving.key']);
  });

  it('refuses to replace a CA whose key went missing, and a half-configured CA', async () => {
    await ensurePki(dir, base);
    unlinkSync(join(dir, 'ca.key'));
    await expect(ensurePki(dir, base)).rejects.toThrow(/ca\.key is missing but its pair is present; restore it/);
    const other = await createCa();
    await expect(ensurePki(tmp.dir, { ...base, caCertPem: other.certPem })).rejects.toThrow(/set both or neither/);
    const mismatched = await createCa();
    await expect(
      ensurePki(tmp.dir, {
        ...base,
        caCertPem: other.certPem,
        caKeyPem: mismatched.keyPem,
      }),
    ).rejects.toThrow(/private key does not belong to the certificate/);
  });
});
