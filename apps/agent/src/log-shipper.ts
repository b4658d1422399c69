// Ships every container's stdout/stderr (with the runtime's timestamps) to a capped Redis stream per container
// instance, so `kubectl logs` reads them through the API — also `--previous`, and after the node is gone.
import type { Redis } from 'ioredis';
import { LineSplitter, type InstanceLogFollow, type OutputStream, type PodRuntime } from '@flotilla/runtime';
import { errorText, type Logger } from '@flotilla/log';
import { LOG_RETENTION_AFTER_DELETE_SECONDS, LOG_STREAM_MAXLEN, logStreamKey, podLogIndexKey } from '@flotilla/queue';

interface Entry {
  t: string;
  s: 'o' | 'e';
  l: string;
}

/** `2024-01-01T00:00:00.5Z` → a fixed-width, sortable form with nanoseconds. */
export function sortableTime(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z$/.exec(t);
  return m ? `${m[1]}.${(m[2] ?? '').padEnd(9, '0')}Z` : t;
}

/** Splits each output stream's pieces into timestamped lines (`<RFC 3339 time> <text>`). */
class LineParser {
  private readonly partial = { o: new LineSplitter(), e: new LineSplitter() };

  constructor(private readonly emit: (e: Entry) => void) {}

  push(stream: OutputStream, data: Buffer): void {
    const s = stream === 'stderr' ? 'e' : 'o';
    this.partial[s].push(data.toString('utf8'), (raw) => this.line(s, raw));
  }

  private line(s: 'o' | 'e', raw: string): void {
    const sp = raw.indexOf(' ');
    const t = sp > 0 ? raw.slice(0, sp) : raw;
    this.emit({ t, s, l: sp > 0 ? raw.slice(sp + 1).replace(/\r$/, '') : '' });
  }

  end(): void {
    for (const s of ['o', 'e'] as const) {
      const rest = this.partial[s].flush();
      if (rest) this.line(s, rest);
    }
  }
}

interface Follower {
  stop(): void;
}

export class LogShipper {
  private readonly following = new Map<string, Follower>();
  private readonly finished = new Set<string>();
  private scanTimer?: NodeJS.Timeout;
  private scanning?: Promise<void>;
  private rescan = false;
  private stopped = false;

  constructor(
    private readonly runtime: PodRuntime,
    private readonly redis: Redis,
    private readonly log: Logger,
  ) {}

  /** Looks for containers not shipped yet, soon (calls within 100 ms collapse). */
  kick(): void {
    if (this.stopped || this.scanTimer) return;
    this.scanTimer = setTimeout(() => {
      this.scanTimer = undefined;
      void this.scan();
    }, 100);
  }

  async scan(): Promise<void> {
    if (this.scanning) {
      this.rescan = true;
      return this.scanning;
    }
    this.scanning = this.scanOnce()
      .catch((e: unknown) => this.log.warn('log scan failed', { error: errorText(e) }))
      .finally(() => {
        this.scanning = undefined;
        if (this.rescan && !this.stopped) {
          this.rescan = false;
          this.kick();
        }
      });
    return this.scanning;
  }

  private async scanOnce(): Promise<void> {
    const list = await this.runtime.listInstances();
    const present = new Set<string>();
    for (const c of list) {
      if (c.role === 'sandbox') continue;
      present.add(c.id);
      if (this.following.has(c.id) || this.finished.has(c.id) || this.stopped) continue;
      // A container that was never started has no logs yet; it is picked up once it runs.
      if (c.state === 'created') continue;
      const key = logStreamKey(c.podUid, c.name, c.restartCount);
      this.follow(c.id, c.podUid, key);
    }
    for (const id of this.finished) if (!present.has(id)) this.finished.delete(id);
  }

  private follow(id: string, podUid: string, key: string): void {
    let output: InstanceLogFollow | undefined;
    let stopped = false;
    const follower: Follower = {
      stop: () => {
        stopped = true;
        output?.stop();
      },
    };
    this.following.set(id, follower);
    void (async () => {
      // Resume after the last shipped line (an agent restart must neither lose nor repeat lines).
      const last = await this.redis.xrevrange(key, '+', '-', 'COUNT', 1);
      const lastFields = last[0]?.[1] ?? [];
      const field = (name: string): string | undefined => {
        const i = lastFields.indexOf(name);
        return i >= 0 && i % 2 === 0 ? lastFields[i + 1] : undefined;
      };
      if (field('eof') !== undefined) {
        this.finished.add(id);
        return;
      }
      const lastT = field('t');
      const after = lastT ? sortableTime(lastT) : undefined;
      let lastMs = last[0] ? Number(last[0][0].split('-')[0]) : 0;
      const since = lastT ? Math.floor(Date.parse(lastT) / 1000) : 0;

      let batch: Entry[] = [];
      let flushTimer: NodeJS.Timeout | undefined;
      let chain: Promise<unknown> = this.redis.sadd(podLogIndexKey(podUid), key);
      const flush = (): void => {
        clearTimeout(flushTimer);
        flushTimer = undefined;
        if (!batch.length) return;
        const entries = batch;
        batch = [];
        const p = this.redis.pipeline();
        for (const e of entries) {
          const ms = Math.max(Date.parse(e.t) || Date.now(), lastMs);
          lastMs = ms;
          p.xadd(key, 'MAXLEN', '~', LOG_STREAM_MAXLEN, `${ms}-*`, 't', e.t, 's', e.s, 'l', e.l);
        }
        chain = chain.then(() => p.exec()).catch((err: unknown) => this.log.warn('shipping logs failed', { key, error: errorText(err) }));
      };
      const parser = new LineParser((e) => {
        if (after && sortableTime(e.t) <= after) return;
        batch.push(e);
        if (batch.length >= 200) flush();
        else flushTimer ??= setTimeout(flush, 20);
      });
      output = await this.runtime.followInstanceLogs(id, since, (s, data) => parser.push(s, data));
      if (stopped) return follower.stop();
      await output.ended;
      parser.end();
      flush();
      await chain;
      if (stopped) return;
      // The stream ends when the container stops: mark the instance complete for `logs -f` readers.
      if (await this.runtime.instanceRunning(id)) return; // a daemon hiccup, not an exit: the next scan resumes
      await this.redis.xadd(key, 'MAXLEN', '~', LOG_STREAM_MAXLEN, `${Math.max(Date.now(), lastMs)}-*`, 'eof', '1');
      this.finished.add(id);
    })()
      .catch((e: unknown) => {
        if (!stopped) this.log.debug('log follow ended', { container: id, error: errorText(e) });
      })
      .finally(() => {
        if (this.following.get(id) === follower) this.following.delete(id);
        if (!stopped && !this.finished.has(id)) this.kick();
      });
  }

  /** The pod is gone from the API: keep its logs readable for a while, then let Redis drop them. */
  async podDeleted(podUid: string): Promise<void> {
    const index = podLogIndexKey(podUid);
    const keys = await this.redis.smembers(index);
    const p = this.redis.pipeline();
    for (const k of keys) p.expire(k, LOG_RETENTION_AFTER_DELETE_SECONDS);
    p.expire(index, LOG_RETENTION_AFTER_DELETE_SECONDS);
    await p.exec();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.scanTimer);
    for (const f of this.following.values()) f.stop();
    this.following.clear();
  }
}
