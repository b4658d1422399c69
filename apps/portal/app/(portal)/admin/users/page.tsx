import type { Metadata } from 'next';
import { addMember, createGroup, createUser, resetPassword, setUserDisabled } from '@/app/actions/admin';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { DataTable } from '@/components/DataTable';
import { InlineForm } from '@/components/InlineForm';
import { Badge, Described, Empty, ErrorNote, PageHead } from '@/components/ui';
import { get } from '@/lib/api';

export const metadata: Metadata = { title: 'Users & groups' };

interface UserView {
  username: string;
  displayName: string;
  disabled: boolean;
  groups: string[];
  createdAt: string;
}

export default async function AdminUsers() {
  const [users, groups] = await Promise.all([
    get<{ items: UserView[] }>('/flotilla/v1/admin/users'),
    get<{ items: { name: string; description: string; members: string[] }[] }>('/flotilla/v1/admin/groups'),
  ]);
  return (
    <>
      <PageHead title="Users & groups" sub="People who sign in to the portal and use kubectl." />
      <ActionForm
        action={createUser}
        legend="New user"
        submit="Create user"
        fields={[
          { name: 'username', label: 'Username', required: true },
          { name: 'displayName', label: 'Display name' },
          { name: 'password', label: 'First password', type: 'password', required: true, hint: 'At least 12 characters; they can change it later.' },
          { name: 'groups', label: 'Groups', hint: 'Existing groups, separated by commas' },
        ]}
      />
      {!users.ok && <ErrorNote>{users.error?.message}</ErrorNote>}
      {users.ok && (users.data?.items ?? []).length === 0 ? (
        <Empty>No users yet.</Empty>
      ) : (
        <DataTable
          rows={users.data?.items ?? []}
          rowKey={(u) => u.username}
          columns={[
            { header: 'User', cell: (u) => <Described name={u.username} description={u.displayName} /> },
            { header: 'Groups', cell: (u) => u.groups.join(', ') || '–' },
            { header: 'State', cell: (u) => (u.disabled ? <Badge value="Disabled" tone="bad" /> : <Badge value="Active" />) },
            {
              header: 'Reset password',
              cell: (u) => (
                <InlineForm action={resetPassword.bind(null, u.username)} submit="Reset">
                  <label htmlFor={`pw-${u.username}`} className="skip">
                    New password for {u.username}
                  </label>
                  <input
                    id={`pw-${u.username}`}
                    name="password"
                    type="password"
                    autoComplete="new-password"
                    placeholder="new password"
                    style={{ width: 150 }}
                  />
                </InlineForm>
              ),
            },
            {
              header: <span className="skip">Actions</span>,
              cell: (u) => (
                <ActionButton
                  key={u.disabled ? 'enable' : 'disable'}
                  action={setUserDisabled.bind(null, u.username, !u.disabled)}
                  label={u.disabled ? 'Enable' : 'Disable'}
                  danger={!u.disabled}
                  confirm={u.disabled ? undefined : `Disable ${u.username}? Their sessions end and their tokens are revoked.`}
                />
              ),
            },
          ]}
        />
      )}
      <h2>Groups</h2>
      <ActionForm
        action={createGroup}
        legend="New group"
        submit="Create group"
        fields={[
          { name: 'group', label: 'Name', required: true },
          { name: 'description', label: 'Description' },
        ]}
      />
      {!groups.ok && <ErrorNote>{groups.error?.message}</ErrorNote>}
      <DataTable
        rows={groups.data?.items ?? []}
        rowKey={(g) => g.name}
        columns={[
          { header: 'Group', cell: (g) => <Described name={g.name} description={g.description} /> },
          { header: 'Members', cell: (g) => g.members.join(', ') || '–' },
          {
            header: 'Add a member',
            cell: (g) => (
              <InlineForm action={addMember.bind(null, g.name)} submit="Add">
                <label htmlFor={`m-${g.name}`} className="skip">
                  User to add to {g.name}
                </label>
                <input id={`m-${g.name}`} name="user" placeholder="username" style={{ width: 150 }} />
              </InlineForm>
            ),
          },
        ]}
      />
    </>
  );
}
