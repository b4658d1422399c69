import type { Metadata } from 'next';
import { addMember, createGroup, createUser, resetPassword, setUserDisabled } from '@/app/actions/admin';
import { ActionButton } from '@/components/ActionButton';
import { ActionForm } from '@/components/ActionForm';
import { InlineForm } from '@/components/InlineForm';
import { Badge, Empty, ErrorNote, PageHead } from '@/components/ui';
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
        <div className="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Groups</th>
                <th scope="col">State</th>
                <th scope="col">Reset password</th>
                <th scope="col">
                  <span className="skip">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {(users.data?.items ?? []).map((u) => (
                <tr key={u.username}>
                  <td>
                    {u.username}
                    {u.displayName && <div className="sub">{u.displayName}</div>}
                  </td>
                  <td>{u.groups.join(', ') || '–'}</td>
                  <td>{u.disabled ? <Badge value="Disabled" tone="bad" /> : <Badge value="Active" />}</td>
                  <td>
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
                  </td>
                  <td>
                    <ActionButton
                      key={u.disabled ? 'enable' : 'disable'}
                      action={setUserDisabled.bind(null, u.username, !u.disabled)}
                      label={u.disabled ? 'Enable' : 'Disable'}
                      danger={!u.disabled}
                      confirm={u.disabled ? undefined : `Disable ${u.username}? Their sessions end and their tokens are revoked.`}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
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
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              <th scope="col">Group</th>
              <th scope="col">Members</th>
              <th scope="col">Add a member</th>
            </tr>
          </thead>
          <tbody>
            {(groups.data?.items ?? []).map((g) => (
              <tr key={g.name}>
                <td>
                  {g.name}
                  {g.description && <div className="sub">{g.description}</div>}
                </td>
                <td>{g.members.join(', ') || '–'}</td>
                <td>
                  <InlineForm action={addMember.bind(null, g.name)} submit="Add">
                    <label htmlFor={`m-${g.name}`} className="skip">
                      User to add to {g.name}
                    </label>
                    <input id={`m-${g.name}`} name="user" placeholder="username" style={{ width: 150 }} />
                  </InlineForm>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
