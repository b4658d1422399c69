// Checks shared by several kinds: pod templates and their selectors, immutable fields, data maps.
import { FieldErrors, showMap } from './field-errors';
import { isConfigMapKey, isPercent, isQualifiedName, PERCENT_MESSAGE } from './names';
import { asArr, asObj, type Rec, selectorMatchesLabels, validateLabels, validateLabelSelector, validatePodSpec } from './pod-validation';
import { childPath, keyPath } from './schema';
import type { KubeObject } from './types';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

export const MAX_DATA_SIZE = 1024 * 1024;

export function validateTemplate(errs: FieldErrors, tv: unknown, path: string, opts: Parameters<typeof validatePodSpec>[3]): Rec | undefined {
  const tmpl = asObj(tv);
  if (!tmpl) {
    if (tv === undefined || tv === null) errs.required(path);
    return undefined;
  }
  const meta = asObj(tmpl.metadata);
  if (meta) {
    validateLabels(errs, meta.labels, childPath(path, 'metadata.labels'));
    const ann = asObj(meta.annotations);
    if (ann) for (const k of Object.keys(ann)) errs.check(childPath(path, 'metadata.annotations'), k, isQualifiedName(k.toLowerCase()));
  }
  validatePodSpec(errs, tmpl.spec, childPath(path, 'spec'), opts);
  return tmpl;
}

export function templateLabels(tmpl: Rec | undefined): Rec {
  return asObj(asObj(tmpl?.metadata)?.labels) ?? {};
}

/** Selector present and non-empty, and matching the template's labels. */
export function validateSelectorAndTemplate(errs: FieldErrors, spec: Rec, path: string, tmpl: Rec | undefined, kindWord: string, optional: boolean): void {
  const selPath = childPath(path, 'selector');
  const sel = asObj(spec.selector);
  if (!sel) {
    if (!optional && (spec.selector === undefined || spec.selector === null)) errs.required(selPath);
    return;
  }
  validateLabelSelector(errs, sel, selPath);
  const empty = Object.keys(asObj(sel.matchLabels) ?? {}).length === 0 && asArr(sel.matchExpressions).length === 0;
  if (empty) {
    errs.invalid(selPath, sel, `empty selector is invalid for ${kindWord}`);
    return;
  }
  if (tmpl) {
    const labels = templateLabels(tmpl);
    if (!selectorMatchesLabels(sel, labels))
      errs.invalid(childPath(path, 'template.metadata.labels'), showMap(labels), '`selector` does not match template `labels`', true);
  }
}

export function immutable(errs: FieldErrors, path: string, now: unknown, before: unknown, detail = 'field is immutable'): void {
  if (before === undefined) return;
  if (JSON.stringify(now ?? null) !== JSON.stringify(before ?? null)) errs.invalid(path, now ?? null, detail);
}

export function getPath(o: unknown, dotted: string): unknown {
  let cur: unknown = o;
  for (const part of dotted.split('.')) {
    const r = asObj(cur);
    if (!r) return undefined;
    cur = r[part];
  }
  return cur;
}

export function validateIntOrPercent(errs: FieldErrors, v: unknown, path: string): number | undefined {
  if (typeof v === 'number') {
    if (v < 0) errs.invalid(path, v, 'must be greater than or equal to 0');
    return v;
  }
  if (typeof v === 'string') {
    if (!isPercent(v)) {
      errs.invalid(path, v, PERCENT_MESSAGE);
      return undefined;
    }
    return Number(v.slice(0, -1));
  }
  return undefined;
}

export function dataKeys(errs: FieldErrors, v: unknown, path: string, seen: Set<string>): number {
  const m = asObj(v);
  if (!m) return 0;
  let size = 0;
  for (const [k, val] of Object.entries(m)) {
    errs.check(keyPath(path, k), k, isConfigMapKey(k));
    if (seen.has(k)) errs.invalid(keyPath(path, k), k, 'duplicate of key present in data');
    seen.add(k);
    if (typeof val === 'string') size += val.length;
  }
  return size;
}

export function immutableData(errs: FieldErrors, obj: Rec, old: KubeObject | undefined, fields: string[]): void {
  if (!old || old.immutable !== true) return;
  if (obj.immutable !== true) errs.forbidden('immutable', 'field is immutable when `immutable` is set');
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errs.forbidden(f, 'field is immutable when `immutable` is set');
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export function isBase64(s: string): boolean {
  return BASE64.test(s);
}
