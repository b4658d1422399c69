// Where an object of a served kind keeps the pods it runs, read from its module's podTemplatePath.
import { kindModuleOfKind } from './registry';
import { isPlainObject } from './schema';
import type { KubeObject } from './types';

export interface PodTemplateLocation {
  /** Dotted path of the pod spec in the object ("spec", "spec.template.spec"), for messages. */
  specPath: string;
  /** The template's metadata and spec (the object's own for a Pod); either may be absent. */
  metadata?: { annotations?: Record<string, string>; labels?: Record<string, string> };
  spec?: unknown;
}

/** The pod template of a Pod, Deployment, Job, CronJob, ...; undefined for kinds that run no pods. */
export function podTemplateOf(obj: KubeObject): PodTemplateLocation | undefined {
  const path = typeof obj?.kind === 'string' ? kindModuleOfKind(obj.kind)?.podTemplatePath : undefined;
  if (path === undefined) return undefined;
  let cur: unknown = obj;
  for (const part of path === '' ? [] : path.split('.')) cur = isPlainObject(cur) ? cur[part] : undefined;
  const tmpl = isPlainObject(cur) ? cur : {};
  return {
    specPath: path === '' ? 'spec' : `${path}.spec`,
    metadata: tmpl.metadata as PodTemplateLocation['metadata'],
    spec: tmpl.spec,
  };
}
