// Kubernetes defaulting for the served kinds. Runs before validation on untrusted bodies, so it only
// fills in values where the shape is right and leaves anything malformed for validation to report.
import { kindModuleFor } from './registry';
import type { ResourceType } from './registry-types';
import { isPlainObject } from './schema';
import type { KubeObject } from './types';

export { defaultPullPolicy } from './pod-defaults';

/** Fills in Kubernetes defaults in place. Safe on malformed objects (does nothing where shapes are wrong). */
export function applyDefaults(t: ResourceType, o: KubeObject): void {
  if (!isPlainObject(o)) return;
  try {
    kindModuleFor(t)?.defaults?.(o);
  } catch {
    // Defaulting never fails a request: validation reports what is wrong with the object.
  }
}
