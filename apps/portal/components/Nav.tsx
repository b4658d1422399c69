'use client';
// The namespace switcher and the side navigation; both follow the current path.
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';

function currentNs(path: string): string | undefined {
  const m = /^\/ns\/([^/]+)/.exec(path);
  return m ? decodeURIComponent(m[1]) : undefined;
}

export function NamespaceSwitcher({ namespaces }: { namespaces: string[] }) {
  const path = usePathname();
  const router = useRouter();
  const ns = currentNs(path);
  return (
    <div className="row">
      <label htmlFor="ns-switch" style={{ margin: 0, color: '#fff' }}>
        Namespace
      </label>
      <select
        id="ns-switch"
        value={ns ?? ''}
        onChange={(e) => {
          const section = /^\/ns\/[^/]+\/([a-z]+)/.exec(path)?.[1];
          router.push(`/ns/${encodeURIComponent(e.target.value)}${section ? `/${section}` : ''}`);
        }}
      >
        {!ns && <option value="">Choose…</option>}
        {namespaces.map((n) => (
          <option key={n} value={n}>
            {n}
          </option>
        ))}
      </select>
    </div>
  );
}

const NS_LINKS: [string, string][] = [
  ['', 'Overview'],
  ['/deployments', 'Deployments'],
  ['/services', 'Services'],
  ['/pods', 'Pods'],
  ['/logs', 'Logs'],
  ['/events', 'Events'],
  ['/config', 'Config & Secrets'],
  ['/yaml', 'YAML'],
  ['/access', 'Access'],
];

const ADMIN_LINKS: [string, string][] = [
  ['/admin/namespaces', 'Namespaces'],
  ['/admin/users', 'Users & groups'],
  ['/admin/nodes', 'Nodes'],
  ['/admin/audit', 'Audit log'],
];

export function SideNav({ admin, fallbackNs }: { admin: boolean; fallbackNs?: string }) {
  const path = usePathname();
  const ns = currentNs(path) ?? fallbackNs;
  const link = (href: string, label: string, exact: boolean) => {
    const current = exact ? path === href : path === href || path.startsWith(`${href}/`);
    return (
      <li key={href}>
        <Link href={href} aria-current={current ? 'page' : undefined}>
          {label}
        </Link>
      </li>
    );
  };
  return (
    <nav className="side" aria-label="Sections">
      {ns && (
        <>
          <h2>{ns}</h2>
          <ul>{NS_LINKS.map(([s, label]) => link(`/ns/${encodeURIComponent(ns)}${s}`, label, s === ''))}</ul>
        </>
      )}
      {admin && (
        <>
          <h2>Platform</h2>
          <ul>{ADMIN_LINKS.map(([href, label]) => link(href, label, false))}</ul>
        </>
      )}
      <h2>You</h2>
      <ul>{link('/account', 'Account & tokens', false)}</ul>
    </nav>
  );
}
