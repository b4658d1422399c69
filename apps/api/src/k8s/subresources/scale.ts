// {resource}/scale: the autoscaling/v1 Scale view of a workload's spec.replicas (what `kubectl scale`
// and autoscalers read and write). Only replicas can change through it.
import { Inject, Injectable } from '@nestjs/common';
import { applyJsonPatch, applyMergePatch } from '@flotilla/patch';
import { KubeObject, labelSelectorToString, type LabelSelector } from '@flotilla/resources';
import { notFound, Store } from '@flotilla/store';
import { STORE } from '../../tokens';
import { decodeBody, isPlainObject, parseJson, patchTypeOf } from '../body';
import { mustGet, patchFailed } from '../objects';
import { dryRunParam } from '../query';
import { header, json, Reply, ResourceRequest } from '../request';
import { ApiError, badRequest } from '../status';
import type { SubresourceHandler } from './registry';

/** The Scale a workload shows. */
export function scaleOf(obj: KubeObject): KubeObject {
  const spec = (obj.spec ?? {}) as { replicas?: number; selector?: LabelSelector };
  const st = (obj.status ?? {}) as { replicas?: number };
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: obj.metadata.name,
      namespace: obj.metadata.namespace,
      uid: obj.metadata.uid,
      resourceVersion: obj.metadata.resourceVersion,
      creationTimestamp: obj.metadata.creationTimestamp,
    },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: st.replicas ?? 0, selector: labelSelectorToString(spec.selector) },
  };
}

@Injectable()
export class ScaleSubresource implements SubresourceHandler {
  readonly subresources = ['scale'];

  constructor(@Inject(STORE) private readonly store: Store) {}

  async serve(req: ResourceRequest): Promise<Reply> {
    const { type, namespace, name, verb } = req.info;
    if (verb === 'get') return json(200, scaleOf((await mustGet(this.store, type, namespace, name)).obj));
    if (verb !== 'update' && verb !== 'patch') throw new ApiError(405, 'MethodNotAllowed', `${verb} is not supported on ${type.plural}/scale`);
    const dry = dryRunParam(req.query);
    const updated = await this.store.transaction(
      async (tx) => {
        const current = await tx.read(type, type.namespaced ? namespace : '', name);
        if (!current) throw notFound(type.plural, type.group, name);
        const next = verb === 'update' ? decodeBody(req.body, header(req, 'content-type')) : patchScale(req, scaleOf(current));
        if (!isPlainObject(next)) throw badRequest('the body must be a Scale object');
        const spec = isPlainObject(next.spec) ? next.spec : {};
        const replicas = spec.replicas;
        if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) throw invalidReplicas(name, replicas);
        const meta = isPlainObject(next.metadata) ? next.metadata : {};
        const rv = typeof meta.resourceVersion === 'string' ? meta.resourceVersion : undefined;
        const obj: KubeObject = {
          ...current,
          metadata: { ...current.metadata, resourceVersion: rv ?? current.metadata.resourceVersion },
          spec: { ...(current.spec as object), replicas },
        };
        return this.store.updateIn(tx, type, obj, namespace);
      },
      { dryRun: dry },
    );
    return json(200, scaleOf(updated));
  }
}

/** A JSON or merge patch of the Scale (a strategic one merges as a merge patch: Scale has no lists). */
function patchScale(req: ResourceRequest, scale: KubeObject): unknown {
  const ptype = patchTypeOf(header(req, 'content-type'));
  if (ptype === 'apply') throw new ApiError(415, 'UnsupportedMediaType', 'apply patches are not supported on the scale subresource');
  const patch = parseJson(req.body ?? '');
  try {
    return ptype === 'json' ? applyJsonPatch(scale, patch) : applyMergePatch(scale, patch);
  } catch (err) {
    throw patchFailed(err);
  }
}

function invalidReplicas(name: string, replicas: unknown): ApiError {
  const message = `Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`;
  return new ApiError(422, 'Invalid', `Scale.autoscaling "${name}" is invalid: spec.replicas: ${message}`, {
    name,
    group: 'autoscaling',
    kind: 'Scale',
    causes: [{ reason: 'FieldValueInvalid', field: 'spec.replicas', message }],
  });
}
