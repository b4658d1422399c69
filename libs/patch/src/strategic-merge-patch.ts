// Kubernetes strategic merge patch (application/strategic-merge-patch+json): what kubectl apply,
// set image, rollout pause/resume/restart and patch send. Semantics follow apimachinery's
// strategicpatch with the server's options (parallel-list directives on, unmatched nulls ignored).
import { PatchError } from './errors';
import { cloneJson, getOwn, hasOwn, isJsonObject, joinField, JsonObject, JsonValue, onlyPatchErrors, setOwn } from './json';
import { applyMergePatch } from './merge-patch';
import { ListStrategy, PatchMeta, patchMetaFor } from './patch-meta';

const PATCH_DIRECTIVE = '$patch';
const RETAIN_KEYS = '$retainKeys';
const SET_ELEMENT_ORDER = '$setElementOrder/';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList/';

/** Returned by a map merge when the patch said `$patch: delete`: the caller drops the key. */
const REMOVE: unique symbol = Symbol('remove');

/**
 * Applies a strategic merge patch for an object of the given kind. Kinds without strategic-merge
 * metadata (custom resources) get RFC 7386 merge-patch semantics. Never mutates its inputs; throws
 * only PatchError.
 */
export function applyStrategicMergePatch(target: unknown, patch: unknown, kind: string): unknown {
  const meta = typeof kind === 'string' ? patchMetaFor(kind) : undefined;
  if (!meta) return applyMergePatch(target, patch);
  return onlyPatchErrors('strategic merge patch', () => {
    const p = cloneJson(patch, 'the strategic merge patch');
    if (!isJsonObject(p)) throw new PatchError('a strategic merge patch must be a JSON object');
    const doc = target === undefined ? null : cloneJson(target, 'the target object');
    return strategicMerge(isJsonObject(doc) ? doc : undefined, p, meta);
  });
}

/** The engine on private copies: it consumes and may modify both arguments. */
export function strategicMerge(original: JsonObject | undefined, patch: JsonObject, meta: PatchMeta): JsonObject {
  const merged = mergeMap(original, patch, { meta, schema: '', field: '' });
  return merged === REMOVE ? {} : merged;
}

interface Where {
  meta: PatchMeta;
  /** Dotted path without list positions: the key into PatchMeta. */
  schema: string;
  /** Dotted path with list positions, for error messages. */
  field: string;
}

function child(at: Where, key: string): Where {
  return { meta: at.meta, schema: joinField(at.schema, key), field: joinField(at.field, key) };
}

function item(at: Where, index: number): Where {
  return { meta: at.meta, schema: at.schema, field: `${at.field}[${index}]` };
}

function without(o: JsonObject, key: string): JsonObject {
  const out: JsonObject = {};
  for (const k of Object.keys(o)) if (k !== key) setOwn(out, k, o[k]);
  return out;
}

function mergeMap(original: JsonObject | undefined, patch: JsonObject, at: Where): JsonObject | typeof REMOVE {
  const directive = getOwn(patch, PATCH_DIRECTIVE);
  if (directive !== undefined) {
    if (directive === 'delete') return REMOVE;
    if (directive === 'replace') return mergeMap(undefined, without(patch, PATCH_DIRECTIVE), at);
    if (directive !== 'merge') throw badDirective(directive, joinField(at.field, PATCH_DIRECTIVE));
    patch = without(patch, PATCH_DIRECTIVE);
  }
  const out: JsonObject = original ?? {};

  const retain = getOwn(patch, RETAIN_KEYS);
  if (retain !== undefined) applyRetainKeys(out, patch, retain, at);

  const orders = new Map<string, JsonValue[]>();
  const deletions = new Map<string, JsonValue[]>();
  for (const key of Object.keys(patch)) {
    for (const [prefix, into] of [
      [SET_ELEMENT_ORDER, orders],
      [DELETE_FROM_PRIMITIVE_LIST, deletions],
    ] as const) {
      if (!key.startsWith(prefix)) continue;
      const value = patch[key];
      const name = key.slice(prefix.length);
      if (!Array.isArray(value)) throw new PatchError(`${prefix}${name || '<field>'} must be a list`, joinField(at.field, key));
      if (name === '') throw new PatchError(`${prefix} must name a list field`, joinField(at.field, key));
      into.set(name, value);
    }
  }

  for (const key of Object.keys(patch)) {
    if (key === RETAIN_KEYS || key.startsWith(SET_ELEMENT_ORDER) || key.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
    mergeField(out, key, patch[key], orders.get(key), child(at, key));
  }
  for (const [name, order] of orders) {
    if (!hasOwn(patch, name)) reorderOnly(out, name, order, child(at, name));
  }
  for (const [name, values] of deletions) {
    const current = getOwn(out, name);
    if (!Array.isArray(current)) continue;
    const doomed = new Set(values.map(idKey));
    const kept = current.filter((v) => !doomed.has(idKey(v)));
    if (kept.length === 0) delete out[name];
    else setOwn(out, name, kept);
  }
  return out;
}

function applyRetainKeys(out: JsonObject, patch: JsonObject, retain: JsonValue, at: Where): void {
  const field = joinField(at.field, RETAIN_KEYS);
  if (!Array.isArray(retain) || !retain.every((k): k is string => typeof k === 'string')) {
    throw new PatchError('$retainKeys must be a list of field names', field);
  }
  const keep = new Set(retain);
  for (const key of Object.keys(patch)) {
    if (key.startsWith('$') || patch[key] === null || keep.has(key)) continue;
    throw new PatchError(`field "${key}" is set by the patch but missing from $retainKeys`, joinField(at.field, key));
  }
  for (const key of Object.keys(out)) if (!keep.has(key)) delete out[key];
}

function mergeField(out: JsonObject, key: string, value: JsonValue, order: JsonValue[] | undefined, at: Where): void {
  if (value === null) {
    delete out[key];
    return;
  }
  const current = getOwn(out, key);
  if (Array.isArray(value)) {
    const strategy = at.meta.get(at.schema);
    if (!strategy) {
      setOwn(out, key, value); // atomic list: replaced wholesale
      return;
    }
    const merged = mergeList(Array.isArray(current) ? current : [], value, order, strategy, at);
    if (merged.length === 0) delete out[key];
    else setOwn(out, key, merged);
    return;
  }
  if (isJsonObject(value)) {
    const merged = mergeMap(isJsonObject(current) ? current : undefined, value, at);
    if (merged === REMOVE) delete out[key];
    else setOwn(out, key, merged);
    return;
  }
  setOwn(out, key, value);
}

function mergeList(current: JsonValue[], patch: JsonValue[], order: JsonValue[] | undefined, strategy: ListStrategy, at: Where): JsonValue[] {
  const explicitOrder = order !== undefined && order.length > 0 ? order : undefined;
  if (strategy.type === 'set') {
    patch.forEach((v, i) => requirePrimitive(v, item(at, i)));
    if (explicitOrder) explicitOrder.forEach((v, i) => requirePrimitive(v, orderItem(at, i)));
    const merged = dedupe([...current, ...patch]);
    return arrange(merged, explicitOrder ?? patch, current, identity);
  }

  const key = strategy.mergeKey;
  const idOf = (v: JsonValue): JsonValue | undefined => (isJsonObject(v) ? getOwn(v, key) : undefined);
  const deleted = new Set<string>();
  let replace = false;
  const regular: { value: JsonObject; at: Where }[] = [];
  patch.forEach((raw, i) => {
    const here = item(at, i);
    if (!isJsonObject(raw)) throw new PatchError(`items of ${at.schema} must be objects (merged by "${key}")`, here.field);
    const directive = getOwn(raw, PATCH_DIRECTIVE);
    if (directive === 'replace') {
      replace = true;
      return;
    }
    if (directive !== undefined && directive !== 'delete' && directive !== 'merge') {
      throw badDirective(directive, joinField(here.field, PATCH_DIRECTIVE));
    }
    const id = getOwn(raw, key);
    if (id === undefined || id === null) {
      throw new PatchError(`item of ${at.schema} has no merge key "${key}"`, here.field);
    }
    if (directive === 'delete') deleted.add(idKey(id));
    else regular.push({ value: directive === 'merge' ? without(raw, PATCH_DIRECTIVE) : raw, at: here });
  });
  if (explicitOrder)
    validateOrder(
      explicitOrder,
      regular.map((r) => r.value[key]),
      key,
      at,
    );

  if (replace) {
    const replaced = regular.map((r) => asObject(mergeMap(undefined, r.value, r.at)));
    return explicitOrder ? arrange(replaced, explicitOrder, replaced, idOf) : replaced;
  }
  // As in apimachinery, `$patch: delete` items apply first; then each patch item merges into the
  // live item with the same key or is appended.
  const serverOrder = current.filter((v) => {
    const id = idOf(v);
    return id === undefined || !deleted.has(idKey(id));
  });
  const merged = [...serverOrder];
  const indexById = new Map<string, number>();
  merged.forEach((v, i) => {
    const id = idOf(v);
    if (id !== undefined && !indexById.has(idKey(id))) indexById.set(idKey(id), i);
  });
  for (const r of regular) {
    const id = idKey(r.value[key]);
    const index = indexById.get(id);
    const existing = index === undefined ? undefined : merged[index];
    const result = asObject(mergeMap(isJsonObject(existing) ? existing : undefined, r.value, r.at));
    if (index !== undefined) merged[index] = result;
    else indexById.set(id, merged.push(result) - 1);
  }
  return arrange(merged, explicitOrder ?? regular.map((r) => r.value), serverOrder, idOf);
}

/** `$setElementOrder/<list>` without the list itself: only the order of the live list changes. */
function reorderOnly(out: JsonObject, name: string, order: JsonValue[], at: Where): void {
  const strategy = at.meta.get(at.schema);
  const current = getOwn(out, name);
  if (!strategy || order.length === 0) return;
  if (strategy.type === 'set') {
    order.forEach((v, i) => requirePrimitive(v, orderItem(at, i)));
    if (Array.isArray(current)) setOwn(out, name, arrange(current, order, current, identity));
    return;
  }
  const key = strategy.mergeKey;
  validateOrder(order, [], key, at);
  const idOf = (v: JsonValue): JsonValue | undefined => (isJsonObject(v) ? getOwn(v, key) : undefined);
  if (Array.isArray(current)) setOwn(out, name, arrange(current, order, current, idOf));
}

/** Every item of the patch list must appear in `$setElementOrder`, in the same relative order. */
function validateOrder(order: JsonValue[], patchIds: JsonValue[], key: string, at: Where): void {
  const positions = new Map<string, number>();
  order.forEach((v, i) => {
    const id = isJsonObject(v) ? getOwn(v, key) : undefined;
    if (id === undefined || id === null) {
      throw new PatchError(`$setElementOrder items must be objects holding the merge key "${key}"`, orderItem(at, i).field);
    }
    if (!positions.has(idKey(id))) positions.set(idKey(id), i);
  });
  let last = -1;
  for (const id of patchIds) {
    const pos = positions.get(idKey(id));
    if (pos === undefined) {
      throw new PatchError(`${key}=${JSON.stringify(id)} is in the patch list but not in its $setElementOrder`, at.field);
    }
    if (pos < last) throw new PatchError(`the order of the patch list does not match its $setElementOrder`, at.field);
    last = pos;
  }
}

/**
 * apimachinery's list ordering: items named by `order` (the patch list or $setElementOrder) come
 * in that order; the other items keep their live order and are slotted in among them where the
 * live list had them.
 */
function arrange(merged: JsonValue[], order: JsonValue[], serverOrder: JsonValue[], idOf: (v: JsonValue) => JsonValue | undefined): JsonValue[] {
  const rank = (list: JsonValue[]): Map<string, number> => {
    const m = new Map<string, number>();
    list.forEach((v, i) => {
      const id = idOf(v);
      if (id !== undefined && !m.has(idKey(id))) m.set(idKey(id), i);
    });
    return m;
  };
  const inOrder = rank(order);
  const inServer = rank(serverOrder);
  const pos = (ranks: Map<string, number>, v: JsonValue): number => {
    const id = idOf(v);
    return id === undefined ? -1 : (ranks.get(idKey(id)) ?? -1);
  };
  const byRank = (ranks: Map<string, number>) => (a: JsonValue, b: JsonValue) => {
    const pa = pos(ranks, a);
    const pb = pos(ranks, b);
    return pa < 0 || pb < 0 ? 0 : pa - pb;
  };
  const ordered = merged.filter((v) => pos(inOrder, v) >= 0).sort(byRank(inOrder));
  const serverOnly = merged.filter((v) => pos(inOrder, v) < 0).sort(byRank(inServer));

  const out: JsonValue[] = [];
  let i = 0;
  let j = 0;
  while (i < serverOnly.length || j < ordered.length) {
    if (j >= ordered.length) out.push(serverOnly[i++]);
    else if (i >= serverOnly.length) out.push(ordered[j++]);
    else {
      const left = pos(inServer, serverOnly[i]);
      const right = pos(inServer, ordered[j]);
      if (left >= 0 && right >= 0 && left < right) out.push(serverOnly[i++]);
      else out.push(ordered[j++]);
    }
  }
  return out;
}

function identity(v: JsonValue): JsonValue {
  return v;
}

/** Identity of a merge-key value or set item (JSON equality; key order in object ids is not normalised). */
function idKey(id: JsonValue): string {
  return JSON.stringify(id);
}

function dedupe(values: JsonValue[]): JsonValue[] {
  const seen = new Set<string>();
  return values.filter((v) => {
    const k = idKey(v);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}

function requirePrimitive(v: JsonValue, at: Where): void {
  if (v !== null && typeof v === 'object') throw new PatchError(`items of ${at.schema} must be strings or numbers`, at.field);
}

/** Error position of an item of `$setElementOrder/<list>`, a sibling key of the list. */
function orderItem(at: Where, index: number): Where {
  const name = at.schema.split('.').pop() ?? at.schema;
  const parent = at.field.slice(0, Math.max(0, at.field.length - name.length));
  return { meta: at.meta, schema: at.schema, field: `${parent}${SET_ELEMENT_ORDER}${name}[${index}]` };
}

function asObject(v: JsonObject | typeof REMOVE): JsonObject {
  return v === REMOVE ? {} : v;
}

function badDirective(value: JsonValue, field: string): PatchError {
  return new PatchError(`unknown $patch directive ${JSON.stringify(value)}: expected "replace", "merge" or "delete"`, field);
}
