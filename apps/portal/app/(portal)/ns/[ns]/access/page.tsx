import type { Metadata } from 'next';
import { createRoleBinding } from '@/app/actions/admin';
import { deleteObject } from '@/app/actions/workloads';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { can } from '@/lib/access';
import { nsPath, type RoleBinding } from '@/lib/k8s';
import { list } from '@/lib/load';

export const metadata: Metadata = { title: 'Access' };

export default async function Access({ params }: { params: Promise<{ ns: string }> }) {
  const { ns } = await params;
  const [rbs, mayBind] = await Promise.all([
    list<RoleBinding>(nsPath('rbac.authorization.k8s.io', 'rolebindings', ns)),
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
      {!rbs.error && rbs.items.length === 0 ? (
        <Empty>No role bindings: only platform administrators can use {ns}.</Empty>
      ) : (
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Binding</th>
                <th scope="col">Role</th>
                <th scope="col">Who</th>
                <th scope="col">
                  <span className="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {rbs.items.map((b) => (
                <tr key={b.metadata.name}>
                  <td>{b.metadata.name}</td>
                  <td>
                    {b.roleRef.kind} {b.roleRef.name}
                  </td>
                  <td>{(b.subjects ?? []).map((s) => `${s.kind} ${s.name}`).join(', ')}</td>
                  <td>
                    {mayBind && (
                      <ActionButton
                        action={deleteObject.bind(null, 'rbac.authorization.k8s.io', 'rolebindings', ns, b.metadata.name, undefined)}
                        label="Remove"
                        danger
                        confirm={`Remove ${b.metadata.name}?`}
                      />
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
