import Link from 'next/link';
import { redirect } from 'next/navigation';
import { isAdmin } from '@/lib/access';
import { describe, get } from '@/lib/api';
import { type KubeObject, type List, nameOf } from '@/lib/k8s';

export default async function Home() {
  const list = await get<List<KubeObject>>('/api/v1/namespaces');
  const names = (list.data?.items ?? []).map(nameOf).sort();
  const mine = names.filter((n) => !n.startsWith('kube-') && n !== 'default');
  if (mine.length > 0 || names.length > 0) redirect(`/ns/${encodeURIComponent(mine[0] ?? names[0])}`);
  const admin = await isAdmin();
  return (
    <>
      <h1>Welcome</h1>
      {!list.ok && <p className="note error">{describe(list)}</p>}
      <div className="card empty">
        <p>You are not a member of any namespace yet.</p>
        {admin ? (
          <p>
            <Link className="button primary" href="/admin/namespaces">
              Create a namespace
            </Link>
          </p>
        ) : (
          <p>Ask a platform administrator to add you to your team&apos;s namespace.</p>
        )}
      </div>
    </>
  );
}
