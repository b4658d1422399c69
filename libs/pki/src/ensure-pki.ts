// Converges a PKI directory (ca.crt, ca.key, serving.crt, serving.key) to what the options ask for,
// changing nothing when it already matches — safe to call on every start-up.
import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { createCa, issueServingCert } from './certificates';
import { canonicalIp, isIpAddress } from './ip-address';
import { KeyPairPem, publicKeyDerOfPrivateKey } from './keys';
import { x509 } from './x509-provider';
import { certInfo, isSignedBy, missingNames, needsRenewal, parseCertificate } from './cert-info';

export interface EnsurePkiOptions {
  /** Extra DNS names for the serving certificate; IP literals given here are treated as addresses. */
  hostNames: string[];
  ipAddresses: string[];
  /** Re-issue the serving certificate when it expires within this many days. Default 30. */
  renewBeforeDays?: number;
  /** The clock to judge expiry by. Default: the current time. */
  now?: Date;
  /** A CA from configuration, used instead of (and written over) the one in the directory. */
  caCertPem?: string;
  caKeyPem?: string;
}

export interface EnsurePkiResult {
  ca: KeyPairPem;
  serving: KeyPairPem;
  /** File names written by this call (new or replaced); empty when everything already matched. */
  created: string[];
  /** True when an existing serving certificate was replaced. */
  renewed: boolean;
  /** Why the serving certificate was issued, when it was. */
  reason?: string;
}

export const PKI_FILES = {
  caCert: 'ca.crt',
  caKey: 'ca.key',
  servingCert: 'serving.crt',
  servingKey: 'serving.key',
} as const;

const DEFAULT_RENEW_BEFORE_DAYS = 30;
const SERVING_COMMON_NAME = 'flotilla-api';

export async function ensurePki(dir: string, opts: EnsurePkiOptions): Promise<EnsurePkiResult> {
  const now = opts.now ?? new Date();
  const renewBeforeDays = opts.renewBeforeDays ?? DEFAULT_RENEW_BEFORE_DAYS;
  const { dnsNames, ipAddresses } = servingNames(opts);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const created: string[] = [];
  const write = async (file: string, content: string, mode: number): Promise<void> => {
    await writeFileAtomic(join(dir, file), content, mode);
    created.push(file);
  };

  const ca = await resolveCa(dir, opts, write);

  const existing = await readPair(dir, PKI_FILES.servingCert, PKI_FILES.servingKey);
  const reason = await servingReissueReason(existing, ca, {
    dnsNames,
    ipAddresses,
    now,
    renewBeforeDays,
  });
  if (reason === undefined && existing.certPem !== undefined && existing.keyPem !== undefined) {
    return {
      ca,
      serving: { certPem: existing.certPem, keyPem: existing.keyPem },
      created,
      renewed: false,
    };
  }
  const serving = await issueServingCert(ca, {
    commonName: SERVING_COMMON_NAME,
    dnsNames,
    ipAddresses,
  });
  // Key first: a crash between the two writes leaves a key/certificate mismatch, which the next
  // run detects and repairs, rather than a new certificate next to a key that cannot use it.
  await write(PKI_FILES.servingKey, serving.keyPem, 0o600);
  await write(PKI_FILES.servingCert, serving.certPem, 0o644);
  return {
    ca,
    serving,
    created,
    renewed: existing.certPem !== undefined,
    reason,
  };
}

type Write = (file: string, content: string, mode: number) => Promise<void>;

async function resolveCa(dir: string, opts: EnsurePkiOptions, write: Write): Promise<KeyPairPem> {
  const onDisk = await readPair(dir, PKI_FILES.caCert, PKI_FILES.caKey);
  if (opts.caCertPem !== undefined || opts.caKeyPem !== undefined) {
    if (opts.caCertPem === undefined || opts.caKeyPem === undefined) {
      throw new Error('a configured CA needs both its certificate and its private key; set both or neither');
    }
    const configured = { certPem: opts.caCertPem, keyPem: opts.caKeyPem };
    checkCaPair(configured, 'the configured CA');
    if (onDisk.certPem !== configured.certPem || onDisk.keyPem !== configured.keyPem) {
      await write(PKI_FILES.caKey, configured.keyPem, 0o600);
      await write(PKI_FILES.caCert, configured.certPem, 0o644);
    }
    return configured;
  }
  if (onDisk.certPem !== undefined && onDisk.keyPem !== undefined) {
    const ca = { certPem: onDisk.certPem, keyPem: onDisk.keyPem };
    checkCaPair(ca, `the CA in ${dir}`);
    return ca;
  }
  if (onDisk.certPem !== undefined || onDisk.keyPem !== undefined) {
    // A fresh CA would silently invalidate every kubeconfig and join token already handed out.
    const missing = onDisk.certPem === undefined ? PKI_FILES.caCert : PKI_FILES.caKey;
    throw new Error(
      `${join(dir, missing)} is missing but its pair is present; restore it, or remove both CA files to create a new CA (existing kubeconfigs will stop working)`,
    );
  }
  const ca = await createCa();
  await write(PKI_FILES.caKey, ca.keyPem, 0o600);
  await write(PKI_FILES.caCert, ca.certPem, 0o644);
  return ca;
}

function checkCaPair(ca: KeyPairPem, what: string): void {
  let cert: ReturnType<typeof parseCertificate>;
  try {
    cert = parseCertificate(ca.certPem);
  } catch (error) {
    throw new Error(`${what} has an unreadable certificate: ${(error as Error).message}`);
  }
  if (!cert.getExtension(x509.BasicConstraintsExtension)?.ca) {
    throw new Error(`${what} ("${cert.subject}") is not a CA certificate (basicConstraints CA:false)`);
  }
  let keySpki: Buffer;
  try {
    keySpki = publicKeyDerOfPrivateKey(ca.keyPem);
  } catch (error) {
    throw new Error(`${what} has an unreadable private key: ${(error as Error).message}`);
  }
  if (!keySpki.equals(Buffer.from(cert.publicKey.rawData))) {
    throw new Error(`${what}: the private key does not belong to the certificate "${cert.subject}"`);
  }
}

interface Wanted {
  dnsNames: string[];
  ipAddresses: string[];
  now: Date;
  renewBeforeDays: number;
}

async function servingReissueReason(existing: { certPem?: string; keyPem?: string }, ca: KeyPairPem, wanted: Wanted): Promise<string | undefined> {
  if (existing.certPem === undefined || existing.keyPem === undefined) return 'no serving certificate';
  try {
    const keySpki = publicKeyDerOfPrivateKey(existing.keyPem);
    if (!keySpki.equals(Buffer.from(parseCertificate(existing.certPem).publicKey.rawData))) {
      return 'serving key does not match the certificate';
    }
  } catch (error) {
    return `serving certificate or key unreadable: ${(error as Error).message}`;
  }
  if (!(await isSignedBy(existing.certPem, ca.certPem))) return 'serving certificate was signed by a different CA';
  if (needsRenewal(existing.certPem, wanted.now, wanted.renewBeforeDays)) {
    return `serving certificate expires ${certInfo(existing.certPem).notAfter.toISOString()}, within ${wanted.renewBeforeDays} days`;
  }
  const missing = missingNames(existing.certPem, wanted.dnsNames, wanted.ipAddresses);
  if (missing.length > 0) return `serving certificate lacks ${missing.join(', ')}`;
  return undefined;
}

/** The SANs to serve: loopback in both families and this host's name always, then what was asked. */
function servingNames(opts: EnsurePkiOptions): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const dnsNames = new Map<string, string>();
  const ipAddresses = new Map<string, string>();
  const addIp = (ip: string): void => {
    const key = canonicalIp(ip);
    if (!ipAddresses.has(key)) ipAddresses.set(key, ip);
  };
  for (const ip of ['127.0.0.1', '::1', ...opts.ipAddresses]) addIp(ip);
  for (const name of ['localhost', hostname(), ...opts.hostNames]) {
    const trimmed = name.trim();
    if (trimmed === '') continue;
    if (isIpAddress(trimmed)) addIp(trimmed);
    else if (!dnsNames.has(trimmed.toLowerCase())) dnsNames.set(trimmed.toLowerCase(), trimmed.toLowerCase());
  }
  return {
    dnsNames: [...dnsNames.values()],
    ipAddresses: [...ipAddresses.values()],
  };
}

async function readPair(dir: string, certFile: string, keyFile: string): Promise<{ certPem?: string; keyPem?: string }> {
  return {
    certPem: await readOptional(join(dir, certFile)),
    keyPem: await readOptional(join(dir, keyFile)),
  };
}

async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

/**
 * Writes through a new temporary file in the same directory and renames it over the target, so
 * readers see the old content or the new, never half a key. The temporary file is created with
 * `mode`, so a key is never readable by others, not even for a moment.
 */
async function writeFileAtomic(path: string, content: string, mode: number): Promise<void> {
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const handle = await open(temp, 'wx', mode);
  try {
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}
