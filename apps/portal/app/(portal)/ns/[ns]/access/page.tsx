import type { Metadata } from 'next';
import { createRoleBinding } from '@/app/actions/admin';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { ResourceTable } from '@/components/ResourceTable';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { can } from '@/lib/access';
import { nameOf, nsPath, type RoleBinding } from '@/lib/k8s';
import { table } from '@/lib/load';

export const metadata: Metadata = { title: 'Access' };

export default async function Access({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const [rbs, mayBind] = await Promise.all([
    table<RoleBinding>(nsPath('rbac.authorization.k8s.io', 'rolebindings', ns)),
    can({ verb: 'create', group: 'rbac.authorization.k8s.io', resource: 'rolebindings', namespace: ns }),
  ]);
  return (
    <>
      <PageHead title="Access" sub={`Who may do what in ${ns}.`} />
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
      {rbs.error && <ErrorNote>{rbs.error}</ErrorNote>}
      {!rbs.error && rbs.rows.length === 0 ? (
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
