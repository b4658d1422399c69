// Who is making a request, as Kubernetes' user.Info describes it.
export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

/** The attributes every request is authorised on. */
export interface Attributes {
  verb: string;
  group: string;
  resource: string;
  subresource: string;
  namespace: string;
  name: string;
  /** For non-resource URLs such as /healthz. */
  path?: string;
}
