// GET pods/{name}/log: container logs read from the capped Redis streams the node agents ship them to
// (so logs stay readable when the node is gone, and the API needs no route to agents). The key layout is
// declared once in @flotilla/queue.
import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { resourceFor, type Pod, type ResourceType } from '@flotilla/resources';
import { logStreamKey } from '@flotilla/queue';
import { notFound, type Store } from '@flotilla/store';
import { REDIS } from '../../health/health.controller';
import { STORE } from '../../tokens';
import { containerFor, containerStatusOf } from '../pod-containers';
import { flag, one, type Query } from '../query';
import type { Reply, ResourceRequest } from '../request';
import { ApiError, badRequest } from '../status';
import type { SubresourceHandler } from './registry';

const PODS = resourceFor('', 'v1', 'pods') as ResourceType;
const PAGE = 1000;
const FOLLOW_BLOCK_MS = 2000;

type StreamEntry = [id: string, fields: string[]];

interface LogParams {
  container: string;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  tailLines?: number;
  sinceMs?: number;
  limitBytes?: number;
}

function nonNegative(q: Query, key: string, positive = false): number | undefined {
  const v = one(q, key);
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!/^-?\d+$/.test(v) || n < (positive ? 1 : 0)) {
    throw badRequest(`${key} must be ${positive ? 'greater than 0' : 'a non-negative integer'}, got "${v}"`, [
      { reason: 'FieldValueInvalid', field: key, message: `Invalid value: "${v}"` },
    ]);
  }
  return n;
}

function fieldOf(fields: string[], name: string): string | undefined {
  for (let i = 0; i + 1 < fields.length; i += 2) if (fields[i] === name) return fields[i + 1];
  return undefined;
}

@Injectable()
export class PodLogSubresource implements SubresourceHandler {
  readonly subresources = ['log'];

  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  private async getPod(namespace: string, name: string): Promise<Pod | undefined> {
    const e = await this.store.get(PODS, namespace, name, { consistent: true });
    return e?.obj as Pod | undefined;
  }

  private params(pod: Pod, q: Query): LogParams {
    const container = containerFor(pod, one(q, 'container'));
    const sinceSeconds = nonNegative(q, 'sinceSeconds', true);
    const sinceTime = one(q, 'sinceTime');
    if (sinceSeconds !== undefined && sinceTime) throw badRequest('at most one of sinceTime or sinceSeconds may be specified');
    let sinceMs: number | undefined;
    if (sinceSeconds !== undefined) sinceMs = Date.now() - sinceSeconds * 1000;
    else if (sinceTime) {
      sinceMs = Date.parse(sinceTime);
      if (Number.isNaN(sinceMs)) throw badRequest(`sinceTime must be an RFC 3339 time, got "${sinceTime}"`);
    }
    return {
      container,
      follow: flag(q, 'follow'),
      previous: flag(q, 'previous'),
      timestamps: flag(q, 'timestamps'),
      tailLines: nonNegative(q, 'tailLines'),
      limitBytes: nonNegative(q, 'limitBytes', true),
      sinceMs,
    };
  }

  /** The stream of the wanted instance; 400 with kubelet's words when there is none. */
  private async streamKey(pod: Pod, p: LogParams): Promise<string> {
    const name = pod.metadata.name ?? '';
    const uid = pod.metadata.uid ?? '';
    const cs = containerStatusOf(pod, p.container);
    const restarts = cs?.restartCount ?? 0;
    if (p.previous) {
      if (restarts === 0 && !cs?.lastState?.terminated) throw badRequest(`previous terminated container "${p.container}" in pod "${name}" not found`);
      const key = logStreamKey(uid, p.container, Math.max(0, restarts - 1));
      if (!(await this.redis.exists(key))) throw badRequest(`previous terminated container "${p.container}" in pod "${name}" not found`);
      return key;
    }
    const key = logStreamKey(uid, p.container, restarts);
    if (!(await this.redis.exists(key))) {
      const waiting = cs?.state?.waiting;
      if (!cs || (waiting && !cs.lastState?.terminated)) {
        throw badRequest(`container "${p.container}" in pod "${name}" is waiting to start: ${waiting?.reason ?? 'ContainerCreating'}`);
      }
    }
    return key;
  }

  private async initial(key: string, p: LogParams): Promise<{ entries: StreamEntry[]; eof: boolean }> {
    const start = p.sinceMs !== undefined ? String(Math.max(0, Math.floor(p.sinceMs))) : '-';
    let entries: StreamEntry[];
    if (p.tailLines !== undefined) {
      if (p.tailLines === 0) {
        const last = (await this.redis.xrevrange(key, '+', start, 'COUNT', 1)) as StreamEntry[];
        return { entries: [], eof: last.some((e) => fieldOf(e[1], 'eof') !== undefined) };
      }
      // One more than asked: the newest entry may be the end-of-stream marker.
      entries = ((await this.redis.xrevrange(key, '+', start, 'COUNT', p.tailLines + 1)) as StreamEntry[]).reverse();
      const lines = entries.filter((e) => fieldOf(e[1], 'eof') === undefined);
      const eof = lines.length !== entries.length;
      const kept = lines.slice(-p.tailLines);
      return { entries: eof ? [...kept, entries[entries.length - 1]] : kept, eof };
    }
    entries = [];
    let from = start;
    for (;;) {
      const page = (await this.redis.xrange(key, from, '+', 'COUNT', PAGE)) as StreamEntry[];
      entries.push(...page);
      if (page.length < PAGE) break;
      from = `(${page[page.length - 1][0]}`;
    }
    return { entries, eof: entries.some((e) => fieldOf(e[1], 'eof') !== undefined) };
  }

  private render(entries: StreamEntry[], p: LogParams): string {
    let out = '';
    for (const [, fields] of entries) {
      if (fieldOf(fields, 'eof') !== undefined) continue;
      const line = fieldOf(fields, 'l') ?? '';
      out += p.timestamps ? `${fieldOf(fields, 't') ?? ''} ${line}\n` : `${line}\n`;
    }
    return out;
  }

  async serve(req: ResourceRequest): Promise<Reply | 'streamed'> {
    const { namespace, name, verb } = req.info;
    if (verb !== 'get') throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on pods/log`);
    const pod = await this.getPod(namespace, name);
    if (!pod) throw notFound(PODS.plural, PODS.group, name);
    const p = this.params(pod, req.query);
    const key = await this.streamKey(pod, p);
    const { entries, eof } = await this.initial(key, p);
    let text = this.render(entries, p);
    let budget = p.limitBytes;
    if (budget !== undefined) {
      const buf = Buffer.from(text);
      if (buf.length >= budget) text = buf.subarray(0, budget).toString('utf8');
      budget -= Math.min(buf.length, budget);
    }
    if (!p.follow || p.previous || eof || budget === 0) return { code: 200, json: text, contentType: 'text/plain' };

    // follow: stream what comes next until the instance ends, the pod goes, or the client leaves.
    const res = req.res;
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    if (text) res.write(text);
    else res.flushHeaders();
    let closed = false;
    const reader = this.redis.duplicate();
    req.onClose(() => {
      closed = true;
      reader.disconnect();
    });
    let lastId = entries.length ? entries[entries.length - 1][0] : p.sinceMs !== undefined ? String(Math.max(0, Math.floor(p.sinceMs) - 1)) : '0';
    const uid = pod.metadata.uid;
    try {
      while (!closed) {
        const got = (await reader.xread('BLOCK', FOLLOW_BLOCK_MS, 'STREAMS', key, lastId).catch(() => null)) as [string, StreamEntry[]][] | null;
        if (closed) break;
        if (!got) {
          const now = await this.getPod(namespace, name);
          if (!now || now.metadata.uid !== uid) break;
          continue;
        }
        const batch = got[0]?.[1] ?? [];
        if (!batch.length) continue;
        lastId = batch[batch.length - 1][0];
        let chunk = this.render(batch, p);
        if (budget !== undefined) {
          const buf = Buffer.from(chunk);
          if (buf.length >= budget) chunk = buf.subarray(0, budget).toString('utf8');
          budget -= Math.min(buf.length, budget);
        }
        if (chunk && !res.write(chunk)) await new Promise<void>((resolve) => res.once('drain', resolve));
        if (budget === 0 || batch.some((e) => fieldOf(e[1], 'eof') !== undefined)) break;
      }
    } finally {
      reader.disconnect();
      res.end();
    }
    return 'streamed';
  }
}
