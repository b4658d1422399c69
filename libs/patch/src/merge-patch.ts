// RFC 7386 JSON merge patch (Content-Type application/merge-patch+json): kubectl label, annotate,
// scale, and every patch of a kind without strategic-merge metadata.
import { cloneJson, getOwn, isJsonObject, JsonObject, JsonValue, onlyPatchErrors, setOwn } from './json';

export function applyMergePatch(target: unknown, patch: unknown): unknown {
  return onlyPatchErrors('merge patch', () => {
    const doc = target === undefined ? null : cloneJson(target, 'the target object');
    const p = cloneJson(patch, 'the merge patch');
    return mergeInto(doc, p);
  });
}

/** Works on private copies, so it may reuse and modify both arguments. */
export function mergeInto(target: JsonValue, patch: JsonValue): JsonValue {
  if (!isJsonObject(patch)) return patch;
  const out: JsonObject = isJsonObject(target) ? target : {};
  for (const key of Object.keys(patch)) {
    const value = patch[key];
    if (value === null) {
      delete out[key];
    } else {
      const current = getOwn(out, key);
      setOwn(out, key, mergeInto(current === undefined ? null : current, value));
    }
  }
  return out;
}
