'use server';
// The signed-in user's own API tokens.
import { revalidatePath } from 'next/cache';
import { call } from '@/lib/api';
import type { ActionResult } from '@/lib/action-result';

export async function createToken(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const name = String(form.get('name') ?? '').trim();
  const days = Number(form.get('days') || 90);
  if (!name) return { fields: { name: 'Give the token a name, e.g. the laptop or CI job that uses it.' } };
  if (!Number.isInteger(days) || days < 1 || days > 365) return { fields: { days: 'Between 1 and 365 days.' } };
  const r = await call<{ token: string; id: string }>('POST', '/flotilla/v1/me/tokens', { body: { name, expirationSeconds: days * 86400 } });
  if (!r.ok || !r.data) return { error: r.error?.message ?? `The API answered ${r.status}` };
  revalidatePath('/account');
  return { ok: 'Created', data: { token: r.data.token, name } };
}

export async function revokeToken(id: string): Promise<ActionResult> {
  if (!/^[A-Za-z0-9-]+$/.test(id)) return { error: 'bad token id' };
  const r = await call('DELETE', `/flotilla/v1/me/tokens/${id}`);
  if (!r.ok) return { error: r.error?.message ?? `The API answered ${r.status}` };
  revalidatePath('/account');
  return { ok: 'Revoked' };
}
