// How a resource type is named in the store's tables: "<group or core>/<plural>".
import type { ResourceType } from '@flotilla/resources';

export function resourceKey(t: Pick<ResourceType, 'group' | 'plural'>): string {
  return `${t.group || 'core'}/${t.plural}`;
}
