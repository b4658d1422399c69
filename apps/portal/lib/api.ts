// Calls to the Flotilla API as the signed-in user (their session cookie and CSRF token), over HTTPS
// verified against the platform CA. Every read and write of the portal goes through here.
import { Agent, request } from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Status } from '@flotilla/resources';
import { redirect } from 'next/navigation';
import { portalConfig } from './config';
import { getSession, type Session } from './session';

/** A Kubernetes `Status` (failure) as the API answers it, or as the portal makes one when the API cannot be reached. */
export type ApiStatus = Partial<Pick<Status, 'kind' | 'status' | 'message' | 'reason' | 'code' | 'details'>>;

export interface Answer<T> {
  status: number;
  ok: boolean;
  data?: T;
  error?: ApiStatus;
  text: string;
  headers: IncomingMessage['headers'];
}

let agent: Agent | undefined;
function tls(): Agent {
  agent ??= new Agent({ keepAlive: true, maxSockets: 64, ca: portalConfig().caPem });
  return agent;
}

export interface CallOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  /** Use this session instead of the request's (at sign-in, before the cookie exists). */
  session?: Session | null;
}

function headersFor(method: string, session: Session | null | undefined, o: CallOptions): Record<string, string> {
  const h: Record<string, string> = { accept: o.accept ?? 'application/json' };
  if (session) {
    h.cookie = `flotilla_session=${session.apiSession}`;
    if (method !== 'GET' && method !== 'HEAD') h['x-csrf-token'] = session.csrf;
  }
  return h;
}

/** Opens a request and hands back the response stream (watches, logs). */
export function openStream(method: string, path: string, session: Session | null | undefined, o: CallOptions = {}): Promise<IncomingMessage> {
  const { apiUrl } = portalConfig();
  const headers = headersFor(method, session, o);
  let payload: Buffer | undefined;
  if (o.body !== undefined) {
    payload = Buffer.from(typeof o.body === 'string' ? o.body : JSON.stringify(o.body));
    headers['content-type'] = o.contentType ?? 'application/json';
    headers['content-length'] = String(payload.length);
  }
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, apiUrl), { method, headers, agent: tls() }, resolve);
    req.on('error', reject);
    if (payload) req.write(payload);
    req.end();
  });
}

function parse<T>(status: number, text: string, headers: IncomingMessage['headers']): Answer<T> {
  const ok = status >= 200 && status < 300;
  let json: unknown;
  if (String(headers['content-type'] ?? '').includes('json')) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  if (ok) return { status, ok, data: (json ?? text) as T, text, headers };
  const err = (json && typeof json === 'object' ? json : { message: text || `HTTP ${status}` }) as ApiStatus;
  return { status, ok, error: { ...err, code: err.code ?? status }, text, headers };
}

/** One call as the signed-in user. A session the API no longer knows sends the user to sign in again. */
export async function call<T>(method: string, path: string, o: CallOptions = {}): Promise<Answer<T>> {
  const session = o.session === undefined ? await getSession() : o.session;
  let res: IncomingMessage;
  try {
    res = await openStream(method, path, session, o);
  } catch (err) {
    const message = `the API at ${portalConfig().apiUrl} cannot be reached: ${(err as Error).message}`;
    return { status: 503, ok: false, error: { message, reason: 'ServiceUnavailable', code: 503 }, text: message, headers: {} };
  }
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c as Buffer);
  const answer = parse<T>(res.statusCode ?? 0, Buffer.concat(chunks).toString('utf8'), res.headers);
  if (answer.status === 401 && session && o.session === undefined) redirect('/login?expired=1');
  return answer;
}

export const get = <T>(path: string, o?: CallOptions) => call<T>('GET', path, o);

/** A one-line description of a failed answer, for error states: what happened, then what to do next. */
export function describe(a: Answer<unknown>): string {
  const e = a.error ?? {};
  if (a.status === 403) return `You do not have access: ${e.message ?? 'forbidden'}. Ask an admin of this namespace for a role that allows it.`;
  // The API does not tell a tenant whether someone else's namespace exists.
  if (a.status === 404 && /^namespaces "/.test(e.message ?? ''))
    return `${e.message}, or you do not have access to it. Pick one of yours in the namespace switcher.`;
  if (a.status === 429) return `${e.message ?? 'Too many requests'}. Wait a few seconds and try again.`;
  if (a.status >= 500) return `${e.message ?? `The API answered ${a.status}`}. Try again in a moment; if it keeps failing, tell your platform administrator.`;
  return e.message ?? `The API answered ${a.status}`;
}
