// A container's environment, Kubernetes semantics: envFrom first, then env (later wins), $(VAR) expansion.
import type { Container, Pod } from '@flotilla/resources';
import { parseQuantity } from '@flotilla/resources';
import { configError } from './errors';

export interface DataResolver {
  /** ConfigMap data, or undefined when it does not exist. */
  configMap(namespace: string, name: string): Promise<Record<string, string> | undefined>;
  /** Secret data with values already base64-decoded, or undefined when it does not exist. */
  secret(namespace: string, name: string): Promise<Record<string, string> | undefined>;
}

export interface FieldContext {
  podIP?: string;
  hostIP?: string;
  nodeName: string;
}

const ENV_NAME = /^[-._a-zA-Z][-._a-zA-Z0-9]*$/;

/**
 * Expands `$(NAME)` from `vars`; `$$(NAME)` escapes to a literal `$(NAME)`; unknown names stay as written, or
 * become `unknown` when given (subPathExpr expands them to nothing).
 */
export function expandVars(input: string, vars: ReadonlyMap<string, string>, unknown?: string): string {
  return input.replace(/\$\$|\$\(([^)]*)\)/g, (match: string, name: string | undefined) => {
    if (match === '$$') return '$';
    return name !== undefined && vars.has(name) ? (vars.get(name) as string) : (unknown ?? match);
  });
}

export function fieldValue(pod: Pod, fieldPath: string, ctx: FieldContext): string {
  const md = pod.metadata;
  const sub = /^metadata\.(labels|annotations)\['([^']+)'\]$/.exec(fieldPath);
  if (sub) return (sub[1] === 'labels' ? md.labels : md.annotations)?.[sub[2]] ?? '';
  switch (fieldPath) {
    case 'metadata.name':
      return md.name ?? '';
    case 'metadata.namespace':
      return md.namespace ?? 'default';
    case 'metadata.uid':
      return md.uid ?? '';
    case 'spec.nodeName':
      return pod.spec.nodeName ?? ctx.nodeName;
    case 'spec.serviceAccountName':
      return pod.spec.serviceAccountName ?? 'default';
    case 'status.podIP':
      return ctx.podIP ?? '';
    case 'status.podIPs':
      return ctx.podIP ?? '';
    case 'status.hostIP':
      return ctx.hostIP ?? '';
    default:
      throw configError(`unsupported fieldRef fieldPath "${fieldPath}"`);
  }
}

function resourceValue(container: Container, resource: string, divisor?: string): string {
  const [kind, name] = resource.split('.');
  const list = kind === 'limits' ? container.resources?.limits : container.resources?.requests;
  const raw = list?.[name];
  if (raw === undefined) return '0';
  return String(Math.ceil(parseQuantity(raw) / parseQuantity(divisor ?? '1')));
}

/** Resolves env and envFrom into Docker's `NAME=value` list. Missing non-optional sources throw. */
export async function resolveEnv(pod: Pod, container: Container, resolve: DataResolver, ctx: FieldContext): Promise<Map<string, string>> {
  const ns = pod.metadata.namespace ?? 'default';
  const env = new Map<string, string>();
  const cache = new Map<string, Promise<Record<string, string> | undefined>>();
  const load = (kind: 'configMap' | 'secret', name: string): Promise<Record<string, string> | undefined> => {
    const key = `${kind}/${name}`;
    let p = cache.get(key);
    if (!p) {
      p = kind === 'configMap' ? resolve.configMap(ns, name) : resolve.secret(ns, name);
      cache.set(key, p);
    }
    return p;
  };

  for (const from of container.envFrom ?? []) {
    const ref = from.configMapRef ?? from.secretRef;
    if (!ref) continue;
    const kind = from.configMapRef ? 'configMap' : 'secret';
    const data = await load(kind, ref.name);
    if (!data) {
      if (ref.optional) continue;
      throw configError(`${kind.toLowerCase()} "${ref.name}" not found`);
    }
    for (const [k, v] of Object.entries(data)) {
      const name = `${from.prefix ?? ''}${k}`;
      if (ENV_NAME.test(name)) env.set(name, v);
    }
  }

  for (const e of container.env ?? []) {
    if (e.valueFrom === undefined) {
      env.set(e.name, expandVars(e.value ?? '', env));
      continue;
    }
    const src = e.valueFrom;
    if (src.fieldRef) {
      env.set(e.name, fieldValue(pod, src.fieldRef.fieldPath, ctx));
    } else if (src.resourceFieldRef) {
      const target = src.resourceFieldRef.containerName
        ? ([...pod.spec.containers, ...(pod.spec.initContainers ?? [])].find((c) => c.name === src.resourceFieldRef?.containerName) ?? container)
        : container;
      env.set(e.name, resourceValue(target, src.resourceFieldRef.resource, src.resourceFieldRef.divisor));
    } else {
      const ref = src.configMapKeyRef ?? src.secretKeyRef;
      if (!ref) continue;
      const kind = src.configMapKeyRef ? 'configMap' : 'secret';
      const data = await load(kind, ref.name);
      if (!data) {
        if (ref.optional) continue;
        throw configError(`${kind.toLowerCase()} "${ref.name}" not found`);
      }
      if (!(ref.key in data)) {
        if (ref.optional) continue;
        throw configError(`couldn't find key ${ref.key} in ${kind === 'configMap' ? 'ConfigMap' : 'Secret'} ${ns}/${ref.name}`);
      }
      env.set(e.name, data[ref.key]);
    }
  }
  return env;
}
