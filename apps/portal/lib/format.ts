// Ages and amounts as kubectl prints them, with the platform's own parsers. Server components only: the
// library is not meant for the browser bundle.
import { parseQuantity, shortHumanDuration } from '@flotilla/resources';

/** How long ago, in kubectl's AGE format ("45s", "3m2s", "5h3m", "12d"). */
export function age(ts: string | null | undefined, now = Date.now()): string {
  const t = ts ? Date.parse(ts) : NaN;
  return Number.isNaN(t) ? '–' : shortHumanDuration(now - t);
}

/** A Kubernetes quantity as a number (cores for cpu, bytes for memory); 0 for none or one the API would refuse. */
export function quantity(q: string | number | undefined): number {
  if (q === undefined || q === '') return 0;
  try {
    return parseQuantity(q);
  } catch {
    return 0;
  }
}

export function percent(used: string | number | undefined, hard: string | number | undefined): number {
  const h = quantity(hard);
  return h > 0 ? Math.min(100, Math.round((quantity(used) / h) * 100)) : 0;
}
