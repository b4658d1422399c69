// Kubernetes' two wire formats for time: metav1.Time (whole seconds) and metav1.MicroTime (Leases, Events).

/** `2026-11-23T09:00:00Z` */
export function k8sTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `2026-11-23T09:00:00.000000Z` */
export function microTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');
}

/** Any RFC 3339 time (Docker's nanosecond ones included) as metav1.Time; undefined stays undefined. */
export function toK8sTime(t: string | undefined): string | undefined {
  if (!t) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : k8sTime(new Date(ms));
}
