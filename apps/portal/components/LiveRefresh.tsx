'use client';
// Re-renders the page's server components when anything it shows changes (watch events over SSE).
import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState } from 'react';

export function LiveRefresh({ watch }: { watch: string[] }) {
  const router = useRouter();
  const [on, setOn] = useState(false);
  const [changes, setChanges] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const key = watch.join('|');

  useEffect(() => {
    const q = new URLSearchParams();
    for (const p of key.split('|').filter(Boolean)) q.append('p', p);
    const es = new EventSource(`/api/watch?${q}`);
    es.addEventListener('ready', () => setOn(true));
    es.onerror = () => setOn(false);
    es.onmessage = () => {
      setChanges((n) => n + 1);
      // Coalesce bursts (a rollout changes many objects at once) into one refresh.
      if (timer.current) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        router.refresh();
      }, 300);
    };
    return () => {
      es.close();
      if (timer.current) clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [key, router]);

  return (
    <span className={`live${on ? ' on' : ''}`} role="status" aria-live="off" data-changes={changes}>
      {on ? 'Live' : 'Connecting…'}
    </span>
  );
}
