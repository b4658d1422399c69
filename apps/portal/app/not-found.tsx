// A portal address that leads nowhere.
import Link from 'next/link';

export default function NotFound() {
  return (
    <main id="main" className="login" aria-labelledby="nf-h">
      <h1 id="nf-h">Nothing here</h1>
      <p className="note warn" role="alert">
        This address does not match a page of the portal. It may have been mistyped, or the object it named is gone.
      </p>
      <p>
        Go to the <Link href="/">start page</Link>.
      </p>
    </main>
  );
}
