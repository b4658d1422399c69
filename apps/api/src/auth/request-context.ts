// What the pipeline learned about the current request (who, and which objects a list or watch may
// return), available to the handlers and admission without threading it through every call.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { KubeObject } from '@flotilla/resources';
import type { UserInfo } from './user';

export interface RequestContext {
  user: UserInfo;
  /** Set when a list or watch may only return some objects (tenants' namespaces, a node's pods). */
  visible?: (obj: KubeObject) => boolean;
}

const storage = new AsyncLocalStorage<RequestContext>();

export function runWithContext<T>(ctx: RequestContext, fn: () => T): T {
  return storage.run(ctx, fn);
}

export function requestContext(): RequestContext | undefined {
  return storage.getStore();
}
