// TLS for the API: the platform's own CA issues the serving certificate (or the operator brings one),
// and a timer re-checks it so a certificate near expiry is replaced without dropping connections.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Server as HttpsServer } from 'node:https';
import { ensurePki, needsRenewal, type KeyPairPem } from '@flotilla/pki';
import type { Config } from './config';

export interface ServingMaterial {
  cert: string;
  key: string;
  caCert: string;
}

/** The serving certificate followed by its CA, unless they are the same (a self-signed certificate). */
export function servingChain(m: ServingMaterial): string {
  return m.caCert && m.caCert.trim() !== m.cert.trim() ? `${m.cert.trimEnd()}\n${m.caCert}` : m.cert;
}

export function pkiDir(config: Config): string {
  return join(config.dataDir, 'pki');
}

export async function servingMaterial(config: Config, now = new Date()): Promise<ServingMaterial> {
  if (config.tlsCertFile && config.tlsKeyFile) {
    const caCert = config.caCertFile ? readFileSync(config.caCertFile, 'utf8') : readFileSync(config.tlsCertFile, 'utf8');
    return { cert: readFileSync(config.tlsCertFile, 'utf8'), key: readFileSync(config.tlsKeyFile, 'utf8'), caCert };
  }
  const dns = config.tlsSans.filter((s) => !/^[\d.]+$/.test(s) && !s.includes(':'));
  const ips = config.tlsSans.filter((s) => /^[\d.]+$/.test(s) || s.includes(':'));
  const pki = await ensurePki(pkiDir(config), {
    hostNames: dns,
    ipAddresses: ips,
    now,
    renewBeforeDays: config.tlsRenewBeforeDays,
    caCertPem: config.caCertFile ? readFileSync(config.caCertFile, 'utf8') : undefined,
    caKeyPem: config.caKeyFile ? readFileSync(config.caKeyFile, 'utf8') : undefined,
  });
  return { cert: pki.serving.certPem, key: pki.serving.keyPem, caCert: pki.ca.certPem };
}

/**
 * Checks the serving certificate every `everyMs` and swaps in a renewed one with setSecureContext:
 * new handshakes get the new certificate, open connections keep going.
 */
export function keepCertificateFresh(
  server: HttpsServer,
  config: Config,
  current: ServingMaterial,
  log: (m: string) => void,
  everyMs = 3_600_000,
): NodeJS.Timeout {
  let cert = current.cert;
  const timer = setInterval(() => {
    void (async () => {
      if (config.tlsCertFile) return; // operator-managed: they replace the files and restart
      if (!needsRenewal(cert, new Date(), config.tlsRenewBeforeDays)) return;
      const next = await servingMaterial(config);
      server.setSecureContext({ cert: servingChain(next), key: next.key });
      cert = next.cert;
      log('serving certificate renewed');
    })().catch((err: Error) => log(`certificate renewal failed: ${err.message}`));
  }, everyMs);
  timer.unref();
  return timer;
}

/**
 * The platform CA with its key, read once: it signs the certificates the API issues to nodes (ingress
 * hosts, kubelet endpoints) and the API's own kubelet client certificate.
 */
export class PlatformCa {
  private pair?: KeyPairPem;

  constructor(private readonly config: Config) {}

  keyPair(): KeyPairPem {
    if (!this.pair) {
      const dir = pkiDir(this.config);
      const certFile = this.config.caCertFile ?? join(dir, 'ca.crt');
      const keyFile = this.config.caKeyFile ?? join(dir, 'ca.key');
      try {
        this.pair = { certPem: readFileSync(certFile, 'utf8'), keyPem: readFileSync(keyFile, 'utf8') };
      } catch (e) {
        throw new Error(`the platform CA and its key are needed to issue node certificates (${certFile}, ${keyFile}): ${(e as Error).message}`);
      }
    }
    return this.pair;
  }
}
