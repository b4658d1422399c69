// Which CA the agent trusts for the API: a CA file, or a CA fetched once and accepted only when its
// public-key hash matches the pinned `sha256:<hex>` (kubeadm's --discovery-token-ca-cert-hash).
import { readFileSync } from 'node:fs';
import { connect, type DetailedPeerCertificate } from 'node:tls';
import { request } from 'node:https';
import { caCertHash } from '@flotilla/pki';

export class CaPinError extends Error {}

function toPem(der: Buffer): string {
  const b64 = der.toString('base64').replace(/(.{64})/g, '$1\n');
  return `-----BEGIN CERTIFICATE-----\n${b64.trimEnd()}\n-----END CERTIFICATE-----\n`;
}

/** Every certificate the server presents, leaf first. Unverified: only used to find the CA candidate. */
function peerChain(url: URL, timeoutMs: number): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const sock = connect({
      host: url.hostname,
      port: Number(url.port || 443),
      servername: isIp(url.hostname) ? undefined : url.hostname,
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => sock.destroy(new Error(`no TLS handshake with ${url.host} in ${timeoutMs} ms`)), timeoutMs);
    sock.once('secureConnect', () => {
      clearTimeout(timer);
      const out: string[] = [];
      const seen = new Set<string>();
      let c: DetailedPeerCertificate | undefined = sock.getPeerCertificate(true);
      while (c?.raw && !seen.has(c.fingerprint256)) {
        seen.add(c.fingerprint256);
        out.push(toPem(c.raw));
        c = c.issuerCertificate;
      }
      sock.end();
      resolve(out);
    });
    sock.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function isIp(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(':');
}

/** Anonymous, unverified read of kube-public/cluster-info (the kubeadm discovery document). No token is sent. */
function clusterInfoCa(url: URL, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const req = request(
      new URL('/api/v1/namespaces/kube-public/configmaps/cluster-info', url),
      { method: 'GET', rejectUnauthorized: false, timeout: timeoutMs, headers: { accept: 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d: string) => (text += d));
        res.on('end', () => {
          try {
            const cm = JSON.parse(text) as { data?: { kubeconfig?: string } };
            const m = /certificate-authority-data:\s*(\S+)/.exec(cm.data?.kubeconfig ?? '');
            resolve(m ? Buffer.from(m[1], 'base64').toString('utf8') : undefined);
          } catch {
            resolve(undefined);
          }
        });
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}

function hashOrUndefined(pem: string): string | undefined {
  try {
    return caCertHash(pem);
  } catch {
    return undefined;
  }
}

/**
 * Finds the CA whose key hash is `pin`: first among the certificates the server presents, then in the
 * cluster-info document. Nothing learned over the unverified connection is trusted unless it matches.
 */
export async function fetchPinnedCa(apiUrl: string, pin: string, timeoutMs = 10_000): Promise<string> {
  const url = new URL(apiUrl);
  const chain = await peerChain(url, timeoutMs);
  const seen: string[] = [];
  for (const pem of chain) {
    const h = hashOrUndefined(pem);
    if (h) seen.push(h);
    if (h === pin) return pem;
  }
  const fromInfo = await clusterInfoCa(url, timeoutMs);
  if (fromInfo) {
    const h = hashOrUndefined(fromInfo);
    if (h) seen.push(h);
    if (h === pin) return fromInfo;
  }
  throw new CaPinError(
    `refusing to join: no CA presented by ${url.host} matches FLOTILLA_CA_HASH ${pin} (found ${seen.length ? seen.join(', ') : 'no CA certificate'}). ` +
      'Check the hash (it is printed with the join command) and that FLOTILLA_API_URL points at the right API.',
  );
}

/** The CA PEM to verify the API with, from FLOTILLA_CA_FILE or the pinned hash. */
export async function resolveCa(opts: { apiUrl: string; caFile?: string; caHash?: string }): Promise<string> {
  if (opts.caFile) {
    const pem = readFileSync(opts.caFile, 'utf8');
    if (opts.caHash && hashOrUndefined(pem) !== opts.caHash) {
      throw new CaPinError(`refusing to start: the CA in ${opts.caFile} does not match FLOTILLA_CA_HASH ${opts.caHash}`);
    }
    return pem;
  }
  if (!opts.caHash) throw new CaPinError('no CA: set FLOTILLA_CA_FILE or FLOTILLA_CA_HASH');
  return fetchPinnedCa(opts.apiUrl, opts.caHash);
}
