// The pod-template-hash that names a Deployment's ReplicaSets, and template equality that ignores it.
import { createHash } from 'node:crypto';
import type { PodTemplateSpec } from '@flotilla/resources';
import { canonicalJson, clone } from './actions';

export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

/** Kubernetes' rand.SafeEncodeString alphabet: no vowels (no words) and no confusable 0/1/3. */
const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
const HASH_LENGTH = 10;

/** The template without the pod-template-hash label (and without a labels map that held only it). */
export function templateWithoutHash(template: PodTemplateSpec): PodTemplateSpec {
  const copy = clone(template);
  // A null creationTimestamp (what clients such as `kubectl rollout undo` send back) means the same as none,
  // as the zero time does in Kubernetes' semantic equality.
  if (copy.metadata && copy.metadata.creationTimestamp == null) delete copy.metadata.creationTimestamp;
  const labels = copy.metadata?.labels;
  if (copy.metadata && labels && POD_TEMPLATE_HASH_LABEL in labels) {
    delete labels[POD_TEMPLATE_HASH_LABEL];
    if (Object.keys(labels).length === 0) delete copy.metadata.labels;
  }
  return copy;
}

/**
 * A stable 10-character hash of a pod template, ignoring its pod-template-hash label and map key order.
 * collisionCount (Deployment status.collisionCount) changes it when a different ReplicaSet already has the name.
 */
export function podTemplateHash(template: PodTemplateSpec, collisionCount?: number): string {
  const h = createHash('sha256').update(canonicalJson(templateWithoutHash(template)));
  if (collisionCount !== undefined && collisionCount > 0) h.update(`\u0000collisionCount=${collisionCount}`);
  // 48 bits reduced into 27^10 (~2^47.5) values, written with a fixed width so names sort and look alike.
  let n = h.digest().readUIntBE(0, 6) % SAFE_ALPHABET.length ** HASH_LENGTH;
  let out = '';
  for (let i = 0; i < HASH_LENGTH; i++) {
    out = SAFE_ALPHABET[n % SAFE_ALPHABET.length] + out;
    n = Math.floor(n / SAFE_ALPHABET.length);
  }
  return out;
}

/** Kubernetes' EqualIgnoreHash: the same template once both pod-template-hash labels are ignored. */
export function templatesEqualIgnoringHash(a: PodTemplateSpec, b: PodTemplateSpec): boolean {
  return canonicalJson(templateWithoutHash(a)) === canonicalJson(templateWithoutHash(b));
}
