// Key pairs for the CA and its leaves: generation, PEM encoding, and loading a signing key from PEM.
import { createPrivateKey, createPublicKey, webcrypto } from 'node:crypto';
import { x509 } from './x509-provider';

export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** A certificate and its private key, both PEM text (the key as unencrypted PKCS#8). */
export interface KeyPairPem {
  certPem: string;
  keyPem: string;
}

/** A key ready to sign certificates, with the signature algorithm that fits it. */
export interface SigningKey {
  privateKey: CryptoKey;
  algorithm: webcrypto.EcdsaParams | webcrypto.Algorithm;
}

// ECDSA P-256 rather than RSA: a key is generated in about a millisecond instead of the tens to
// hundreds of milliseconds RSA-2048 needs (that matters on every start-up with an empty directory
// and in every test), signatures and handshakes are smaller, it gives ~128-bit security, and every
// client we serve accepts it (Go's crypto/tls in kubectl, Node, OpenSSL, browsers) — unlike Ed25519,
// which browsers and many TLS stacks still refuse in certificates.
const EC_P256: webcrypto.EcKeyGenParams = {
  name: 'ECDSA',
  namedCurve: 'P-256',
};

export async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(EC_P256, true, ['sign', 'verify']);
}

export function signingAlgorithmFor(privateKey: CryptoKey): webcrypto.EcdsaParams | webcrypto.Algorithm {
  const algorithm = privateKey.algorithm as webcrypto.EcKeyAlgorithm;
  if (algorithm.name !== 'ECDSA') return { name: algorithm.name };
  const hash = algorithm.namedCurve === 'P-384' ? 'SHA-384' : algorithm.namedCurve === 'P-521' ? 'SHA-512' : 'SHA-256';
  return { name: 'ECDSA', hash };
}

export async function privateKeyToPem(privateKey: CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', privateKey);
  // PEM files end with a newline as OpenSSL writes them; some tools concatenate them blindly.
  return `${x509.PemConverter.encode(der, 'PRIVATE KEY')}\n`;
}

const CURVES: Record<string, string> = {
  prime256v1: 'P-256',
  secp384r1: 'P-384',
  secp521r1: 'P-521',
};

/**
 * Loads a private key for signing from PEM in any form OpenSSL writes (PKCS#8, SEC1 `EC PRIVATE
 * KEY`, PKCS#1 `RSA PRIVATE KEY`), so an operator can bring a CA made with other tools.
 */
export async function importSigningKey(keyPem: string): Promise<SigningKey> {
  const keyObject = createPrivateKey(keyPem);
  const der = keyObject.export({ type: 'pkcs8', format: 'der' });
  let importAlgorithm: webcrypto.EcKeyImportParams | webcrypto.RsaHashedImportParams;
  if (keyObject.asymmetricKeyType === 'ec') {
    const curve = CURVES[keyObject.asymmetricKeyDetails?.namedCurve ?? ''];
    if (!curve) throw new Error(`unsupported EC curve ${keyObject.asymmetricKeyDetails?.namedCurve}; use P-256, P-384 or P-521`);
    importAlgorithm = { name: 'ECDSA', namedCurve: curve };
  } else if (keyObject.asymmetricKeyType === 'rsa') {
    importAlgorithm = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  } else {
    throw new Error(`unsupported private key type ${keyObject.asymmetricKeyType}; use an ECDSA or RSA key`);
  }
  const privateKey = await webcrypto.subtle.importKey('pkcs8', der, importAlgorithm, false, ['sign']);
  return { privateKey, algorithm: signingAlgorithmFor(privateKey) };
}

/** DER SubjectPublicKeyInfo of the public half of a PEM private key. */
export function publicKeyDerOfPrivateKey(keyPem: string): Buffer {
  return createPublicKey(createPrivateKey(keyPem)).export({
    type: 'spki',
    format: 'der',
  });
}
