import type { ReactNode } from 'react';
import { ErrorNote } from '@/components/ui';
import { isAdmin } from '@/lib/access';

export default async function AdminLayout({ children }: { children: ReactNode }) {
  if (!(await isAdmin())) return <ErrorNote>This part of the portal is for platform administrators.</ErrorNote>;
  return children;
}
