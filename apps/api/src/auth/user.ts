// Who is making a request, as Kubernetes' user.Info describes it.
import type { RequestAttributes } from '@flotilla/rbac';

export interface UserInfo {
  username: string;
  uid: string;
  groups: string[];
}

export const ANONYMOUS: UserInfo = { username: 'system:anonymous', uid: '', groups: ['system:unauthenticated'] };

/** The attributes every request is authorised on: the ones the RBAC evaluator reads. */
export type Attributes = RequestAttributes;
