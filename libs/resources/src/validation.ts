// validateObject and unknownFields: the schema (types, enums, unknown fields) plus per-kind semantic checks.
import { endpointIpProblem } from './endpoint-ip';
import { FieldErrors, showMap } from './field-errors';
import {
  isConfigMapKey,
  isDNS1035Label,
  isDNS1123Label,
  isDNS1123Subdomain,
  isPathSegmentName,
  isPercent,
  isPortName,
  isQualifiedName,
  isValidLabelValue,
  isValidPortNum,
  PERCENT_MESSAGE,
  PORT_RANGE_MESSAGE,
} from './names';
import {
  asArr,
  asNum,
  asObj,
  asStr,
  nonNegative,
  positive,
  selectorMatchesLabels,
  validateLabels,
  validateLabelSelector,
  validatePodSpec,
  validateQuantityMap,
  type Rec,
} from './pod-validation';
import type { FieldError, ResourceType } from './registry-types';
import { childPath, indexPath, jsonTypeOf, keyPath, typeName, walk } from './schema';
import { schemaFor } from './schemas';
import type { KubeObject } from './types';

const TOTAL_ANNOTATION_SIZE = 256 * 1024;
const MAX_DATA_SIZE = 1024 * 1024;
const RBAC_GROUP = 'rbac.authorization.k8s.io';

type NameCheck = (name: string) => string[];

function nameCheckFor(t: ResourceType): NameCheck {
  switch (t.kind) {
    case 'Namespace':
      return isDNS1123Label;
    case 'Service':
      return isDNS1035Label;
    case 'Role':
    case 'RoleBinding':
    case 'ClusterRole':
    case 'ClusterRoleBinding':
      return isPathSegmentName;
    case 'CronJob':
      // Job names get an 11-character suffix and must stay valid labels.
      return (n) => [...isDNS1123Subdomain(n), ...(n.length > 52 ? ['must be no more than 52 characters'] : [])];
    default:
      return isDNS1123Subdomain;
  }
}

function validateMeta(errs: FieldErrors, t: ResourceType, metaValue: unknown, old: KubeObject | undefined): void {
  const meta = asObj(metaValue);
  if (!meta) {
    if (metaValue === undefined || metaValue === null) errs.required('metadata');
    return;
  }
  const check = nameCheckFor(t);
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

// ---- workloads ------------------------------------------------------------------

function validateTemplate(errs: FieldErrors, tv: unknown, path: string, opts: Parameters<typeof validatePodSpec>[3]): Rec | undefined {
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

function templateLabels(tmpl: Rec | undefined): Rec {
  return asObj(asObj(tmpl?.metadata)?.labels) ?? {};
}

/** Selector present and non-empty, and matching the template's labels. */
function validateSelectorAndTemplate(errs: FieldErrors, spec: Rec, path: string, tmpl: Rec | undefined, kindWord: string, optional: boolean): void {
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

function immutable(errs: FieldErrors, path: string, now: unknown, before: unknown, detail = 'field is immutable'): void {
  if (before === undefined) return;
  if (JSON.stringify(now ?? null) !== JSON.stringify(before ?? null)) errs.invalid(path, now ?? null, detail);
}

function getPath(o: unknown, dotted: string): unknown {
  let cur: unknown = o;
  for (const part of dotted.split('.')) {
    const r = asObj(cur);
    if (!r) return undefined;
    cur = r[part];
  }
  return cur;
}

function validateIntOrPercent(errs: FieldErrors, v: unknown, path: string): number | undefined {
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

function validateDeployment(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  nonNegative(errs, spec.replicas, 'spec.replicas');
  const tmpl = validateTemplate(errs, spec.template, 'spec.template', { restartPolicies: ['Always'] });
  validateSelectorAndTemplate(errs, spec, 'spec', tmpl, 'deployment', false);
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  nonNegative(errs, spec.revisionHistoryLimit, 'spec.revisionHistoryLimit');
  const pds = asNum(spec.progressDeadlineSeconds);
  if (pds !== undefined) {
    if (pds <= 0) errs.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than 0');
    const mrs = asNum(spec.minReadySeconds) ?? 0;
    if (pds > 0 && pds <= mrs) errs.invalid('spec.progressDeadlineSeconds', pds, 'must be greater than minReadySeconds');
  }
  const strategy = asObj(spec.strategy);
  if (strategy) {
    const ru = asObj(strategy.rollingUpdate);
    if (strategy.type === 'Recreate' && ru) errs.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'");
    if (ru && strategy.type !== 'Recreate') {
      const surge = validateIntOrPercent(errs, ru.maxSurge, 'spec.strategy.rollingUpdate.maxSurge');
      const unavail = validateIntOrPercent(errs, ru.maxUnavailable, 'spec.strategy.rollingUpdate.maxUnavailable');
      if (typeof ru.maxUnavailable === 'string' && unavail !== undefined && unavail > 100)
        errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'must not be greater than 100%');
      if (surge === 0 && unavail === 0) errs.invalid('spec.strategy.rollingUpdate.maxUnavailable', ru.maxUnavailable, 'may not be 0 when `maxSurge` is 0');
    }
  }
  if (old) immutable(errs, 'spec.selector', spec.selector, getPath(old, 'spec.selector'));
}

function validateReplicaSet(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  nonNegative(errs, spec.replicas, 'spec.replicas');
  nonNegative(errs, spec.minReadySeconds, 'spec.minReadySeconds');
  const tmpl = validateTemplate(errs, spec.template, 'spec.template', { restartPolicies: ['Always'] });
  validateSelectorAndTemplate(errs, spec, 'spec', tmpl, 'replicaset', false);
  if (old) immutable(errs, 'spec.selector', spec.selector, getPath(old, 'spec.selector'));
}

function validateJobSpec(errs: FieldErrors, specValue: unknown, path: string, old: Rec | undefined, inCronJob: boolean): void {
  const spec = asObj(specValue);
  if (!spec) {
    errs.required(path);
    return;
  }
  for (const f of ['parallelism', 'completions', 'backoffLimit', 'ttlSecondsAfterFinished', 'backoffLimitPerIndex', 'maxFailedIndexes'])
    nonNegative(errs, spec[f], childPath(path, f));
  positive(errs, spec.activeDeadlineSeconds, childPath(path, 'activeDeadlineSeconds'));
  if (spec.completionMode === 'Indexed' && (spec.completions === undefined || spec.completions === null))
    errs.required(childPath(path, 'completions'), 'when completion mode is Indexed');
  const tmpl = validateTemplate(errs, spec.template, childPath(path, 'template'), { restartPolicies: ['OnFailure', 'Never'], restartPolicyRequired: true });
  if (!inCronJob) validateSelectorAndTemplate(errs, spec, path, tmpl, 'job', true);
  else validateLabelSelector(errs, spec.selector, childPath(path, 'selector'));
  if (old) {
    immutable(errs, childPath(path, 'selector'), spec.selector, old.selector);
    immutable(errs, childPath(path, 'template'), spec.template, old.template);
    immutable(errs, childPath(path, 'completionMode'), spec.completionMode, old.completionMode);
    if (spec.completionMode !== 'Indexed') immutable(errs, childPath(path, 'completions'), spec.completions, old.completions);
  }
}

const CRON_MACROS = new Set(['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly']);

function cronScheduleProblem(s: string): string | undefined {
  const t = s.trim();
  if (t.startsWith('TZ=') || t.startsWith('CRON_TZ=')) return 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead';
  if (CRON_MACROS.has(t)) return undefined;
  if (/^@every\s+\S+$/.test(t)) return undefined;
  const fields = t.split(/\s+/);
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: ${t}`;
  const ranges: [number, number][] = [
    [0, 59],
    [0, 23],
    [1, 31],
    [1, 12],
    [0, 7],
  ];
  const names = [undefined, undefined, undefined, /^(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)$/i, /^(sun|mon|tue|wed|thu|fri|sat)$/i];
  for (let i = 0; i < 5; i++) {
    for (const part of fields[i].split(',')) {
      const [rangePart, step] = part.split('/');
      if (step !== undefined && !/^\d+$/.test(step)) return `invalid step in ${fields[i]}`;
      if (rangePart === '*' || rangePart === '?') continue;
      for (const bound of rangePart.split('-')) {
        const nameRe = names[i];
        if (nameRe && nameRe.test(bound)) continue;
        if (!/^\d+$/.test(bound)) return `failed to parse int from ${bound}`;
        const n = Number(bound);
        const [lo, hi] = ranges[i];
        if (n < lo || n > hi) return `end of range (${n}) above maximum (${hi}): ${part}`;
      }
    }
  }
  return undefined;
}

function validateCronJob(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const schedule = spec.schedule;
  if (schedule === undefined || schedule === null || schedule === '') errs.required('spec.schedule');
  else if (typeof schedule === 'string') {
    const p = cronScheduleProblem(schedule);
    if (p) errs.invalid('spec.schedule', schedule, p);
  }
  nonNegative(errs, spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds');
  nonNegative(errs, spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit');
  nonNegative(errs, spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit');
  const jt = asObj(spec.jobTemplate);
  if (!jt) {
    if (spec.jobTemplate === undefined || spec.jobTemplate === null) errs.required('spec.jobTemplate');
    return;
  }
  validateLabels(errs, asObj(jt.metadata)?.labels, 'spec.jobTemplate.metadata.labels');
  validateJobSpec(errs, jt.spec, 'spec.jobTemplate.spec', undefined, true);
  void old;
}

// ---- core -----------------------------------------------------------------------

const NODE_PORT_MIN = 30000;
const NODE_PORT_MAX = 32767;

function validateService(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const type = asStr(spec.type) ?? 'ClusterIP';
  const ports = asArr(spec.ports);
  const headless = spec.clusterIP === 'None';
  if (type === 'ExternalName') {
    const en = asStr(spec.externalName);
    if (!en) errs.required('spec.externalName');
    else errs.check('spec.externalName', en, isDNS1123Subdomain(en.endsWith('.') ? en.slice(0, -1) : en));
  } else if (ports.length === 0 && !headless && (spec.ports === undefined || spec.ports === null || Array.isArray(spec.ports))) {
    errs.required('spec.ports');
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((pv, i) => {
    const pp = indexPath('spec.ports', i);
    const port = asObj(pv);
    if (!port) return;
    const name = asStr(port.name);
    if (ports.length > 1 && !name) errs.required(childPath(pp, 'name'));
    if (name) {
      errs.check(childPath(pp, 'name'), name, isDNS1123Label(name));
      if (names.has(name)) errs.duplicate(childPath(pp, 'name'), name);
      names.add(name);
    }
    if (port.port === undefined || port.port === null) errs.required(childPath(pp, 'port'));
    else if (typeof port.port === 'number' && !isValidPortNum(port.port)) errs.invalid(childPath(pp, 'port'), port.port, PORT_RANGE_MESSAGE);
    const key = `${String(port.port)}/${String(port.protocol ?? 'TCP')}`;
    if (seen.has(key)) errs.duplicate(pp, { port: port.port, protocol: port.protocol ?? 'TCP' });
    seen.add(key);
    const tp = port.targetPort;
    if (typeof tp === 'number') {
      if (!isValidPortNum(tp)) errs.invalid(childPath(pp, 'targetPort'), tp, PORT_RANGE_MESSAGE);
    } else if (typeof tp === 'string' && tp !== '') {
      if (/^\d+$/.test(tp)) {
        if (!isValidPortNum(Number(tp))) errs.invalid(childPath(pp, 'targetPort'), tp, PORT_RANGE_MESSAGE);
      } else errs.check(childPath(pp, 'targetPort'), tp, isPortName(tp));
    }
    const np = port.nodePort;
    if (typeof np === 'number' && np !== 0) {
      if (type === 'ClusterIP' || type === 'ExternalName') errs.forbidden(childPath(pp, 'nodePort'), `may not be used when \`type\` is '${type}'`);
      else if (np < NODE_PORT_MIN || np > NODE_PORT_MAX)
        errs.invalid(childPath(pp, 'nodePort'), np, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_MIN}-${NODE_PORT_MAX}`);
    }
  });
  validateLabels(errs, spec.selector, 'spec.selector');
  if (old) {
    const before = asStr(getPath(old, 'spec.clusterIP'));
    const now = asStr(spec.clusterIP);
    if (before && now && before !== now) errs.invalid('spec.clusterIP', now, 'field is immutable');
  }
}

function validateEndpoints(errs: FieldErrors, obj: Rec): void {
  asArr(obj.subsets).forEach((sv, i) => {
    const sp = indexPath('subsets', i);
    const s = asObj(sv);
    if (!s) return;
    for (const list of ['addresses', 'notReadyAddresses']) {
      asArr(s[list]).forEach((av, j) => {
        const a = asObj(av);
        if (!a) return;
        const ipPath = childPath(indexPath(childPath(sp, list), j), 'ip');
        const ip = asStr(a.ip);
        if (!ip) {
          errs.required(ipPath);
          return;
        }
        const problem = endpointIpProblem(ip);
        if (problem) errs.invalid(ipPath, ip, problem);
      });
    }
    asArr(s.ports).forEach((pv, j) => {
      const p = asObj(pv);
      const pp = indexPath(childPath(sp, 'ports'), j);
      if (!p) return;
      if (typeof p.port === 'number' && !isValidPortNum(p.port)) errs.invalid(childPath(pp, 'port'), p.port, PORT_RANGE_MESSAGE);
      if (p.port === undefined || p.port === null) errs.required(childPath(pp, 'port'));
    });
  });
}

function dataKeys(errs: FieldErrors, v: unknown, path: string, seen: Set<string>): number {
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

function immutableData(errs: FieldErrors, obj: Rec, old: KubeObject | undefined, fields: string[]): void {
  if (!old || old.immutable !== true) return;
  if (obj.immutable !== true) errs.forbidden('immutable', 'field is immutable when `immutable` is set');
  for (const f of fields) {
    if (JSON.stringify(obj[f] ?? {}) !== JSON.stringify(old[f] ?? {})) errs.forbidden(f, 'field is immutable when `immutable` is set');
  }
}

function validateConfigMap(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const seen = new Set<string>();
  let size = dataKeys(errs, obj.data, 'data', seen);
  const bd = asObj(obj.binaryData);
  if (bd) {
    for (const [k, val] of Object.entries(bd)) {
      errs.check(keyPath('binaryData', k), k, isConfigMapKey(k));
      if (seen.has(k)) errs.invalid(keyPath('binaryData', k), k, 'duplicate of key present in data');
      if (typeof val === 'string') {
        if (!isBase64(val)) errs.invalid(keyPath('binaryData', k), '<value omitted>', 'illegal base64 data', true);
        size += Math.floor((val.length * 3) / 4);
      }
    }
  }
  if (size > MAX_DATA_SIZE) errs.tooLong('data', MAX_DATA_SIZE);
  immutableData(errs, obj, old, ['data', 'binaryData']);
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

function isBase64(s: string): boolean {
  return BASE64.test(s);
}

const SECRET_REQUIRED_KEYS: Record<string, string[]> = {
  'kubernetes.io/dockerconfigjson': ['.dockerconfigjson'],
  'kubernetes.io/dockercfg': ['.dockercfg'],
  'kubernetes.io/tls': ['tls.crt', 'tls.key'],
  'kubernetes.io/ssh-auth': ['ssh-privatekey'],
};

function validateSecret(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const data = asObj(obj.data) ?? {};
  let size = 0;
  for (const [k, v] of Object.entries(data)) {
    errs.check(keyPath('data', k), k, isConfigMapKey(k));
    if (typeof v === 'string') {
      if (!isBase64(v)) errs.invalid(keyPath('data', k), '<secret contents redacted>', 'illegal base64 data', true);
      size += Math.floor((v.length * 3) / 4);
    }
  }
  const sd = asObj(obj.stringData);
  if (sd)
    for (const [k, v] of Object.entries(sd)) {
      errs.check(keyPath('stringData', k), k, isConfigMapKey(k));
      if (typeof v === 'string') size += v.length;
    }
  if (size > MAX_DATA_SIZE) errs.tooLong('data', MAX_DATA_SIZE);
  const type = asStr(obj.type);
  if (type) {
    errs.check('type', type, isQualifiedName(type));
    for (const key of SECRET_REQUIRED_KEYS[type] ?? []) {
      if (!(key in data) && !(sd && key in sd)) errs.required(keyPath('data', key));
    }
    if (type === 'kubernetes.io/service-account-token') {
      const ann = asObj(asObj(obj.metadata)?.annotations) ?? {};
      if (!asStr(ann['kubernetes.io/service-account.name'])) errs.required('metadata.annotations[kubernetes.io/service-account.name]');
    }
    if (type === 'kubernetes.io/basic-auth' && !('username' in data) && !('password' in data) && !(sd && ('username' in sd || 'password' in sd)))
      errs.required(keyPath('data', 'username'));
  }
  if (old) {
    const before = asStr(old.type) ?? 'Opaque';
    if (type && type !== before) errs.invalid('type', type, 'field is immutable');
  }
  immutableData(errs, obj, old, ['data']);
}

function validateNode(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) return;
  const seen = new Set<string>();
  asArr(spec.taints).forEach((tv, i) => {
    const tp = indexPath('spec.taints', i);
    const t = asObj(tv);
    if (!t) return;
    const key = asStr(t.key);
    if (!key) errs.required(childPath(tp, 'key'));
    else errs.check(childPath(tp, 'key'), key, isQualifiedName(key));
    const value = asStr(t.value);
    if (value) errs.check(childPath(tp, 'value'), value, isValidLabelValue(value));
    if (t.effect === undefined || t.effect === null || t.effect === '') errs.required(childPath(tp, 'effect'));
    const id = `${key}:${String(t.effect)}`;
    if (seen.has(id)) errs.duplicate(tp, { key, effect: t.effect });
    seen.add(id);
  });
}

/** Quota keys that count objects, whose limits are whole numbers. */
const QUOTA_COUNTS = new Set([
  'pods',
  'services',
  'secrets',
  'configmaps',
  'persistentvolumeclaims',
  'replicationcontrollers',
  'resourcequotas',
  'services.loadbalancers',
  'services.nodeports',
]);

function validateResourceQuota(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (spec) {
    const hard = validateQuantityMap(errs, spec.hard, 'spec.hard');
    // Usage is summed in JavaScript numbers: a limit beyond 2^53 cannot be compared exactly, and a count
    // such as 99999999999999999999 pods is a typing slip, not a quota.
    for (const [key, n] of hard) {
      const p = keyPath('spec.hard', key);
      const raw = asObj(spec.hard)?.[key] as string | number;
      if (n > Number.MAX_SAFE_INTEGER) errs.invalid(p, raw, `must be no larger than ${Number.MAX_SAFE_INTEGER}`);
      else if ((QUOTA_COUNTS.has(key) || key.startsWith('count/')) && !Number.isInteger(n)) errs.invalid(p, raw, 'must be a whole number of objects');
    }
  }
  const status = asObj(obj.status);
  if (status) {
    validateQuantityMap(errs, status.hard, 'status.hard');
    validateQuantityMap(errs, status.used, 'status.used');
  }
  const SCOPES = ['Terminating', 'NotTerminating', 'BestEffort', 'NotBestEffort', 'PriorityClass', 'CrossNamespacePodAffinity', 'VolumeAttributesClass'];
  asArr(spec?.scopes).forEach((s, i) => {
    if (typeof s === 'string' && !SCOPES.includes(s)) errs.notSupported(indexPath('spec.scopes', i), s, SCOPES);
  });
}

function validateLimitRange(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  asArr(spec.limits).forEach((lv, i) => {
    const lp = indexPath('spec.limits', i);
    const l = asObj(lv);
    if (!l) return;
    if (l.type === undefined || l.type === null || l.type === '') errs.required(childPath(lp, 'type'));
    const max = validateQuantityMap(errs, l.max, childPath(lp, 'max'));
    const min = validateQuantityMap(errs, l.min, childPath(lp, 'min'));
    const def = validateQuantityMap(errs, l.default, childPath(lp, 'default'));
    const defReq = validateQuantityMap(errs, l.defaultRequest, childPath(lp, 'defaultRequest'));
    validateQuantityMap(errs, l.maxLimitRequestRatio, childPath(lp, 'maxLimitRequestRatio'));
    for (const [name, lo] of min) {
      const hi = max.get(name);
      if (hi !== undefined && lo > hi)
        errs.invalid(
          keyPath(childPath(lp, 'min'), name),
          (asObj(l.min) ?? {})[name],
          `min value ${String((asObj(l.min) ?? {})[name])} is greater than max value ${String((asObj(l.max) ?? {})[name])}`,
        );
    }
    for (const [label, m] of [
      ['default', def],
      ['defaultRequest', defReq],
    ] as const) {
      for (const [name, v] of m) {
        const hi = max.get(name);
        const lo = min.get(name);
        const raw = (asObj(l[label]) ?? {})[name];
        if (hi !== undefined && v > hi)
          errs.invalid(
            keyPath(childPath(lp, label), name),
            raw,
            `${label} value ${String(raw)} is greater than max value ${String((asObj(l.max) ?? {})[name])}`,
          );
        if (lo !== undefined && v < lo)
          errs.invalid(
            keyPath(childPath(lp, label), name),
            raw,
            `min value ${String((asObj(l.min) ?? {})[name])} is greater than ${label} value ${String(raw)}`,
          );
      }
    }
    for (const [name, r] of defReq) {
      const d = def.get(name);
      if (d !== undefined && r > d)
        errs.invalid(
          keyPath(childPath(lp, 'defaultRequest'), name),
          (asObj(l.defaultRequest) ?? {})[name],
          `default request value ${String((asObj(l.defaultRequest) ?? {})[name])} is greater than default limit value ${String((asObj(l.default) ?? {})[name])}`,
        );
    }
  });
}

const ACCESS_MODES = ['ReadWriteOnce', 'ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOncePod'];

function validatePVC(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const modes = asArr(spec.accessModes);
  if (modes.length === 0) errs.required('spec.accessModes', 'at least 1 access mode is required');
  modes.forEach((m, i) => {
    if (typeof m === 'string' && !ACCESS_MODES.includes(m)) errs.notSupported(indexPath('spec.accessModes', i), m, ACCESS_MODES);
  });
  const res = asObj(spec.resources);
  const requests = validateQuantityMap(errs, res?.requests, 'spec.resources.requests');
  validateQuantityMap(errs, res?.limits, 'spec.resources.limits');
  const storage = requests.get('storage');
  if (storage === undefined) {
    if (!(asObj(res?.requests) && 'storage' in (asObj(res?.requests) ?? {}))) errs.required('spec.resources[storage]');
  } else if (storage <= 0) errs.invalid('spec.resources.requests[storage]', (asObj(res?.requests) ?? {}).storage, 'must be greater than zero');
  validateLabelSelector(errs, spec.selector, 'spec.selector');
  if (old) {
    for (const f of ['accessModes', 'storageClassName', 'volumeMode', 'selector']) {
      const before = getPath(old, `spec.${f}`);
      if (before !== undefined)
        immutable(
          errs,
          `spec.${f}`,
          spec[f],
          before,
          'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        );
    }
  }
}

function validateLease(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) return;
  positive(errs, spec.leaseDurationSeconds, 'spec.leaseDurationSeconds');
  nonNegative(errs, spec.leaseTransitions, 'spec.leaseTransitions');
  for (const f of ['acquireTime', 'renewTime']) {
    const s = asStr(spec[f]);
    if (s && Number.isNaN(Date.parse(s))) errs.invalid(`spec.${f}`, s, 'must be an RFC 3339 date-time with microseconds');
  }
  if (asStr(spec.preferredHolder) && !asStr(spec.strategy)) errs.forbidden('spec.preferredHolder', 'may only be specified if `strategy` is defined');
}

function validateIngressBackend(errs: FieldErrors, bv: unknown, path: string): void {
  const b = asObj(bv);
  if (!b) {
    errs.required(path);
    return;
  }
  const svc = asObj(b.service);
  const res = asObj(b.resource);
  if (svc && res) errs.invalid(path, '', 'cannot set both resource and service backends');
  if (!svc && !res) errs.invalid(path, '', 'resource or service backend is required');
  if (svc) {
    const name = asStr(svc.name);
    if (!name) errs.required(childPath(path, 'service.name'));
    else errs.check(childPath(path, 'service.name'), name, isDNS1035Label(name));
    const port = asObj(svc.port);
    const pn = asStr(port?.name);
    const num = port?.number;
    if (pn && typeof num === 'number' && num !== 0) errs.invalid(childPath(path, 'service.port'), '', 'cannot set both port name & port number');
    else if (pn) errs.check(childPath(path, 'service.port.name'), pn, isPortName(pn));
    else if (typeof num === 'number' && num !== 0) {
      if (!isValidPortNum(num)) errs.invalid(childPath(path, 'service.port.number'), num, PORT_RANGE_MESSAGE);
    } else errs.required(childPath(path, 'service.port'), 'port name or number is required');
  }
  if (res) {
    if (!asStr(res.kind)) errs.required(childPath(path, 'resource.kind'));
    if (!asStr(res.name)) errs.required(childPath(path, 'resource.name'));
  }
}

function validateIngress(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  if (!spec) {
    if (obj.spec === undefined || obj.spec === null) errs.required('spec');
    return;
  }
  const rules = asArr(spec.rules);
  if (rules.length === 0 && (spec.defaultBackend === undefined || spec.defaultBackend === null))
    errs.invalid('spec', '', 'either `defaultBackend` or `rules` must be specified');
  if (spec.defaultBackend !== undefined && spec.defaultBackend !== null) validateIngressBackend(errs, spec.defaultBackend, 'spec.defaultBackend');
  rules.forEach((rv, i) => {
    const rp = indexPath('spec.rules', i);
    const r = asObj(rv);
    if (!r) return;
    const host = asStr(r.host);
    if (host) {
      const h = host.startsWith('*.') ? host.slice(2) : host;
      errs.check(childPath(rp, 'host'), host, isDNS1123Subdomain(h));
    }
    const http = asObj(r.http);
    if (!http) return;
    const paths = asArr(http.paths);
    if (paths.length === 0) errs.required(childPath(rp, 'http.paths'));
    paths.forEach((pv, j) => {
      const pp = indexPath(childPath(rp, 'http.paths'), j);
      const p = asObj(pv);
      if (!p) return;
      const pathType = p.pathType;
      if (pathType === undefined || pathType === null || pathType === '') errs.required(childPath(pp, 'pathType'), 'pathType must be specified');
      const path = asStr(p.path);
      if ((pathType === 'Prefix' || pathType === 'Exact') && (!path || !path.startsWith('/')))
        errs.invalid(childPath(pp, 'path'), path ?? '', 'must be an absolute path');
      validateIngressBackend(errs, p.backend, childPath(pp, 'backend'));
    });
  });
  asArr(spec.tls).forEach((tv, i) => {
    const t = asObj(tv);
    if (!t) return;
    asArr(t.hosts).forEach((h, j) => {
      if (typeof h === 'string')
        errs.check(indexPath(childPath(indexPath('spec.tls', i), 'hosts'), j), h, isDNS1123Subdomain(h.startsWith('*.') ? h.slice(2) : h));
    });
  });
}

function validateRules(errs: FieldErrors, obj: Rec, namespaced: boolean): void {
  asArr(obj.rules).forEach((rv, i) => {
    const rp = indexPath('rules', i);
    const r = asObj(rv);
    if (!r) return;
    if (asArr(r.verbs).length === 0) errs.required(childPath(rp, 'verbs'), 'verbs must contain at least one value');
    const urls = asArr(r.nonResourceURLs);
    if (urls.length > 0) {
      if (namespaced) errs.invalid(childPath(rp, 'nonResourceURLs'), urls, 'namespaced rules cannot apply to non-resource URLs');
      if (asArr(r.apiGroups).length > 0 || asArr(r.resources).length > 0 || asArr(r.resourceNames).length > 0)
        errs.invalid(childPath(rp, 'nonResourceURLs'), urls, 'rules cannot apply to both regular resources and non-resource URLs');
      return;
    }
    if (asArr(r.apiGroups).length === 0) errs.required(childPath(rp, 'apiGroups'), 'resource rules must supply at least one api group');
    if (asArr(r.resources).length === 0) errs.required(childPath(rp, 'resources'), 'resource rules must supply at least one resource');
  });
}

const SUBJECT_KINDS = ['ServiceAccount', 'User', 'Group'];

function validateBinding(errs: FieldErrors, obj: Rec, old: KubeObject | undefined, cluster: boolean): void {
  const ref = asObj(obj.roleRef);
  if (!ref) errs.required('roleRef');
  else {
    const apiGroup = ref.apiGroup;
    if (apiGroup !== RBAC_GROUP && typeof apiGroup !== 'number') {
      if (apiGroup === undefined || apiGroup === null || apiGroup === '') errs.notSupported('roleRef.apiGroup', apiGroup ?? '', [RBAC_GROUP]);
      else if (typeof apiGroup === 'string') errs.notSupported('roleRef.apiGroup', apiGroup, [RBAC_GROUP]);
    }
    const kinds = cluster ? ['ClusterRole'] : ['Role', 'ClusterRole'];
    const k = ref.kind;
    if (k === undefined || k === null || k === '') errs.notSupported('roleRef.kind', '', kinds);
    else if (typeof k === 'string' && !kinds.includes(k)) errs.notSupported('roleRef.kind', k, kinds);
    const name = asStr(ref.name);
    if (!name) errs.required('roleRef.name');
    else errs.check('roleRef.name', name, isPathSegmentName(name));
  }
  asArr(obj.subjects).forEach((sv, i) => {
    const sp = indexPath('subjects', i);
    const s = asObj(sv);
    if (!s) return;
    const name = asStr(s.name);
    if (!name) errs.required(childPath(sp, 'name'));
    const kind = s.kind;
    if (typeof kind === 'string' && !SUBJECT_KINDS.includes(kind)) errs.notSupported(childPath(sp, 'kind'), kind, SUBJECT_KINDS);
    if (kind === undefined || kind === null) errs.notSupported(childPath(sp, 'kind'), '', SUBJECT_KINDS);
    if (kind === 'ServiceAccount') {
      if (typeof s.apiGroup === 'string' && s.apiGroup !== '') errs.notSupported(childPath(sp, 'apiGroup'), s.apiGroup, ['']);
      if (cluster && !asStr(s.namespace)) errs.required(childPath(sp, 'namespace'));
      if (name) errs.check(childPath(sp, 'name'), name, isDNS1123Subdomain(name));
    } else if (kind === 'User' || kind === 'Group') {
      if (typeof s.apiGroup === 'string' && s.apiGroup !== RBAC_GROUP) errs.notSupported(childPath(sp, 'apiGroup'), s.apiGroup, [RBAC_GROUP]);
    }
  });
  if (old && old.roleRef !== undefined && JSON.stringify(obj.roleRef ?? null) !== JSON.stringify(old.roleRef))
    errs.invalid('roleRef', obj.roleRef ?? null, 'cannot change roleRef');
}

function validateNamespace(errs: FieldErrors, obj: Rec): void {
  const spec = asObj(obj.spec);
  asArr(spec?.finalizers).forEach((f, i) => {
    if (typeof f === 'string') errs.check(indexPath('spec.finalizers', i), f, isQualifiedName(f));
  });
}

function validateEvent(errs: FieldErrors, obj: Rec): void {
  const io = asObj(obj.involvedObject);
  const meta = asObj(obj.metadata);
  if (io && asStr(io.namespace) && asStr(meta?.namespace) && io.namespace !== meta?.namespace)
    errs.invalid('involvedObject.namespace', io.namespace, 'does not match event.namespace');
  nonNegative(errs, obj.count, 'count');
}

function validateServiceAccount(errs: FieldErrors, obj: Rec): void {
  asArr(obj.imagePullSecrets).forEach((sv, i) => {
    const s = asObj(sv);
    if (s && !asStr(s.name)) errs.required(childPath(indexPath('imagePullSecrets', i), 'name'));
  });
}

function validatePod(errs: FieldErrors, obj: Rec, old: KubeObject | undefined): void {
  validatePodSpec(errs, obj.spec, 'spec');
  if (old) {
    // Pod updates may only change images, activeDeadlineSeconds, tolerations additions and a few more.
    const spec = asObj(obj.spec);
    const before = asObj(old.spec);
    if (spec && before) {
      const strip = (s: Rec): string => {
        const copy: Rec = { ...s, activeDeadlineSeconds: undefined, tolerations: undefined, schedulingGates: undefined, nodeName: undefined };
        copy.containers = asArr(s.containers).map((c) => ({ ...(asObj(c) ?? {}), image: undefined }));
        copy.initContainers = asArr(s.initContainers).map((c) => ({ ...(asObj(c) ?? {}), image: undefined }));
        return JSON.stringify(copy);
      };
      if (strip(spec) !== strip(before))
        errs.forbidden(
          'spec',
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
        );
    }
  }
}

type SemanticCheck = (errs: FieldErrors, obj: Rec, old: KubeObject | undefined, t: ResourceType) => void;

const SEMANTIC: Record<string, SemanticCheck> = {
  Pod: validatePod,
  Deployment: validateDeployment,
  ReplicaSet: validateReplicaSet,
  Job: (e, o, old) => validateJobSpec(e, o.spec, 'spec', old ? asObj(old.spec) : undefined, false),
  CronJob: validateCronJob,
  Service: validateService,
  Endpoints: (e, o) => validateEndpoints(e, o),
  ConfigMap: validateConfigMap,
  Secret: validateSecret,
  Node: (e, o) => validateNode(e, o),
  Namespace: (e, o) => validateNamespace(e, o),
  Event: (e, o) => validateEvent(e, o),
  ResourceQuota: (e, o) => validateResourceQuota(e, o),
  LimitRange: (e, o) => validateLimitRange(e, o),
  ServiceAccount: (e, o) => validateServiceAccount(e, o),
  PersistentVolumeClaim: validatePVC,
  Lease: (e, o) => validateLease(e, o),
  Ingress: (e, o) => validateIngress(e, o),
  Role: (e, o) => validateRules(e, o, true),
  ClusterRole: (e, o) => validateRules(e, o, false),
  RoleBinding: (e, o, old) => validateBinding(e, o, old, false),
  ClusterRoleBinding: (e, o, old) => validateBinding(e, o, old, true),
};

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
    SEMANTIC[t.kind]?.(errs, o, old && asObj(old) ? old : undefined, t);
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
