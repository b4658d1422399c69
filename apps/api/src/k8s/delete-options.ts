// DeleteOptions, read once for every way a delete is asked for: DELETE of one object or a collection
// (options in the query and/or the body, the body winning, as kube-apiserver reads them) and an Eviction
// (options in its `deleteOptions` field). Bad values are a 400 naming the field.
import type { StatusCause } from '@flotilla/resources';
import type { DeleteOptions, PropagationPolicy } from '@flotilla/store';
import { isPlainObject, parseJson } from './body';
import { dryRunParam, intParam, one, type Query } from './query';
import type { ResourceRequest } from './request';
import { badRequest } from './status';

const POLICIES: readonly string[] = ['Background', 'Foreground', 'Orphan'] satisfies PropagationPolicy[];

/**
 * `body` is the decoded DeleteOptions (undefined when none was sent); `query` the parameters that may carry
 * them too; `at` the path of the options in the body for messages (`deleteOptions.` in an Eviction).
 */
export function parseDeleteOptions(body: unknown, query: Query, at = ''): DeleteOptions {
  if (body === undefined || body === null) body = {};
  if (!isPlainObject(body)) {
    throw badRequest(
      at ? `${at.slice(0, -1)} must be an object` : 'DeleteOptions must be an object',
      at ? [invalidCause(at.slice(0, -1), 'must be an object')] : undefined,
    );
  }
  const grace = given(body.gracePeriodSeconds) ?? intParam(query, 'gracePeriodSeconds');
  if (grace !== undefined && (typeof grace !== 'number' || !Number.isInteger(grace) || grace < 0)) {
    throw badRequest(`${at}gracePeriodSeconds must be a non-negative integer`, [invalidCause(`${at}gracePeriodSeconds`, 'must be a non-negative integer')]);
  }
  let policy = given(body.propagationPolicy) ?? one(query, 'propagationPolicy');
  const orphan = given(body.orphanDependents);
  if (orphan !== undefined && typeof orphan !== 'boolean') {
    throw badRequest(`${at}orphanDependents must be a boolean`, [invalidCause(`${at}orphanDependents`, 'must be a boolean')]);
  }
  if (policy === undefined && orphan !== undefined) policy = orphan ? 'Orphan' : 'Background';
  if (policy !== undefined && (typeof policy !== 'string' || !POLICIES.includes(policy))) {
    throw badRequest(`${at}propagationPolicy must be Background, Foreground or Orphan, got ${JSON.stringify(policy)}`, [
      { reason: 'FieldValueNotSupported', field: `${at}propagationPolicy`, message: `Unsupported value: ${JSON.stringify(policy)}` },
    ]);
  }
  const pre = given(body.preconditions) ?? {};
  if (!isPlainObject(pre)) throw badRequest(`${at}preconditions must be an object`, [invalidCause(`${at}preconditions`, 'must be an object')]);
  return {
    gracePeriodSeconds: grace,
    propagationPolicy: policy as PropagationPolicy | undefined,
    preconditions: { uid: text(pre.uid, `${at}preconditions.uid`), resourceVersion: text(pre.resourceVersion, `${at}preconditions.resourceVersion`) },
    dryRun: dryRunParam(query) || bodyDryRun(given(body.dryRun), `${at}dryRun`),
  };
}

/** The options of a DELETE: its JSON body (kubectl sends one) over its query. */
export function deleteOptionsOf(req: Pick<ResourceRequest, 'body' | 'query'>): DeleteOptions {
  return parseDeleteOptions(req.body?.length ? parseJson(req.body) : undefined, req.query);
}

/** JSON null means "not set", as in Go's decoding of optional fields. */
function given(v: unknown): unknown {
  return v === null ? undefined : v;
}

function text(v: unknown, field: string): string | undefined {
  v = given(v);
  if (v === undefined || typeof v === 'string') return v;
  throw badRequest(`${field} must be a string`, [invalidCause(field, 'must be a string')]);
}

function bodyDryRun(v: unknown, field: string): boolean {
  if (v === undefined) return false;
  if (!Array.isArray(v) || v.some((x) => x !== 'All')) {
    throw badRequest(`${field} may only list "All"`, [{ reason: 'FieldValueNotSupported', field, message: `Unsupported value: ${JSON.stringify(v)}` }]);
  }
  return v.length > 0;
}

function invalidCause(field: string, message: string): StatusCause {
  return { reason: 'FieldValueInvalid', field, message };
}
