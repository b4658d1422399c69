// Where a Service answers from outside the cluster, for the Services page and a Deployment's page.
import type { Ingress, Service } from './k8s';

/** The address the ingress answers on, with the port it listens on (kept in the object's status). */
export type IngressWithStatus = Ingress & { status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string; ports?: { port: number }[] }[] } } };

/** Addresses that reach a Service from outside: the nodes' ingress, its Ingress rules, load-balancer address, or node ports. */
export function urlsOf(s: Service, ingresses: IngressWithStatus[], host: string, ingress: URL | undefined): string[] {
  const urls: string[] = [];
  // The agents' ingress routes <service>.<namespace>.<base domain> to the first port of every proxied Service.
  if (ingress && s.spec.type !== 'ExternalName' && (s.spec.ports ?? []).length > 0)
    urls.push(`${ingress.protocol}//${s.metadata.name}.${s.metadata.namespace}.${ingress.host}/`);
  for (const ing of ingresses) {
    const tlsHosts = new Set((ing.spec.tls ?? []).flatMap((t) => t.hosts ?? []));
    for (const r of ing.spec.rules ?? [])
      for (const p of r.http?.paths ?? [])
        if (p.backend.service?.name === s.metadata.name) {
          const h = r.host ?? ing.status?.loadBalancer?.ingress?.[0]?.ip ?? host;
          const port = ing.status?.loadBalancer?.ingress?.[0]?.ports?.[0]?.port;
          urls.push(`${tlsHosts.has(h) ? 'https' : 'http'}://${h}${port ? `:${port}` : ''}${p.path ?? '/'}`);
        }
  }
  for (const lb of s.status?.loadBalancer?.ingress ?? []) for (const p of s.spec.ports ?? []) urls.push(`http://${lb.hostname ?? lb.ip}:${p.port}/`);
  if (s.spec.type === 'NodePort' || s.spec.type === 'LoadBalancer')
    for (const p of s.spec.ports ?? []) if (p.nodePort) urls.push(`http://${host}:${p.nodePort}/`);
  return [...new Set(urls)];
}

/** Whether a Service's selector picks the pods of this template (its labels include every selector pair). */
export function selects(s: Service, podLabels: Record<string, string>): boolean {
  const sel = Object.entries(s.spec.selector ?? {});
  return sel.length > 0 && sel.every(([k, v]) => podLabels[k] === v);
}
