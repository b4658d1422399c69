import type { Metadata } from 'next';
import { createRoleBinding } from '@/app/actions/admin';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { ResourceTable } from '@/components/ResourceTable';
import { Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
import { type Can, can } from '@/lib/access';
import { nameOf, nsPath, type RoleBinding } from '@/lib/k8s';
import { table } from '@/lib/load';

export const metadata: Metadata = { title: 'Access' };

/** The things a team member asks "may I…?" about, each as the API's access review sees it. */
const ABILITIES: [string, Omit<Can, 'namespace'>][] = [
  ['See apps, pods, services and events', { verb: 'list', resource: 'pods' }],
  ['Deploy, scale and roll back apps', { verb: 'update', group: 'apps', resource: 'deployments' }],
  ['Read logs', { verb: 'get', resource: 'pods', subresource: 'log' }],
  ['Open a shell in a container', { verb: 'create', resource: 'pods', subresource: 'exec' }],
  ['Read Secrets', { verb: 'get', resource: 'secrets' }],
  ['Edit ConfigMaps and Secrets', { verb: 'update', resource: 'secrets' }],
  ['See and change who has access', { verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings' }],
];

export default async function Access({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const [rbs, mayBind, abilities] = await Promise.all([
    table<RoleBinding>(nsPath('rbac.authorization.k8s.io', 'rolebindings', ns)),
    can({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns }),
    Promise.all(ABILITIES.map(async ([label, a]) => [label, await can({ ...a, namespace: ns })] as const)),
  ]);
  return (
    <>
      <PageHead title="Access" sub={`Who may do what in ${ns}.`} />
      <section className="card" aria-labelledby="you-may-h" style={{ marginBottom: 16 }}>
        <h2 id="you-may-h" style={{ marginTop: 0 }}>
          What you may do here
        </h2>
        <ul className="abilities" data-testid="abilities">
          {abilities.map(([label, allowed]) => (
            <li key={label}>
              <Badge value={allowed ? 'yes' : 'no'} tone={allowed ? 'ok' : 'warn'} /> {label}
            </li>
          ))}
        </ul>
      </section>
      {mayBind && (
        <ActionForm
          action={createRoleBinding.bind(null, ns)}
          legend="Give someone access"
          submit="Grant"
          fields={[
            {
              name: 'role',
              label: 'Role',
              type: 'select',
              defaultValue: 'edit',
              options: [
                ['view', 'view: read, no Secrets'],
                ['edit', 'edit: deploy and change apps'],
                ['admin', 'admin: also manage access'],
              ],
            },
            {
              name: 'kind',
              label: 'To a',
              type: 'select',
              defaultValue: 'User',
              options: [
                ['User', 'User'],
                ['Group', 'Group'],
              ],
            },
            { name: 'subject', label: 'Name', required: true, placeholder: 'alice' },
          ]}
        />
      )}
      {rbs.status === 403 ? (
        // Not an error for someone whose role does not include reading access: say who can tell them.
        <p className="note" data-testid="access-hidden">
          Who else has access to {ns} is shown to its admins only. Ask one of them, or a platform administrator, if you need another role.
        </p>
      ) : (
        rbs.error && <ErrorNote>{rbs.error}</ErrorNote>
      )}
      {rbs.status === 403 ? null : !rbs.error && rbs.rows.length === 0 ? (
        <Empty>No role bindings: only platform administrators can use {ns}.</Empty>
      ) : (
        <ResourceTable
          data={rbs}
          wide={['Users', 'Groups', 'ServiceAccounts']}
          after={[
            {
              header: <span className="skip">Actions</span>,
              cell: (b) =>
                mayBind && (
                  <ActionButton
                    action={deleteObject.bind(null, 'rbac.authorization.k8s.io', 'rolebindings', ns, nameOf(b), undefined)}
                    label="Remove"
                    danger
                    confirm={`Remove ${b.metadata.name}?`}
                  />
                ),
            },
          ]}
        />
      )}
    </>
  );
}
