// Issuing certificates: the self-signed platform CA and the serving/client leaves it signs.
import { webcrypto } from 'node:crypto';
import { x509 } from './x509-provider';
import { canonicalIp, isIpAddress } from './ip-address';
import { generateKeyPair, importSigningKey, KeyPairPem, privateKeyToPem, publicKeyDerOfPrivateKey } from './keys';
import { parseCertificate } from './cert-info';

export interface CreateCaOptions {
  commonName?: string;
  /** Default 10 years. */
  validDays?: number;
}

export interface ServingCertOptions {
  commonName: string;
  dnsNames: string[];
  /** IPv4 or IPv6 literals, e.g. `127.0.0.1`, `::1`. */
  ipAddresses: string[];
  /** Default 90 days. */
  validDays?: number;
}

export interface ClientCertOptions {
  /** The user name Kubernetes-style authenticators read, e.g. `system:node:worker-1`. */
  commonName: string;
  /** Group names, e.g. `system:nodes`. */
  organizations?: string[];
  /** Default 365 days. */
  validDays?: number;
}

/**
 * The identity the API server presents to node agents' kubelet endpoints (kube-apiserver's
 * kubelet client certificate). The colon keeps it out of reach of every certificate issued for a host
 * name (ingress hosts must be DNS names), so only the API can hold it.
 */
export const KUBELET_CLIENT_CN = 'flotilla:apiserver-kubelet-client';

const DAY_MS = 24 * 60 * 60 * 1000;
// Tolerates clocks a little behind ours between issuing and first use.
const BACKDATE_MS = 60 * 1000;
const DEFAULT_CA_DAYS = 3650;
const DEFAULT_SERVING_DAYS = 90;
const DEFAULT_CLIENT_DAYS = 365;

export async function createCa(opts: CreateCaOptions = {}): Promise<KeyPairPem> {
  const validDays = checkValidDays(opts.validDays ?? DEFAULT_CA_DAYS);
  const keys = await generateKeyPair();
  const now = Date.now();
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(),
    name: [{ CN: [opts.commonName ?? 'flotilla-ca'] }],
    notBefore: new Date(now - BACKDATE_MS),
    notAfter: new Date(now + validDays * DAY_MS),
    keys,
    signingAlgorithm: {
      name: 'ECDSA',
      hash: 'SHA-256',
    } as webcrypto.EcdsaParams,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    certPem: `${cert.toString('pem')}\n`,
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

export async function issueServingCert(ca: KeyPairPem, opts: ServingCertOptions): Promise<KeyPairPem> {
  const badDns = opts.dnsNames.filter((n) => n === '' || isIpAddress(n));
  if (badDns.length > 0) {
    throw new Error(`dnsNames must be host names, got ${JSON.stringify(badDns)}; put IP addresses in ipAddresses`);
  }
  const ipAddresses = opts.ipAddresses.map((ip) => {
    canonicalIp(ip); // throws with a clear message when it is not an address
    return ip;
  });
  if (opts.dnsNames.length + ipAddresses.length === 0) {
    throw new Error('a serving certificate needs at least one DNS name or IP address; clients match only SANs');
  }
  const sans: x509.JsonGeneralNames = [
    ...opts.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ];
  return issueLeaf(ca, {
    subject: [{ CN: [opts.commonName] }],
    validDays: opts.validDays ?? DEFAULT_SERVING_DAYS,
    // clientAuth too, so the same identity can present itself when servers call each other.
    usages: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth],
    extra: [new x509.SubjectAlternativeNameExtension(sans)],
  });
}

export async function issueClientCert(ca: KeyPairPem, opts: ClientCertOptions): Promise<KeyPairPem> {
  // Kubernetes reads the user from CN and groups from each O, so each group is its own attribute.
  const subject: x509.JsonName = [...(opts.organizations ?? []).map((o) => ({ O: [o] })), { CN: [opts.commonName] }];
  return issueLeaf(ca, {
    subject,
    validDays: opts.validDays ?? DEFAULT_CLIENT_DAYS,
    usages: [x509.ExtendedKeyUsage.clientAuth],
    extra: [],
  });
}

interface LeafSpec {
  subject: x509.JsonName;
  validDays: number;
  usages: string[];
  extra: x509.Extension[];
}

async function issueLeaf(ca: KeyPairPem, spec: LeafSpec): Promise<KeyPairPem> {
  const validDays = checkValidDays(spec.validDays);
  const caCert = parseCertificate(ca.certPem);
  if (!caCert.getExtension(x509.BasicConstraintsExtension)?.ca) {
    throw new Error(`certificate "${caCert.subject}" is not a CA (basicConstraints CA:false); pass the CA from createCa`);
  }
  if (!publicKeyDerOfPrivateKey(ca.keyPem).equals(Buffer.from(caCert.publicKey.rawData))) {
    throw new Error(`the CA private key does not belong to CA certificate "${caCert.subject}"; check ca.crt and ca.key are a pair`);
  }
  const signer = await importSigningKey(ca.keyPem);
  const keys = await generateKeyPair();
  const now = Date.now();
  // Never outlive the CA: a chain is only valid while every certificate in it is.
  const notAfter = new Date(Math.min(now + validDays * DAY_MS, caCert.notAfter.getTime()));
  const caKeyId = caCert.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  const authorityKeyId = caKeyId ? new x509.AuthorityKeyIdentifierExtension(caKeyId) : await x509.AuthorityKeyIdentifierExtension.create(caCert.publicKey);
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(),
    subject: spec.subject,
    issuer: caCert.subjectName,
    notBefore: new Date(now - BACKDATE_MS),
    notAfter,
    publicKey: keys.publicKey,
    signingKey: signer.privateKey,
    signingAlgorithm: signer.algorithm,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      // digitalSignature only: ECDHE key exchange with an ECDSA key never encrypts with the key.
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension(spec.usages),
      authorityKeyId,
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ...spec.extra,
    ],
  });
  return {
    certPem: `${cert.toString('pem')}\n`,
    keyPem: await privateKeyToPem(keys.privateKey),
  };
}

/** 16 random bytes, positive and with the top byte non-zero so the DER length is stable. */
function randomSerial(): string {
  const bytes = webcrypto.getRandomValues(new Uint8Array(16));
  bytes[0] = ((bytes[0] ?? 0) & 0x7f) | 0x40;
  return Buffer.from(bytes).toString('hex');
}

function checkValidDays(days: number): number {
  if (!Number.isFinite(days) || days <= 0) throw new Error(`validDays must be a positive number, got ${days}`);
  return days;
}
