'use server';
// Deploy an app from the form: a Deployment and, when asked, a Service; the API's field errors go back to
// the form fields they belong to.
import { redirect } from 'next/navigation';
import { call } from '@/lib/api';
import type { ActionResult } from '@/lib/action-result';
import { build, formFieldOf, validate, valuesOf } from '@/lib/deployment-form';
import { nameOf, nsPath } from '@/lib/k8s';
import { assertName } from '@/lib/validate';

export async function createDeployment(ns: string, _prev: ActionResult & { values?: Record<string, string> }, form: FormData) {
  assertName(ns, 'namespace');
  const values = valuesOf(form);
  const fields = validate(values);
  if (Object.keys(fields).length) return { error: 'Please correct the highlighted fields.', fields, values };
  const { deployment, service } = build(values);
  let owner: string | undefined;
  for (const [kind, obj, path] of [
    ['Deployment', deployment, nsPath('apps', 'deployments', ns)],
    ...(service ? [['Service', service, nsPath('', 'services', ns)]] : []),
  ] as ['Deployment' | 'Service', unknown, string][]) {
    // The form's Service exists for its Deployment: owned by it, the garbage collector deletes it with the
    // app (by the portal or kubectl) instead of leaving it behind answering 503.
    if (kind === 'Service' && service && owner)
      service.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'Deployment', name: nameOf(deployment), uid: owner }];
    const a = await call<{ metadata?: { uid?: string } }>('POST', `${path}?fieldManager=flotilla-portal&fieldValidation=Strict`, { body: obj });
    if (a.ok) {
      if (kind === 'Deployment') owner = a.data?.metadata?.uid;
      continue;
    }
    const out: Record<string, string> = {};
    const general: string[] = [];
    for (const c of a.error?.details?.causes ?? []) {
      const f = formFieldOf(c.field, kind);
      const msg = `${c.message ?? c.reason ?? 'invalid'}${f ? '' : ` (${c.field ?? kind})`}`;
      if (f) out[f] = out[f] ? `${out[f]}; ${msg}` : msg;
      else general.push(msg);
    }
    const created = kind === 'Service' ? ` The deployment ${deployment.metadata.name} was created; the service was not.` : '';
    const head = a.status === 409 ? `A ${kind.toLowerCase()} named ${values.name} already exists.` : (a.error?.message ?? `The API answered ${a.status}`);
    if (a.status === 409) out.name = head;
    return { error: `${head}${general.length ? ` ${general.join('; ')}` : ''}${created}`, fields: out, values } satisfies ActionResult & {
      values: Record<string, string>;
    };
  }
  redirect(`/ns/${encodeURIComponent(ns)}/deployments/${encodeURIComponent(nameOf(deployment))}`);
}
