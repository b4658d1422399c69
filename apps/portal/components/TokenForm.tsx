'use client';
// Create an API token; the secret is shown once, here, and never again.
import { useActionState } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Field } from './Field';

export function TokenForm({ action }: { action: (prev: ActionResult, form: FormData) => Promise<ActionResult> }) {
  const [state, run, pending] = useActionState(action, {});
  return (
    <form action={run} className="card">
      <div className="cols">
        <Field name="name" label="Token name" hint="Where you will use it." error={state.fields?.name}>
          {(a) => <input {...a} required />}
        </Field>
        <Field name="days" label="Valid for (days)" error={state.fields?.days}>
          {(a) => <input {...a} type="number" min={1} max={365} defaultValue="90" />}
        </Field>
      </div>
      <button type="submit" className="primary" disabled={pending}>
        {pending ? 'Creating…' : 'Create token'}
      </button>
      {state.error && (
        <p className="field-error" role="alert">
          {state.error}
        </p>
      )}
      {state.data?.token && (
        <div className="note ok" role="status">
          <p>
            <strong>Copy the token “{state.data.name}” now: it will not be shown again.</strong>
          </p>
          <label htmlFor="new-token">Token</label>
          <input id="new-token" readOnly value={state.data.token} className="mono" style={{ width: '100%' }} onFocus={(e) => e.currentTarget.select()} />
        </div>
      )}
    </form>
  );
}
