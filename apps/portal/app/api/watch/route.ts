// Live updates for the browser: follows the API's watch of each requested collection (as the signed-in
// user) and forwards one small SSE event per change. Only names and kinds leave the server, never objects.
import type { IncomingMessage } from 'node:http';
import { get, openStream } from '@/lib/api';
import { getSession } from '@/lib/session';
import { lineSplitter, sseResponse } from '@/lib/sse';

export const dynamic = 'force-dynamic';

const COLLECTION = /^\/(api\/v1|apis\/[a-z0-9.-]+\/v1)(\/namespaces\/[a-z0-9-]+)?\/[a-z]+$/;
const SELECTORS = new Set(['labelSelector', 'fieldSelector']);

function parseTarget(raw: string): { path: string; query: URLSearchParams } | undefined {
  const [path, qs = ''] = raw.split('?', 2);
  if (!COLLECTION.test(path)) return undefined;
  const query = new URLSearchParams();
  for (const [k, v] of new URLSearchParams(qs)) if (SELECTORS.has(k)) query.set(k, v);
  return { path, query };
}

export async function GET(request: Request): Promise<Response> {
  const session = await getSession();
  if (!session) return new Response('sign in first', { status: 401 });
  const targets = new URL(request.url).searchParams
    .getAll('p')
    .slice(0, 8)
    .map(parseTarget)
    .filter((t): t is NonNullable<typeof t> => t !== undefined);
  if (targets.length === 0) return new Response('no watchable collection given', { status: 400 });

  return sseResponse(request.signal, async (w) => {
    const follow = async (t: { path: string; query: URLSearchParams }) => {
      let current: IncomingMessage | undefined;
      w.onClose(() => current?.destroy());
      while (!w.closed()) {
        // Start from the list's version so only changes after the page's data arrive.
        const list = await get<{ metadata?: { resourceVersion?: string } }>(`${t.path}?limit=1&${t.query}`, { session });
        if (!list.ok) {
          w.send({ path: t.path, code: list.status, message: list.error?.message }, 'failure');
          return;
        }
        let rv = list.data?.metadata?.resourceVersion ?? '';
        const q = new URLSearchParams(t.query);
        q.set('watch', 'true');
        q.set('allowWatchBookmarks', 'true');
        if (rv) q.set('resourceVersion', rv);
        const res = await openStream('GET', `${t.path}?${q}`, session);
        current = res;
        if (res.statusCode !== 200) {
          res.resume();
          await new Promise((r) => setTimeout(r, 2000));
          continue;
        }
        await new Promise<void>((resolve) => {
          res.on(
            'data',
            lineSplitter((line) => {
              if (!line.trim()) return;
              try {
                const ev = JSON.parse(line) as {
                  type: string;
                  object?: { kind?: string; metadata?: { name?: string; namespace?: string; resourceVersion?: string } };
                };
                rv = ev.object?.metadata?.resourceVersion ?? rv;
                if (ev.type === 'BOOKMARK') return;
                if (ev.type === 'ERROR') return res.destroy();
                const m = ev.object?.metadata;
                w.send({ type: ev.type, kind: ev.object?.kind, name: m?.name, namespace: m?.namespace, path: t.path });
              } catch {
                /* a partial or foreign line: ignore */
              }
            }),
          );
          res.on('end', resolve);
          res.on('close', resolve);
          res.on('error', () => resolve());
        });
      }
    };
    w.send({ watching: targets.map((t) => t.path) }, 'ready');
    await Promise.all(targets.map(follow));
  });
}
