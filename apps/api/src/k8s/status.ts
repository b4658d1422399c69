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

/**
 * Node's and Postgres' ways of saying a connection could not be made or went away (SQLSTATE 08xxx, 57P0x). The
 * socket codes do not say which dependency it was; the agents' errors are already ApiErrors by then.
 */
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03']);
const UNREACHABLE_MESSAGES = /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/;

/** True for an error that says the database (or another dependency) is not reachable, as opposed to a failed statement. */
export function databaseUnreachable(err: unknown): boolean {
  const { code, message } = (err ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || /^08/.test(code))) return true;
  return typeof message === 'string' && UNREACHABLE_MESSAGES.test(message);
}

export function toStatus(err: unknown): Status {
  if (err instanceof ApiError) return status(err.code, err.reason, err.message, err.details);
  if (databaseUnreachable(err))
    return status(
      503,
      'ServiceUnavailable',
      'the platform database or another service it depends on is not reachable: retry shortly; GET /readyz shows which',
      {
        retryAfterSeconds: 1,
      },
    );
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
