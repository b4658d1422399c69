// Store errors carry the Kubernetes reason and HTTP code they map to, so every layer above can
// answer with a `Status` without guessing.
import type { StatusCause } from '@flotilla/resources';

export type StoreErrorReason =
  'NotFound' | 'AlreadyExists' | 'Conflict' | 'Gone' | 'Invalid' | 'BadRequest' | 'Expired' | 'Timeout' | 'ServiceUnavailable' | 'TooManyRequests';

const CODES: Record<StoreErrorReason, number> = {
  NotFound: 404,
  AlreadyExists: 409,
  Conflict: 409,
  Gone: 410,
  Expired: 410,
  Invalid: 422,
  BadRequest: 400,
  Timeout: 504,
  ServiceUnavailable: 503,
  TooManyRequests: 429,
};

export interface ErrorTarget {
  group?: string;
  kind?: string;
  name?: string;
}

export class StoreError extends Error {
  readonly code: number;
  constructor(
    readonly reason: StoreErrorReason,
    message: string,
    readonly target: ErrorTarget = {},
    readonly causes: StatusCause[] = [],
  ) {
    super(message);
    this.code = CODES[reason];
  }
}

/** `deployments.apps`, or `pods` for the core group: how Kubernetes names a resource in messages. */
export function qualifiedResource(plural: string, group: string): string {
  return group ? `${plural}.${group}` : plural;
}

export function notFound(plural: string, group: string, name: string): StoreError {
  return new StoreError('NotFound', `${qualifiedResource(plural, group)} "${name}" not found`, { group, kind: plural, name });
}

export function alreadyExists(plural: string, group: string, name: string): StoreError {
  return new StoreError('AlreadyExists', `${qualifiedResource(plural, group)} "${name}" already exists`, { group, kind: plural, name });
}

export function conflict(plural: string, group: string, name: string, why?: string): StoreError {
  return new StoreError(
    'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(plural, group)} "${name}": ${why ?? 'the object has been modified; please apply your changes to the latest version and try again'}`,
    { group, kind: plural, name },
  );
}

export function gone(rv: number, oldest: number): StoreError {
  return new StoreError('Expired', `too old resource version: ${rv} (${oldest})`);
}
