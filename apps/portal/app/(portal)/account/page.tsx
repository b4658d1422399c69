import type { Metadata } from 'next';
import { createToken, revokeToken } from '@/app/actions/account';
import { ActionButton } from '@/components/ActionButton';
import { DataTable } from '@/components/DataTable';
import { TokenForm } from '@/components/TokenForm';
import { Empty, ErrorNote, PageHead } from '@/components/ui';
import { get } from '@/lib/api';
import { requireSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Account' };

interface TokenInfo {
  id: string;
  name: string;
  createdAt?: string;
  expiresAt?: string | null;
  lastUsedAt?: string | null;
  revoked?: boolean;
}

export default async function Account() {
  const s = await requireSession();
  const tokens = await get<{ items: TokenInfo[] }>('/flotilla/v1/me/tokens');
  return (
    <>
      <PageHead title="Account" sub={`Signed in as ${s.username}${s.groups.length ? ` · groups: ${s.groups.join(', ')}` : ''}`} />
      <h2>kubectl</h2>
      <form method="post" action="/account/kubeconfig" className="card">
        <p>A kubeconfig carries a new personal token and the platform&apos;s CA, so kubectl verifies the API with no extra flags.</p>
        <button type="submit" className="primary">
          Download kubeconfig
        </button>
      </form>
      <h2>API tokens</h2>
      <TokenForm action={createToken} />
      {!tokens.ok && <ErrorNote>{tokens.error?.message}</ErrorNote>}
      {tokens.ok && (tokens.data?.items ?? []).length === 0 ? (
        <Empty>You have no API tokens.</Empty>
      ) : (
        <DataTable
          style={{ marginTop: 12 }}
          rows={tokens.data?.items ?? []}
          rowKey={(t) => t.id}
          columns={[
            { header: 'Name', cell: (t) => t.name },
            { header: 'Created', cell: (t) => t.createdAt?.slice(0, 16).replace('T', ' ') ?? '–' },
            { header: 'Expires', cell: (t) => t.expiresAt?.slice(0, 10) ?? 'never' },
            { header: 'Last used', cell: (t) => t.lastUsedAt?.slice(0, 16).replace('T', ' ') ?? 'never' },
            {
              header: <span className="skip">Revoke</span>,
              cell: (t) =>
                t.revoked ? (
                  <span className="badge">revoked</span>
                ) : (
                  <ActionButton action={revokeToken.bind(null, t.id)} label="Revoke" danger confirm={`Revoke “${t.name}”? Anything using it stops working.`} />
                ),
            },
          ]}
        />
      )}
    </>
  );
}
