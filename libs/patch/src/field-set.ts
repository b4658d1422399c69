// Field sets in the Kubernetes FieldsV1 shape ({"f:spec":{"f:replicas":{}}}), as recorded in
// metadata.managedFields: `f:<field>`, `k:{"<mergeKey>":<value>}` for keyed list items,
// `v:<value>` for items of primitive sets, and `.` for a list item itself. A leaf is `{}`.
import { deepEqual, getOwn, isJsonObject, joinField, JsonObject, JsonValue, setOwn } from './json';
import { PatchMeta } from './patch-meta';

export type FieldTree = Map<string, FieldTree>;
/** One member of a field set: the path elements from the object root to a leaf. */
export type FieldPath = string[];

const SELF = '.';

/** The fields an object sets, with list items identified by the kind's merge keys. */
export function fieldsOf(obj: JsonObject, meta: PatchMeta): FieldTree {
  return fieldsOfMap(obj, meta, '');
}

function fieldsOfMap(obj: JsonObject, meta: PatchMeta, schema: string): FieldTree {
  const tree: FieldTree = new Map();
  for (const key of Object.keys(obj)) {
    const value = obj[key];
    if (value === null) continue; // an explicit null sets nothing
    tree.set(`f:${key}`, fieldsOfValue(value, meta, joinField(schema, key)));
  }
  return tree;
}

function fieldsOfValue(value: JsonValue, meta: PatchMeta, schema: string): FieldTree {
  if (isJsonObject(value)) return fieldsOfMap(value, meta, schema);
  const strategy = Array.isArray(value) ? meta.get(schema) : undefined;
  if (!Array.isArray(value) || !strategy) return new Map(); // scalar or atomic list: one leaf
  const tree: FieldTree = new Map();
  for (const item of value) {
    if (strategy.type === 'set') {
      tree.set(`v:${JSON.stringify(item)}`, new Map());
      continue;
    }
    const id = isJsonObject(item) ? getOwn(item, strategy.mergeKey) : undefined;
    if (id === undefined || id === null || !isJsonObject(item)) continue;
    const fields = fieldsOfMap(item, meta, schema);
    fields.set(SELF, new Map());
    tree.set(`k:${JSON.stringify({ [strategy.mergeKey]: id })}`, fields);
  }
  return tree;
}

export function toFieldsV1(tree: FieldTree): JsonObject {
  const out: JsonObject = {};
  for (const [key, sub] of [...tree].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) setOwn(out, key, toFieldsV1(sub));
  return out;
}

/** Parses stored FieldsV1; anything malformed reads as owning nothing rather than failing the write. */
export function fromFieldsV1(value: unknown, depth = 0): FieldTree {
  const tree: FieldTree = new Map();
  if (!isJsonObject(value) || depth > 100) return tree;
  for (const key of Object.keys(value)) tree.set(key, fromFieldsV1(value[key], depth + 1));
  return tree;
}

export function leaves(tree: FieldTree, prefix: FieldPath = []): FieldPath[] {
  const out: FieldPath[] = [];
  for (const [key, sub] of tree) {
    const path = [...prefix, key];
    if (sub.size === 0) out.push(path);
    else out.push(...leaves(sub, path));
  }
  return out;
}

export function nodeAt(tree: FieldTree, path: FieldPath): FieldTree | undefined {
  let node: FieldTree | undefined = tree;
  for (const pe of path) {
    node = node.get(pe);
    if (!node) return undefined;
  }
  return node;
}

/** Removes one member and any ancestors left empty (an empty node would read as a leaf). */
export function removeMember(tree: FieldTree, path: FieldPath): void {
  if (path.length === 0) return;
  const [head, ...rest] = path;
  const sub = tree.get(head);
  if (!sub) return;
  if (rest.length === 0) {
    tree.delete(head);
    return;
  }
  removeMember(sub, rest);
  if (sub.size === 0) tree.delete(head);
}

/** The value an object holds at a field path, or undefined when the path leads nowhere. */
export function valueAt(doc: JsonValue | undefined, path: FieldPath): JsonValue | undefined {
  let cur: JsonValue | undefined = doc;
  for (const pe of path) {
    if (cur === undefined) return undefined;
    if (pe === SELF) continue;
    if (pe.startsWith('f:')) {
      cur = isJsonObject(cur) ? getOwn(cur, pe.slice(2)) : undefined;
    } else if (Array.isArray(cur)) {
      const index = findItem(cur, pe);
      cur = index >= 0 ? cur[index] : undefined;
    } else {
      return undefined;
    }
  }
  return cur;
}

/** Index of the list item a `k:` or `v:` path element names, or -1. */
export function findItem(list: JsonValue[], pe: string): number {
  const parsed = parseJson(pe.slice(2));
  if (parsed === undefined) return -1;
  if (pe.startsWith('v:')) return list.findIndex((v) => deepEqual(v, parsed));
  if (!pe.startsWith('k:') || !isJsonObject(parsed)) return -1;
  const keys = Object.keys(parsed);
  return list.findIndex((v) => isJsonObject(v) && keys.every((k) => deepEqual(getOwn(v, k), parsed[k])));
}

function parseJson(text: string): JsonValue | undefined {
  try {
    return JSON.parse(text) as JsonValue;
  } catch {
    return undefined;
  }
}

/** The path as Kubernetes prints it in apply conflicts: `.spec.containers[name="web"].image`. */
export function describePath(path: FieldPath): string {
  let out = '';
  for (const pe of path) {
    if (pe === SELF) continue;
    if (pe.startsWith('f:')) out += `.${pe.slice(2)}`;
    else if (pe.startsWith('v:')) out += `[=${pe.slice(2)}]`;
    else if (pe.startsWith('k:')) {
      const parsed = parseJson(pe.slice(2));
      const parts = isJsonObject(parsed) ? Object.keys(parsed).map((k) => `${k}=${JSON.stringify(parsed[k])}`) : [pe.slice(2)];
      out += `[${parts.join(',')}]`;
    } else out += `[${pe}]`;
  }
  return out || '.';
}
