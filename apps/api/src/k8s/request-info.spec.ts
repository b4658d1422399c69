import { parseResourcePath, PathError } from './request-info';

const parse = (method: string, path: string, watch = false, group = '', version = 'v1') => parseResourcePath(group, version, path.split('/'), method, watch);

function pathError(fn: () => unknown): PathError {
  try {
    fn();
  } catch (err) {
    if (err instanceof PathError) return err;
    throw err;
  }
  throw new Error('expected a PathError');
}

describe('parseResourcePath', () => {
  it('reads namespace, resource, name and subresource, and the verb from the method', () => {
    expect(parse('GET', 'namespaces/ns/pods/p')).toMatchObject({ verb: 'get', namespace: 'ns', name: 'p', subresource: '', allNamespaces: false });
    expect(parse('GET', 'namespaces/ns/pods')).toMatchObject({ verb: 'list', namespace: 'ns', name: '' });
    expect(parse('GET', 'pods')).toMatchObject({ verb: 'list', namespace: '', allNamespaces: true });
    expect(parse('GET', 'namespaces/ns/pods', true)).toMatchObject({ verb: 'watch' });
    expect(parse('GET', 'namespaces/ns/pods/p', true)).toMatchObject({ verb: 'watch', name: 'p' });
    expect(parse('HEAD', 'namespaces/ns/pods/p')).toMatchObject({ verb: 'get' });
    expect(parse('POST', 'namespaces/ns/pods')).toMatchObject({ verb: 'create' });
    expect(parse('PUT', 'namespaces/ns/pods/p')).toMatchObject({ verb: 'update' });
    expect(parse('PATCH', 'namespaces/ns/pods/p')).toMatchObject({ verb: 'patch' });
    expect(parse('DELETE', 'namespaces/ns/pods/p')).toMatchObject({ verb: 'delete' });
    expect(parse('DELETE', 'namespaces/ns/pods')).toMatchObject({ verb: 'deletecollection' });
    expect(parse('GET', 'namespaces/ns/pods/p/log')).toMatchObject({ verb: 'get', subresource: 'log' });
    expect(parse('PUT', 'namespaces/ns/deployments/d/scale', false, 'apps')).toMatchObject({ verb: 'update', subresource: 'scale' });
  });

  it('takes /namespaces and /namespaces/{name} as the Namespace resource, and allows finalize on it', () => {
    const list = parse('GET', 'namespaces');
    expect(list.type.kind).toBe('Namespace');
    expect(list).toMatchObject({ verb: 'list', namespace: '', name: '' });
    expect(parse('GET', 'namespaces/ns')).toMatchObject({ verb: 'get', name: 'ns', namespace: '' });
    expect(parse('PUT', 'namespaces/ns/finalize')).toMatchObject({ verb: 'update', name: 'ns', namespace: '', subresource: 'finalize' });
    // A namespace may be named like a subresource.
    expect(parse('GET', 'namespaces/finalize/configmaps/c')).toMatchObject({ namespace: 'finalize', name: 'c' });
  });

  it('authorises a WebSocket GET or SPDY POST to exec, attach and portforward as create', () => {
    expect(parse('GET', 'namespaces/ns/pods/p/exec')).toMatchObject({ verb: 'create', subresource: 'exec' });
    expect(parse('POST', 'namespaces/ns/pods/p/portforward')).toMatchObject({ verb: 'create', subresource: 'portforward' });
    expect(parse('PUT', 'namespaces/ns/pods/p/exec')).toMatchObject({ verb: 'update' });
  });

  it('decodes escaped names', () => {
    expect(parse('GET', 'namespaces/ns/configmaps/a%3Ab')).toMatchObject({ name: 'a:b' });
  });

  it('answers 404 for what does not exist: unknown resources, subresources, extra segments, a namespace on a cluster-scoped kind', () => {
    for (const [method, path, group] of [
      ['GET', 'widgets', ''],
      ['GET', 'namespaces/ns/pods/p/nope', ''],
      ['GET', 'namespaces/ns/configmaps/c/status', ''],
      ['GET', 'namespaces/ns/pods/p/log/more', ''],
      ['GET', 'namespaces/ns/nodes/n', ''],
      ['GET', 'namespaces/ns/pods/p', 'apps'],
      ['GET', '', ''],
    ]) {
      expect(pathError(() => parse(method, path, false, group)).code).toBe(404);
    }
  });

  it('answers 400 for a bad name or escape, 405 for a method or verb the path cannot take', () => {
    expect(pathError(() => parse('GET', 'namespaces/ns/pods/..')).code).toBe(400);
    expect(pathError(() => parse('GET', 'namespaces/ns/pods/%E0%A4%A')).code).toBe(400);
    expect(pathError(() => parse('OPTIONS', 'namespaces/ns/pods')).code).toBe(405);
    expect(pathError(() => parse('PUT', 'namespaces/ns/pods')).code).toBe(405);
    expect(pathError(() => parse('PATCH', 'pods')).code).toBe(405);
    expect(pathError(() => parse('POST', 'namespaces/ns/pods/p')).code).toBe(405);
  });
});
