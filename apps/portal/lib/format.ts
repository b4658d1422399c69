// Small formatting helpers shared by server and client components.
export function age(ts: string | undefined, now = Date.now()): string {
  if (!ts) return '–';
  const s = Math.max(0, Math.floor((now - Date.parse(ts)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h${Math.floor((s % 3600) / 60) || ''}${s % 3600 >= 60 ? 'm' : ''}`;
  return `${Math.floor(s / 86400)}d`;
}

/** A Kubernetes quantity as a number (cores for cpu, bytes for memory). */
export function quantity(q: string | undefined): number {
  if (!q) return 0;
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(q.trim());
  if (!m) return 0;
  const n = Number(m[1]);
  const units: Record<string, number> = {
    '': 1,
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    T: 1e12,
    Ki: 1024,
    Mi: 1024 ** 2,
    Gi: 1024 ** 3,
    Ti: 1024 ** 4,
  };
  return n * (units[m[2]] ?? 1);
}

export function percent(used: string | undefined, hard: string | undefined): number {
  const h = quantity(hard);
  return h > 0 ? Math.min(100, Math.round((quantity(used) / h) * 100)) : 0;
}
