// nodeSelector and node affinity, compiled once per pod into selectors that are cheap to test per node.
import { matchesSelector } from '@flotilla/resources';
import type { Labels, NodeSelectorRequirement, NodeSelectorTerm, Pod, Selector } from '@flotilla/resources';

/** The only field Kubernetes lets matchFields select on. */
export const NODE_NAME_FIELD = 'metadata.name';

/** One nodeSelectorTerm: its expressions and fields must all match. */
export interface CompiledTerm {
  labels: Selector;
  fields: Selector;
}

export interface PreferredTerm {
  weight: number;
  term: CompiledTerm;
}

/** What a node must look like for the pod: every nodeSelector label, and at least one required term. */
export interface NodeAffinityRequirement {
  nodeSelector: Selector | null;
  /** null when the pod has no required node affinity; an empty list matches no node. */
  requiredTerms: CompiledTerm[] | null;
}

function toSelector(reqs: readonly NodeSelectorRequirement[] | undefined): Selector {
  return { requirements: (reqs ?? []).map((r) => ({ key: r.key, op: r.operator, values: r.values ?? [] })) };
}

const MATCHES_NOTHING: Selector = { requirements: [], matchesNothing: true };

export function compileTerm(term: NodeSelectorTerm): CompiledTerm {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  // Kubernetes: a term with no requirements at all selects no node; matchFields knows only metadata.name.
  if (exprs.length === 0 && fields.length === 0) return { labels: MATCHES_NOTHING, fields: MATCHES_NOTHING };
  if (fields.some((f) => f.key !== NODE_NAME_FIELD || (f.operator !== 'In' && f.operator !== 'NotIn'))) {
    return { labels: MATCHES_NOTHING, fields: MATCHES_NOTHING };
  }
  return { labels: toSelector(exprs), fields: toSelector(fields) };
}

export function compileNodeAffinity(pod: Pod): NodeAffinityRequirement {
  const sel = pod.spec.nodeSelector;
  const nodeSelector: Selector | null =
    sel && Object.keys(sel).length > 0 ? { requirements: Object.entries(sel).map(([key, v]) => ({ key, op: 'In', values: [v] })) } : null;
  const required = pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  return { nodeSelector, requiredTerms: required ? (required.nodeSelectorTerms ?? []).map(compileTerm) : null };
}

export function compilePreferredTerms(pod: Pod): PreferredTerm[] {
  const preferred = pod.spec.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
  return preferred.filter((p) => p.weight > 0).map((p) => ({ weight: p.weight, term: compileTerm(p.preference) }));
}

/** `fields` is the node's selectable fields, i.e. { 'metadata.name': name }. */
export function termMatches(term: CompiledTerm, labels: Labels, fields: Labels): boolean {
  return matchesSelector(term.labels, labels) && matchesSelector(term.fields, fields);
}

/** Terms are ORed. */
export function nodeAffinityMatches(req: NodeAffinityRequirement, labels: Labels, fields: Labels): boolean {
  if (req.nodeSelector && !matchesSelector(req.nodeSelector, labels)) return false;
  if (req.requiredTerms === null) return true;
  for (const t of req.requiredTerms) if (termMatches(t, labels, fields)) return true;
  return false;
}

/** Sum of the weights of the preferred terms this node matches. */
export function preferredAffinityWeight(terms: readonly PreferredTerm[], labels: Labels, fields: Labels): number {
  let sum = 0;
  for (const p of terms) if (termMatches(p.term, labels, fields)) sum += p.weight;
  return sum;
}
