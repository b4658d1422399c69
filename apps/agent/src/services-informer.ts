// A list+watch cache of one kind (all namespaces) for the agent's service networking: the latest object of
// each key in memory, a callback on every change, re-list after a dropped watch or a 410.
import type { KubeObject } from '@flotilla/resources';
import { ApiStatusError, type ApiClient, type WatchHandle } from './api-client';
import { errorText, type Logger } from '@flotilla/log';
import { objectKey } from './services-plan';

export class Informer<T extends KubeObject> {
  readonly items = new Map<string, T>();
  private stopped = false;
  private watch?: WatchHandle;
  private hasSynced = false;
  private denied = false;
  private wake?: () => void;

  constructor(
    private readonly api: ApiClient,
    /** Collection path, e.g. `/api/v1/services`. */
    private readonly path: string,
    private readonly onChange: () => void,
    private readonly log: Logger,
  ) {}

  /** True once the first list arrived (or the kind turned out to be forbidden: an empty cache is then the truth we have). */
  get synced(): boolean {
    return this.hasSynced;
  }

  start(): void {
    void this.loop();
  }

  stop(): void {
    this.stopped = true;
    this.watch?.stop();
    this.wake?.();
  }

  private async loop(): Promise<void> {
    let failures = 0;
    while (!this.stopped) {
      try {
        const list = await this.api.list<T>(this.path);
        this.replace(list.items);
        this.denied = false;
        failures = 0;
        let rv = list.resourceVersion;
        const sep = this.path.includes('?') ? '&' : '?';
        this.watch = this.api.watch<T>(`${this.path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, (ev) => {
          if (ev.type === 'ERROR') {
            this.watch?.stop();
            return;
          }
          if (ev.object.metadata?.resourceVersion) rv = ev.object.metadata.resourceVersion;
          if (ev.type === 'BOOKMARK') return;
          const key = objectKey(ev.object);
          if (ev.type === 'DELETED') this.items.delete(key);
          else this.items.set(key, ev.object);
          this.onChange();
        });
        await this.watch.done.catch((e: unknown) => {
          if (!(e instanceof ApiStatusError && e.code === 410)) throw e;
        });
      } catch (e) {
        if (this.stopped) return;
        if (e instanceof ApiStatusError && e.code === 403) {
          // The node credential may not read this kind (see the node authorizer); say so once, keep trying slowly.
          if (!this.denied) this.log.warn('not allowed to list; feature off until allowed', { path: this.path, error: errorText(e) });
          this.denied = true;
          if (!this.hasSynced) {
            this.hasSynced = true;
            this.onChange();
          }
          await this.sleep(30_000);
          continue;
        }
        failures++;
        this.log.warn('list/watch failed', { path: this.path, error: errorText(e) });
        await this.sleep(Math.min(5000, 200 * 2 ** Math.min(failures, 5)));
      }
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  private replace(items: T[]): void {
    this.items.clear();
    for (const o of items) this.items.set(objectKey(o), o);
    this.hasSynced = true;
    this.onChange();
  }
}
