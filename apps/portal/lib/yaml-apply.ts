// Server-side apply of YAML: finds each document's resource through discovery, sends it as an
// apply-patch, and places the API's field errors at the line of the YAML they point to.
import { LineCounter, parseAllDocuments, type Document } from 'yaml';
import { call } from './api';
import type { StatusCause } from '@flotilla/resources';

export interface Problem {
  line?: number;
  /** The object the problem is in, e.g. "Deployment web" (a manifest may hold several). */
  object?: string;
  field?: string;
  message: string;
}

export interface ApplyState {
  ok?: string;
  problems?: Problem[];
  text?: string;
}

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

const discovery = new Map<string, { at: number; resources: ApiResource[] }>();

async function resourceFor(apiVersion: string, kind: string): Promise<ApiResource | undefined> {
  const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
  let d = discovery.get(path);
  if (!d || Date.now() - d.at > 60_000) {
    const r = await call<{ resources: ApiResource[] }>('GET', path);
    if (!r.ok || !r.data) return undefined;
    d = { at: Date.now(), resources: r.data.resources };
    discovery.set(path, d);
  }
  return d.resources.find((x) => x.kind === kind && !x.name.includes('/'));
}

/** `spec.template.spec.containers[0].image` → ['spec','template','spec','containers',0,'image']. */
export function fieldPath(field: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of field.matchAll(/([^.[\]]+)|\[(\d+)\]|\[([^\]]+)\]/g)) {
    if (m[1] !== undefined) out.push(m[1]);
    else if (m[2] !== undefined) out.push(Number(m[2]));
    else if (m[3] !== undefined) out.push(m[3].replace(/^"|"$/g, ''));
  }
  return out;
}

/** The line of the deepest YAML node on the field's path. */
export function lineOf(doc: Document, lc: LineCounter, field: string | undefined): number | undefined {
  if (!field) return undefined;
  const path = fieldPath(field);
  for (let n = path.length; n > 0; n--) {
    const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && typeof node === 'object' && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}

export async function applyYaml(ns: string, text: string, force: boolean): Promise<ApplyState> {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc });
  if (!Array.isArray(docs)) return { problems: [{ message: 'The text is not YAML.' }], text };
  const problems: Problem[] = [];
  for (const d of docs) for (const e of d.errors) problems.push({ line: e.linePos?.[0]?.line, message: e.message.split('\n')[0] });
  if (problems.length) return { problems, text };
  const applied: string[] = [];
  for (const doc of docs) {
    const obj = doc.toJS() as { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } } | null;
    if (!obj) continue;
    const at = (f: string) => lineOf(doc, lc, f) ?? lc.linePos(doc.range[0]).line;
    if (!obj.apiVersion) problems.push({ line: at('apiVersion'), field: 'apiVersion', message: 'apiVersion is required' });
    if (!obj.kind) problems.push({ line: at('kind'), field: 'kind', message: 'kind is required' });
    if (!obj.metadata?.name) problems.push({ line: at('metadata'), field: 'metadata.name', message: 'metadata.name is required' });
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) continue;
    const res = await resourceFor(obj.apiVersion, obj.kind);
    if (!res) {
      problems.push({ line: at('kind'), field: 'kind', message: `${obj.kind} is not a kind the API serves in ${obj.apiVersion}` });
      continue;
    }
    const objNs = obj.metadata.namespace ?? ns;
    if (res.namespaced && obj.metadata.namespace && obj.metadata.namespace !== ns)
      problems.push({
        line: at('metadata.namespace'),
        field: 'metadata.namespace',
        message: `this editor applies into ${ns}; remove the namespace or switch to ${obj.metadata.namespace}`,
      });
    const base = obj.apiVersion.includes('/') ? `/apis/${obj.apiVersion}` : `/api/${obj.apiVersion}`;
    const path = `${base}${res.namespaced ? `/namespaces/${encodeURIComponent(objNs)}` : ''}/${res.name}/${encodeURIComponent(obj.metadata.name)}`;
    const q = new URLSearchParams({ fieldManager: 'flotilla-portal', fieldValidation: 'Strict' });
    if (force) q.set('force', 'true');
    const r = await call('PATCH', `${path}?${q}`, { body: doc.toString(), contentType: 'application/apply-patch+yaml' });
    if (r.ok) {
      applied.push(`${obj.kind} ${obj.metadata.name}`);
      continue;
    }
    const causes: StatusCause[] = r.error?.details?.causes ?? [];
    if (causes.length === 0) problems.push({ line: at('kind'), message: `${obj.kind} ${obj.metadata.name}: ${r.error?.message ?? r.status}` });
    const object = `${obj.kind} ${obj.metadata.name}`;
    for (const c of causes)
      problems.push({ line: lineOf(doc, lc, c.field) ?? at('kind'), object, field: c.field, message: c.message ?? c.reason ?? 'invalid' });
  }
  if (problems.length) return { problems, text, ok: applied.length ? `Applied ${applied.join(', ')}` : undefined };
  return { ok: applied.length ? `Applied ${applied.join(', ')}` : 'Nothing to apply', text };
}
