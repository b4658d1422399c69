// A pragmatic server-side apply (PATCH application/apply-patch+yaml): merges the applied
// configuration into the live object, tracks field ownership per manager in
// metadata.managedFields (FieldsV1), reports conflicts with other managers, and removes fields a
// manager stopped applying.
//
// Simplified compared with Kubernetes (structured-merge-diff):
// - List items are identified by the single strategic-merge key of patch-meta.ts (ports by
//   containerPort / port, not containerPort+protocol); every other list is atomic, every map granular
//   (LabelSelector and other atomic structs are tracked field by field).
// - Ownership is not inferred for objects written without managedFields: such fields belong to no
//   one, so they never conflict and are never removed.
// - A conflict is a leaf field whose applied value differs from the live one and that another
//   manager owns as a leaf; ownership of a parent (atomic map or list) by another manager does not
//   conflict with applying its children.
// - `null` in the applied configuration deletes the field (strategic-merge behaviour) and owns nothing.
// - status is merged like any other field: the API should drop `status` from the applied
//   configuration for main-resource applies on kinds with a status subresource.
// - resourceVersion preconditions in the applied configuration are the API's to check; here
//   server-owned metadata (uid, resourceVersion, managedFields, …) in the configuration is ignored.
import type { KubeObject } from '@flotilla/resources';
import { PatchError } from './errors';
import { FieldPath, FieldTree, describePath, fieldsOf, findItem, fromFieldsV1, leaves, nodeAt, removeMember, toFieldsV1, valueAt } from './field-set';
import { cloneJson, deepEqual, getOwn, isJsonObject, JsonObject, JsonValue, onlyPatchErrors, setOwn } from './json';
import { PatchMeta, patchMetaFor } from './patch-meta';
import { strategicMerge } from './strategic-merge-patch';

export interface ApplyConflict {
  /** Kubernetes' notation, e.g. `.spec.template.spec.containers[name="web"].image`. */
  path: string;
  manager: string;
  operation: string;
  apiVersion?: string;
}

export interface ServerSideApplyResult {
  /** The object to store; on unforced conflicts, the live object unchanged. */
  object: KubeObject;
  /** Conflicting field paths (no duplicates); non-empty means answer 409 unless forced. */
  conflicts: string[];
  /** Which manager holds each conflicting field, for the 409 message. */
  conflictDetails: ApplyConflict[];
}

/** Server-owned metadata an applied configuration cannot set (and that no manager owns). */
const SERVER_METADATA = [
  'managedFields',
  'resourceVersion',
  'uid',
  'creationTimestamp',
  'generation',
  'selfLink',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
];
/** Identity fields: written by the apply but, as in Kubernetes, never recorded as owned. */
const IDENTITY_METADATA = ['name', 'namespace'];

interface ManagerEntry {
  raw: JsonObject;
  manager: string;
  operation: string;
  tree: FieldTree;
  changed: boolean;
}

export function applyServerSideApply(live: KubeObject | undefined, applied: KubeObject, manager: string, force: boolean, now: string): ServerSideApplyResult {
  return onlyPatchErrors('server-side apply', () => {
    if (typeof manager !== 'string' || manager === '') {
      throw new PatchError('fieldManager is required for apply requests', 'fieldManager');
    }
    const config = cloneJson(applied, 'the applied configuration');
    if (!isJsonObject(config)) throw new PatchError('the applied configuration must be a JSON object');
    const kind = getOwn(config, 'kind');
    const apiVersion = getOwn(config, 'apiVersion');
    if (typeof kind !== 'string' || kind === '') throw new PatchError('the applied configuration needs a kind', 'kind');
    if (typeof apiVersion !== 'string' || apiVersion === '') {
      throw new PatchError('the applied configuration needs an apiVersion', 'apiVersion');
    }
    const liveCopy = live === undefined || live === null ? undefined : cloneJson(live, 'the live object');
    if (liveCopy !== undefined && !isJsonObject(liveCopy)) throw new PatchError('the live object must be a JSON object');
    const meta: PatchMeta = patchMetaFor(kind) ?? new Map();

    const configMeta = getOwn(config, 'metadata');
    if (configMeta !== undefined && !isJsonObject(configMeta)) throw new PatchError('metadata must be an object', 'metadata');
    if (configMeta) for (const key of SERVER_METADATA) delete configMeta[key];
    const applying = fieldsOf(withoutIdentity(config), meta);

    const entries = readManagedFields(liveCopy);
    const mine = entries.find((e) => e.manager === manager && e.operation === 'Apply');
    const others = entries.filter((e) => e !== mine);

    const conflictDetails: ApplyConflict[] = [];
    const conflicting: { path: FieldPath; owner: ManagerEntry }[] = [];
    for (const path of leaves(applying)) {
      if (!path[path.length - 1].startsWith('f:')) continue; // list-item existence never conflicts
      if (deepEqual(valueAt(config, path), valueAt(liveCopy, path))) continue; // same value: shared ownership
      for (const owner of others) {
        if (owner.manager === manager) continue; // this manager's own Update entry
        const node = nodeAt(owner.tree, path);
        if (!node || node.size > 0) continue;
        conflicting.push({ path, owner });
        conflictDetails.push({
          path: describePath(path),
          manager: owner.manager,
          operation: owner.operation,
          apiVersion: typeof owner.raw.apiVersion === 'string' ? owner.raw.apiVersion : undefined,
        });
      }
    }
    const conflicts = [...new Set(conflictDetails.map((c) => c.path))];
    if (conflicts.length > 0 && !force) {
      return {
        object: asKubeObject(liveCopy ?? {}),
        conflicts,
        conflictDetails,
      };
    }
    for (const { path, owner } of conflicting) {
      removeMember(owner.tree, path); // forced: ownership moves to this manager
      owner.changed = true;
    }

    const before = liveCopy === undefined ? undefined : structuredClone(liveCopy);
    const merged = strategicMerge(liveCopy, config, meta);

    const ownedElsewhere = (path: FieldPath): boolean => others.some((o) => nodeAt(o.tree, path) !== undefined);
    const stillClaimed = (path: FieldPath): boolean => nodeAt(applying, path) !== undefined || ownedElsewhere(path);
    if (mine) {
      for (const path of leaves(mine.tree)) {
        if (nodeAt(applying, path) !== undefined) continue;
        const target = path[path.length - 1] === '.' ? path.slice(0, -1) : path;
        if (ownedElsewhere(target)) continue;
        removeField(merged, target, stillClaimed);
      }
    }

    const mergedMeta = ensureMetadata(merged);
    delete mergedMeta.managedFields;
    const unchanged = before !== undefined && deepEqual(withoutManagedFields(before), merged);
    const previousTime = mine ? getOwn(mine.raw, 'time') : undefined;
    const sameFields = mine !== undefined && deepEqual(toFieldsV1(mine.tree), toFieldsV1(applying));
    const entry: JsonObject = {
      manager,
      operation: 'Apply',
      apiVersion,
      // Kubernetes moves the timestamp only when this manager's fields or their values change.
      time: unchanged && sameFields && typeof previousTime === 'string' ? previousTime : now,
      fieldsType: 'FieldsV1',
      fieldsV1: toFieldsV1(applying),
    };
    const managedFields: JsonValue[] = [];
    for (const e of entries) {
      if (e === mine) managedFields.push(entry);
      else if (!e.changed) managedFields.push(e.raw);
      else if (e.tree.size > 0) managedFields.push({ ...e.raw, fieldsV1: toFieldsV1(e.tree) });
    }
    if (!mine) managedFields.push(entry);
    setOwn(mergedMeta, 'managedFields', managedFields);
    return { object: asKubeObject(merged), conflicts: [], conflictDetails: [] };
  });
}

/** Kubernetes' wording for a 409 apply conflict, with kubectl's "--force-conflicts" advice added by kubectl itself. */
export function describeApplyConflicts(conflicts: readonly ApplyConflict[]): string {
  const n = conflicts.length;
  const lines = conflicts.map((c) => {
    const using = c.apiVersion ? ` using ${c.apiVersion}` : '';
    return n === 1 ? `conflict with "${c.manager}"${using}: ${c.path}` : `- conflict with "${c.manager}"${using}: ${c.path}`;
  });
  return n === 1 ? `Apply failed with 1 conflict: ${lines[0]}` : `Apply failed with ${n} conflicts:\n${lines.join('\n')}`;
}

function readManagedFields(obj: JsonObject | undefined): ManagerEntry[] {
  const metadata = obj ? getOwn(obj, 'metadata') : undefined;
  const list = isJsonObject(metadata) ? getOwn(metadata, 'managedFields') : undefined;
  if (!Array.isArray(list)) return [];
  return list.filter(isJsonObject).map((raw) => ({
    raw,
    manager: typeof raw.manager === 'string' ? raw.manager : '',
    operation: typeof raw.operation === 'string' ? raw.operation : '',
    tree: fromFieldsV1(getOwn(raw, 'fieldsV1')),
    changed: false,
  }));
}

function withoutIdentity(config: JsonObject): JsonObject {
  const out: JsonObject = { ...config };
  delete out.apiVersion;
  delete out.kind;
  const metadata = getOwn(config, 'metadata');
  if (isJsonObject(metadata)) {
    const m: JsonObject = { ...metadata };
    for (const key of IDENTITY_METADATA) delete m[key];
    if (Object.keys(m).length === 0) delete out.metadata;
    else out.metadata = m;
  }
  return out;
}

function withoutManagedFields(obj: JsonObject): JsonObject {
  const metadata = getOwn(obj, 'metadata');
  if (!isJsonObject(metadata)) return obj;
  const m = { ...metadata };
  delete m.managedFields;
  return { ...obj, metadata: m };
}

function ensureMetadata(obj: JsonObject): JsonObject {
  const metadata = getOwn(obj, 'metadata');
  if (isJsonObject(metadata)) return metadata;
  const fresh: JsonObject = {};
  setOwn(obj, 'metadata', fresh);
  return fresh;
}

/**
 * Removes the field or list item at `path`, then any map or list it leaves empty that neither the
 * new configuration nor another manager claims.
 */
function removeField(doc: JsonObject, path: FieldPath, claimed: (path: FieldPath) => boolean): void {
  if (path.length === 0) return;
  const parentPath = path.slice(0, -1);
  const parent = valueAt(doc, parentPath);
  const last = path[path.length - 1];
  if (last.startsWith('f:')) {
    if (!isJsonObject(parent)) return;
    delete parent[last.slice(2)];
  } else if (Array.isArray(parent)) {
    const index = findItem(parent, last);
    if (index < 0) return;
    parent.splice(index, 1);
  } else {
    return;
  }
  for (let n = parentPath.length; n > 0; n--) {
    const p = parentPath.slice(0, n);
    const lastPe = p[p.length - 1];
    const value = valueAt(doc, p);
    const empty = (isJsonObject(value) && Object.keys(value).length === 0) || (Array.isArray(value) && value.length === 0);
    if (!empty || !lastPe.startsWith('f:') || claimed(p)) break;
    const holder = valueAt(doc, p.slice(0, -1));
    if (!isJsonObject(holder)) break;
    delete holder[lastPe.slice(2)];
  }
}

function asKubeObject(obj: JsonObject): KubeObject {
  return obj as unknown as KubeObject;
}
