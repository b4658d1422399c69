import type { KubeObject } from '@flotilla/resources';
import { failure, fieldsOf, resourceRequest } from './__fixtures__/requests';
import { admissionContext, header, selectorMatcher, wanted } from './request';

const pod = (name: string, labels: Record<string, string>, nodeName = ''): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: 'ns', labels },
  spec: { nodeName, containers: [] },
});

describe('reading a resource request', () => {
  it('matches label and field selectors together, within what the caller may see', () => {
    const req = resourceRequest({ path: 'namespaces/ns/pods', query: { labelSelector: 'app=web,tier!=db', fieldSelector: 'spec.nodeName=n1' } });
    const match = selectorMatcher(req)!;
    expect(match(pod('a', { app: 'web' }, 'n1'))).toBe(true);
    expect(match(pod('b', { app: 'web', tier: 'db' }, 'n1'))).toBe(false);
    expect(match(pod('c', { app: 'web' }, 'n2'))).toBe(false);
    const hidden = selectorMatcher({ ...req, visible: (o) => o.metadata.name !== 'a' })!;
    expect(hidden(pod('a', { app: 'web' }, 'n1'))).toBe(false);
  });

  it('matches everything (or only what is visible) without selectors', () => {
    expect(selectorMatcher(resourceRequest({ path: 'namespaces/ns/pods' }))).toBeUndefined();
    const visible = (o: KubeObject) => o.metadata.name === 'a';
    expect(selectorMatcher({ ...resourceRequest({ path: 'namespaces/ns/pods' }), visible })).toBe(visible);
  });

  it('answers 400 naming labelSelector or fieldSelector when one cannot be parsed', async () => {
    const bad = [
      [{ labelSelector: 'app in (web' }, 'labelSelector'],
      [{ labelSelector: '!!' }, 'labelSelector'],
      [{ fieldSelector: 'spec.nodeName' }, 'fieldSelector'],
      [{ fieldSelector: 'spec.unknownField=x' }, 'fieldSelector'],
    ] as const;
    for (const [query, field] of bad) {
      const s = await failure(() => selectorMatcher(resourceRequest({ path: 'namespaces/ns/pods', query })));
      expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect(fieldsOf(s)).toEqual([field]);
    }
  });

  it('builds the admission context from the path and fieldValidation, and refuses an unknown fieldValidation', async () => {
    const req = resourceRequest({ method: 'PUT', path: 'namespaces/ns/configmaps/c', query: { fieldValidation: 'Strict' } });
    expect(admissionContext(req)).toMatchObject({ namespace: 'ns', name: 'c', fieldValidation: 'Strict', warnings: [] });
    expect(admissionContext(req, '').name).toBe('');
    expect(admissionContext(resourceRequest({ path: 'namespaces/ns/configmaps' })).fieldValidation).toBe('Warn');
    const s = await failure(() => admissionContext(resourceRequest({ path: 'namespaces/ns/configmaps', query: { fieldValidation: 'strict' } })));
    expect(s.code).toBe(400);
    expect(fieldsOf(s)).toEqual(['fieldValidation']);
  });

  it('reads the first of a repeated header and the wanted representation', () => {
    expect(header({ headers: { 'content-type': ['application/yaml', 'application/json'] } }, 'content-type')).toBe('application/yaml');
    expect(header({ headers: {} }, 'content-type')).toBeUndefined();
    const table = resourceRequest({
      path: 'namespaces/ns/pods',
      headers: { accept: 'application/json;as=Table;g=meta.k8s.io;v=v1' },
      query: { includeObject: 'Object' },
    });
    expect(wanted(table)).toEqual({ table: true, includeObject: 'Object' });
    expect(wanted({ headers: { accept: ['application/json', 'application/json;as=Table'] }, query: {} }).table).toBe(true);
  });
});
