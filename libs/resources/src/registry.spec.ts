import { apiVersionOf, groupVersions, resourceFor, resourceForKind, resourceTypes } from './registry';

describe('resource registry', () => {
  it('looks types up by group, version and plural', () => {
    expect(resourceFor('apps', 'v1', 'deployments')?.kind).toBe('Deployment');
    expect(resourceFor('', 'v1', 'endpoints')?.kind).toBe('Endpoints');
    expect(resourceFor('networking.k8s.io', 'v1', 'ingresses')?.kind).toBe('Ingress');
    expect(resourceFor('', 'v1', 'deployments')).toBeUndefined();
  });

  it('looks types up by apiVersion and kind', () => {
    expect(resourceForKind('rbac.authorization.k8s.io/v1', 'ClusterRole')?.namespaced).toBe(false);
    expect(resourceForKind('v1', 'Pod')?.plural).toBe('pods');
    expect(resourceForKind('apps/v1', 'Pod')).toBeUndefined();
  });

  it('describes pods as kubectl expects from discovery', () => {
    const pods = resourceFor('', 'v1', 'pods')!;
    expect(pods.shortNames).toEqual(['po']);
    expect(pods.categories).toEqual(['all']);
    expect(pods.subresources).toEqual(expect.arrayContaining(['status', 'binding', 'log', 'exec', 'eviction', 'portforward']));
    expect(pods.selectableFields).toContain('spec.nodeName');
    expect(pods.hasStatus).toBe(true);
    expect(pods.verbs).toHaveLength(8);
  });

  it('marks spec-less kinds and status subresources', () => {
    expect(resourceFor('', 'v1', 'configmaps')?.hasSpec).toBe(false);
    expect(resourceFor('', 'v1', 'secrets')?.selectableFields).toEqual(['type']);
    expect(resourceFor('apps', 'v1', 'deployments')?.subresources).toEqual(['status', 'scale']);
    expect(resourceFor('', 'v1', 'configmaps')?.hasStatus).toBe(false);
    expect(resourceFor('', 'v1', 'namespaces')?.namespaced).toBe(false);
  });

  it('lists group versions in discovery order, core first', () => {
    expect(groupVersions()[0]).toEqual({ group: '', version: 'v1' });
    expect(groupVersions().map((g) => g.group)).toEqual(['', 'apps', 'batch', 'coordination.k8s.io', 'networking.k8s.io', 'rbac.authorization.k8s.io']);
    expect(apiVersionOf(resourceFor('apps', 'v1', 'replicasets')!)).toBe('apps/v1');
    expect(apiVersionOf(resourceFor('', 'v1', 'pods')!)).toBe('v1');
  });

  it('has unique plurals and short names', () => {
    const plurals = resourceTypes.map((t) => `${t.group}/${t.plural}`);
    expect(new Set(plurals).size).toBe(plurals.length);
    const shorts = resourceTypes.flatMap((t) => t.shortNames);
    expect(new Set(shorts).size).toBe(shorts.length);
  });
});
