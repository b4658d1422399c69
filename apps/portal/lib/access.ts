// What the signed-in user may do, asked of the API (SelfSubjectAccessReview), cached per request.
import { cache } from 'react';
import { call } from './api';

export interface Can {
  verb: string;
  group?: string;
  resource: string;
  namespace?: string;
  subresource?: string;
}

async function review(a: Can): Promise<boolean> {
  const r = await call<{ status?: { allowed?: boolean } }>('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
    body: {
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectAccessReview',
      spec: {
        resourceAttributes: { verb: a.verb, group: a.group ?? '', resource: a.resource, namespace: a.namespace ?? '', subresource: a.subresource ?? '' },
      },
    },
  });
  return r.ok && r.data?.status?.allowed === true;
}

const cachedReview = cache((verb: string, group: string, resource: string, namespace: string, subresource: string) =>
  review({ verb, group, resource, namespace, subresource }),
);

export function can(a: Can): Promise<boolean> {
  return cachedReview(a.verb, a.group ?? '', a.resource, a.namespace ?? '', a.subresource ?? '');
}

/** Platform administrators manage users (a flotilla.dev resource). */
export function isAdmin(): Promise<boolean> {
  return can({ verb: 'list', group: 'flotilla.dev', resource: 'users' });
}
