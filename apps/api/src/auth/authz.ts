// Authorisation: Kubernetes RBAC evaluated in memory from the watch cache, the node authorizer for
// agents, and the tenancy rules on top: a namespace the user cannot see answers 404 (not 403), and
// a list or watch across namespaces returns only what the user may see instead of failing.
import { KubeObject, resourceTypes } from '@flotilla/resources';
import { authorizeNode, BindingObject, NodeGraph, nodeNameOf, podReferences, Policy, RoleObject } from '@flotilla/rbac';
import { notFound, type Store, type StoreError } from '@flotilla/store';
import type { Attributes, UserInfo } from './user';

export interface Decision {
  allowed: boolean;
  reason?: string;
  /** Denied because the namespace is not visible to the user: answer 404. */
  notFound?: boolean;
  /** Allowed, but a list/watch may only return these objects. */
  visible?: (obj: KubeObject) => boolean;
}

export interface Authorizer {
  authorize(user: UserInfo, attrs: Attributes): Promise<Decision>;
}

const RBAC = 'rbac.authorization.k8s.io';
const RBAC_KEYS = new Set([`${RBAC}/roles`, `${RBAC}/rolebindings`, `${RBAC}/clusterroles`, `${RBAC}/clusterrolebindings`]);
const NAMESPACED = new Set(resourceTypes.filter((t) => t.namespaced).map((t) => `${t.group}/${t.plural}`));

/** Kubernetes' RequestInfo puts a Namespace's own name in the namespace attribute. */
export function normalise(a: Attributes): Attributes {
  if (a.path === undefined && a.group === '' && a.resource === 'namespaces' && a.name && !a.namespace) return { ...a, namespace: a.name };
  return a;
}

export class RbacAuthorizer implements Authorizer {
  private policy?: Policy;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly store: Store) {
    store.cache.onChange((c) => {
      if (RBAC_KEYS.has(c.resource)) this.policy = undefined;
    });
    // A cache reload (after a long pause) replaces objects without change events: rebuild now and then.
    this.timer = setInterval(() => (this.policy = undefined), 30_000);
    this.timer.unref();
  }

  /** The current policy, rebuilt from the watch cache after any RBAC change. */
  current(): Policy {
    if (!this.policy) {
      const list = <T>(k: string) => this.store.cache.list(`${RBAC}/${k}`).map((e) => e.obj as unknown as T);
      this.policy = new Policy({
        roles: list<RoleObject>('roles'),
        clusterRoles: list<RoleObject>('clusterroles'),
        roleBindings: list<BindingObject>('rolebindings'),
        clusterRoleBindings: list<BindingObject>('clusterrolebindings'),
      });
    }
    return this.policy;
  }

  readonly graph: NodeGraph = {
    podNode: (ns, name) => (this.store.cache.get('core/pods', ns, name)?.obj.spec as { nodeName?: string } | undefined)?.nodeName ?? '',
    nodeUses: (node, kind, ns, name) =>
      this.store.cache
        .list('core/pods', ns)
        .some((e) => (e.obj.spec as { nodeName?: string } | undefined)?.nodeName === node && podReferences(e.obj.spec)[kind].has(name)),
    nodeHasPodIn: (node, ns) => this.store.cache.list('core/pods', ns).some((e) => (e.obj.spec as { nodeName?: string } | undefined)?.nodeName === node),
    ingressUses: (ns, secret) =>
      this.store.cache
        .list('networking.k8s.io/ingresses', ns)
        .some((e) => ((e.obj.spec as { tls?: { secretName?: string }[] } | undefined)?.tls ?? []).some((t) => t.secretName === secret)),
  };

  async authorize(user: UserInfo, raw: Attributes): Promise<Decision> {
    if (user.groups.includes('system:masters')) return { allowed: true };
    const a = normalise(raw);
    const node = nodeNameOf(user);
    if (node) {
      // Agents may still do discovery and read /version like everyone.
      if (a.path !== undefined && this.current().allows(user, a)) return { allowed: true };
      const d = authorizeNode(node, a, this.graph);
      if (!d.allowed) return { allowed: false, reason: d.reason };
      const onNode = d.podsOnNode;
      return onNode ? { allowed: true, visible: (o) => (o.spec as { nodeName?: string } | undefined)?.nodeName === onNode } : { allowed: true };
    }
    let d = this.decide(user, a);
    if (!d.allowed) {
      // A binding created a moment ago may not be in this process's cache yet: catch up once.
      await this.store.sync();
      d = this.decide(user, a);
    }
    return d;
  }

  /** Can the user see this namespace at all (any binding in it, or cluster-wide read of it)? */
  namespaceVisible(user: UserInfo, ns: string, p = this.current()): boolean {
    if (user.groups.includes('system:masters')) return true;
    if (p.boundNamespaces(user).has(ns)) return true;
    return p.allows(user, { verb: 'get', group: '', resource: 'namespaces', subresource: '', namespace: ns, name: ns });
  }

  private decide(user: UserInfo, a: Attributes): Decision {
    const p = this.current();
    if (p.allows(user, a)) return { allowed: true };
    if (a.path !== undefined) return { allowed: false, reason: 'no RBAC policy matched' };
    const isList = (a.verb === 'list' || a.verb === 'watch') && !a.name;
    if (isList && !a.namespace && user.groups.includes('system:authenticated')) {
      const bound = p.boundNamespaces(user);
      if (a.group === '' && a.resource === 'namespaces' && !a.subresource) {
        return { allowed: true, visible: (o) => bound.has(o.metadata.name ?? '') };
      }
      if (NAMESPACED.has(`${a.group}/${a.resource}`) && !a.subresource) {
        const ok = new Set([...bound].filter((ns) => p.allows(user, { ...a, namespace: ns })));
        if (ok.size > 0) return { allowed: true, visible: (o) => ok.has(o.metadata.namespace ?? '') };
      }
    }
    if (a.namespace && !this.namespaceVisible(user, a.namespace, p)) return { allowed: false, notFound: true, reason: 'namespace not visible to the user' };
    return { allowed: false, reason: 'no RBAC policy matched' };
  }
}

/** The Kubernetes wording of a denial. */
export function forbiddenMessage(user: UserInfo, a: Attributes, pluralName: string): string {
  const res = a.subresource ? `${pluralName}/${a.subresource}` : pluralName;
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  const named = a.name ? `${pluralName}${a.group ? `.${a.group}` : ''} "${a.name}" is forbidden` : `${pluralName}${a.group ? `.${a.group}` : ''} is forbidden`;
  return `${named}: User "${user.username}" cannot ${a.verb} resource "${res}" in API group "${a.group}"${scope}`;
}

/** The 404 a user gets for anything in a namespace they cannot see: the store's, as if it did not exist. */
export function hiddenNotFound(a: Attributes, pluralName: string): StoreError {
  if (a.name && !(a.resource === 'namespaces' && a.group === '')) return notFound(pluralName, a.group, a.name);
  return notFound('namespaces', '', a.namespace || a.name);
}
