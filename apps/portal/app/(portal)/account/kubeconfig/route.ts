// Downloads a kubeconfig for the signed-in user (a fresh personal token with the platform CA embedded).
// POST only, from the account page: creating a token is a change, and browsers send Origin with it.
import { call } from '@/lib/api';
import { getSession } from '@/lib/session';

export async function POST(request: Request): Promise<Response> {
  const origin = request.headers.get('origin');
  const host = request.headers.get('host');
  if (!origin || new URL(origin).host !== host) return new Response('cross-site request refused', { status: 403 });
  const session = await getSession();
  if (!session) return new Response('sign in first', { status: 401 });
  const r = await call<string>('POST', '/flotilla/v1/me/kubeconfig', {
    body: { name: `portal download ${new Date().toISOString()}` },
    accept: 'application/yaml',
    session,
  });
  if (!r.ok) return new Response(r.error?.message ?? 'failed', { status: r.status });
  return new Response(r.text, {
    headers: { 'content-type': 'application/yaml', 'content-disposition': 'attachment; filename="flotilla.kubeconfig"', 'cache-control': 'no-store' },
  });
}
