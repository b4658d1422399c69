'use client';
// A page that failed to render: what happened, and what to do next (retry, go elsewhere, sign in again).
import Link from 'next/link';
import { useEffect } from 'react';

export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <section aria-labelledby="err-h">
      <h1 id="err-h">This page could not be shown</h1>
      <p className="note error" role="alert">
        Something went wrong while loading it{error.digest ? ` (reference ${error.digest})` : ''}. The API may be restarting or unreachable.
      </p>
      <p>What you can do:</p>
      <ul>
        <li>try again in a moment;</li>
        <li>
          go back to the <Link href="/">start page</Link>;
        </li>
        <li>
          if it keeps happening, <Link href="/login">sign in again</Link> or give the reference above to your platform administrator.
        </li>
      </ul>
      <button type="button" className="primary" onClick={() => reset()}>
        Try again
      </button>
    </section>
  );
}
