// API discovery documents (aggregated v2 and the legacy per-group-version lists), built once from the
// resource registry: kubectl's `get`, `api-resources`, short names and `get all` all read these.
import { apiVersionOf, groupVersions, resourceTypes, ResourceType } from '@flotilla/resources';

export const AGGREGATED_V2 = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';
export const AGGREGATED_V2BETA1 = 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList';

export const VERSION_INFO = {
  major: '1',
  minor: '32',
  gitVersion: 'v1.32.0-flotilla',
  gitCommit: '',
  gitTreeState: 'clean',
  buildDate: '2026-11-23T00:00:00Z',
  goVersion: 'node',
  compiler: 'flotilla',
  platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
};

const SUBRESOURCE_VERBS: Record<string, { verbs: string[]; kind?: { group: string; version: string; kind: string } }> = {
  status: { verbs: ['get', 'patch', 'update'] },
  scale: { verbs: ['get', 'patch', 'update'], kind: { group: 'autoscaling', version: 'v1', kind: 'Scale' } },
  binding: { verbs: ['create'], kind: { group: '', version: 'v1', kind: 'Binding' } },
  eviction: { verbs: ['create'], kind: { group: 'policy', version: 'v1', kind: 'Eviction' } },
  log: { verbs: ['get'], kind: { group: '', version: 'v1', kind: 'Pod' } },
  exec: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodExecOptions' } },
  portforward: { verbs: ['create', 'get'], kind: { group: '', version: 'v1', kind: 'PodPortForwardOptions' } },
  token: { verbs: ['create'], kind: { group: 'authentication.k8s.io', version: 'v1', kind: 'TokenRequest' } },
};

function typesIn(group: string, version: string): ResourceType[] {
  return resourceTypes.filter((t) => t.group === group && t.version === version);
}

function aggregatedGroup(group: string): unknown {
  const versions = groupVersions().filter((gv) => gv.group === group);
  return {
    metadata: group ? { name: group } : {},
    versions: versions.map(({ version }) => ({
      version,
      freshness: 'Current',
      resources: typesIn(group, version).map((t) => ({
        resource: t.plural,
        responseKind: { group: t.group, version: t.version, kind: t.kind },
        scope: t.namespaced ? 'Namespaced' : 'Cluster',
        singularResource: t.singular,
        verbs: t.verbs,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
        ...(t.subresources.length
          ? {
              subresources: t.subresources.map((s) => ({
                subresource: s,
                responseKind: SUBRESOURCE_VERBS[s]?.kind ?? { group: t.group, version: t.version, kind: t.kind },
                verbs: SUBRESOURCE_VERBS[s]?.verbs ?? ['get'],
              })),
            }
          : {}),
      })),
    })),
  };
}

function groupNames(): string[] {
  const names: string[] = [];
  for (const gv of groupVersions()) if (gv.group && !names.includes(gv.group)) names.push(gv.group);
  return names;
}

let cache: Map<string, string> | undefined;

/** The documents as JSON text, built on first use. */
export function discoveryDocuments(): Map<string, string> {
  if (cache) return cache;
  const docs = new Map<string, string>();
  docs.set(
    'aggregated:/api',
    JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: [aggregatedGroup('')] }),
  );
  docs.set(
    'aggregated:/apis',
    JSON.stringify({ kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items: groupNames().map(aggregatedGroup) }),
  );
  docs.set('/api', JSON.stringify({ kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }] }));
  docs.set(
    '/apis',
    JSON.stringify({
      kind: 'APIGroupList',
      apiVersion: 'v1',
      groups: groupNames().map((name) => {
        const versions = groupVersions()
          .filter((gv) => gv.group === name)
          .map((gv) => ({ groupVersion: `${name}/${gv.version}`, version: gv.version }));
        return { name, versions, preferredVersion: versions[0] };
      }),
    }),
  );
  for (const { group, version } of groupVersions()) {
    const gv = group ? `${group}/${version}` : version;
    const resources: unknown[] = [];
    for (const t of typesIn(group, version)) {
      resources.push({
        name: t.plural,
        singularName: t.singular,
        namespaced: t.namespaced,
        kind: t.kind,
        verbs: t.verbs,
        ...(t.shortNames.length ? { shortNames: t.shortNames } : {}),
        ...(t.categories.length ? { categories: t.categories } : {}),
      });
      for (const s of t.subresources) {
        const k = SUBRESOURCE_VERBS[s]?.kind;
        resources.push({
          name: `${t.plural}/${s}`,
          singularName: '',
          namespaced: t.namespaced,
          ...(k ? { group: k.group, version: k.version } : {}),
          kind: k?.kind ?? t.kind,
          verbs: SUBRESOURCE_VERBS[s]?.verbs ?? ['get'],
        });
      }
    }
    docs.set(
      group ? `/apis/${gv}` : `/api/${gv}`,
      JSON.stringify({ kind: 'APIResourceList', apiVersion: 'v1', groupVersion: apiVersionOf({ group, version }), resources }),
    );
  }
  cache = docs;
  return docs;
}

/** True when the client asked for aggregated discovery (kubectl does, first). */
export function wantsAggregated(accept: string | undefined): string | undefined {
  const a = (accept ?? '').replace(/\s/g, '');
  if (a.includes('g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList')) return AGGREGATED_V2;
  if (a.includes('g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList')) return AGGREGATED_V2BETA1;
  return undefined;
}
