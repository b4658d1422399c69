// Live logs for the browser: follows `pods/<name>/log?follow=true&timestamps=true` of one pod, or of every
// pod of a Deployment (pods that appear during a rollout are picked up from a watch), as the signed-in user,
// and forwards the lines in small batches over SSE.
import type { IncomingMessage } from 'node:http';
import { get, openStream } from '@/lib/api';
import { labelSelectorToString } from '@flotilla/resources';
import { type Deployment, type List, nameOf, nsPath, type Pod } from '@/lib/k8s';
import { getSession, type Session } from '@/lib/session';
import { lineSplitter, sseResponse, type SseWriter } from '@/lib/sse';

export const dynamic = 'force-dynamic';

const NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

interface LogLine {
  s: string;
  t: string;
  m: string;
}

function containersOf(p: Pod, container: string): string[] {
  const all = [...(p.spec.initContainers ?? []).map((c) => c.name), ...p.spec.containers.map((c) => c.name)];
  if (container === '*') return all;
  if (container) return all.includes(container) ? [container] : [];
  const preferred = p.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  return [preferred && all.includes(preferred) ? preferred : p.spec.containers[0]?.name].filter(Boolean);
}

class Follower {
  private buf: LogLine[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private attached = new Set<string>();
  private streams = new Set<IncomingMessage>();

  constructor(
    private readonly w: SseWriter,
    private readonly session: Session,
    private readonly ns: string,
    private readonly tail: number,
    private readonly prefix: boolean,
  ) {
    w.onClose(() => {
      for (const s of this.streams) s.destroy();
      if (this.timer) clearTimeout(this.timer);
    });
  }

  private push(l: LogLine): void {
    this.buf.push(l);
    if (this.buf.length >= 500) this.flush();
    else this.timer ??= setTimeout(() => this.flush(), 100);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.buf.length === 0) return;
    this.w.send({ lines: this.buf });
    this.buf = [];
  }

  system(s: string, m: string): void {
    this.push({ s, t: new Date().toISOString(), m });
  }

  /** Follows one container of one pod until it ends or the browser leaves; retries while it is starting. */
  async attach(pod: string, container: string): Promise<void> {
    const key = `${pod}/${container}`;
    if (this.attached.has(key)) return;
    this.attached.add(key);
    const src = this.prefix ? key : container;
    for (let attempt = 0; !this.w.closed(); attempt++) {
      const q = new URLSearchParams({ follow: 'true', timestamps: 'true', container, tailLines: String(this.tail) });
      const res = await openStream('GET', `${nsPath('', 'pods', this.ns, pod, 'log')}?${q}`, this.session, { accept: 'text/plain' });
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        for await (const c of res) chunks.push(c as Buffer);
        let message = Buffer.concat(chunks).toString('utf8');
        try {
          message = (JSON.parse(message) as { message?: string }).message ?? message;
        } catch {
          /* plain text */
        }
        // A container that is still starting gets a few more tries; anything else is final.
        if (res.statusCode === 400 && /waiting to start/.test(message) && attempt < 30) {
          if (attempt === 0) this.system(src, message);
          await new Promise((r) => setTimeout(r, 2000));
          continue;
        }
        this.system(src, `cannot read logs: ${message}`);
        this.flush();
        this.attached.delete(key);
        return;
      }
      this.streams.add(res);
      await new Promise<void>((resolve) => {
        res.on(
          'data',
          lineSplitter((line) => {
            const i = line.indexOf(' ');
            const ts = i > 0 && /^\d{4}-\d\d-\d\dT/.test(line) ? line.slice(0, i) : '';
            this.push({ s: src, t: ts, m: ts ? line.slice(i + 1) : line });
          }),
        );
        res.on('end', resolve);
        res.on('close', resolve);
        res.on('error', () => resolve());
      });
      this.streams.delete(res);
      if (!this.w.closed()) this.system(src, 'log stream ended (the container stopped or the pod is gone)');
      this.flush();
      this.attached.delete(key);
      return;
    }
  }
}

export async function GET(request: Request): Promise<Response> {
  const session = await getSession();
  if (!session) return new Response('sign in first', { status: 401 });
  const q = new URL(request.url).searchParams;
  const ns = q.get('ns') ?? '';
  const pod = q.get('pod') ?? '';
  const deployment = q.get('deployment') ?? '';
  const container = q.get('container') ?? '';
  const tail = Math.min(Math.max(Number(q.get('tail') ?? 500) || 500, 1), 10_000);
  if (!NAME.test(ns) || (pod && !NAME.test(pod)) || (deployment && !NAME.test(deployment)) || (!pod && !deployment))
    return new Response('give ns and pod or deployment', { status: 400 });
  if (container && container !== '*' && !NAME.test(container)) return new Response('bad container name', { status: 400 });

  return sseResponse(request.signal, async (w) => {
    const f = new Follower(w, session, ns, tail, Boolean(deployment));
    if (pod) {
      const p = await get<Pod>(nsPath('', 'pods', ns, pod), { session });
      if (!p.ok || !p.data) return w.send({ message: p.error?.message ?? 'pod not found' }, 'failure');
      const cs = containersOf(p.data, container);
      w.send({ sources: cs }, 'ready');
      await Promise.all(cs.map((c) => f.attach(pod, c)));
      return;
    }
    const d = await get<Deployment>(nsPath('apps', 'deployments', ns, deployment), { session });
    if (!d.ok || !d.data) return w.send({ message: d.error?.message ?? 'deployment not found' }, 'failure');
    const selector = labelSelectorToString(d.data.spec.selector);
    const podsPath = nsPath('', 'pods', ns);
    const list = await get<List<Pod>>(`${podsPath}?labelSelector=${encodeURIComponent(selector)}`, { session });
    if (!list.ok || !list.data) return w.send({ message: list.error?.message ?? 'cannot list pods' }, 'failure');
    w.send({ sources: list.data.items.map((p) => p.metadata.name) }, 'ready');
    const start = (p: Pod) => {
      if (p.metadata.deletionTimestamp || !p.spec.nodeName) return;
      for (const c of containersOf(p, container)) void f.attach(nameOf(p), c);
    };
    list.data.items.forEach(start);
    // New pods of a rollout join the stream as they are scheduled.
    const wq = new URLSearchParams({ watch: 'true', labelSelector: selector, resourceVersion: list.data.metadata?.resourceVersion ?? '' });
    const res = await openStream('GET', `${podsPath}?${wq}`, session);
    w.onClose(() => res.destroy());
    await new Promise<void>((resolve) => {
      res.on(
        'data',
        lineSplitter((line) => {
          try {
            const ev = JSON.parse(line) as { type: string; object: Pod };
            if (ev.type === 'ADDED' || ev.type === 'MODIFIED') start(ev.object);
          } catch {
            /* ignore */
          }
        }),
      );
      res.on('close', resolve);
      res.on('error', () => resolve());
    });
  });
}
