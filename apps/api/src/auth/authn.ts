// Authentication: turns a request's credentials into a user. Tried in order: the bootstrap admin
// token, bearer tokens (personal API tokens, node credentials, service-account tokens), then the
// portal's session cookie (with CSRF protection for mutations). Credentials that are present but
// forged, expired or revoked are a 401, never a silent fall-back to anonymous.
import { createHash, timingSafeEqual } from 'node:crypto';
import { ANONYMOUS, UserInfo } from './user';

/** The parts of a request authentication looks at. */
export interface Credentials {
  authorization?: string;
  cookie?: string;
  method: string;
  /** The X-CSRF-Token header (double-submit token for cookie sessions). */
  csrfToken?: string;
  origin?: string;
  /**
   * The request asks for a protocol upgrade (exec, attach, port-forward WebSockets). A GET, but it opens a
   * channel that writes into a container, so a cookie session must prove it is not cross-site as a mutation does.
   */
  upgrade?: boolean;
}

export interface Authenticator {
  /** The user, undefined when the request carries no credentials; throws AuthError for bad ones. */
  authenticate(c: Credentials): Promise<UserInfo | undefined>;
}

/** Credentials were presented and are not valid (401), or a cookie mutation lacks its CSRF token (403). */
export class AuthError extends Error {
  constructor(
    readonly code: 401 | 403,
    message: string,
  ) {
    super(message);
  }
}

export const SESSION_COOKIE = 'flotilla_session';
export const CSRF_COOKIE = 'flotilla_csrf';

export function bearerOf(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return m?.[1];
}

export function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) return part.slice(i + 1).trim();
  }
  return undefined;
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

export class BootstrapTokenAuthenticator implements Authenticator {
  private readonly hash?: Buffer;
  constructor(token: string | undefined) {
    // Keep only a hash in memory, and compare in constant time.
    this.hash = token ? digest(token) : undefined;
  }

  async authenticate(c: Credentials): Promise<UserInfo | undefined> {
    const token = bearerOf(c.authorization);
    if (!token || !this.hash) return undefined;
    if (!timingSafeEqual(digest(token), this.hash)) return undefined;
    return { username: 'flotilla:bootstrap-admin', uid: 'bootstrap-admin', groups: ['system:masters', 'system:authenticated'] };
  }
}

/** Tries each authenticator in turn; credentials nobody accepts are a 401. */
export class CompositeAuthenticator implements Authenticator {
  constructor(private readonly chain: Authenticator[]) {}

  async authenticate(c: Credentials): Promise<UserInfo | undefined> {
    for (const a of this.chain) {
      const u = await a.authenticate(c);
      if (u) return u;
    }
    if (c.authorization) throw new AuthError(401, 'Unauthorized');
    return undefined;
  }
}

export { ANONYMOUS };
