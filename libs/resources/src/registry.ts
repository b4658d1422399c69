// The served resource types, in discovery order, and lookups by path segment and by kind: all read
// from the kind modules' list (kinds/index.ts).
import { kindModules } from './kinds';
import { resourceTypeOf, type KindModule } from './kinds/kind-module';
import type { ResourceType } from './registry-types';
import type { ObjectSchema } from './schema';
import { kindSchema } from './schemas';

export const resourceTypes: ResourceType[] = kindModules.map((m) => resourceTypeOf(m.resource));

/** "v1" for the core group, "apps/v1" otherwise. */
export function apiVersionOf(t: Pick<ResourceType, 'group' | 'version'>): string {
  return t.group === '' ? t.version : `${t.group}/${t.version}`;
}

const byPath = new Map<string, ResourceType>(resourceTypes.map((t) => [`${t.group}/${t.version}/${t.plural}`, t]));
const byKind = new Map<string, ResourceType>(resourceTypes.map((t) => [`${apiVersionOf(t)}/${t.kind}`, t]));
const moduleByGroupKind = new Map<string, KindModule>(kindModules.map((m, i) => [`${resourceTypes[i].group}/${m.resource.kind}`, m]));
// Kinds are unique among the served types, so a bare kind (an object's `kind`) names its module.
const moduleByKind = new Map<string, KindModule>(kindModules.map((m) => [m.resource.kind, m]));

export function resourceFor(group: string, version: string, plural: string): ResourceType | undefined {
  return byPath.get(`${group}/${version}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceType | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

/** The module of a served type; undefined for anything else. */
export function kindModuleFor(t: Pick<ResourceType, 'group' | 'kind'>): KindModule | undefined {
  return moduleByGroupKind.get(`${t.group}/${t.kind}`);
}

/** The module of a served kind by its bare name (an object's `kind`). */
export function kindModuleOfKind(kind: string): KindModule | undefined {
  return moduleByKind.get(kind);
}

/** Every served group/version, core first, in discovery order. */
export function groupVersions(): { group: string; version: string }[] {
  const seen = new Set<string>();
  const out: { group: string; version: string }[] = [];
  for (const t of resourceTypes) {
    const k = apiVersionOf(t);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push({ group: t.group, version: t.version });
  }
  return out;
}

/** The schema of a served kind; a free-form object (metadata only declared) for anything else. */
export function schemaFor(t: Pick<ResourceType, 'group' | 'kind'>): ObjectSchema {
  return kindModuleFor(t)?.schema ?? kindSchema(t.group, t.kind, `${t.kind} resource.`, {});
}
