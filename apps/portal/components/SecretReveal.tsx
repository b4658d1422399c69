'use client';
// A Secret's keys with their values hidden until "Reveal" is pressed (and hidden again on "Hide").
import { useState, useTransition } from 'react';
import type { ActionResult } from '@/lib/action-result';

export function SecretReveal({ keys, reveal }: { keys: string[]; reveal: () => Promise<ActionResult> }) {
  const [values, setValues] = useState<Record<string, string> | undefined>();
  const [error, setError] = useState<string | undefined>();
  const [pending, start] = useTransition();
  return (
    <div>
      <dl className="kv">
        {keys.map((k) => (
          <div key={k} style={{ display: 'contents' }}>
            <dt className="mono">{k}</dt>
            <dd className="secret-value">{values ? values[k] : '••••••••'}</dd>
          </div>
        ))}
      </dl>
      <div className="row" style={{ marginTop: 6 }}>
        {values ? (
          <button type="button" onClick={() => setValues(undefined)}>
            Hide values
          </button>
        ) : (
          <button
            type="button"
            disabled={pending || keys.length === 0}
            onClick={() =>
              start(async () => {
                const r = await reveal();
                setError(r.error);
                if (r.data) setValues(r.data);
              })
            }
          >
            {pending ? 'Revealing…' : 'Reveal values'}
          </button>
        )}
        {error && (
          <span className="field-error" role="alert">
            {error}
          </span>
        )}
      </div>
    </div>
  );
}
