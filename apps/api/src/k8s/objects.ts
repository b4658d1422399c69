// Reads and object steps that several verbs and subresources share: an object that must exist, a
// namespace that must exist (and accept new content), a fresh uid, and applying a patch of any type.
import { randomUUID } from 'node:crypto';
import { applyJsonPatch, applyMergePatch, applyServerSideApply, applyStrategicMergePatch, describeApplyConflicts, PatchError } from '@flotilla/patch';
import { KubeObject, resourceFor, ResourceType } from '@flotilla/resources';
import { Entry, notFound, Store } from '@flotilla/store';
import { AdmissionContext, checkFields, decodeAs } from './admission';
import type { PatchType } from './body';
import { ApiError } from './status';

const NAMESPACES = resourceFor('', 'v1', 'namespaces') as ResourceType;

/** The stored object, or the store's 404. */
export async function mustGet(store: Store, t: ResourceType, namespace: string, name: string, consistent = true): Promise<Entry> {
  const e = await store.get(t, namespace, name, { consistent });
  if (!e) throw notFound(t.plural, t.group, name);
  return e;
}

/** 404 when `namespace` does not exist; for a create, 403 when it is being terminated. '' (cluster scope) passes. */
export async function requireNamespace(store: Store, namespace: string, forCreate: boolean): Promise<void> {
  if (!namespace) return;
  // The fast read may miss a namespace created a moment ago (the cache not yet caught up); a miss is
  // confirmed by a consistent read, so a create right after its namespace's create never answers 404.
  const ns = (await store.get(NAMESPACES, '', namespace, { consistent: false })) ?? (await store.get(NAMESPACES, '', namespace, { consistent: true }));
  if (!ns) throw notFound(NAMESPACES.plural, NAMESPACES.group, namespace);
  if (forCreate && ns.obj.metadata.deletionTimestamp) {
    throw new ApiError(403, 'Forbidden', `unable to create new content in namespace ${namespace} because it is being terminated`, {
      causes: [{ reason: 'NamespaceTerminating', message: `namespace ${namespace} is being terminated`, field: 'metadata.namespace' }],
    });
  }
}

/**
 * A new object gets its uid before admission (defaulting derives a Job's selector from it); whatever
 * uid a client sent is replaced.
 */
export function withFreshUid(obj: KubeObject): KubeObject {
  return { ...obj, metadata: { ...obj.metadata, uid: randomUUID() } };
}

/** The object `patch` makes of `current`; a patch that cannot apply is a 422, an apply conflict a 409. */
export function patchObject(ctx: AdmissionContext, ptype: PatchType, current: KubeObject, patch: unknown, manager: string, force: boolean): unknown {
  try {
    switch (ptype) {
      case 'json':
        return applyJsonPatch(current, patch);
      case 'merge':
        return applyMergePatch(current, patch);
      case 'strategic':
        return applyStrategicMergePatch(current, patch, ctx.type.kind);
      case 'apply': {
        const applied = decodeAs(ctx, patch);
        checkFields(ctx, applied);
        const r = applyServerSideApply(current, applied, manager, force, new Date().toISOString());
        if (r.conflictDetails.length > 0) {
          throw new ApiError(409, 'Conflict', describeApplyConflicts(r.conflictDetails), {
            name: current.metadata.name,
            group: ctx.type.group,
            kind: ctx.type.plural,
            causes: r.conflictDetails.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with "${c.manager}"`, field: c.path })),
          });
        }
        return r.object;
      }
    }
  } catch (err) {
    throw patchFailed(err);
  }
}

/** A PatchError as the 422 kube-apiserver answers (naming the field when the patch library knows it); anything else unchanged. */
export function patchFailed(err: unknown): unknown {
  if (!(err instanceof PatchError)) return err;
  return new ApiError(
    422,
    'Invalid',
    `the patch could not be applied: ${err.message}`,
    err.field ? { causes: [{ reason: 'FieldValueInvalid', message: err.message, field: err.field }] } : undefined,
  );
}
