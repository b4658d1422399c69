// An in-memory RBAC policy: roles and bindings indexed by subject, so deciding a request looks only
// at the bindings that name the user or one of their groups. Fed with plain objects (the API feeds
// it from its watch cache); the decision functions are pure.
import { rulesAllow } from './rules';
import type { BindingObject, PolicyRule, RequestAttributes, RoleObject, Subject, Subjectish } from './types';

const SA_PREFIX = 'system:serviceaccount:';

interface IndexedBinding {
  /** '' for ClusterRoleBindings. */
  namespace: string;
  name: string;
  roleRef: BindingObject['roleRef'];
}

export interface PolicySnapshot {
  roles: RoleObject[];
  clusterRoles: RoleObject[];
  roleBindings: BindingObject[];
  clusterRoleBindings: BindingObject[];
}

/** A rule with where it came from (SelfSubjectRulesReview, escalation messages). */
export interface GrantedRules {
  /** Rules that apply everywhere (ClusterRoleBindings). */
  cluster: PolicyRule[];
  /** Rules that apply in the asked namespace (RoleBindings there). */
  namespaced: PolicyRule[];
}

function subjectKeys(s: Subject, bindingNamespace: string): string[] {
  switch (s.kind) {
    case 'User':
      return [`u:${s.name}`];
    case 'Group':
      return [`g:${s.name}`];
    case 'ServiceAccount':
      return [`u:${SA_PREFIX}${s.namespace || bindingNamespace}:${s.name}`];
    default:
      return [];
  }
}

function userKeys(u: Subjectish): string[] {
  return [`u:${u.username}`, ...u.groups.map((g) => `g:${g}`)];
}

export class Policy {
  private clusterRoles = new Map<string, PolicyRule[]>();
  /** "ns/name" → rules */
  private roles = new Map<string, PolicyRule[]>();
  /** subject key → ClusterRoleBindings naming it */
  private clusterBySubject = new Map<string, IndexedBinding[]>();
  /** subject key → namespace → RoleBindings naming it */
  private nsBySubject = new Map<string, Map<string, IndexedBinding[]>>();

  constructor(snapshot: PolicySnapshot) {
    for (const r of snapshot.clusterRoles) this.clusterRoles.set(r.metadata.name ?? '', r.rules ?? []);
    for (const r of snapshot.roles) this.roles.set(`${r.metadata.namespace ?? ''}/${r.metadata.name ?? ''}`, r.rules ?? []);
    for (const b of snapshot.clusterRoleBindings) {
      if (b.roleRef?.kind !== 'ClusterRole') continue;
      const ib: IndexedBinding = { namespace: '', name: b.metadata.name ?? '', roleRef: b.roleRef };
      for (const s of b.subjects ?? []) for (const k of subjectKeys(s, '')) push(this.clusterBySubject, k, ib);
    }
    for (const b of snapshot.roleBindings) {
      const ns = b.metadata.namespace ?? '';
      const ib: IndexedBinding = { namespace: ns, name: b.metadata.name ?? '', roleRef: b.roleRef };
      for (const s of b.subjects ?? []) {
        for (const k of subjectKeys(s, ns)) {
          let m = this.nsBySubject.get(k);
          if (!m) this.nsBySubject.set(k, (m = new Map()));
          const list = m.get(ns) ?? [];
          list.push(ib);
          m.set(ns, list);
        }
      }
    }
  }

  private rulesOf(b: IndexedBinding): PolicyRule[] {
    if (b.roleRef.kind === 'ClusterRole') return this.clusterRoles.get(b.roleRef.name) ?? [];
    if (b.roleRef.kind === 'Role' && b.namespace) return this.roles.get(`${b.namespace}/${b.roleRef.name}`) ?? [];
    return [];
  }

  /** Every rule that applies to `user` in `namespace` ('' = cluster scope only). */
  rulesFor(user: Subjectish, namespace: string): GrantedRules {
    const cluster: PolicyRule[] = [];
    const namespaced: PolicyRule[] = [];
    for (const k of userKeys(user)) {
      for (const b of this.clusterBySubject.get(k) ?? []) cluster.push(...this.rulesOf(b));
      if (namespace) for (const b of this.nsBySubject.get(k)?.get(namespace) ?? []) namespaced.push(...this.rulesOf(b));
    }
    return { cluster, namespaced };
  }

  /** Kubernetes RBAC: allowed if any binding that names the user grants a matching rule. */
  allows(user: Subjectish, a: RequestAttributes): boolean {
    for (const k of userKeys(user)) {
      for (const b of this.clusterBySubject.get(k) ?? []) if (rulesAllow(this.rulesOf(b), a)) return true;
      if (a.namespace && a.path === undefined) {
        for (const b of this.nsBySubject.get(k)?.get(a.namespace) ?? []) if (rulesAllow(this.rulesOf(b), a)) return true;
      }
    }
    return false;
  }

  /** Namespaces where some RoleBinding names the user (the namespaces a tenant can see). */
  boundNamespaces(user: Subjectish): Set<string> {
    const out = new Set<string>();
    for (const k of userKeys(user)) for (const ns of this.nsBySubject.get(k)?.keys() ?? []) out.add(ns);
    return out;
  }

  /** The rules of a role a binding refers to, or undefined when it does not exist (yet). */
  roleRules(roleRef: BindingObject['roleRef'], namespace: string): PolicyRule[] | undefined {
    if (roleRef.kind === 'ClusterRole') return this.clusterRoles.get(roleRef.name);
    if (roleRef.kind === 'Role') return this.roles.get(`${namespace}/${roleRef.name}`);
    return undefined;
  }
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const list = m.get(k);
  if (list) list.push(v);
  else m.set(k, [v]);
}
