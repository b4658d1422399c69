// Label selectors: the string form of `?labelSelector=` and the structured form of spec.selector.
import type { LabelSelector, LabelSelectorRequirement, Labels } from './types';

export type SelectorOp = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';

export interface Requirement {
  key: string;
  op: SelectorOp;
  values: string[];
}

/** A parsed selector: every requirement must hold. An empty selector matches everything. */
export interface Selector {
  requirements: Requirement[];
  /** Set for a structured selector that was empty (matches everything) or absent (matches nothing). */
  matchesNothing?: boolean;
}

export class SelectorError extends Error {}

const KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

function checkKey(key: string): string {
  if (!KEY.test(key) || key.length > 316) throw new SelectorError(`invalid label key "${key}"`);
  return key;
}

function checkValue(value: string): string {
  if (value.length > 63 || !VALUE.test(value)) throw new SelectorError(`invalid label value: "${value}"`);
  return value;
}

/** Splits on commas that are not inside parentheses. */
function splitTerms(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (depth < 0) throw new SelectorError(`unbalanced parentheses in selector "${s}"`);
    if (ch === ',' && depth === 0) {
      out.push(cur);
      cur = '';
    } else cur += ch;
  }
  if (depth !== 0) throw new SelectorError(`unbalanced parentheses in selector "${s}"`);
  out.push(cur);
  return out.map((t) => t.trim());
}

/** Parses the Kubernetes string syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h,n>3`. */
export function parseLabelSelector(input: string | undefined | null): Selector {
  const s = (input ?? '').trim();
  if (s === '') return { requirements: [] };
  const requirements: Requirement[] = [];
  for (const term of splitTerms(s)) {
    if (term === '') throw new SelectorError(`empty term in selector "${s}"`);
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/))) {
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v, i, all) => v !== '' || all.length > 1);
      requirements.push({ key: checkKey(m[1]), op: m[2] === 'in' ? 'In' : 'NotIn', values: values.map(checkValue) });
    } else if ((m = term.match(/^!\s*(\S+)$/))) {
      requirements.push({ key: checkKey(m[1]), op: 'DoesNotExist', values: [] });
    } else if ((m = term.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*(\S*)$/))) {
      const [, key, op, value] = m;
      if (op === '>' || op === '<') {
        if (!/^-?\d+$/.test(value)) throw new SelectorError(`invalid value "${value}" for ${op}: must be an integer`);
        requirements.push({ key: checkKey(key), op: op === '>' ? 'Gt' : 'Lt', values: [value] });
      } else {
        requirements.push({ key: checkKey(key), op: op === '!=' ? 'NotIn' : 'In', values: [checkValue(value)] });
      }
    } else if ((m = term.match(/^(\S+)$/))) {
      requirements.push({ key: checkKey(m[1]), op: 'Exists', values: [] });
    } else {
      throw new SelectorError(`unable to parse requirement "${term}"`);
    }
  }
  return { requirements };
}

/**
 * Converts spec.selector. Kubernetes: a nil selector matches nothing, an empty one everything
 * (for workloads validation forbids empty selectors anyway).
 */
export function selectorFromLabelSelector(sel: LabelSelector | undefined | null): Selector {
  if (!sel) return { requirements: [], matchesNothing: true };
  const requirements: Requirement[] = [];
  for (const [key, value] of Object.entries(sel.matchLabels ?? {})) requirements.push({ key, op: 'In', values: [value] });
  for (const r of sel.matchExpressions ?? []) requirements.push(fromRequirement(r));
  return { requirements };
}

function fromRequirement(r: LabelSelectorRequirement): Requirement {
  return { key: r.key, op: r.operator, values: r.values ?? [] };
}

/** A Service-style selector: a plain map; an empty or absent map selects nothing. */
export function selectorFromMap(map: Labels | undefined | null): Selector {
  const entries = Object.entries(map ?? {});
  if (entries.length === 0) return { requirements: [], matchesNothing: true };
  return { requirements: entries.map(([key, value]) => ({ key, op: 'In', values: [value] })) };
}

export function matchesSelector(selector: Selector, labels: Labels | undefined): boolean {
  if (selector.matchesNothing) return false;
  const l = labels ?? {};
  for (const r of selector.requirements) {
    const has = Object.prototype.hasOwnProperty.call(l, r.key);
    const v = l[r.key];
    switch (r.op) {
      case 'In':
        if (!has || !r.values.includes(v)) return false;
        break;
      case 'NotIn':
        if (has && r.values.includes(v)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      case 'Gt':
      case 'Lt': {
        if (!has || !/^-?\d+$/.test(v)) return false;
        const n = Number(v);
        const bound = Number(r.values[0]);
        if (r.op === 'Gt' ? !(n > bound) : !(n < bound)) return false;
        break;
      }
    }
  }
  return true;
}

export function labelSelectorMatches(sel: LabelSelector | undefined | null, labels: Labels | undefined): boolean {
  return matchesSelector(selectorFromLabelSelector(sel), labels);
}

/** The string form, as kubectl prints and as status.selector of a Scale carries it. */
export function labelSelectorToString(sel: LabelSelector | undefined | null): string {
  if (!sel) return '';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(sel.matchLabels ?? {}).sort(([a], [b]) => a.localeCompare(b))) parts.push(`${k}=${v}`);
  for (const r of sel.matchExpressions ?? []) {
    const vals = [...(r.values ?? [])].sort().join(',');
    if (r.operator === 'In') parts.push(`${r.key} in (${vals})`);
    else if (r.operator === 'NotIn') parts.push(`${r.key} notin (${vals})`);
    else if (r.operator === 'Exists') parts.push(r.key);
    else parts.push(`!${r.key}`);
  }
  return parts.join(',');
}

/**
 * Label keys this selector pins to one value (equality or single-value In).
 * The store uses them to narrow a list with its label index before matching the rest.
 */
export function equalityTerms(selector: Selector): Array<[string, string]> {
  return selector.requirements.filter((r) => r.op === 'In' && r.values.length === 1).map((r) => [r.key, r.values[0]]);
}
