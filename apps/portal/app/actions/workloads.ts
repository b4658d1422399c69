'use server';
// Changes to workloads, made as the signed-in user: scale, restart, pause/resume, rollback, image, delete.
import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { call, type Answer } from '@/lib/api';
import type { ActionResult } from '@/lib/action-result';
import { type Deployment, nsPath, type ReplicaSet, RESTARTED_AT, REVISION } from '@/lib/k8s';
import { assertName, isImage } from '@/lib/validate';

const SMP = 'application/strategic-merge-patch+json';

function failure(a: Answer<unknown>): ActionResult {
  const causes = a.error?.details?.causes ?? [];
  const detail = causes.map((c) => `${c.field ? `${c.field}: ` : ''}${c.message ?? c.reason ?? ''}`).join('; ');
  return {
    error:
      detail && !a.error?.message?.includes(detail) ? `${a.error?.message ?? 'Refused'} (${detail})` : (a.error?.message ?? `The API answered ${a.status}`),
  };
}

async function patchDeployment(ns: string, name: string, body: unknown, note: string, contentType = SMP): Promise<ActionResult> {
  const a = await call('PATCH', `${nsPath('apps', 'deployments', assertName(ns, 'namespace'), assertName(name))}?fieldManager=flotilla-portal`, {
    body,
    contentType,
  });
  if (!a.ok) return failure(a);
  revalidatePath(`/ns/${ns}/deployments/${name}`);
  return { ok: note };
}

export async function scaleDeployment(ns: string, name: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const n = Number(form.get('replicas'));
  if (!Number.isInteger(n) || n < 0 || n > 1000) return { error: 'Replicas must be a whole number from 0 to 1000.' };
  const a = await call('PATCH', `${nsPath('apps', 'deployments', assertName(ns), assertName(name), 'scale')}?fieldManager=flotilla-portal`, {
    body: { spec: { replicas: n } },
    contentType: 'application/merge-patch+json',
  });
  return a.ok ? { ok: `Scaled to ${n}`, about: String(n) } : failure(a);
}

export async function restartDeployment(ns: string, name: string): Promise<ActionResult> {
  return patchDeployment(ns, name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT]: new Date().toISOString() } } } } }, 'Restarting');
}

export async function pauseDeployment(ns: string, name: string, paused: boolean): Promise<ActionResult> {
  return patchDeployment(ns, name, { spec: { paused: paused ? true : null } }, paused ? 'Paused' : 'Resumed');
}

export async function setImage(ns: string, name: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const container = String(form.get('container') ?? '');
  const image = String(form.get('image') ?? '').trim();
  if (!image || !isImage(image)) return { fields: { image: 'Enter an image reference, e.g. nginx:1.27.' } };
  return patchDeployment(
    ns,
    name,
    { spec: { template: { spec: { containers: [{ name: assertName(container, 'container'), image }] } } } },
    `Rolling out ${image}`,
  );
}

/** `kubectl rollout undo --to-revision`: the chosen ReplicaSet's template, without its pod-template-hash. */
export async function rollback(ns: string, name: string, rsName: string): Promise<ActionResult> {
  const [d, rs] = await Promise.all([
    call<Deployment>('GET', nsPath('apps', 'deployments', assertName(ns), assertName(name))),
    call<ReplicaSet>('GET', nsPath('apps', 'replicasets', ns, assertName(rsName))),
  ]);
  if (!d.ok || !d.data) return failure(d);
  if (!rs.ok || !rs.data) return failure(rs);
  if (d.data.spec.paused) return { error: 'Resume the deployment before rolling back.' };
  const template = structuredClone(rs.data.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels['pod-template-hash'];
  const rev = rs.data.metadata.annotations?.[REVISION] ?? '?';
  const ops = [{ op: 'replace', path: '/spec/template', value: template }];
  return patchDeployment(ns, name, ops, `Rolling back to revision ${rev}`, 'application/json-patch+json');
}

export async function deleteObject(group: string, plural: string, ns: string, name: string, then?: string): Promise<ActionResult> {
  if (!/^[a-z.]*$/.test(group) || !/^[a-z]+$/.test(plural)) return { error: 'unsupported kind' };
  const a = await call('DELETE', nsPath(group, plural, assertName(ns), assertName(name)), {
    body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' },
  });
  if (!a.ok) return failure(a);
  if (then) redirect(then);
  return { ok: 'Deleted' };
}
