// Field selectors (`?fieldSelector=spec.nodeName=n1,status.phase!=Failed`): parsing against a type's
// selectable fields, and matching objects.
import { kindModuleFor } from './registry';
import type { ResourceType } from './registry-types';
import { isPlainObject } from './schema';
import type { KubeObject } from './types';

export class FieldSelectorError extends Error {
  override name = 'FieldSelectorError';
}

export interface FieldSelectorTerm {
  field: string;
  op: '=' | '!=';
  value: string;
  /** Where the field sits in the object when the kind reads it from elsewhere (Event `source`). */
  path?: string;
}

/** Every term must hold; no terms matches everything. */
export interface FieldSelector {
  terms: FieldSelectorTerm[];
}

/** Splits on unescaped commas; `\,` `\=` `\\` escape as in apimachinery's fields package. */
function splitUnescaped(s: string, sep: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (ch === '\\' && i + 1 < s.length) {
      cur += ch + s[i + 1];
      i++;
    } else if (ch === sep) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  out.push(cur);
  return out;
}

function unescape(s: string): string {
  return s.replace(/\\(.)/g, '$1');
}

/** Index of the first unescaped occurrence of `needle`, or -1. */
function findOp(term: string, needle: string): number {
  for (let i = 0; i + needle.length <= term.length; i++) {
    if (term[i] === '\\') {
      i++;
      continue;
    }
    if (term.startsWith(needle, i)) return i;
  }
  return -1;
}

export function parseFieldSelector(s: string, t: ResourceType): FieldSelector {
  const input = (s ?? '').trim();
  if (input === '') return { terms: [] };
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...t.selectableFields]);
  const paths = kindModuleFor(t)?.fieldPaths ?? {};
  const terms: FieldSelectorTerm[] = [];
  for (const raw of splitUnescaped(input, ',')) {
    const term = raw.trim();
    let op: FieldSelectorTerm['op'];
    let at: number;
    let width: number;
    if ((at = findOp(term, '!=')) >= 0) [op, width] = ['!=', 2];
    else if ((at = findOp(term, '==')) >= 0) [op, width] = ['=', 2];
    else if ((at = findOp(term, '=')) >= 0) [op, width] = ['=', 1];
    else throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    const field = unescape(term.slice(0, at).trim());
    const value = unescape(term.slice(at + width).trim());
    if (field === '') throw new FieldSelectorError(`invalid selector: '${input}'; can't understand '${term}'`);
    if (!allowed.has(field)) throw new FieldSelectorError(`field label not supported: ${field}`);
    const path = Object.prototype.hasOwnProperty.call(paths, field) ? paths[field] : undefined;
    terms.push(path === undefined ? { field, op, value } : { field, op, value, path });
  }
  return { terms };
}

/** The string value at a dotted path, as the API server's field sets expose it ("" when absent). */
export function fieldValue(obj: KubeObject, path: string): string {
  let cur: unknown = obj;
  for (const part of path.split('.')) {
    if (!isPlainObject(cur)) return '';
    cur = cur[part];
  }
  if (typeof cur === 'string') return cur;
  if (typeof cur === 'number' || typeof cur === 'boolean') return String(cur);
  return '';
}

export function matchesFieldSelector(sel: FieldSelector, obj: KubeObject): boolean {
  for (const term of sel.terms) {
    const v = fieldValue(obj, term.path ?? term.field);
    if (term.op === '=' ? v !== term.value : v === term.value) return false;
  }
  return true;
}

/** The equality terms, which the store uses as index hints (metadata.name, spec.nodeName, ...). */
export function fieldSelectorEqualities(sel: FieldSelector): Record<string, string> {
  const out: Record<string, string> = {};
  for (const term of sel.terms) if (term.op === '=') out[term.field] = term.value;
  return out;
}
