import { failure, resourceRequest } from './__fixtures__/requests';
import type { Handle, ResourceRequest } from './request';
import { ResourceService } from './resource.service';
import { SubresourceRegistry } from './subresources';
import type { DeleteVerbs } from './verbs/delete';
import type { ReadVerbs } from './verbs/read';
import type { WriteVerbs } from './verbs/write';

/** Verb handlers that answer with their own name, to see which one a request reached. */
const answer =
  (name: string): Handle =>
  () =>
    Promise.resolve({ code: 200, json: name });

function service(): ResourceService {
  const reads = { get: answer('get'), list: answer('list'), watch: answer('watch') } as unknown as ReadVerbs;
  const writes = { create: answer('create'), update: answer('update'), patch: answer('patch') } as unknown as WriteVerbs;
  const deletes = { delete: answer('delete'), deleteCollection: answer('deletecollection') } as unknown as DeleteVerbs;
  const registry = new SubresourceRegistry([
    { subresources: ['log'], serve: answer('log handler') },
    { subresources: ['exec', 'portforward'], serve: answer('connect handler') },
  ]);
  return new ResourceService(registry, reads, writes, deletes);
}

async function reached(req: ResourceRequest): Promise<string> {
  const out = await service().handle(req);
  if (typeof out === 'string') throw new Error(`unexpected ${out}`);
  return out.json;
}

describe('ResourceService', () => {
  it('sends each verb to its handler', async () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ['GET', 'namespaces/ns/configmaps/c', {}, 'get'],
      ['GET', 'namespaces/ns/configmaps', {}, 'list'],
      ['GET', 'namespaces/ns/configmaps', { watch: 'true' }, 'watch'],
      ['POST', 'namespaces/ns/configmaps', {}, 'create'],
      ['PUT', 'namespaces/ns/configmaps/c', {}, 'update'],
      ['PATCH', 'namespaces/ns/configmaps/c', {}, 'patch'],
      ['DELETE', 'namespaces/ns/configmaps/c', {}, 'delete'],
      ['DELETE', 'namespaces/ns/configmaps', {}, 'deletecollection'],
    ];
    for (const [method, path, query, verb] of cases) expect(await reached(resourceRequest({ method, path, query }))).toBe(verb);
  });

  it('sends a subresource to the handler registered for it, whatever the verb', async () => {
    expect(await reached(resourceRequest({ path: 'namespaces/ns/pods/p/log' }))).toBe('log handler');
    expect(await reached(resourceRequest({ path: 'namespaces/ns/pods/p/exec' }))).toBe('connect handler');
    expect(await reached(resourceRequest({ method: 'POST', path: 'namespaces/ns/pods/p/portforward' }))).toBe('connect handler');
  });

  it('answers 404 for a declared subresource nothing serves yet', async () => {
    const s = await failure(() => service().handle(resourceRequest({ method: 'POST', path: 'namespaces/ns/serviceaccounts/default/token' })));
    expect(s).toMatchObject({ code: 404, reason: 'NotFound' });
    expect(s.message).toContain('token');
  });
});
