// Defaulting shared by the kinds that carry a pod spec (Pod and every pod template), and its small helpers.
import { isPlainObject } from './schema';

type Rec = Record<string, unknown>;

export const rec = (v: unknown): Rec | undefined => (isPlainObject(v) ? v : undefined);

export const items = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export function setDefault(o: Rec, key: string, value: unknown): void {
  if (o[key] === undefined || o[key] === null) o[key] = value;
}

/** Ensures o[key] is an object (creating it when absent) and returns it; undefined when it is something else. */
export function child(o: Rec, key: string): Rec | undefined {
  if (o[key] === undefined || o[key] === null) o[key] = {};
  return rec(o[key]);
}

/** Always for `:latest` or no tag (digests pin the image), IfNotPresent otherwise. */
export function defaultPullPolicy(image: string): 'Always' | 'IfNotPresent' {
  if (image.includes('@')) return 'IfNotPresent';
  const lastSlash = image.lastIndexOf('/');
  const tail = image.slice(lastSlash + 1);
  const colon = tail.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return tail.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

export function defaultProbe(v: unknown): void {
  const p = rec(v);
  if (!p) return;
  setDefault(p, 'timeoutSeconds', 1);
  setDefault(p, 'periodSeconds', 10);
  setDefault(p, 'successThreshold', 1);
  setDefault(p, 'failureThreshold', 3);
  defaultHandler(p);
}

export function defaultHandler(h: Rec): void {
  const http = rec(h.httpGet);
  if (http) {
    setDefault(http, 'path', '/');
    setDefault(http, 'scheme', 'HTTP');
  }
}

export function defaultContainer(v: unknown): void {
  const c = rec(v);
  if (!c) return;
  if (typeof c.image === 'string' && c.image !== '') setDefault(c, 'imagePullPolicy', defaultPullPolicy(c.image));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const pv of items(c.ports)) {
    const p = rec(pv);
    if (p) setDefault(p, 'protocol', 'TCP');
  }
  for (const ev of items(c.env)) {
    const fr = rec(rec(rec(ev)?.valueFrom)?.fieldRef);
    if (fr) setDefault(fr, 'apiVersion', 'v1');
  }
  defaultProbe(c.livenessProbe);
  defaultProbe(c.readinessProbe);
  defaultProbe(c.startupProbe);
  const lc = rec(c.lifecycle);
  if (lc) {
    const ps = rec(lc.postStart);
    if (ps) defaultHandler(ps);
    const pr = rec(lc.preStop);
    if (pr) defaultHandler(pr);
  }
  // Requests default to limits when only limits are given.
  const res = rec(c.resources);
  const limits = rec(res?.limits);
  if (res && limits && Object.keys(limits).length > 0) {
    const requests = child(res, 'requests');
    if (requests) for (const [k, q] of Object.entries(limits)) setDefault(requests, k, q);
  }
}

export function defaultPodSpec(v: unknown): void {
  const spec = rec(v);
  if (!spec) return;
  setDefault(spec, 'restartPolicy', 'Always');
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'schedulerName', 'default-scheduler');
  setDefault(spec, 'securityContext', {});
  if (typeof spec.serviceAccount === 'string' && (spec.serviceAccountName === undefined || spec.serviceAccountName === null))
    spec.serviceAccountName = spec.serviceAccount;
  for (const c of items(spec.initContainers)) defaultContainer(c);
  for (const c of items(spec.containers)) defaultContainer(c);
  for (const vv of items(spec.volumes)) {
    const vol = rec(vv);
    if (!vol) continue;
    const cm = rec(vol.configMap);
    if (cm) setDefault(cm, 'defaultMode', 0o644);
    const sec = rec(vol.secret);
    if (sec) setDefault(sec, 'defaultMode', 0o644);
    const hp = rec(vol.hostPath);
    if (hp) setDefault(hp, 'type', '');
  }
}

export function defaultTemplate(v: unknown): void {
  const t = rec(v);
  if (t) defaultPodSpec(t.spec);
}
