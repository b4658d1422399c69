'use server';
// Platform administration as the signed-in admin: namespaces, users and groups, role bindings, nodes.
import { revalidatePath } from 'next/cache';
import { call, type Answer } from '@/lib/api';
import type { ActionResult } from '@/lib/action-result';
import { type List, nsPath, type Pod } from '@/lib/k8s';
import { assertName, isAmount, isLabel, isName } from '@/lib/validate';

const USER = /^[a-zA-Z0-9][-a-zA-Z0-9_.@]{0,127}$/;

function failure(a: Answer<unknown>): ActionResult {
  return { error: a.error?.message ?? `The API answered ${a.status}` };
}

function names(s: FormDataEntryValue | null): string[] {
  return String(s ?? '')
    .split(/[,\s]+/)
    .filter(Boolean);
}

/** The namespace form's quota fields and the ResourceQuota keys they set. */
const QUOTA_FIELDS = [
  ['cpu', 'requests.cpu'],
  ['memory', 'requests.memory'],
  ['pods', 'pods'],
] as const;

export async function createNamespace(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const name = String(form.get('name') ?? '').trim();
  const fields: Record<string, string> = {};
  if (!isName(name)) fields.name = 'Lower-case letters, digits and dashes, at most 63.';
  const labels: Record<string, string> = {};
  for (const kv of names(form.get('labels'))) {
    const [k, v = ''] = kv.split('=', 2);
    if (!isLabel(k, v)) fields.labels = `"${kv}" is not a valid label (key=value).`;
    else labels[k] = v;
  }
  const quota: Record<string, string> = {};
  for (const [field, key] of QUOTA_FIELDS) {
    const v = String(form.get(field) ?? '').trim();
    if (!v) continue;
    if (!isAmount(v)) fields[field] = 'An amount such as 2, 500m or 4Gi.';
    else quota[key] = v;
  }
  const bindings = (['admin', 'edit', 'view'] as const)
    .map((role) => ({ role, users: names(form.get(`${role}Users`)), groups: names(form.get(`${role}Groups`)) }))
    .filter((b) => b.users.length || b.groups.length);
  for (const b of bindings) if (b.users.some((u) => !USER.test(u))) fields[`${b.role}Users`] = 'User names, separated by commas.';
  if (Object.keys(fields).length) return { error: 'Please correct the highlighted fields.', fields };
  const r = await call('POST', '/flotilla/v1/admin/namespaces', {
    body: { name, labels, ...(Object.keys(quota).length ? { quota } : {}), bindings },
  });
  if (!r.ok) {
    if (r.status === 409) return { ...failure(r), fields: { name: `${name} already exists.` } };
    // The API names the request's fields (quota[pods], bindings[0].users[1]); put each at its form field.
    const byField: Record<string, string> = {};
    const formField = (f: string): string | undefined => {
      const q = /^quota\[(.+)\]$/.exec(f)?.[1];
      if (q) return QUOTA_FIELDS.find(([, key]) => key === q)?.[0];
      const b = /^bindings\[(\d+)\]\.(users|groups)/.exec(f);
      return b ? `${bindings[Number(b[1])]?.role}${b[2] === 'users' ? 'Users' : 'Groups'}` : undefined;
    };
    for (const c of r.error?.details?.causes ?? []) {
      const field = formField(c.field ?? '');
      if (field) byField[field] = byField[field] ? `${byField[field]} ${c.message}` : (c.message ?? 'Invalid');
    }
    return Object.keys(byField).length ? { error: 'Please correct the highlighted fields.', fields: byField } : failure(r);
  }
  revalidatePath('/admin/namespaces');
  return { ok: `Created ${name}` };
}

export async function deleteNamespace(name: string): Promise<ActionResult> {
  const r = await call('DELETE', `/flotilla/v1/admin/namespaces/${assertName(name)}`);
  if (!r.ok) return failure(r);
  revalidatePath('/admin/namespaces');
  return { ok: 'Deleting…' };
}

export async function createUser(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const username = String(form.get('username') ?? '').trim();
  const password = String(form.get('password') ?? '');
  const fields: Record<string, string> = {};
  if (!USER.test(username)) fields.username = 'Letters, digits and - _ . @';
  if (password.length < 12) fields.password = 'At least 12 characters.';
  if (Object.keys(fields).length) return { fields };
  const r = await call('POST', '/flotilla/v1/admin/users', {
    body: { username, password, displayName: String(form.get('displayName') ?? ''), groups: names(form.get('groups')) },
  });
  if (!r.ok) return { ...failure(r), fields: r.status === 409 ? { username: `${username} already exists.` } : undefined };
  revalidatePath('/admin/users');
  return { ok: `Created ${username}` };
}

export async function setUserDisabled(username: string, disabled: boolean): Promise<ActionResult> {
  if (!USER.test(username)) return { error: 'bad user name' };
  const r = await call('PATCH', `/flotilla/v1/admin/users/${encodeURIComponent(username)}`, { body: { disabled }, contentType: 'application/json' });
  if (!r.ok) return failure(r);
  revalidatePath('/admin/users');
  return { ok: disabled ? 'Disabled' : 'Enabled' };
}

export async function resetPassword(username: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const password = String(form.get('password') ?? '');
  if (password.length < 12) return { error: 'At least 12 characters.' };
  const r = await call('PUT', `/flotilla/v1/admin/users/${encodeURIComponent(username)}/password`, { body: { password } });
  return r.ok ? { ok: 'Password reset' } : failure(r);
}

export async function createGroup(_prev: ActionResult, form: FormData): Promise<ActionResult> {
  const name = String(form.get('group') ?? '').trim();
  if (!USER.test(name)) return { fields: { group: 'Letters, digits and - _ .' } };
  const r = await call('POST', '/flotilla/v1/admin/groups', { body: { name, description: String(form.get('description') ?? '') } });
  if (!r.ok) return failure(r);
  revalidatePath('/admin/users');
  return { ok: `Created ${name}` };
}

export async function addMember(group: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const user = String(form.get('user') ?? '').trim();
  if (!USER.test(user)) return { error: 'Enter a user name.' };
  const r = await call('PUT', `/flotilla/v1/admin/groups/${encodeURIComponent(group)}/members/${encodeURIComponent(user)}`);
  if (!r.ok) return failure(r);
  revalidatePath('/admin/users');
  return { ok: `Added ${user}` };
}

export async function createRoleBinding(ns: string, _prev: ActionResult, form: FormData): Promise<ActionResult> {
  const role = String(form.get('role') ?? '');
  const kind = form.get('kind') === 'Group' ? 'Group' : 'User';
  const subject = String(form.get('subject') ?? '').trim();
  if (!['admin', 'edit', 'view'].includes(role)) return { error: 'Choose a role.' };
  if (!USER.test(subject)) return { fields: { subject: `Enter a ${kind.toLowerCase()} name.` } };
  const name = `${role}-${kind.toLowerCase()}-${subject.toLowerCase().replace(/[^a-z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');
  const r = await call('POST', nsPath('rbac.authorization.k8s.io', 'rolebindings', assertName(ns)), {
    body: {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name },
      subjects: [{ kind, name: subject, apiGroup: 'rbac.authorization.k8s.io' }],
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    },
  });
  if (!r.ok) return failure(r);
  revalidatePath(`/ns/${ns}/access`);
  return { ok: `${subject} may now ${role === 'view' ? 'view' : role === 'edit' ? 'edit' : 'administer'} ${ns}` };
}

export async function setUnschedulable(node: string, unschedulable: boolean): Promise<ActionResult> {
  const r = await call('PATCH', `/api/v1/nodes/${assertName(node)}`, {
    body: { spec: { unschedulable: unschedulable ? true : null } },
    contentType: 'application/strategic-merge-patch+json',
  });
  if (!r.ok) return failure(r);
  revalidatePath('/admin/nodes');
  return { ok: unschedulable ? 'Cordoned' : 'Uncordoned' };
}

/** kubectl drain: cordon, then evict every pod on the node that a controller will recreate elsewhere. */
export async function drainNode(node: string): Promise<ActionResult> {
  const c = await setUnschedulable(node, true);
  if (c.error) return c;
  const pods = await call<List<Pod>>('GET', `/api/v1/pods?fieldSelector=${encodeURIComponent(`spec.nodeName=${assertName(node)}`)}`);
  if (!pods.ok || !pods.data) return failure(pods);
  let evicted = 0;
  const skipped: string[] = [];
  for (const p of pods.data.items) {
    if (p.metadata.deletionTimestamp) continue;
    const owner = p.metadata.ownerReferences?.find((o) => o.controller);
    if (owner?.kind === 'DaemonSet') continue;
    if (!owner) {
      skipped.push(`${p.metadata.namespace}/${p.metadata.name}`);
      continue;
    }
    const ns = p.metadata.namespace ?? 'default';
    const e = await call('POST', nsPath('', 'pods', ns, p.metadata.name, 'eviction'), {
      body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: p.metadata.name, namespace: ns } },
    });
    if (e.ok) evicted++;
    else if (e.status === 404 || e.status === 405) {
      const d = await call('DELETE', nsPath('', 'pods', ns, p.metadata.name));
      if (d.ok) evicted++;
    } else skipped.push(`${ns}/${p.metadata.name} (${e.error?.message ?? e.status})`);
  }
  revalidatePath('/admin/nodes');
  return { ok: `Cordoned; evicted ${evicted} pod(s)${skipped.length ? `; left ${skipped.join(', ')} (not managed by a controller)` : ''}` };
}
