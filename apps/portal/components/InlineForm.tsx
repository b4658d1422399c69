'use client';
// A one-line form that runs a server action and shows its outcome beside the button.
import { useActionState, type ReactNode } from 'react';
import type { ActionResult } from '@/lib/action-result';

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
      {err && (
        <span className="field-error" role="alert">
          {err}
        </span>
      )}
      {state.ok && (
        <span className="badge ok" role="status">
          {state.ok}
        </span>
      )}
    </form>
  );
}
