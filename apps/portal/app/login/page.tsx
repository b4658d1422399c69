import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { LoginForm } from '@/components/LoginForm';
import { getSession } from '@/lib/session';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<{ expired?: string; next?: string }> }) {
  if (await getSession()) redirect('/');
  const q = await searchParams;
  return (
    <main className="login">
      <h1>Sign in to Flotilla</h1>
      <p className="sub">Deploy and run your team&apos;s apps.</p>
      {q.expired && <p className="note warn">Your session ended. Please sign in again.</p>}
      <LoginForm next={q.next ?? ''} />
    </main>
  );
}
