// get, list and watch. Lists and watch events go out as the stored JSON (never re-serialised) unless
// the client asked for a Table.
import type { ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { apiVersionOf, KubeObject, toTable } from '@flotilla/resources';
import { Store, StoreError, Watcher, WatchEvent } from '@flotilla/store';
import type { Config } from '../../config';
import { CONFIG, STORE } from '../../tokens';
import { mustGet, requireNamespace } from '../objects';
import { flag, intParam, one } from '../query';
import { json, Reply, ResourceRequest, selectorMatcher, wanted } from '../request';
import { badRequest, toStatus } from '../status';
import { EncodedLines, WatchBuffers } from '../watch-buffers';

const MAX_WATCH_SECONDS = 1800;

@Injectable()
export class ReadVerbs {
  private readonly watchBuffers: WatchBuffers;
  private readonly encodedLines = new EncodedLines();

  constructor(
    @Inject(STORE) private readonly store: Store,
    @Inject(CONFIG) private readonly config: Config,
  ) {
    this.watchBuffers = new WatchBuffers(config.watchMaxTotalQueuedBytes);
  }

  async get(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name } = req.info;
    const rv = one(req.query, 'resourceVersion');
    const e = await mustGet(this.store, type, namespace, name, rv !== '0');
    const w = wanted(req);
    if (w.table) return json(200, toTable(type, [e.obj], { resourceVersion: String(e.rv), includeObject: w.includeObject }));
    return { code: 200, json: e.json };
  }

  async list(req: ResourceRequest): Promise<Reply> {
    const { type, namespace } = req.info;
    const limit = intParam(req.query, 'limit');
    const rv = one(req.query, 'resourceVersion');
    const cont = one(req.query, 'continue');
    const match = selectorMatcher(req);
    if (namespace) await requireNamespace(this.store, namespace, false);
    const read = rv === '0' ? { consistent: false } : rv && /^\d+$/.test(rv) ? { minRv: Number(rv) } : {};
    const result = await this.store.list(type, { namespace: namespace || undefined, match, limit, continueToken: cont }, read);
    const meta: Record<string, unknown> = { resourceVersion: result.resourceVersion };
    if (result.continueToken) meta.continue = result.continueToken;
    if (result.remainingItemCount !== undefined) meta.remainingItemCount = result.remainingItemCount;
    const w = wanted(req);
    if (w.table) {
      return json(
        200,
        toTable(
          type,
          result.items.map((e) => e.obj),
          { resourceVersion: result.resourceVersion, continue: result.continueToken, includeObject: w.includeObject },
        ),
      );
    }
    // Items are concatenated from their stored JSON: a LIST of thousands never re-serialises them.
    const head = `{"kind":"${type.listKind}","apiVersion":"${apiVersionOf(type)}","metadata":${JSON.stringify(meta)},"items":[`;
    return { code: 200, json: head + result.items.map((e) => e.json).join(',') + ']}' };
  }

  async watch(req: ResourceRequest): Promise<'streamed'> {
    const { type, namespace, name } = req.info;
    const rvParam = one(req.query, 'resourceVersion');
    if (rvParam !== undefined && rvParam !== '' && !/^\d+$/.test(rvParam)) {
      throw badRequest(`invalid resourceVersion "${rvParam}"`, [
        { reason: 'FieldValueInvalid', field: 'resourceVersion', message: `Invalid value: "${rvParam}"` },
      ]);
    }
    const fromRv = rvParam ? Number(rvParam) : undefined;
    const baseMatch = selectorMatcher(req);
    const match = name ? (o: KubeObject) => o.metadata.name === name && (!baseMatch || baseMatch(o)) : baseMatch;
    const timeout = Math.min(intParam(req.query, 'timeoutSeconds') ?? MAX_WATCH_SECONDS, MAX_WATCH_SECONDS);
    const bookmarks = flag(req.query, 'allowWatchBookmarks');
    const w = wanted(req);
    if (namespace) await requireNamespace(this.store, namespace, false);
    const res = req.res;
    let watcher: Watcher;
    try {
      watcher = await this.store.watch(type, fromRv, { namespace: namespace || undefined, match, maxQueueBytes: this.config.watchMaxQueuedBytes });
    } catch (err) {
      if (!(err instanceof StoreError && err.code === 410)) throw err;
      // As kube-apiserver does: a 200 stream carrying one ERROR event, so clients re-list and resume.
      req.onClose(() => undefined);
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(`{"type":"ERROR","object":${JSON.stringify(toStatus(err))}}\n`);
      return 'streamed';
    }
    req.onClose(() => finish());
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders();
    let done = false;
    const queued = this.watchBuffers.open(res);
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      clearInterval(bookmarkTimer);
      queued.close();
      watcher.close();
    };
    const timer = setTimeout(finish, timeout * 1000);
    const bookmarkTimer = setInterval(() => {
      if (!bookmarks) return;
      const obj = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: { resourceVersion: String(this.store.cache.rv) } };
      res.write(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
    }, 30_000);
    const line = (ev: WatchEvent): Buffer | string => {
      if (!w.table) return this.encodedLines.get(ev.obj, ev.type, ev.json);
      const table = JSON.stringify(toTable(type, [ev.obj], { resourceVersion: String(ev.rv), includeObject: w.includeObject }));
      return `{"type":"${ev.type}","object":${table}}\n`;
    };
    try {
      for (;;) {
        const ev = await watcher.next();
        if (!ev) break;
        // Whatever else is already queued goes out in the same flush.
        const more = watcher.drain();
        let flowing: boolean;
        if (more.length === 0) flowing = res.write(line(ev));
        else {
          res.cork();
          flowing = res.write(line(ev));
          for (const m of more) flowing = res.write(line(m));
          res.uncork();
        }
        queued.update();
        const keep = !queued.overShare() && (flowing || (await this.drained(res)));
        queued.update();
        if (!keep) {
          // A client that stopped reading cannot be told why: drop its connection so the buffers
          // it pins are freed; its next LIST and WATCH resume it, as with kube-apiserver.
          res.destroy();
          return 'streamed';
        }
      }
      const err = watcher.error;
      if (err) res.write(`{"type":"ERROR","object":${JSON.stringify(toStatus(err))}}\n`);
    } finally {
      finish();
      res.end();
    }
    return 'streamed';
  }

  /**
   * Waits for the socket to drain. False when it does not within the stall bound, or when the bytes
   * waiting in it exceed the byte bound: both mean the client stopped reading.
   */
  private drained(res: ServerResponse): Promise<boolean> {
    if (res.writableLength > this.config.watchMaxQueuedBytes) return Promise.resolve(false);
    return new Promise<boolean>((resolve) => {
      const onDrain = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        res.off('drain', onDrain);
        resolve(false);
      }, this.config.watchStallSeconds * 1000);
      res.once('drain', onDrain);
    });
  }
}
