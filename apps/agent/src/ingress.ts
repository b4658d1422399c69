// The node's HTTP(S) ingress: listens on the configured addresses, serves the routes planned from Services
// and Ingress objects, terminates TLS with the certificates of the Ingresses' kubernetes.io/tls Secrets, and
// writes the address into each Ingress's status.
import type { Ingress, Secret } from '@flotilla/resources';
import { HttpIngress, type TlsCertificate } from '@flotilla/netproxy';
import { ApiStatusError, type ApiClient } from './api-client';
import type { ListenAddress } from './config';
import { errorText, type Logger } from '@flotilla/log';
import type { IngressPlan } from './services-plan';

const SECRET_TTL_MS = 15_000;

export interface IngressOptions {
  api: ApiClient;
  http?: ListenAddress;
  https?: ListenAddress;
  log: Logger;
}

export class NodeIngress {
  readonly proxy: HttpIngress;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private readonly bound = { http: false, https: false };
  private readonly secretWarned = new Set<string>();
  private statusDenied = false;
  /** Secrets cannot be watched with a node credential; they are re-read at most every SECRET_TTL_MS (a renewed certificate is served within that). */
  private readonly secretCache = new Map<string, { at: number; secret: Promise<Secret | undefined> }>();

  constructor(private readonly o: IngressOptions) {
    this.proxy = new HttpIngress({ serverName: 'flotilla ingress' });
  }

  get enabled(): boolean {
    return !!(this.o.http || this.o.https);
  }

  /** Binds what it can; an address in use is retried every 10 s (it may be another agent on this host). */
  async start(): Promise<void> {
    const tryBind = async (): Promise<void> => {
      for (const kind of ['http', 'https'] as const) {
        const addr = this.o[kind];
        if (!addr || this.bound[kind] || this.stopped) continue;
        try {
          const port = kind === 'http' ? await this.proxy.listenHttp(addr.port, addr.host) : await this.proxy.listenHttps(addr.port, addr.host);
          this.bound[kind] = true;
          this.o.log.info(`ingress listening (${kind})`, { address: `${addr.host}:${port}` });
        } catch (e) {
          this.o.log.warn(`ingress cannot listen (${kind}); retrying in 10 s`, { address: `${addr.host}:${addr.port}`, error: errorText(e) });
        }
      }
      const missing = (this.o.http && !this.bound.http) || (this.o.https && !this.bound.https);
      if (missing && !this.stopped) this.retry = setTimeout(() => void tryBind(), 10_000);
    };
    await tryBind();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.retry);
    await this.proxy.close();
  }

  /** Routes and pools now; certificates as soon as their Secrets are read. */
  async apply(plan: IngressPlan, ingresses: Iterable<Ingress>): Promise<void> {
    this.proxy.update(plan.routes, plan.pools);
    if (this.o.https) await this.loadCertificates(plan);
    await this.writeStatus(ingresses);
  }

  private async loadCertificates(plan: IngressPlan): Promise<void> {
    const certs: Record<string, TlsCertificate> = {};
    const now = Date.now();
    for (const [key, c] of this.secretCache) if (now - c.at > SECRET_TTL_MS) this.secretCache.delete(key);
    for (const t of plan.tls) {
      const key = `${t.namespace}/${t.secretName}`;
      let p = this.secretCache.get(key)?.secret;
      if (!p) {
        p = this.o.api
          .getOptional<Secret>(`/api/v1/namespaces/${encodeURIComponent(t.namespace)}/secrets/${encodeURIComponent(t.secretName)}`)
          .catch((e: unknown) => {
            this.warnOnce(key, 'cannot read the TLS Secret of an Ingress', { secret: key, error: errorText(e) });
            return undefined;
          });
        this.secretCache.set(key, { at: now, secret: p });
      }
      const s = await p;
      const crt = s?.data?.['tls.crt'];
      const k = s?.data?.['tls.key'];
      if (!s || s.type !== 'kubernetes.io/tls' || !crt || !k) {
        if (s) this.warnOnce(key, 'Ingress TLS Secret is not of type kubernetes.io/tls with tls.crt and tls.key', { secret: key });
        continue;
      }
      if (!certs[t.host]) certs[t.host] = { cert: Buffer.from(crt, 'base64').toString('utf8'), key: Buffer.from(k, 'base64').toString('utf8') };
    }
    await this.platformCertificates(plan, certs);
    try {
      this.proxy.setCertificates(certs);
    } catch (e) {
      this.o.log.warn('an Ingress TLS certificate could not be loaded; keeping the previous set', { error: errorText(e) });
    }
  }

  /**
   * Hosts without a TLS Secret are served with a certificate the API issues from the platform CA (so a
   * browser that trusts the platform CA accepts them). Issued certificates are kept until a third of
   * their life is left; hosts the API refuses stay HTTP-only, with one warning.
   */
  private async platformCertificates(plan: IngressPlan, certs: Record<string, TlsCertificate>): Promise<void> {
    const now = Date.now();
    const wanted = [...new Set(plan.routes.map((r) => r.host))].filter((h) => h && !h.startsWith('*') && !certs[h] && (this.refusedHosts.get(h) ?? 0) <= now);
    const missing = wanted.filter((h) => (this.platformCerts.get(h)?.renewAt ?? 0) <= now);
    if (missing.length > 0) {
      try {
        const r = await this.o.api.request<{ certPem: string; keyPem: string; validDays: number }>('POST', '/flotilla/v1/nodes/ingress-certificates', {
          hosts: missing.slice(0, 100),
        });
        const renewAt = now + (r.validDays * 86_400_000 * 2) / 3;
        for (const h of missing.slice(0, 100)) this.platformCerts.set(h, { cert: { cert: r.certPem, key: r.keyPem }, renewAt });
      } catch (e) {
        // Refused (not in use yet, or not allowed): try again in a minute rather than on every sync.
        if (e instanceof ApiStatusError && (e.code === 400 || e.code === 403)) for (const h of missing) this.refusedHosts.set(h, now + 60_000);
        this.warnOnce(`platform-cert:${missing.join(',')}`, 'no platform certificate for these ingress hosts; serving them over HTTP only', {
          hosts: missing,
          error: errorText(e),
        });
      }
    }
    for (const h of wanted) {
      const c = this.platformCerts.get(h);
      if (c) certs[h] = c.cert;
    }
  }

  private readonly platformCerts = new Map<string, { cert: TlsCertificate; renewAt: number }>();
  private readonly refusedHosts = new Map<string, number>();

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.secretWarned.has(key)) return;
    this.secretWarned.add(key);
    this.o.log.warn(msg, fields);
  }

  /** status.loadBalancer.ingress[0].ip = the ingress address, when it differs (needs write access to ingresses/status). */
  private async writeStatus(ingresses: Iterable<Ingress>): Promise<void> {
    const addr = this.o.http ?? this.o.https;
    if (!addr || this.statusDenied) return;
    const ip = addr.host === '0.0.0.0' || addr.host === '::' ? undefined : addr.host;
    if (!ip) return;
    for (const ing of ingresses) {
      if (ing.spec?.ingressClassName && ing.spec.ingressClassName !== 'flotilla') continue;
      const cur = (ing.status as { loadBalancer?: { ingress?: { ip?: string }[] } } | undefined)?.loadBalancer?.ingress;
      if (cur?.length === 1 && cur[0].ip === ip) continue;
      const path = `/apis/networking.k8s.io/v1/namespaces/${encodeURIComponent(ing.metadata.namespace ?? 'default')}/ingresses/${encodeURIComponent(ing.metadata.name ?? '')}/status`;
      try {
        await this.o.api.request('PUT', path, { ...ing, status: { loadBalancer: { ingress: [{ ip }] } } });
      } catch (e) {
        if (e instanceof ApiStatusError && e.code === 403) {
          this.statusDenied = true;
          this.o.log.warn('not allowed to write Ingress status; leaving it empty', { error: errorText(e) });
          return;
        }
        if (!(e instanceof ApiStatusError && (e.code === 409 || e.code === 404)))
          this.o.log.warn('Ingress status write failed', { ingress: path, error: errorText(e) });
      }
    }
  }
}
