import { resourceTypes } from '@flotilla/resources';
import { SUBRESOURCE_HANDLER_TYPES } from '.';
import type { ResourceRequest } from '../request';
import { SubresourceRegistry, type SubresourceHandler } from './registry';

/** Subresources some kind declares that no handler serves yet: they answer 404 (ResourceService). */
const NOT_SERVED_YET = ['token'];

const handler = (...subresources: string[]): SubresourceHandler => ({
  subresources,
  serve: (req: ResourceRequest) => Promise.resolve({ code: 200, json: JSON.stringify(req.info.subresource) }),
});

describe('SubresourceRegistry', () => {
  it('finds a handler by each name it registered', () => {
    const connect = handler('exec', 'portforward');
    const log = handler('log');
    const registry = new SubresourceRegistry([connect, log]);
    expect(registry.find('exec')).toBe(connect);
    expect(registry.find('portforward')).toBe(connect);
    expect(registry.find('log')).toBe(log);
    expect(registry.find('attach')).toBeUndefined();
    expect(registry.names()).toEqual(['exec', 'log', 'portforward']);
  });

  it('refuses two handlers for one name instead of letting registration order decide', () => {
    expect(() => new SubresourceRegistry([handler('scale'), handler('status', 'scale')])).toThrow(/"scale" is registered twice/);
  });

  it("registers the platform's handlers once each, covering every subresource a kind declares", () => {
    // The constructors only keep their dependencies, so the names can be read without any.
    const registry = new SubresourceRegistry(SUBRESOURCE_HANDLER_TYPES.map((H) => new H()));
    const declared = new Set(resourceTypes.flatMap((t) => t.subresources));
    declared.add('finalize');
    for (const name of NOT_SERVED_YET) declared.delete(name);
    expect(registry.names()).toEqual([...declared].sort());
  });
});
