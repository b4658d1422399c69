'use client';
// A one-line form that runs a server action and shows its outcome beside the button.
import { useActionState, useEffect, useState, type ReactNode } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Outcome } from './Outcome';

export function InlineForm({
  action,
  submit,
  children,
  fields,
  fieldName,
  current,
}: {
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  submit: string;
  children: ReactNode;
  fields?: Record<string, string>;
  /** The field whose error (from `fields`) is shown. */
  fieldName?: string;
  /** What the page shows now of the value this form sets: a success note about another value is stale. */
  current?: string;
}) {
  const [state, run, pending] = useActionState(action, {});
  // Once the page has shown the value the note is about and then moves on (scaled again elsewhere, by
  // kubectl), the note is history and stays gone even if the value comes back to it.
  const [shown, setShown] = useState<ActionResult>();
  const [stale, setStale] = useState<ActionResult>();
  useEffect(() => {
    if (current === undefined || state.about === undefined) return;
    if (current === state.about) setShown(state);
    else if (shown === state) setStale(state);
  }, [current, state, shown]);
  const ok = stale === state ? undefined : state.ok;
  const err = state.error ?? (fieldName ? state.fields?.[fieldName] : undefined);
  return (
    <form action={run} className="row">
      {Object.entries(fields ?? {}).map(([k, v]) => (
        <input key={k} type="hidden" name={k} value={v} />
      ))}
      {children}
      <button type="submit" disabled={pending}>
        {pending ? `${submit}…` : submit}
      </button>
      <Outcome error={err} ok={ok} />
    </form>
  );
}
