import Link from 'next/link';
import type { ReactNode } from 'react';
import { logout } from '@/app/actions/session';
import { NamespaceSwitcher, SideNav } from '@/components/Nav';
import { isAdmin } from '@/lib/access';
import { get } from '@/lib/api';
import { type KubeObject, type List, nameOf } from '@/lib/k8s';
import { requireSession } from '@/lib/session';

export const dynamic = 'force-dynamic';

export default async function PortalLayout({ children }: { children: ReactNode }) {
  const s = await requireSession();
  const [list, admin] = await Promise.all([get<List<KubeObject>>('/api/v1/namespaces'), isAdmin()]);
  const namespaces = (list.data?.items ?? []).map(nameOf).sort();
  return (
    <>
      <a href="#main" className="skip">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand">
          Flotilla
        </Link>
        <NamespaceSwitcher namespaces={namespaces} />
        <span className="spacer" />
        <Link href="/account" aria-label={`Account of ${s.username}`}>
          {s.username}
        </Link>
        <form action={logout}>
          <button type="submit">Sign out</button>
        </form>
      </header>
      <div className="shell">
        <SideNav admin={admin} />
        <main id="main">{children}</main>
      </div>
    </>
  );
}
