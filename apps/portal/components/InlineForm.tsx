'use client';
// A one-line form that runs a server action and shows its outcome beside the button.
import { useActionState, type ReactNode } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Outcome } from './Outcome';

export function InlineForm({
  action,
  submit,
  children,
  fields,
  fieldName,
}: {
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  submit: string;
  children: ReactNode;
  fields?: Record<string, string>;
  /** The field whose error (from `fields`) is shown. */
  fieldName?: string;
}) {
  const [state, run, pending] = useActionState(action, {});
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
      <Outcome error={err} ok={state.ok} />
    </form>
  );
}
