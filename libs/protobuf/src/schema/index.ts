// Builds the protobuf schema once and maps each served apiVersion/kind to its message type.
import { apiVersionOf, kindModules, resourceTypes } from '@flotilla/resources';
import * as protobuf from 'protobufjs';
import { AUTHENTICATION_PROTO, AUTHORIZATION_PROTO, POLICY_PROTO, RBAC_PROTO, SCHEDULING_PROTO } from './access.proto';
import { CORE_PROTO } from './core.proto';
import { APIMACHINERY_PROTO, META_PROTO } from './meta.proto';
import { NETWORKING_PROTO } from './networking.proto';
import { APPS_PROTO, BATCH_PROTO } from './workloads.proto';

const SOURCES = [
  META_PROTO,
  APIMACHINERY_PROTO,
  CORE_PROTO,
  APPS_PROTO,
  BATCH_PROTO,
  NETWORKING_PROTO,
  RBAC_PROTO,
  AUTHENTICATION_PROTO,
  AUTHORIZATION_PROTO,
  POLICY_PROTO,
  SCHEDULING_PROTO,
];

/**
 * Request-only kinds kubectl may send as protobuf that are not stored objects (reviews, token
 * requests) or are not served yet; the stored kinds name their message in their kind module.
 */
const REQUEST_KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'authentication.k8s.io/v1': {
    TokenRequest: 'authentication.TokenRequest',
    SelfSubjectReview: 'authentication.SelfSubjectReview',
  },
  'authorization.k8s.io/v1': {
    SelfSubjectAccessReview: 'authorization.SelfSubjectAccessReview',
    SelfSubjectRulesReview: 'authorization.SelfSubjectRulesReview',
  },
  'policy/v1': { PodDisruptionBudget: 'policy.PodDisruptionBudget' },
  'scheduling.k8s.io/v1': { PriorityClass: 'scheduling.PriorityClass' },
};

/** apiVersion → kind → message type name in our schema: the kind modules' messages, then the request kinds. */
const KINDS: Readonly<Record<string, Readonly<Record<string, string>>>> = (() => {
  const out: Record<string, Record<string, string>> = {};
  kindModules.forEach((m, i) => {
    if (!m.protobuf) return;
    const apiVersion = apiVersionOf(resourceTypes[i]);
    (out[apiVersion] ??= {})[m.resource.kind] = m.protobuf;
  });
  for (const [apiVersion, kinds] of Object.entries(REQUEST_KINDS)) out[apiVersion] = { ...(out[apiVersion] ?? {}), ...kinds };
  return out;
})();

let root: protobuf.Root | undefined;

/** The parsed and resolved schema (built on first use). */
export function schemaRoot(): protobuf.Root {
  if (!root) {
    const built = new protobuf.Root();
    for (const source of SOURCES) protobuf.parse(source, built, { keepCase: true });
    for (const m of kindModules) if (m.protobufSchema) protobuf.parse(m.protobufSchema, built, { keepCase: true });
    built.resolveAll();
    root = built;
  }
  return root;
}

export function messageType(name: string): protobuf.Type {
  return schemaRoot().lookupType(name);
}

/** The message type for an apiVersion/kind pair, or undefined when the kind is not served. */
export function kindType(apiVersion: string, kind: string): protobuf.Type | undefined {
  const byKind = Object.prototype.hasOwnProperty.call(KINDS, apiVersion) ? KINDS[apiVersion] : undefined;
  const name = byKind && Object.prototype.hasOwnProperty.call(byKind, kind) ? byKind[kind] : undefined;
  return name ? messageType(name) : undefined;
}

/** Every served apiVersion/kind pair, for tests and discovery. */
export function protobufKinds(): { apiVersion: string; kind: string }[] {
  return Object.entries(KINDS).flatMap(([apiVersion, kinds]) => Object.keys(kinds).map((kind) => ({ apiVersion, kind })));
}
