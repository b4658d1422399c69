// Reads for the pages: a list or an object, with the API's refusal kept as a message for the error state.
import { describe, get } from './api';
import type { List } from './k8s';

export interface Loaded<T> {
  items: T[];
  error?: string;
  status: number;
}

export async function list<T>(path: string): Promise<Loaded<T>> {
  const r = await get<List<T>>(path);
  return r.ok && r.data ? { items: r.data.items ?? [], status: r.status } : { items: [], error: describe(r), status: r.status };
}

export async function one<T>(path: string): Promise<{ obj?: T; error?: string; status: number }> {
  const r = await get<T>(path);
  return r.ok && r.data ? { obj: r.data, status: r.status } : { error: describe(r), status: r.status };
}
