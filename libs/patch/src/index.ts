// @flotilla/patch: the server side of every PATCH kubectl sends.
//
// - applyMergePatch: RFC 7386 (application/merge-patch+json).
// - applyJsonPatch: RFC 6902 (application/json-patch+json), via fast-json-patch.
// - applyStrategicMergePatch: application/strategic-merge-patch+json, with per-kind list metadata
//   (patch-meta.ts); kinds without metadata fall back to merge-patch semantics.
// - applyServerSideApply: application/apply-patch+yaml, with managedFields in FieldsV1.
// All of them copy their inputs (never mutate them) and throw only PatchError.
export { PatchError } from './errors';
export type { JsonObject, JsonPrimitive, JsonValue } from './json';
export { applyMergePatch } from './merge-patch';
export { applyJsonPatch } from './json-patch';
export { applyStrategicMergePatch } from './strategic-merge-patch';
export { patchMetaFor, supportsStrategicMerge } from './patch-meta';
export type { ListStrategy, PatchMeta } from './patch-meta';
export { applyServerSideApply, describeApplyConflicts } from './server-side-apply';
export type { ApplyConflict, ServerSideApplyResult } from './server-side-apply';
