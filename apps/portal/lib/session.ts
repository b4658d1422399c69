// The signed-in user's portal session: the API's session cookie and CSRF token, sealed with AES-256-GCM
// into one HttpOnly, Secure, SameSite=Strict cookie. The browser never sees an API credential.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { portalConfig } from './config';

export const PORTAL_COOKIE = '__Host-flotilla_portal';

export interface Session {
  /** The API's `flotilla_session` cookie value. */
  apiSession: string;
  csrf: string;
  username: string;
  groups: string[];
  /** Unix seconds when the API session ends. */
  expiresAt: number;
}

export function seal(s: Session, key = portalConfig().sessionKey): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', key, iv);
  const body = Buffer.concat([c.update(JSON.stringify(s), 'utf8'), c.final()]);
  return Buffer.concat([iv, c.getAuthTag(), body]).toString('base64url');
}

export function unseal(v: string, key = portalConfig().sessionKey): Session | undefined {
  try {
    const raw = Buffer.from(v, 'base64url');
    const d = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    d.setAuthTag(raw.subarray(12, 28));
    const s = JSON.parse(Buffer.concat([d.update(raw.subarray(28)), d.final()]).toString('utf8')) as Session;
    return s.expiresAt * 1000 > Date.now() ? s : undefined;
  } catch {
    return undefined;
  }
}

export async function getSession(): Promise<Session | undefined> {
  const v = (await cookies()).get(PORTAL_COOKIE)?.value;
  return v ? unseal(v) : undefined;
}

/** The session, or a redirect to the sign-in page. */
export async function requireSession(): Promise<Session> {
  const s = await getSession();
  if (!s) redirect('/login');
  return s;
}

export async function storeSession(s: Session): Promise<void> {
  (await cookies()).set(PORTAL_COOKIE, seal(s), {
    httpOnly: true,
    secure: true,
    sameSite: 'strict',
    path: '/',
    expires: new Date(s.expiresAt * 1000),
  });
}

export async function clearSession(): Promise<void> {
  (await cookies()).set(PORTAL_COOKIE, '', { httpOnly: true, secure: true, sameSite: 'strict', path: '/', maxAge: 0 });
}
