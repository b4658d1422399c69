// The API's side of the node agents' kubelet endpoints: where a node serves it (Node.status: InternalIP
// and daemonEndpoints.kubeletEndpoint.Port), and a WebSocket upgrade opened there with the API's client
// certificate (KUBELET_CLIENT_CN, from the platform CA) and the node's serving certificate checked
// against the node's name. Once the agent answers 101, bytes are copied both ways, unread: the agent
// speaks the stream protocol with kubectl itself (as kube-apiserver proxies to kubelet).
import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { request } from 'node:https';
import type { Duplex } from 'node:stream';
import { checkServerIdentity, connect, type ConnectionOptions, type PeerCertificate } from 'node:tls';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { issueClientCert, KUBELET_CLIENT_CN, needsRenewal, type KeyPairPem } from '@flotilla/pki';
import type { Node, Status } from '@flotilla/resources';
import type { Store } from '@flotilla/store';
import { STORE } from '../tokens';
import { PlatformCa } from '../tls';
import { ApiError } from './status';

const CLIENT_CERT_DAYS = 7;
const DIAL_TIMEOUT_MS = 10_000;
/** Headers of the client's WebSocket handshake passed to the agent unchanged (its accept key answers the client's key). */
const HANDSHAKE = ['sec-websocket-key', 'sec-websocket-version', 'sec-websocket-protocol'];

export interface KubeletEndpoint {
  node: string;
  host: string;
  port: number;
}

function unavailable(message: string): ApiError {
  return new ApiError(503, 'ServiceUnavailable', message);
}

@Injectable()
export class KubeletClient implements OnModuleDestroy {
  private cert?: Promise<KeyPairPem>;
  private readonly open = new Set<Duplex>();

  constructor(
    @Inject(STORE) private readonly store: Store,
    private readonly ca: PlatformCa,
  ) {}

  onModuleDestroy(): void {
    for (const s of this.open) s.destroy();
  }

  /** The node's kubelet endpoint, from its status; 503 when the node is gone or does not serve one. */
  endpoint(node: string): KubeletEndpoint {
    const obj = this.store.cache.get('core/nodes', '', node)?.obj as Node | undefined;
    if (!obj) throw unavailable(`node "${node}" is not registered: its agent cannot be reached`);
    const status = obj.status as (Node['status'] & { daemonEndpoints?: { kubeletEndpoint?: { Port?: number } } }) | undefined;
    const port = status?.daemonEndpoints?.kubeletEndpoint?.Port ?? 0;
    const host = status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
    if (!port || !host)
      throw unavailable(
        `node "${node}" does not advertise a kubelet endpoint (status.daemonEndpoints.kubeletEndpoint.Port): is its agent running with FLOTILLA_KUBELET_ADDRESS on?`,
      );
    return { node, host, port };
  }

  private clientCert(): Promise<KeyPairPem> {
    const current = this.cert;
    if (current) {
      return current.then((c) => {
        if (!needsRenewal(c.certPem, new Date(), 1)) return c;
        this.cert = undefined;
        return this.clientCert();
      });
    }
    const issued = Promise.resolve().then(() => issueClientCert(this.ca.keyPair(), { commonName: KUBELET_CLIENT_CN, validDays: CLIENT_CERT_DAYS }));
    this.cert = issued;
    issued.catch(() => (this.cert = undefined));
    return issued;
  }

  private async tlsOptions(ep: KubeletEndpoint): Promise<ConnectionOptions> {
    let cert: KeyPairPem;
    try {
      cert = await this.clientCert();
    } catch (e) {
      throw unavailable(`cannot reach node agents: ${(e as Error).message}`);
    }
    return {
      host: ep.host,
      port: ep.port,
      ca: this.ca.keyPair().certPem,
      cert: cert.certPem,
      key: cert.keyPem,
      // The agent's certificate must name this node: another node's certificate does not do.
      checkServerIdentity: (_host: string, peer: PeerCertificate) => checkServerIdentity(ep.node, peer),
    };
  }

  /** A TLS handshake with the node's endpoint and nothing more: says whether (and why not) it can be reached. */
  async reach(ep: KubeletEndpoint): Promise<void> {
    const opts = await this.tlsOptions(ep);
    await new Promise<void>((resolve, reject) => {
      const socket = connect({ ...opts, timeout: DIAL_TIMEOUT_MS }, () => {
        socket.end();
        resolve();
      });
      socket.once('timeout', () => socket.destroy(new Error(`no answer in ${DIAL_TIMEOUT_MS / 1000} s`)));
      socket.once('error', (e) => reject(unavailable(`error dialing backend: node "${ep.node}" at ${ep.host}:${ep.port}: ${e.message}`)));
    });
  }

  /**
   * Opens `path` on the node as a WebSocket upgrade carrying the client's handshake. On 101 the client's
   * socket (from `takeSocket`, called only then) is joined to the agent's; any other answer becomes an ApiError.
   */
  async upgrade(ep: KubeletEndpoint, path: string, clientHeaders: IncomingHttpHeaders, takeSocket: () => Duplex): Promise<void> {
    const tls = await this.tlsOptions(ep);
    const headers: Record<string, string> = { connection: 'Upgrade', upgrade: 'websocket' };
    for (const h of HANDSHAKE) {
      const v = clientHeaders[h];
      if (v !== undefined) headers[h] = Array.isArray(v) ? v.join(', ') : v;
    }
    const where = `node "${ep.node}" at ${ep.host}:${ep.port}`;
    await new Promise<void>((resolve, reject) => {
      const req = request({ ...tls, path, method: 'GET', headers, agent: false, timeout: DIAL_TIMEOUT_MS });
      req.once('timeout', () => req.destroy(new Error(`no answer in ${DIAL_TIMEOUT_MS / 1000} s`)));
      req.once('error', (e) => reject(unavailable(`error dialing backend: ${where}: ${e.message}`)));
      req.once('response', (res: IncomingMessage) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.once('end', () => reject(this.refusal(res.statusCode ?? 502, Buffer.concat(chunks).toString('utf8'), where)));
        res.once('error', (e) => reject(unavailable(`error reading the answer of ${where}: ${e.message}`)));
      });
      req.once('upgrade', (res: IncomingMessage, upstream: Duplex, head: Buffer) => {
        const client = takeSocket();
        this.join(client, upstream);
        let head101 = 'HTTP/1.1 101 Switching Protocols\r\n';
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) head101 += `${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}\r\n`;
        client.write(`${head101}\r\n`);
        if (head.length) client.write(head);
        upstream.pipe(client);
        client.pipe(upstream);
        resolve();
      });
      req.end();
    });
  }

  /** Tracks the pair; pipe() carries each end over, an error or close ends the other side (flushed, then destroyed). */
  private join(client: Duplex, upstream: Duplex): void {
    this.open.add(client);
    const finish = (other: Duplex): void => {
      this.open.delete(client);
      if (!other.destroyed) {
        other.end();
        setTimeout(() => other.destroy(), 5_000).unref();
      }
    };
    client.once('close', () => finish(upstream));
    upstream.once('close', () => finish(client));
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    (upstream as Duplex & { setTimeout?: (ms: number) => void }).setTimeout?.(0);
  }

  /** The agent's refusal as the client should see it: its Status and code when it sent one. */
  private refusal(code: number, text: string, where: string): ApiError {
    try {
      const s = JSON.parse(text) as Partial<Status>;
      if (s.kind === 'Status' && typeof s.message === 'string') return new ApiError(code, s.reason ?? 'BadRequest', s.message);
    } catch {
      /* not a Status */
    }
    return new ApiError(code >= 400 && code < 600 ? code : 502, 'InternalError', `${where} answered ${code}: ${text.slice(0, 200)}`);
  }
}
