'use server';
// Sign-in and sign-out: the API's login sets its session cookie; the portal seals it server-side.
import { redirect } from 'next/navigation';
import { call } from '@/lib/api';
import { clearSession, getSession, storeSession } from '@/lib/session';

export interface LoginState {
  error?: string;
  username?: string;
}

function sessionCookieOf(setCookie: string | string[] | undefined): string | undefined {
  for (const c of Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []) {
    const m = /^flotilla_session=([^;]+)/.exec(c);
    if (m) return m[1];
  }
  return undefined;
}

export async function login(_prev: LoginState, form: FormData): Promise<LoginState> {
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  if (!username || !password) return { error: 'Enter your username and password.', username };
  const r = await call<{ username: string; groups: string[]; csrfToken: string; expiresAt: string }>('POST', '/flotilla/v1/login', {
    body: { username, password },
    session: null,
  });
  if (!r.ok || !r.data) {
    if (r.status === 401) return { error: 'That username and password do not match an account.', username };
    return { error: r.error?.message ?? `Sign-in failed (${r.status}).`, username };
  }
  const apiSession = sessionCookieOf(r.headers['set-cookie']);
  if (!apiSession) return { error: 'The API did not open a session.', username };
  await storeSession({
    apiSession,
    csrf: r.data.csrfToken,
    username: r.data.username,
    groups: r.data.groups ?? [],
    expiresAt: Math.floor(Date.parse(r.data.expiresAt) / 1000),
  });
  const next = String(form.get('next') ?? '');
  redirect(next.startsWith('/') && !next.startsWith('//') ? next : '/');
}

export async function logout(): Promise<void> {
  if (await getSession()) await call('POST', '/flotilla/v1/logout');
  await clearSession();
  redirect('/login');
}
