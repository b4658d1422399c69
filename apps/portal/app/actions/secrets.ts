'use server';
// Reveals a Secret's values on request: read fresh from the API as the user, so only roles that may read
// Secrets see them, and the values reach the browser only when asked for.
import { call } from '@/lib/api';
import type { ActionResult } from '@/lib/action-result';
import { nsPath, type Secret } from '@/lib/k8s';
import { assertName } from '@/lib/validate';

export async function revealSecret(ns: string, name: string): Promise<ActionResult> {
  const r = await call<Secret>('GET', nsPath('', 'secrets', assertName(ns), assertName(name)));
  if (!r.ok || !r.data) return { error: r.error?.message ?? `The API answered ${r.status}` };
  const data: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.data.data ?? {})) data[k] = Buffer.from(v, 'base64').toString('utf8');
  return { ok: 'Revealed', data };
}
