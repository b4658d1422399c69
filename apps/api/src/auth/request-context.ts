// What the pipeline learned about a request that the handlers need: which objects a list or watch may
// return. It is passed along explicitly (an AsyncLocalStorage would put a hook on every promise the
// process makes, a few per cent of the API's CPU under load).
import type { KubeObject } from '@flotilla/resources';

/** Set when a list or watch may only return some objects (tenants' namespaces, a node's pods). */
export type Visibility = (obj: KubeObject) => boolean;
