// Every error leaves the API as a Kubernetes `Status` with the matching HTTP code.
import type { FieldError, Status, StatusCause } from '@flotilla/resources';
import { StoreError } from '@flotilla/store';

export class ApiError extends Error {
  constructor(
    readonly code: number,
    readonly reason: string,
    message: string,
    readonly details?: Status['details'],
  ) {
    super(message);
  }
}

export function status(code: number, reason: string, message: string, details?: Status['details']): Status {
  const s: Status = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: code < 400 ? 'Success' : 'Failure', message, reason, code };
  if (details) s.details = details;
  return s;
}

export function badRequest(message: string, causes?: StatusCause[]): ApiError {
  return new ApiError(400, 'BadRequest', message, causes ? { causes } : undefined);
}

export function invalid(kind: string, name: string, group: string, errors: FieldError[]): ApiError {
  const causes: StatusCause[] = errors.map((e) => ({ reason: e.reason, message: e.message, field: e.field }));
  const summary = errors.map((e) => `${e.field}: ${e.message}`).join(', ');
  return new ApiError(422, 'Invalid', `${kind}${group ? `.${group}` : ''} "${name}" is invalid: ${summary}`, { name, group, kind, causes });
}

export function forbidden(message: string): ApiError {
  return new ApiError(403, 'Forbidden', message);
}

export function unauthorized(): ApiError {
  return new ApiError(401, 'Unauthorized', 'Unauthorized');
}

export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return status(err.code, err.reason, err.message, err.details);
  if (err instanceof StoreError) {
    const d = err.target;
    const details: Status['details'] = {};
    if (d.name) details.name = d.name;
    if (d.group !== undefined) details.group = d.group;
    if (d.kind) details.kind = d.kind;
    if (err.causes.length) details.causes = err.causes;
    return status(err.code, err.reason, err.message, Object.keys(details).length ? details : undefined);
  }
  return status(500, 'InternalError', 'Internal error occurred: the server failed to handle the request; it was logged with its request id');
}
