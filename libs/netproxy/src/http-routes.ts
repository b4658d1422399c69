// HTTP routing for an ingress: host + path rules (Kubernetes Ingress semantics) resolved to a backend pool name.
export type PathType = 'Prefix' | 'Exact';

export interface HttpRoute {
  /** Lower-case host name; `*.example.com` matches exactly one extra leading label; empty matches any host. */
  host: string;
  path: string;
  pathType: PathType;
  /** The pool requests are sent to. */
  pool: string;
  /** Where the route came from (for the 404 page and logs), e.g. `ingress shop/web`. */
  source?: string;
}

/** `Host` header value → bare lower-case host name (port and trailing dot dropped, IPv6 brackets kept). */
export function normalizeHost(raw: string | undefined): string {
  let h = (raw ?? '').trim().toLowerCase();
  if (h.startsWith('[')) {
    const end = h.indexOf(']');
    return end > 0 ? h.slice(0, end + 1) : h;
  }
  const colon = h.indexOf(':');
  if (colon >= 0) h = h.slice(0, colon);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function hostMatches(pattern: string, host: string): boolean {
  if (pattern === '') return true;
  if (pattern.startsWith('*.')) {
    const suffix = pattern.slice(1); // ".example.com"
    if (!host.endsWith(suffix)) return false;
    const first = host.slice(0, host.length - suffix.length);
    return first.length > 0 && !first.includes('.');
  }
  return pattern === host;
}

/** Kubernetes' Prefix: element-wise, so `/api` matches `/api`, `/api/` and `/api/x` but not `/apix`. */
function pathMatches(route: HttpRoute, path: string): boolean {
  if (route.pathType === 'Exact') return path === route.path;
  const prefix = route.path.replace(/\/+$/, '');
  if (prefix === '') return true;
  return path === prefix || path.startsWith(`${prefix}/`);
}

function hostRank(pattern: string): number {
  if (pattern === '') return 0;
  return pattern.startsWith('*.') ? 1 : 2;
}

/**
 * An immutable table, sorted once: most specific host first (exact, wildcard, any), then the longest path,
 * then Exact before Prefix — so the first match is the one Kubernetes' Ingress rules say wins.
 */
export class RouteTable {
  private readonly routes: HttpRoute[];

  constructor(routes: readonly HttpRoute[] = []) {
    this.routes = routes
      .map((r) => ({ ...r, host: r.host.toLowerCase(), path: r.path || '/' }))
      .sort(
        (a, b) =>
          hostRank(b.host) - hostRank(a.host) ||
          b.path.replace(/\/+$/, '').length - a.path.replace(/\/+$/, '').length ||
          (a.pathType === 'Exact' ? 0 : 1) - (b.pathType === 'Exact' ? 0 : 1),
      );
  }

  get size(): number {
    return this.routes.length;
  }

  all(): HttpRoute[] {
    return this.routes.map((r) => ({ ...r }));
  }

  /** The winning route for a request, or undefined. `path` may carry a query string. */
  match(host: string, path: string): HttpRoute | undefined {
    const h = normalizeHost(host);
    const q = path.search(/[?#]/);
    const p = q >= 0 ? path.slice(0, q) : path;
    return this.routes.find((r) => hostMatches(r.host, h) && pathMatches(r, p || '/'));
  }

  /** Hosts that have at least one route (for the 404 page). */
  hosts(): string[] {
    return [...new Set(this.routes.map((r) => r.host).filter(Boolean))].sort();
  }
}
