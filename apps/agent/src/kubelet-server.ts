// The agent's kubelet-like HTTPS endpoint (kubelet's :10250): the API server opens `kubectl exec` and
// `kubectl port-forward` streams here. Only the API may call it — mutual TLS with the platform CA and a
// client certificate named KUBELET_CLIENT_CN — and only for pods bound to this node, found by uid in the
// agent's own pod cache. The serving certificate comes from the API (platform CA, SAN = node name), so
// the API can verify it is talking to this node; it is renewed well before it expires.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { WebSocketServer, type WebSocket } from 'ws';
import { KUBELET_CLIENT_CN, needsRenewal } from '@flotilla/pki';
import { EXEC_PROTOCOLS, parseKubeletPath, PORT_FORWARD_PROTOCOL, type ExecOptions, type KubeletPodTarget, type Pod } from '@flotilla/resources';
import { ContainerNotFoundError, ContainerNotRunningError, type ExecSession, type PodRuntime } from '@flotilla/runtime';
import type { ApiClient } from './api-client';
import type { ListenAddress } from './config';
import { bridgeExec } from './exec-stream';
import { errorText, type Logger } from '@flotilla/log';
import { servePortForward } from './port-forward';

const RENEW_BEFORE_DAYS = 10;
const RENEW_CHECK_MS = 3_600_000;

export const KUBELET_CERT_PATH = '/flotilla/v1/nodes/kubelet-certificates';

export interface KubeletServerOptions {
  api: ApiClient;
  /** The platform CA: client certificates must chain to it. */
  ca: string;
  listen: ListenAddress;
  nodeName: string;
  /** Addresses put in the serving certificate besides the node name. */
  addresses: string[];
  /** A pod bound to this node, by uid (the agent's pod cache). */
  pod: (uid: string) => Pod | undefined;
  runtime: PodRuntime;
  log: Logger;
}

interface ServingCert {
  certPem: string;
  keyPem: string;
}

class HttpError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

const HTTP_TEXT: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error' };

/** Answers an upgrade request that will not be upgraded with a Kubernetes Status, then closes. */
function refuse(socket: Duplex, e: HttpError): void {
  const body = JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: e.message, reason: e.reason, code: e.code });
  socket.end(
    `HTTP/1.1 ${e.code} ${HTTP_TEXT[e.code] ?? 'Error'}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** The first subprotocol of ours the client offers, in our order of preference. */
function chooseProtocol(req: IncomingMessage, ours: readonly string[]): string | undefined {
  const offered = String(req.headers['sec-websocket-protocol'] ?? '')
    .split(',')
    .map((p) => p.trim());
  return ours.find((p) => offered.includes(p));
}

export class KubeletServer {
  private server?: Server;
  /** The subprotocol chosen for each request before the handshake. */
  private readonly chosen = new WeakMap<IncomingMessage, string>();
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 16 << 20 });
  private cert?: ServingCert;
  private renewTimer?: NodeJS.Timeout;
  port = 0;

  constructor(private readonly o: KubeletServerOptions) {
    // ws refuses `SPDY/3.1+portforward.k8s.io` (a '/' is not allowed in an RFC 7230 token), so the subprotocol
    // is chosen here and the client's header removed before ws sees it; the answer names the chosen one.
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const protocol = this.chosen.get(req);
      if (protocol) headers.push(`Sec-WebSocket-Protocol: ${protocol}`);
    });
  }

  private async fetchCertificate(): Promise<ServingCert> {
    const r = await this.o.api.request<ServingCert>('POST', KUBELET_CERT_PATH, { nodeName: this.o.nodeName, addresses: this.o.addresses });
    if (typeof r?.certPem !== 'string' || typeof r.keyPem !== 'string')
      throw new Error('the API answered the kubelet certificate request without a certificate');
    return { certPem: r.certPem, keyPem: r.keyPem };
  }

  async start(): Promise<number> {
    this.cert = await this.fetchCertificate();
    const server = createServer({
      cert: this.cert.certPem,
      key: this.cert.keyPem,
      ca: this.o.ca,
      requestCert: true,
      rejectUnauthorized: true,
      minVersion: 'TLSv1.2',
    });
    server.on('request', (_req, res) => {
      res.writeHead(404, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          kind: 'Status',
          apiVersion: 'v1',
          metadata: {},
          status: 'Failure',
          reason: 'NotFound',
          message: 'only exec and port-forward streams are served here',
          code: 404,
        }),
      );
    });
    server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      void this.upgrade(req, socket, head).catch((e: unknown) => {
        this.o.log.warn('kubelet stream failed', { url: req.url, error: errorText(e) });
        if (!socket.destroyed) refuse(socket, e instanceof HttpError ? e : new HttpError(500, 'InternalError', errorText(e)));
      });
    });
    server.on('tlsClientError', (e: Error) => this.o.log.debug('kubelet endpoint: TLS handshake refused', { error: e.message }));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port: this.o.listen.port, host: this.o.listen.host }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
    this.renewTimer = setInterval(() => void this.renew(), RENEW_CHECK_MS);
    this.renewTimer.unref();
    this.o.log.info('kubelet endpoint listening', { address: `${this.o.listen.host}:${this.port}` });
    return this.port;
  }

  private async renew(): Promise<void> {
    if (!this.server || !this.cert || !needsRenewal(this.cert.certPem, new Date(), RENEW_BEFORE_DAYS)) return;
    try {
      this.cert = await this.fetchCertificate();
      this.server.setSecureContext({ cert: this.cert.certPem, key: this.cert.keyPem, ca: this.o.ca });
      this.o.log.info('kubelet serving certificate renewed');
    } catch (e) {
      this.o.log.warn('kubelet serving certificate renewal failed; retrying within the hour', { error: errorText(e) });
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.renewTimer);
    for (const ws of this.wss.clients) ws.terminate();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** The API server's client certificate, or a 403. */
  private authenticate(socket: TLSSocket): void {
    const peer = socket.getPeerCertificate();
    if (!socket.authorized || peer?.subject?.CN !== KUBELET_CLIENT_CN) {
      throw new HttpError(403, 'Forbidden', `only the API server (client certificate ${KUBELET_CLIENT_CN}) may open streams on node "${this.o.nodeName}"`);
    }
  }

  /** The pod, if it is bound to this node under that uid. */
  private boundPod(t: KubeletPodTarget): Pod {
    const pod = this.o.pod(t.uid);
    if (!pod || pod.metadata.namespace !== t.namespace || pod.metadata.name !== t.pod || pod.spec.nodeName !== this.o.nodeName) {
      throw new HttpError(404, 'NotFound', `pod "${t.namespace}/${t.pod}" (uid ${t.uid}) is not bound to node "${this.o.nodeName}"`);
    }
    return pod;
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    this.authenticate(socket as TLSSocket);
    if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') throw new HttpError(400, 'BadRequest', 'only WebSocket upgrades are served');
    const parsed = parseKubeletPath(req.url ?? '/');
    if (!parsed) throw new HttpError(404, 'NotFound', `no such kubelet path: ${req.url ?? ''}`);
    if (parsed.kind === 'invalid') throw new HttpError(400, 'BadRequest', parsed.message);
    const pod = this.boundPod(parsed.target);
    if (parsed.kind === 'exec') {
      const protocol = chooseProtocol(req, EXEC_PROTOCOLS);
      if (!protocol) throw new HttpError(400, 'BadRequest', `exec needs one of the WebSocket subprotocols ${EXEC_PROTOCOLS.join(', ')}`);
      const session = await this.startExec(pod, parsed.options);
      const ws = await this.accept(req, socket, head, protocol).catch((e: unknown) => {
        session.stream.destroy();
        throw e;
      });
      const code = await bridgeExec(ws, protocol, session, parsed.options);
      this.o.log.info('exec finished', { pod: `${parsed.target.namespace}/${parsed.target.pod}`, container: parsed.options.container, exitCode: code });
      return;
    }
    if (!chooseProtocol(req, [PORT_FORWARD_PROTOCOL]))
      throw new HttpError(400, 'BadRequest', `port-forward needs the WebSocket subprotocol ${PORT_FORWARD_PROTOCOL}`);
    const podIP = pod.status?.podIP;
    if (!podIP) throw new HttpError(400, 'BadRequest', `pod ${pod.metadata.name} has no IP address yet`);
    servePortForward(await this.accept(req, socket, head, PORT_FORWARD_PROTOCOL), podIP, (port) => this.o.runtime.portForward(pod, port), this.o.log);
  }

  private async startExec(pod: Pod, o: ExecOptions): Promise<ExecSession> {
    const spec = [...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === o.container);
    if (!spec) throw new HttpError(400, 'BadRequest', `container ${o.container} is not valid for pod ${pod.metadata.name}`);
    try {
      return await this.o.runtime.exec(pod, o.container, o.command, { stdin: o.stdin, tty: o.tty });
    } catch (e) {
      if (e instanceof ContainerNotFoundError) throw new HttpError(404, 'NotFound', `container not found ("${o.container}")`);
      if (e instanceof ContainerNotRunningError) throw new HttpError(400, 'BadRequest', `container ${o.container} in pod ${pod.metadata.name} is not running`);
      throw e;
    }
  }

  private accept(req: IncomingMessage, socket: Duplex, head: Buffer, protocol: string): Promise<WebSocket> {
    this.chosen.set(req, protocol);
    delete req.headers['sec-websocket-protocol'];
    return new Promise((resolve, reject) => {
      socket.once('error', reject);
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        socket.off('error', reject);
        resolve(ws);
      });
    });
  }
}
