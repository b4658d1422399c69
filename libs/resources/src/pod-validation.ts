// Semantic checks of pod specs (in Pods and in the pod templates of workloads).
import { FieldErrors } from './field-errors';
import { imageReferenceError } from './image-reference';
import {
  isConfigMapKey,
  isDNS1123Label,
  isDNS1123Subdomain,
  isEnvVarName,
  isPortName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  PORT_RANGE_MESSAGE,
} from './names';
import { isQuantity, parseQuantity, QUANTITY_REGEX_MESSAGE } from './quantity';
import { podLimitProblems } from './pod-limits';
import { childPath, indexPath, isPlainObject, keyPath } from './schema';
import { VOLUME_SOURCES } from './schemas';
import { matchesSelector, type Requirement, type SelectorOp } from './selectors';
import type { Labels } from './types';

export type Rec = Record<string, unknown>;

export const asObj = (v: unknown): Rec | undefined => (isPlainObject(v) ? v : undefined);
export const asArr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
export const asStr = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
export const asNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Label-map syntax (keys qualified names, values label values). */
export function validateLabels(errs: FieldErrors, v: unknown, path: string): void {
  const m = asObj(v);
  if (!m) return;
  for (const [k, val] of Object.entries(m)) {
    errs.check(path, k, isQualifiedName(k));
    if (typeof val === 'string') errs.check(path, val, isValidLabelValue(val));
  }
}

export function nonNegative(errs: FieldErrors, v: unknown, path: string): void {
  const n = asNum(v);
  if (n !== undefined && n < 0) errs.invalid(path, n, 'must be greater than or equal to 0');
}

export function positive(errs: FieldErrors, v: unknown, path: string): void {
  const n = asNum(v);
  if (n !== undefined && n <= 0) errs.invalid(path, n, 'must be greater than 0');
}

export function validateQuantityMap(errs: FieldErrors, v: unknown, path: string, allowNegative = false): Map<string, number> {
  const out = new Map<string, number>();
  const m = asObj(v);
  if (!m) return out;
  for (const [name, q] of Object.entries(m)) {
    const p = keyPath(path, name);
    errs.check(p, name, isQualifiedName(name));
    if (typeof q !== 'string' && typeof q !== 'number') continue; // type error already reported
    if (!isQuantity(q)) {
      errs.invalid(p, q, QUANTITY_REGEX_MESSAGE);
      continue;
    }
    const n = parseQuantity(q);
    if (!allowNegative && n < 0) errs.invalid(p, q, 'must be greater than or equal to 0');
    out.set(name, n);
  }
  return out;
}

function validatePortRef(errs: FieldErrors, v: unknown, path: string): void {
  if (typeof v === 'number') {
    if (!isValidPortNum(v)) errs.invalid(path, v, PORT_RANGE_MESSAGE);
  } else if (typeof v === 'string') {
    if (/^\d+$/.test(v)) {
      if (!isValidPortNum(Number(v))) errs.invalid(path, v, PORT_RANGE_MESSAGE);
    } else errs.check(path, v, isPortName(v));
  }
}

const HANDLERS = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'];

function validateHandler(errs: FieldErrors, h: Rec, path: string, allowed: string[]): void {
  const present = allowed.filter((k) => h[k] !== undefined && h[k] !== null);
  if (present.length === 0) errs.required(path, 'must specify a handler type');
  for (const extra of present.slice(1)) errs.forbidden(childPath(path, extra), 'may not specify more than 1 handler type');
  const httpGet = asObj(h.httpGet);
  if (httpGet) {
    if (httpGet.port === undefined || httpGet.port === null) errs.required(childPath(path, 'httpGet.port'));
    else validatePortRef(errs, httpGet.port, childPath(path, 'httpGet.port'));
  }
  const tcp = asObj(h.tcpSocket);
  if (tcp) {
    if (tcp.port === undefined || tcp.port === null) errs.required(childPath(path, 'tcpSocket.port'));
    else validatePortRef(errs, tcp.port, childPath(path, 'tcpSocket.port'));
  }
  const exec = asObj(h.exec);
  if (exec && asArr(exec.command).length === 0) errs.required(childPath(path, 'exec.command'));
}

function validateProbe(errs: FieldErrors, v: unknown, path: string): void {
  const p = asObj(v);
  if (!p) return;
  validateHandler(
    errs,
    p,
    path,
    HANDLERS.filter((h) => h !== 'sleep'),
  );
  for (const f of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold'])
    nonNegative(errs, p[f], childPath(path, f));
  positive(errs, p.terminationGracePeriodSeconds, childPath(path, 'terminationGracePeriodSeconds'));
}

interface PodContext {
  /** Volume names declared by the pod. */
  volumes: Set<string>;
  /** Container names seen so far (containers and init containers share one namespace). */
  names: Set<string>;
  /** Whether image is required (true for Pods and templates). */
  requireImage: boolean;
}

function validateContainer(errs: FieldErrors, v: unknown, path: string, ctx: PodContext, init: boolean): void {
  const c = asObj(v);
  if (!c) {
    if (v === null || v === undefined) errs.required(path);
    return;
  }
  const name = asStr(c.name);
  if (!name) errs.required(childPath(path, 'name'));
  else {
    errs.check(childPath(path, 'name'), name, isDNS1123Label(name));
    if (ctx.names.has(name)) errs.duplicate(childPath(path, 'name'), name);
    ctx.names.add(name);
  }
  const image = c.image;
  if (ctx.requireImage && (image === undefined || image === null || image === '')) errs.required(childPath(path, 'image'));
  else if (typeof image === 'string' && image !== image.trim()) errs.invalid(childPath(path, 'image'), image, 'must not have leading or trailing whitespace');
  else if (typeof image === 'string' && image !== '') {
    const bad = imageReferenceError(image);
    if (bad) errs.invalid(childPath(path, 'image'), image.length > 300 ? `${image.slice(0, 300)}...` : image, bad);
  }
  if (!init && c.restartPolicy !== undefined && c.restartPolicy !== null)
    errs.forbidden(childPath(path, 'restartPolicy'), 'may not be set for non-init containers');

  // ports
  const portNames = new Set<string>();
  asArr(c.ports).forEach((pv, i) => {
    const pp = indexPath(childPath(path, 'ports'), i);
    const port = asObj(pv);
    if (!port) return;
    if (port.containerPort === undefined || port.containerPort === null) errs.required(childPath(pp, 'containerPort'));
    else if (typeof port.containerPort === 'number' && !isValidPortNum(port.containerPort))
      errs.invalid(childPath(pp, 'containerPort'), port.containerPort, PORT_RANGE_MESSAGE);
    if (typeof port.hostPort === 'number' && port.hostPort !== 0 && !isValidPortNum(port.hostPort))
      errs.invalid(childPath(pp, 'hostPort'), port.hostPort, PORT_RANGE_MESSAGE);
    const pn = asStr(port.name);
    if (pn) {
      errs.check(childPath(pp, 'name'), pn, isPortName(pn));
      if (portNames.has(pn)) errs.duplicate(childPath(pp, 'name'), pn);
      portNames.add(pn);
    }
  });

  // env
  asArr(c.env).forEach((ev, i) => {
    const ep = indexPath(childPath(path, 'env'), i);
    const e = asObj(ev);
    if (!e) return;
    const en = asStr(e.name);
    if (!en) errs.required(childPath(ep, 'name'));
    else errs.check(childPath(ep, 'name'), en, isEnvVarName(en));
    const from = asObj(e.valueFrom);
    if (from) {
      if (typeof e.value === 'string' && e.value !== '') errs.invalid(childPath(ep, 'valueFrom'), '', 'may not be specified when `value` is not empty');
      const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => from[k] !== undefined && from[k] !== null);
      if (sources.length === 0)
        errs.invalid(childPath(ep, 'valueFrom'), '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`');
      else if (sources.length > 1) errs.invalid(childPath(ep, 'valueFrom'), '', 'may not have more than one field specified at a time');
      for (const ref of ['configMapKeyRef', 'secretKeyRef']) {
        const r = asObj(from[ref]);
        if (!r) continue;
        const key = asStr(r.key);
        if (!key) errs.required(childPath(ep, `valueFrom.${ref}.key`));
        else errs.check(childPath(ep, `valueFrom.${ref}.key`), key, isConfigMapKey(key));
      }
      const fr = asObj(from.fieldRef);
      if (fr && !asStr(fr.fieldPath)) errs.required(childPath(ep, 'valueFrom.fieldRef.fieldPath'));
      const rr = asObj(from.resourceFieldRef);
      if (rr && !asStr(rr.resource)) errs.required(childPath(ep, 'valueFrom.resourceFieldRef.resource'));
    }
  });
  asArr(c.envFrom).forEach((ev, i) => {
    const e = asObj(ev);
    if (!e) return;
    const ep = indexPath(childPath(path, 'envFrom'), i);
    const n = [e.configMapRef, e.secretRef].filter((x) => x !== undefined && x !== null).length;
    if (n !== 1) errs.invalid(ep, '', 'must specify one of: `configMapRef` or `secretRef`');
    const prefix = asStr(e.prefix);
    if (prefix) errs.check(childPath(ep, 'prefix'), prefix, isEnvVarName(prefix));
  });

  // resources
  const res = asObj(c.resources);
  if (res) {
    const rp = childPath(path, 'resources');
    const limits = validateQuantityMap(errs, res.limits, childPath(rp, 'limits'));
    const requests = validateQuantityMap(errs, res.requests, childPath(rp, 'requests'));
    const lim = asObj(res.limits) ?? {};
    for (const [name, req] of requests) {
      const l = limits.get(name);
      if (l !== undefined && req > l + 1e-12) {
        const reqObj = asObj(res.requests) ?? {};
        errs.invalid(keyPath(childPath(rp, 'requests'), name), reqObj[name], `must be less than or equal to ${name} limit of ${String(lim[name])}`);
      }
    }
  }

  // volume mounts
  const mountPaths = new Set<string>();
  asArr(c.volumeMounts).forEach((mv, i) => {
    const mp = indexPath(childPath(path, 'volumeMounts'), i);
    const m = asObj(mv);
    if (!m) return;
    const mn = asStr(m.name);
    if (!mn) errs.required(childPath(mp, 'name'));
    else if (!ctx.volumes.has(mn)) errs.notFound(childPath(mp, 'name'), mn);
    const mpath = asStr(m.mountPath);
    if (!mpath) errs.required(childPath(mp, 'mountPath'));
    else {
      if (mountPaths.has(mpath)) errs.invalid(childPath(mp, 'mountPath'), mpath, 'must be unique');
      mountPaths.add(mpath);
    }
    // As Kubernetes validates them: a local descending path. A subPathExpr is checked again after expansion on the node.
    const sub = asStr(m.subPath);
    const expr = asStr(m.subPathExpr);
    for (const [field, value] of [
      ['subPath', sub],
      ['subPathExpr', expr],
    ] as const) {
      if (value && (value.startsWith('/') || value.split('/').includes('..')))
        errs.invalid(childPath(mp, field), value, "must be a relative path without '..'");
    }
    if (sub && expr) errs.invalid(childPath(mp, 'subPathExpr'), expr, 'subPathExpr and subPath are mutually exclusive');
  });

  validateProbe(errs, c.livenessProbe, childPath(path, 'livenessProbe'));
  validateProbe(errs, c.readinessProbe, childPath(path, 'readinessProbe'));
  validateProbe(errs, c.startupProbe, childPath(path, 'startupProbe'));
  const lp = asObj(c.livenessProbe);
  if (lp && typeof lp.successThreshold === 'number' && lp.successThreshold !== 1)
    errs.invalid(childPath(path, 'livenessProbe.successThreshold'), lp.successThreshold, 'must be 1');
  const sp = asObj(c.startupProbe);
  if (sp && typeof sp.successThreshold === 'number' && sp.successThreshold !== 1)
    errs.invalid(childPath(path, 'startupProbe.successThreshold'), sp.successThreshold, 'must be 1');
  const lc = asObj(c.lifecycle);
  if (lc) {
    for (const hook of ['postStart', 'preStop']) {
      const h = asObj(lc[hook]);
      if (h) validateHandler(errs, h, childPath(path, `lifecycle.${hook}`), ['exec', 'httpGet', 'tcpSocket', 'sleep']);
    }
  }
}

export interface PodSpecOptions {
  /** The allowed restartPolicy values (a template of a Deployment only allows Always). */
  restartPolicies?: string[];
  /** Whether restartPolicy must be given (Job templates). */
  restartPolicyRequired?: boolean;
}

export function validatePodSpec(errs: FieldErrors, v: unknown, path: string, opts: PodSpecOptions = {}): void {
  const spec = asObj(v);
  if (!spec) {
    if (v === undefined || v === null) errs.required(path);
    return;
  }
  // volumes
  const volumes = new Set<string>();
  asArr(spec.volumes).forEach((vv, i) => {
    const vp = indexPath(childPath(path, 'volumes'), i);
    const vol = asObj(vv);
    if (!vol) return;
    const name = asStr(vol.name);
    if (!name) errs.required(childPath(vp, 'name'));
    else {
      errs.check(childPath(vp, 'name'), name, isDNS1123Label(name));
      if (volumes.has(name)) errs.duplicate(childPath(vp, 'name'), name);
      volumes.add(name);
    }
    const sources = VOLUME_SOURCES.filter((s) => vol[s] !== undefined && vol[s] !== null);
    if (sources.length === 0) errs.required(vp, 'must specify a volume type');
    for (const extra of sources.slice(1)) errs.forbidden(childPath(vp, extra), 'may not specify more than 1 volume type');
    const cm = asObj(vol.configMap);
    if (cm && !asStr(cm.name)) errs.required(childPath(vp, 'configMap.name'));
    const sec = asObj(vol.secret);
    if (sec && !asStr(sec.secretName)) errs.required(childPath(vp, 'secret.secretName'));
    const pvc = asObj(vol.persistentVolumeClaim);
    if (pvc && !asStr(pvc.claimName)) errs.required(childPath(vp, 'persistentVolumeClaim.claimName'));
    const hp = asObj(vol.hostPath);
    if (hp && !asStr(hp.path)) errs.required(childPath(vp, 'hostPath.path'));
    const ed = asObj(vol.emptyDir);
    if (
      ed &&
      ed.sizeLimit !== undefined &&
      ed.sizeLimit !== null &&
      (typeof ed.sizeLimit === 'string' || typeof ed.sizeLimit === 'number') &&
      !isQuantity(ed.sizeLimit)
    )
      errs.invalid(childPath(vp, 'emptyDir.sizeLimit'), ed.sizeLimit, QUANTITY_REGEX_MESSAGE);
  });

  for (const problem of podLimitProblems(spec, path)) errs.push(problem);
  const ctx: PodContext = { volumes, names: new Set(), requireImage: true };
  const containers = spec.containers;
  if (!Array.isArray(containers) || containers.length === 0) {
    if (containers === undefined || containers === null || Array.isArray(containers)) errs.required(childPath(path, 'containers'));
  }
  asArr(spec.initContainers).forEach((c, i) => validateContainer(errs, c, indexPath(childPath(path, 'initContainers'), i), ctx, true));
  asArr(containers).forEach((c, i) => validateContainer(errs, c, indexPath(childPath(path, 'containers'), i), ctx, false));
  // Ephemeral containers are not run here, but their image still reaches the runtime if ever supported.
  asArr(spec.ephemeralContainers).forEach((c, i) => {
    const image = asObj(c)?.image;
    if (typeof image !== 'string' || image === '') return;
    const bad = imageReferenceError(image);
    if (bad) errs.invalid(childPath(indexPath(childPath(path, 'ephemeralContainers'), i), 'image'), image.slice(0, 300), bad);
  });

  const rp = spec.restartPolicy;
  if (opts.restartPolicies && typeof rp === 'string' && !opts.restartPolicies.includes(rp))
    errs.notSupported(childPath(path, 'restartPolicy'), rp, opts.restartPolicies);
  if (opts.restartPolicyRequired && (rp === undefined || rp === null || rp === ''))
    errs.required(childPath(path, 'restartPolicy'), `valid values: ${(opts.restartPolicies ?? []).map((x) => JSON.stringify(x)).join(', ')}`);

  nonNegative(errs, spec.terminationGracePeriodSeconds, childPath(path, 'terminationGracePeriodSeconds'));
  positive(errs, spec.activeDeadlineSeconds, childPath(path, 'activeDeadlineSeconds'));
  validateLabels(errs, spec.nodeSelector, childPath(path, 'nodeSelector'));
  for (const f of ['serviceAccountName', 'nodeName']) {
    const s = asStr(spec[f]);
    if (s) errs.check(childPath(path, f), s, isDNS1123Subdomain(s));
  }
  for (const f of ['hostname', 'subdomain']) {
    const s = asStr(spec[f]);
    if (s) errs.check(childPath(path, f), s, isDNS1123Label(s));
  }
  if (asStr(spec.dnsPolicy) === 'None' && !asObj(spec.dnsConfig))
    errs.required(childPath(path, 'dnsConfig'), 'must provide `dnsConfig` when `dnsPolicy` is None');
  asArr(spec.tolerations).forEach((tv, i) => {
    const tp = indexPath(childPath(path, 'tolerations'), i);
    const t = asObj(tv);
    if (!t) return;
    const key = asStr(t.key);
    if (key) errs.check(childPath(tp, 'key'), key, isQualifiedName(key));
    if (t.operator === 'Exists' && typeof t.value === 'string' && t.value !== '')
      errs.invalid(childPath(tp, 'operator'), t.value, "value must be empty when `operator` is 'Exists'");
    if (!key && t.operator !== 'Exists')
      errs.invalid(childPath(tp, 'operator'), t.operator ?? '', 'operator must be Exists when `key` is empty, which means "match all values and all keys"');
    if (t.tolerationSeconds !== undefined && t.tolerationSeconds !== null && t.effect !== 'NoExecute')
      errs.invalid(childPath(tp, 'effect'), t.effect ?? '', "effect must be 'NoExecute' when `tolerationSeconds` is set");
  });
  asArr(spec.imagePullSecrets).forEach((sv, i) => {
    const s = asObj(sv);
    if (s && !asStr(s.name)) errs.required(childPath(indexPath(childPath(path, 'imagePullSecrets'), i), 'name'));
  });
}

/** Template labels must be selected by the selector: `selector` does not match template `labels`. */
export function selectorMatchesLabels(selector: Rec, labels: Rec): boolean {
  const requirements: Requirement[] = [];
  for (const [key, v] of Object.entries(asObj(selector.matchLabels) ?? {})) requirements.push({ key, op: 'In', values: [v as string] });
  for (const ev of asArr(selector.matchExpressions)) {
    const e = asObj(ev);
    // The selector is not validated yet: an operator a LabelSelector does not allow is reported there, not here.
    if (!e || !TEMPLATE_SELECTOR_OPS.has(e.operator as SelectorOp)) continue;
    requirements.push({ key: asStr(e.key) ?? '', op: e.operator as SelectorOp, values: asArr(e.values) as string[] });
  }
  // Not the matchesNothing form: an empty selector is refused by validation, and selects every template here.
  return matchesSelector({ requirements }, labels as Labels);
}

const TEMPLATE_SELECTOR_OPS: ReadonlySet<SelectorOp> = new Set(['In', 'NotIn', 'Exists', 'DoesNotExist']);

/** Validates a metav1.LabelSelector's syntax. */
export function validateLabelSelector(errs: FieldErrors, v: unknown, path: string): void {
  const sel = asObj(v);
  if (!sel) return;
  validateLabels(errs, sel.matchLabels, childPath(path, 'matchLabels'));
  asArr(sel.matchExpressions).forEach((ev, i) => {
    const ep = indexPath(childPath(path, 'matchExpressions'), i);
    const e = asObj(ev);
    if (!e) return;
    const key = asStr(e.key);
    if (!key) errs.required(childPath(ep, 'key'));
    else errs.check(childPath(ep, 'key'), key, isQualifiedName(key));
    const values = asArr(e.values);
    if ((e.operator === 'In' || e.operator === 'NotIn') && values.length === 0)
      errs.required(childPath(ep, 'values'), "must be specified when `operator` is 'In' or 'NotIn'");
    if ((e.operator === 'Exists' || e.operator === 'DoesNotExist') && values.length > 0)
      errs.forbidden(childPath(ep, 'values'), "may not be specified when `operator` is 'Exists' or 'DoesNotExist'");
  });
}
