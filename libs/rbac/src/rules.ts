// Matching one request against one PolicyRule, with Kubernetes' wildcard semantics, and the
// escalation check ("does this set of rules cover that one?").
import type { PolicyRule, RequestAttributes } from './types';

export const ALL = '*';

function has(list: string[] | undefined, v: string): boolean {
  return !!list && (list.includes(ALL) || list.includes(v));
}

function resourceMatches(rule: PolicyRule, resource: string, subresource: string): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  for (const r of rule.resources ?? []) {
    if (r === ALL || r === combined) return true;
    if (subresource && r === `*/${subresource}`) return true;
  }
  return false;
}

function nameMatches(rule: PolicyRule, name: string): boolean {
  const names = rule.resourceNames ?? [];
  return names.length === 0 || (name !== '' && names.includes(name));
}

function urlMatches(rule: PolicyRule, path: string): boolean {
  for (const u of rule.nonResourceURLs ?? []) {
    if (u === ALL || u === path) return true;
    if (u.endsWith('*') && path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** Does `rule` allow the request? Resource rules never match non-resource requests and vice versa. */
export function ruleAllows(rule: PolicyRule, a: RequestAttributes): boolean {
  if (!has(rule.verbs, a.verb)) return false;
  if (a.path !== undefined) return urlMatches(rule, a.path);
  return has(rule.apiGroups, a.group) && resourceMatches(rule, a.resource, a.subresource) && nameMatches(rule, a.name);
}

export function rulesAllow(rules: readonly PolicyRule[], a: RequestAttributes): boolean {
  for (const r of rules) if (ruleAllows(r, a)) return true;
  return false;
}

/**
 * Rules in `requested` that `owned` does not cover (empty = no escalation). A requested wildcard is
 * covered only by the same wildcard, as Kubernetes' escalation check treats `*` literally.
 */
export function uncoveredRules(owned: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const rule of requested) {
    for (const atom of breakdown(rule)) {
      if (!owned.some((o) => covers(o, atom))) missing.push(atom);
    }
  }
  return missing;
}

/** One rule into single-verb, single-group, single-resource, single-name rules. */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const url of rule.nonResourceURLs ?? []) out.push({ verbs: [verb], nonResourceURLs: [url] });
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const n of names) out.push({ verbs: [verb], apiGroups: [group], resources: [resource], ...(n ? { resourceNames: [n] } : {}) });
      }
    }
  }
  return out;
}

function covers(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!has(owner.verbs, atom.verbs[0])) return false;
  if (atom.nonResourceURLs) return urlMatches(owner, atom.nonResourceURLs[0]);
  if (!has(owner.apiGroups, (atom.apiGroups ?? [''])[0])) return false;
  const res = (atom.resources ?? [''])[0];
  const slash = res.indexOf('/');
  const resourceOk = (owner.resources ?? []).some(
    (r) => r === ALL || r === res || (slash > 0 && r === `*${res.slice(slash)}`) || (slash > 0 && r === `${res.slice(0, slash)}/*`),
  );
  if (!resourceOk) return false;
  const ownerNames = owner.resourceNames ?? [];
  if (ownerNames.length === 0) return true;
  const name = atom.resourceNames?.[0];
  return name !== undefined && ownerNames.includes(name);
}

/** `get` and friends for the messages and SelfSubjectRulesReview. */
export function describeRule(r: PolicyRule): string {
  if (r.nonResourceURLs?.length) return `{NonResourceURLs:${JSON.stringify(r.nonResourceURLs)}, Verbs:${JSON.stringify(r.verbs)}}`;
  const parts = [`APIGroups:${JSON.stringify(r.apiGroups ?? [])}`, `Resources:${JSON.stringify(r.resources ?? [])}`];
  if (r.resourceNames?.length) parts.push(`ResourceNames:${JSON.stringify(r.resourceNames)}`);
  parts.push(`Verbs:${JSON.stringify(r.verbs)}`);
  return `{${parts.join(', ')}}`;
}
