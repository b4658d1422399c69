// The tenancy authenticators: bearer tokens issued by Flotilla (personal, node, service account)
// and portal session cookies. Cookie-authenticated mutations need the double-submit CSRF token
// (X-CSRF-Token header) and, when the browser sends one, an Origin of this server; so do cookie WebSocket
// upgrades, which a foreign page could otherwise open with the user's cookie (browsers send it on upgrades).
import { AuthError, Authenticator, bearerOf, cookieValue, Credentials, SESSION_COOKIE } from '../auth/authn';
import type { UserInfo } from '../auth/user';
import type { IdentityService } from './identity.service';

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

export class TokenAuthenticator implements Authenticator {
  constructor(private readonly identity: IdentityService) {}

  async authenticate(c: Credentials): Promise<UserInfo | undefined> {
    const token = bearerOf(c.authorization);
    return token ? this.identity.authenticateToken(token) : undefined;
  }
}

export class SessionAuthenticator implements Authenticator {
  constructor(
    private readonly identity: IdentityService,
    private readonly publicOrigin: string,
  ) {}

  async authenticate(c: Credentials): Promise<UserInfo | undefined> {
    if (c.authorization) return undefined; // a bearer token decides alone
    const cookie = cookieValue(c.cookie, SESSION_COOKIE);
    if (!cookie) return undefined;
    const mutation = !SAFE.has(c.method.toUpperCase()) || c.upgrade === true;
    const s = await this.identity.authenticateSession(cookie, c.csrfToken, mutation);
    if (!s) throw new AuthError(401, 'Unauthorized: the session is unknown, expired or ended; log in again');
    if (mutation && c.origin && c.origin !== this.publicOrigin)
      throw new AuthError(403, `cross-site request refused: Origin ${c.origin} is not ${this.publicOrigin}`);
    if (!s.csrfOk) throw new AuthError(403, 'CSRF token missing or invalid: send the X-CSRF-Token header returned at login');
    return s.user;
  }
}
