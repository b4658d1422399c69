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
  /** An example, shown as "e.g. …" in lighter print so it never reads as a value already filled in. */
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
  // React empties a form once its action has run; on an error the action's answer carries what was typed
  // (passwords left out) and the fields start from it again, so one wrong field does not cost all the others.
  const [state, run, pending] = useActionState(async (prev: ActionResult, form: FormData): Promise<ActionResult> => {
    const r = await action(prev, form);
    if (r.ok) return r;
    const values = Object.fromEntries(fields.filter((f) => f.type !== 'password').map((f) => [f.name, String(form.get(f.name) ?? '')]));
    return { ...r, values };
  }, {});
  const initial = (f: FieldSpec) => state.values?.[f.name] ?? f.defaultValue;
  return (
    <form action={run}>
      <fieldset>
        {legend && <legend>{legend}</legend>}
        <div className="cols">
          {fields.map((f) => (
            <Field key={f.name} name={f.name} label={f.label} hint={f.hint} error={state.fields?.[f.name]}>
              {(a) =>
                f.type === 'select' ? (
                  <select {...a} defaultValue={initial(f)}>
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
                    placeholder={f.placeholder && `e.g. ${f.placeholder}`}
                    required={f.required}
                    defaultValue={initial(f)}
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
