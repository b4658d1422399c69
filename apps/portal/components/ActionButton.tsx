'use client';
// A button that runs a server action, with an optional inline confirmation and the outcome shown beside it.
import { useActionState, useState } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Outcome } from './Outcome';

export function ActionButton({
  action,
  label,
  confirm,
  danger,
  primary,
  fields,
}: {
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  label: string;
  confirm?: string;
  danger?: boolean;
  primary?: boolean;
  fields?: Record<string, string>;
}) {
  const [state, run, pending] = useActionState(action, {});
  const [asking, setAsking] = useState(false);
  const cls = danger ? 'danger' : primary ? 'primary' : undefined;
  return (
    <form action={run} className="row" style={{ display: 'inline-flex' }} onSubmit={() => setAsking(false)}>
      {Object.entries(fields ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {confirm && !asking ? (
        <button type="button" className={cls} onClick={() => setAsking(true)} disabled={pending}>
          {label}
        </button>
      ) : (
        <>
          {asking && <span role="alert">{confirm}</span>}
          <button type="submit" className={cls} disabled={pending} autoFocus={asking}>
            {pending ? `${label}…` : asking ? `Yes, ${label.toLowerCase()}` : label}
          </button>
          {asking && (
            <button type="button" onClick={() => setAsking(false)}>
              Cancel
            </button>
          )}
        </>
      )}
      <Outcome error={state.error} ok={state.ok} />
    </form>
  );
}
