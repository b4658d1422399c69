'use client';
// Deploy an app without writing YAML: checked here before sending, the API's field errors shown in place.
import { useActionState, useState } from 'react';
import type { ActionResult } from '@/lib/action-result';
import { validate, valuesOf } from '@/lib/deployment-form';
import { Field } from './Field';

type State = ActionResult & { values?: Record<string, string> };

export function DeploymentForm({ action }: { action: (prev: State, form: FormData) => Promise<State> }) {
  const [state, run, pending] = useActionState(action, {});
  const [local, setLocal] = useState<Record<string, string> | undefined>();
  const errors = local ?? state.fields ?? {};
  const v = state.values ?? {};
  const input = (name: string, label: string, hint?: string, extra: Record<string, unknown> = {}) => (
    <Field name={name} label={label} hint={hint} error={errors[name]}>
      {(a) => <input {...a} defaultValue={v[name] ?? (extra.defaultValue as string | undefined)} {...extra} />}
    </Field>
  );
  return (
    <form
      action={run}
      noValidate
      onChange={(e) => {
        // A field's error goes once it is edited; the rest stay until the next try.
        const n = (e.target as unknown as HTMLInputElement).name;
        if (local?.[n]) setLocal(Object.fromEntries(Object.entries(local).filter(([k]) => k !== n)));
      }}
      onSubmit={(e) => {
        const errs = validate(valuesOf(new FormData(e.currentTarget)));
        if (Object.keys(errs).length) {
          e.preventDefault();
          setLocal(errs);
          const first = e.currentTarget.querySelector<HTMLElement>(`[name="${Object.keys(errs)[0]}"]`);
          first?.focus();
        } else setLocal(undefined);
      }}
    >
      {(state.error || local) && (
        <p className="note error" role="alert">
          {local ? 'Please correct the highlighted fields.' : state.error}
        </p>
      )}
      <fieldset>
        <legend>App</legend>
        <div className="cols">
          {input('name', 'Name', 'Lower-case letters, digits and dashes.', { required: true, autoComplete: 'off', placeholder: 'web' })}
          {input('image', 'Image', 'What to run, e.g. nginx:1.27.', { required: true, placeholder: 'nginx:1.27' })}
          {input('replicas', 'Replicas', 'How many copies run at once.', { type: 'number', min: 0, max: 100, defaultValue: '2' })}
          {input('ports', 'Container ports', 'Ports your app listens on, e.g. 80 or 80, 9090.', { placeholder: '80', inputMode: 'numeric' })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Reach it</legend>
        <div className="field">
          <label style={{ display: 'flex', gap: 8, alignItems: 'center', fontWeight: 600 }}>
            <input type="checkbox" name="expose" defaultChecked={v.expose ? v.expose === 'on' : true} /> Create a Service for it
          </label>
        </div>
        <div className="cols">
          <Field name="serviceType" label="Service type" error={errors.serviceType}>
            {(a) => (
              <select {...a} defaultValue={v.serviceType ?? 'ClusterIP'}>
                <option value="ClusterIP">ClusterIP (inside the namespace)</option>
                <option value="NodePort">NodePort (a port on the nodes)</option>
                <option value="LoadBalancer">LoadBalancer (an external address)</option>
              </select>
            )}
          </Field>
          {input('servicePort', 'Service port', 'Defaults to the first container port.', { inputMode: 'numeric' })}
        </div>
      </fieldset>
      <fieldset>
        <legend>Configuration</legend>
        <Field
          name="env"
          label="Environment variables"
          hint="One per line: NAME=value, or NAME=configmap:<name>/<key>, or NAME=secret:<name>/<key>."
          error={errors.env}
        >
          {(a) => <textarea {...a} rows={4} defaultValue={v.env} spellCheck={false} />}
        </Field>
        <div className="cols">
          {input('configMapRefs', 'All keys of ConfigMaps', 'Names, separated by commas.')}
          {input('secretRefs', 'All keys of Secrets', 'Names, separated by commas.')}
        </div>
      </fieldset>
      <details>
        <summary style={{ cursor: 'pointer', margin: '6px 0 12px', fontWeight: 600 }}>Resources, health checks and a sidecar</summary>
        <fieldset>
          <legend>Resources</legend>
          <div className="cols">
            {input('cpuRequest', 'CPU request', 'e.g. 100m')}
            {input('memoryRequest', 'Memory request', 'e.g. 32Mi')}
            {input('cpuLimit', 'CPU limit', 'e.g. 200m')}
            {input('memoryLimit', 'Memory limit', 'e.g. 64Mi')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Health checks (HTTP)</legend>
          <div className="cols">
            {input('readinessPath', 'Readiness path', 'Traffic goes only to pods that answer here, e.g. /healthz.')}
            {input('readinessPort', 'Readiness port', 'Defaults to the first container port.')}
            {input('livenessPath', 'Liveness path', 'The container restarts when this stops answering.')}
            {input('livenessPort', 'Liveness port')}
          </div>
        </fieldset>
        <fieldset>
          <legend>Sidecar (optional)</legend>
          <div className="cols">
            {input('sidecarName', 'Sidecar name', undefined, { placeholder: 'sidecar' })}
            {input('sidecarImage', 'Sidecar image')}
            {input('sidecarCommand', 'Sidecar command', 'Run with sh -c.')}
          </div>
        </fieldset>
      </details>
      <button className="primary" type="submit" disabled={pending}>
        {pending ? 'Deploying…' : 'Deploy'}
      </button>
    </form>
  );
}
