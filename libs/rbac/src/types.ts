// The RBAC vocabulary (rbac.authorization.k8s.io/v1), independent of storage and transport.
import type { PolicyRule } from '@flotilla/resources';

// A rule is the API's own type, so a Role read from the store is evaluated as it was validated.
export type { PolicyRule };

export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount' | string;
  name: string;
  namespace?: string;
  apiGroup?: string;
}

export interface RoleRef {
  apiGroup?: string;
  kind: 'Role' | 'ClusterRole' | string;
  name: string;
}

export interface RoleObject {
  kind?: string;
  metadata: { name?: string; namespace?: string; labels?: Record<string, string> };
  rules?: PolicyRule[];
}

export interface BindingObject {
  kind?: string;
  metadata: { name?: string; namespace?: string };
  subjects?: Subject[];
  roleRef: RoleRef;
}

/** Who is asking (Kubernetes' user.Info). */
export interface Subjectish {
  username: string;
  groups: string[];
}

/** What is asked (Kubernetes' authorizer.Attributes). */
export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** Set for non-resource requests (/version, /healthz, /apis). */
  path?: string;
}
