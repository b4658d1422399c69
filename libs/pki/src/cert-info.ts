// Reading certificates: the facts callers decide on (validity, names, issuer) and the kubeadm CA hash.
import { createHash } from 'node:crypto';
import { x509 } from './x509-provider';
import { canonicalIp } from './ip-address';

export interface CertInfo {
  notBefore: Date;
  notAfter: Date;
  dnsNames: string[];
  ipAddresses: string[];
  subject: string;
  /** Lower-case hex, as `openssl x509 -serial` prints it (modulo case). */
  serialNumber: string;
  isCa: boolean;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function parseCertificate(certPem: string): x509.X509Certificate {
  try {
    return new x509.X509Certificate(certPem);
  } catch (error) {
    throw new Error(`not a PEM X.509 certificate (${(error as Error).message}); expected "-----BEGIN CERTIFICATE-----" text`);
  }
}

export function certInfo(certPem: string): CertInfo {
  const cert = parseCertificate(certPem);
  const san = cert.getExtension(x509.SubjectAlternativeNameExtension);
  const names = san?.names.items ?? [];
  return {
    notBefore: cert.notBefore,
    notAfter: cert.notAfter,
    dnsNames: names.filter((n) => n.type === 'dns').map((n) => n.value),
    ipAddresses: names.filter((n) => n.type === 'ip').map((n) => n.value),
    subject: cert.subject,
    serialNumber: cert.serialNumber.toLowerCase(),
    isCa: cert.getExtension(x509.BasicConstraintsExtension)?.ca ?? false,
  };
}

/**
 * `sha256:<hex>` of the certificate's DER SubjectPublicKeyInfo — the value `kubeadm join
 * --discovery-token-ca-cert-hash` pins. It hashes the key, not the certificate, so it survives
 * re-signing the CA with the same key.
 */
export function caCertHash(caCertPem: string): string {
  const spki = Buffer.from(parseCertificate(caCertPem).publicKey.rawData);
  return `sha256:${createHash('sha256').update(spki).digest('hex')}`;
}

/** True when the certificate is already expired at `now`, or expires within `renewBeforeDays`. */
export function needsRenewal(certPem: string, now: Date, renewBeforeDays: number): boolean {
  const { notBefore, notAfter } = certInfo(certPem);
  if (now.getTime() < notBefore.getTime()) return true;
  return notAfter.getTime() - now.getTime() <= renewBeforeDays * DAY_MS;
}

/** True when `ca` signed `certPem`: the issuer name matches and the signature verifies with its key. */
export async function isSignedBy(certPem: string, caCertPem: string): Promise<boolean> {
  const cert = parseCertificate(certPem);
  const ca = parseCertificate(caCertPem);
  if (cert.issuer !== ca.subject) return false;
  try {
    return await cert.verify({ publicKey: ca.publicKey, signatureOnly: true });
  } catch {
    // A key of another algorithm than the signature's cannot verify it: not signed by this CA.
    return false;
  }
}

/** The requested names and addresses this certificate does not cover (exact, case-insensitive). */
export function missingNames(certPem: string, dnsNames: string[], ipAddresses: string[]): string[] {
  const info = certInfo(certPem);
  const haveDns = new Set(info.dnsNames.map((n) => n.toLowerCase()));
  const haveIps = new Set(info.ipAddresses.map(canonicalIp));
  return [...dnsNames.filter((n) => !haveDns.has(n.toLowerCase())), ...ipAddresses.filter((ip) => !haveIps.has(canonicalIp(ip)))];
}
