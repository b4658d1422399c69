// validateObject and unknownFields: the schema (types, enums, unknown fields) plus per-kind semantic checks.
import { FieldErrors } from './field-errors';
import { isDNS1123Label, isDNS1123Subdomain, isQualifiedName } from './names';
import { asArr, asObj, asStr, nonNegative, validateLabels, type Rec } from './pod-validation';
import type { FieldError, ResourceType } from './registry-types';
import { kindModuleFor, schemaFor } from './registry';
import { childPath, indexPath, jsonTypeOf, typeName, walk } from './schema';
import type { KubeObject } from './types';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;

function validateMeta(errs: FieldErrors, t: ResourceType, metaValue: unknown, old: KubeObject | undefined): void {
  const meta = asObj(metaValue);
  if (!meta) {
    if (metaValue === undefined || metaValue === null) errs.required('metadata');
    return;
  }
  const check = kindModuleFor(t)?.nameCheck ?? isDNS1123Subdomain;
  const name = asStr(meta.name);
  const generateName = asStr(meta.generateName);
  if (!name) {
    if (!generateName) errs.required('metadata.name', 'name or generateName is required');
  } else errs.check('metadata.name', name, check(name));
  if (generateName) {
    // A prefix may end in '-'; the generated suffix makes it valid.
    const masked = generateName.endsWith('-') ? `${generateName.slice(0, -1)}a` : generateName;
    errs.check('metadata.generateName', generateName, check(masked));
  }
  const ns = asStr(meta.namespace);
  if (t.namespaced) {
    if (!ns) errs.required('metadata.namespace');
    else errs.check('metadata.namespace', ns, isDNS1123Label(ns));
  } else if (ns) errs.forbidden('metadata.namespace', 'not allowed on this type');

  validateLabels(errs, meta.labels, 'metadata.labels');
  const ann = asObj(meta.annotations);
  if (ann) {
    let total = 0;
    for (const [k, v] of Object.entries(ann)) {
      errs.check('metadata.annotations', k, isQualifiedName(k.toLowerCase()));
      total += k.length + (typeof v === 'string' ? v.length : 0);
    }
    if (total > TOTAL_ANNOTATION_SIZE) errs.tooLong('metadata.annotations', TOTAL_ANNOTATION_SIZE);
  }
  nonNegative(errs, meta.generation, 'metadata.generation');
  asArr(meta.ownerReferences).forEach((rv, i) => {
    const r = asObj(rv);
    const p = indexPath('metadata.ownerReferences', i);
    if (!r) return;
    for (const f of ['apiVersion', 'kind', 'name', 'uid']) if (!asStr(r[f])) errs.required(childPath(p, f));
  });
  const finalizers = asArr(meta.finalizers);
  const seenFin = new Set<string>();
  finalizers.forEach((f, i) => {
    if (typeof f !== 'string') return;
    const p = indexPath('metadata.finalizers', i);
    errs.check(p, f, isQualifiedName(f));
    if (seenFin.has(f)) errs.duplicate(p, f);
    seenFin.add(f);
  });

  if (old) {
    const oldMeta = asObj(old.metadata) ?? {};
    if (name && asStr(oldMeta.name) && name !== oldMeta.name) errs.invalid('metadata.name', name, 'field is immutable');
    if (t.namespaced && ns && asStr(oldMeta.namespace) && ns !== oldMeta.namespace) errs.invalid('metadata.namespace', ns, 'field is immutable');
    const uid = asStr(meta.uid);
    if (uid && asStr(oldMeta.uid) && uid !== oldMeta.uid) errs.invalid('metadata.uid', uid, 'field is immutable');
  }
}

/**
 * All problems with an object of type t, as Kubernetes field errors. `old` is the stored object on
 * update (enables immutability checks). Never throws, whatever the input.
 */
export function validateObject(t: ResourceType, obj: unknown, old?: KubeObject): FieldError[] {
  const errs = new FieldErrors();
  try {
    if (!asObj(obj)) {
      errs.typeInvalid('', obj, `must be of type object: ${JSON.stringify(jsonTypeOf(obj))}`);
      return errs.list;
    }
    const o = obj as Rec;
    const typeFailed = new Set<string>();
    walk(schemaFor(t), o, '', {
      type: (p) => {
        typeFailed.add(p.path);
        errs.typeInvalid(p.path, jsonTypeOf(p.value), `${p.path} in body must be of type ${typeName(p.expected)}: ${JSON.stringify(jsonTypeOf(p.value))}`);
      },
      unknown: () => undefined,
      notSupported: (path, value, allowed) => errs.notSupported(path, value, allowed),
    });
    if (typeof o.kind === 'string' && o.kind !== '' && o.kind !== t.kind) errs.invalid('kind', o.kind, `must be ${t.kind}`);
    validateMeta(errs, t, o.metadata, old && asObj(old) ? old : undefined);
    // Semantic checks read values defensively, so type-invalid fields are skipped rather than misread.
    kindModuleFor(t)?.validate?.(errs, o, old && asObj(old) ? old : undefined);
  } catch (e) {
    // A bug here must not become a 500 for a hostile body; report it as an invalid object instead.
    errs.invalid('', '<object>', `internal validation error: ${e instanceof Error ? e.message : String(e)}`, true);
  }
  return errs.list;
}

/** Dotted paths of fields not declared in t's schema (for fieldValidation=Strict). */
export function unknownFields(t: ResourceType, obj: unknown): string[] {
  const out: string[] = [];
  try {
    walk(schemaFor(t), obj, '', {
      type: () => undefined,
      unknown: (p) => {
        if (out.length < 1000) out.push(p);
      },
      notSupported: () => undefined,
    });
  } catch {
    // unknownFields is advisory; a walker bug must not turn into a 500.
  }
  return out;
}
