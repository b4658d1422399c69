import { openApiV3Document, openApiV3Index } from './openapi';

type J = Record<string, any>;

describe('OpenAPI v3', () => {
  it('indexes every group-version with a stable hashed URL', () => {
    const index = openApiV3Index();
    expect(Object.keys(index.paths)).toEqual([
      'api/v1',
      'apis/apps/v1',
      'apis/batch/v1',
      'apis/coordination.k8s.io/v1',
      'apis/networking.k8s.io/v1',
      'apis/rbac.authorization.k8s.io/v1',
    ]);
    expect(index.paths['apis/apps/v1'].serverRelativeURL).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=[0-9A-F]{64}$/);
    expect(openApiV3Index()).toEqual(index);
  });

  it('returns undefined for unknown group-versions and caches documents', () => {
    expect(openApiV3Document('apis/nope/v1')).toBeUndefined();
    expect(openApiV3Document('api/v1')).toBe(openApiV3Document('api/v1'));
  });

  it('offers patch with fieldValidation, the GVK and all patch content types', () => {
    const doc = openApiV3Document('apis/apps/v1') as J;
    expect(doc.openapi).toBe('3.0.0');
    expect(doc.info).toBeDefined();
    const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
    expect(patch['x-kubernetes-group-version-kind']).toEqual({ group: 'apps', version: 'v1', kind: 'Deployment' });
    expect(patch.parameters.map((p: J) => p.name)).toContain('fieldValidation');
    expect(Object.keys(patch.requestBody.content).sort()).toEqual([
      'application/apply-patch+yaml',
      'application/json-patch+json',
      'application/merge-patch+json',
      'application/strategic-merge-patch+json',
    ]);
    for (const verb of ['get', 'put', 'delete']) expect(doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'][verb]).toBeDefined();
  });

  it('uses paths without a namespace for cluster-scoped kinds', () => {
    const core = openApiV3Document('api/v1') as J;
    expect(core.paths['/api/v1/namespaces/{name}'].patch['x-kubernetes-group-version-kind'].kind).toBe('Namespace');
    expect(core.paths['/api/v1/nodes/{name}']).toBeDefined();
    expect(core.paths['/api/v1/namespaces/{namespace}/pods/{name}']).toBeDefined();
    const rbac = openApiV3Document('apis/rbac.authorization.k8s.io/v1') as J;
    expect(rbac.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles/{name}'].patch).toBeDefined();
  });

  it('describes kinds as kubectl explain reads them', () => {
    const doc = openApiV3Document('apis/apps/v1') as J;
    const schemas = doc.components.schemas;
    const d = schemas['io.k8s.api.apps.v1.Deployment'];
    expect(d.description).toMatch(/Deployment/);
    expect(d['x-kubernetes-group-version-kind']).toEqual([{ group: 'apps', version: 'v1', kind: 'Deployment' }]);
    expect(Object.keys(d.properties)).toEqual(expect.arrayContaining(['apiVersion', 'kind', 'metadata', 'spec', 'status']));
    const specRef = d.properties.spec.allOf[0].$ref as string;
    const spec = schemas[specRef.replace('#/components/schemas/', '')];
    expect(spec.description).toBeTruthy();
    expect(spec.properties.replicas).toMatchObject({ type: 'integer' });
    expect(schemas['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties.labels.additionalProperties.type).toBe('string');
    expect(schemas['io.k8s.api.core.v1.PodSpec']).toBeDefined();
    // Every $ref resolves.
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of refs) expect(schemas[r.replace('#/components/schemas/', '')]).toBeDefined();
  });

  it('publishes strategic-merge-patch keys on merged lists', () => {
    const schemas = (openApiV3Document('api/v1') as J).components.schemas;
    const podSpec = schemas['io.k8s.api.core.v1.PodSpec'].properties;
    expect(podSpec.containers).toMatchObject({ 'x-kubernetes-patch-strategy': 'merge', 'x-kubernetes-patch-merge-key': 'name' });
    expect(podSpec.volumes['x-kubernetes-patch-merge-key']).toBe('name');
    const container = schemas['io.k8s.api.core.v1.Container'].properties;
    expect(container.ports['x-kubernetes-patch-merge-key']).toBe('containerPort');
    expect(container.env['x-kubernetes-patch-merge-key']).toBe('name');
    expect(container.volumeMounts['x-kubernetes-patch-merge-key']).toBe('mountPath');
    expect(schemas['io.k8s.api.core.v1.Service']['x-kubernetes-group-version-kind'][0].kind).toBe('Service');
  });
});
