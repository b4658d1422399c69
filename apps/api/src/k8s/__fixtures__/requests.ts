// Builders for the specs of request parsing and of the verb and subresource handlers: a ResourceRequest
// as the controller would make it from a method, a path and a body, a response that records what a
// streaming handler writes, and the Status an error becomes. No server is involved.
import type { ServerResponse } from 'node:http';
import { Writable } from 'node:stream';
import type { Status } from '@flotilla/resources';
import type { UserInfo } from '../../auth/user';
import type { Query } from '../query';
import type { ResourceRequest } from '../request';
import { parseResourcePath } from '../request-info';
import { toStatus } from '../status';

export const ADMIN: UserInfo = { username: 'admin', uid: 'admin-uid', groups: ['system:masters', 'system:authenticated'] };

/** What a streaming handler (watch, log follow) wrote, and its close callbacks to end the stream as a client would. */
export class RecordedResponse extends Writable {
  statusCode = 0;
  headers: Record<string, string> = {};
  text = '';
  private readonly closers: (() => void)[] = [];

  writeHead(code: number, headers: Record<string, string> = {}): this {
    this.statusCode = code;
    this.headers = headers;
    return this;
  }

  flushHeaders(): void {}

  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }

  onClose(fn: () => void): void {
    this.closers.push(fn);
  }

  /** The client goes away. */
  hangUp(): void {
    for (const fn of this.closers.splice(0)) fn();
  }

  /** The JSON lines written so far (watch events). */
  lines(): { type: string; object: Record<string, unknown> }[] {
    return this.text
      .split('\n')
      .filter((l) => l)
      .map((l) => JSON.parse(l) as { type: string; object: Record<string, unknown> });
  }
}

export interface RequestSpec {
  method?: string;
  /** The API group ('' for the core group). */
  group?: string;
  version?: string;
  /** The path after /api/v1 or /apis/{group}/{version}, e.g. `namespaces/ns/pods/p/log`. */
  path: string;
  query?: Query;
  headers?: Record<string, string>;
  /** An object is sent as JSON; a string or Buffer as it is. */
  body?: unknown;
  user?: UserInfo;
}

export function resourceRequest(spec: RequestSpec): ResourceRequest & { res: RecordedResponse } {
  const query = spec.query ?? {};
  const watch = query.watch === 'true' || query.watch === '1';
  const info = parseResourcePath(spec.group ?? '', spec.version ?? 'v1', spec.path.split('/'), spec.method ?? 'GET', watch);
  const body =
    spec.body === undefined
      ? undefined
      : Buffer.isBuffer(spec.body)
        ? spec.body
        : Buffer.from(typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body));
  const res = new RecordedResponse();
  return {
    info,
    user: spec.user ?? ADMIN,
    query,
    headers: { 'content-type': 'application/json', ...spec.headers },
    body,
    res: res as unknown as RecordedResponse & ServerResponse,
    onClose: (fn) => res.onClose(fn),
    takeSocket: () => {
      throw new Error('these specs open no upgraded streams');
    },
  };
}

/** The Status `fn` fails with (it must fail). */
export async function failure(fn: () => unknown): Promise<Status> {
  try {
    await fn();
  } catch (err) {
    return toStatus(err);
  }
  throw new Error('expected a failure, but it succeeded');
}

/** The fields a Status names in its causes. */
export function fieldsOf(s: Status): (string | undefined)[] {
  return (s.details?.causes ?? []).map((c) => c.field);
}
