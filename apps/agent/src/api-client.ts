// The agent's HTTPS client for the Kubernetes API: bearer token, pinned CA, JSON in and out, watch streams.
import { request as httpsRequest, Agent, type RequestOptions } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeObject, Status } from '@flotilla/resources';
import { LineSplitter } from '@flotilla/runtime';

export class ApiStatusError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export interface WatchEvent<T extends KubeObject = KubeObject> {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  object: T;
}

export interface ListResult<T extends KubeObject> {
  resourceVersion: string;
  items: T[];
}

export interface WatchHandle {
  /** Resolves when the stream ends (server closed it, error, or stop()). */
  done: Promise<void>;
  stop(): void;
}

export const MERGE_PATCH = 'application/merge-patch+json';

function isStatus(v: unknown): v is Status {
  return typeof v === 'object' && v !== null && (v as { kind?: string }).kind === 'Status';
}

export class ApiClient {
  private readonly agent: Agent;
  private readonly watchAgent: Agent;

  constructor(
    readonly baseUrl: string,
    private readonly ca: string,
    private readonly token: string,
    maxSockets = 32,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets, ca });
    this.watchAgent = new Agent({ keepAlive: false, ca });
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }

  private options(method: string, contentType?: string, watch = false): RequestOptions {
    const headers: Record<string, string> = { authorization: `Bearer ${this.token}`, accept: 'application/json', 'user-agent': 'flotilla-agent/0.1' };
    if (contentType) headers['content-type'] = contentType;
    return { method, headers, agent: watch ? this.watchAgent : this.agent, ca: this.ca, timeout: watch ? 0 : 30_000 };
  }

  /** One request; resolves with the decoded JSON body, rejects with ApiStatusError for a non-2xx answer. */
  async request<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const opts = this.options(method, payload ? contentType : undefined);
      if (payload) (opts.headers as Record<string, string>)['content-length'] = String(payload.length);
      const req = httpsRequest(new URL(path, this.baseUrl), opts, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      });
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: no answer in 30 s`)));
      req.on('error', reject);
      if (payload) req.end(payload);
      else req.end();
    });
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      parsed = undefined;
    }
    if (status < 200 || status >= 300) {
      const s = isStatus(parsed) ? parsed : undefined;
      throw new ApiStatusError(status, s?.reason ?? 'Unknown', `${method} ${path}: ${status} ${s?.message ?? text.slice(0, 200)}`);
    }
    return parsed as T;
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** GET, or undefined on 404. */
  async getOptional<T>(path: string): Promise<T | undefined> {
    try {
      return await this.get<T>(path);
    } catch (e) {
      if (e instanceof ApiStatusError && e.code === 404) return undefined;
      throw e;
    }
  }

  async list<T extends KubeObject>(path: string): Promise<ListResult<T>> {
    const r = await this.get<{ metadata?: { resourceVersion?: string }; items?: T[] }>(path);
    return { resourceVersion: r.metadata?.resourceVersion ?? '', items: r.items ?? [] };
  }

  /** A watch stream; every event is handed to onEvent in order. */
  watch<T extends KubeObject>(path: string, onEvent: (ev: WatchEvent<T>) => void): WatchHandle {
    let res: IncomingMessage | undefined;
    let stopped = false;
    let reqRef: ReturnType<typeof httpsRequest> | undefined;
    const done = new Promise<void>((resolve, reject) => {
      const req = httpsRequest(new URL(path, this.baseUrl), this.options('GET', undefined, true), (r) => {
        res = r;
        if ((r.statusCode ?? 0) !== 200) {
          const chunks: Buffer[] = [];
          r.on('data', (d: Buffer) => chunks.push(d));
          r.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let s: Status | undefined;
            try {
              const p: unknown = JSON.parse(text);
              s = isStatus(p) ? p : undefined;
            } catch {
              s = undefined;
            }
            reject(new ApiStatusError(r.statusCode ?? 0, s?.reason ?? 'Unknown', `watch ${path}: ${r.statusCode} ${s?.message ?? text.slice(0, 200)}`));
          });
          return;
        }
        const lines = new LineSplitter();
        r.setEncoding('utf8');
        r.on('data', (chunk: string) =>
          lines.push(chunk, (raw) => {
            const line = raw.trim();
            if (!line) return;
            try {
              onEvent(JSON.parse(line) as WatchEvent<T>);
            } catch (e) {
              r.destroy(e as Error);
            }
          }),
        );
        r.on('end', () => resolve());
        r.on('close', () => resolve());
        r.on('error', (e) => (stopped ? resolve() : reject(e)));
      });
      reqRef = req;
      req.on('error', (e) => (stopped ? resolve() : reject(e)));
      req.end();
    });
    return {
      done,
      stop: () => {
        stopped = true;
        res?.destroy();
        reqRef?.destroy();
      },
    };
  }
}

export type { KubeObject };
