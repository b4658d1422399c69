'use client';
// A form described by its fields, run through a server action; errors appear at the fields they concern.
import { useActionState } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { Field } from './Field';
import { Outcome } from './Outcome';

export interface FieldSpec {
  name: string;
  label: string;
  hint?: string;
  type?: 'text' | 'password' | 'number' | 'select';
  options?: [string, string][];
  placeholder?: string;
  required?: boolean;
  defaultValue?: string;
}

export function ActionForm({
  action,
  fields,
  submit,
  legend,
}: {
  action: (prev: ActionResult, form: FormData) => Promise<ActionResult>;
  fields: FieldSpec[];
  submit: string;
  legend?: string;
}) {
  const [state, run, pending] = useActionState(action, {});
  return (
    <form action={run}>
      <fieldset>
        {legend && <legend>{legend}</legend>}
        <div className="cols">
          {fields.map((f) => (
            <Field key={f.name} name={f.name} label={f.label} hint={f.hint} error={state.fields?.[f.name]}>
              {(a) =>
                f.type === 'select' ? (
                  <select {...a} defaultValue={f.defaultValue}>
                    {(f.options ?? []).map(([v, l]) => (
                      <option key={v} value={v}>
                        {l}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    {...a}
                    type={f.type ?? 'text'}
                    placeholder={f.placeholder}
                    required={f.required}
                    defaultValue={f.defaultValue}
                    autoComplete={f.type === 'password' ? 'new-password' : 'off'}
                  />
                )
              }
            </Field>
          ))}
        </div>
        <div className="row">
          <button className="primary" type="submit" disabled={pending}>
            {pending ? `${submit}…` : submit}
          </button>
          <Outcome error={state.error} ok={state.ok} />
        </div>
      </fieldset>
    </form>
  );
}
