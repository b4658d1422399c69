'use client';
// A plain YAML editor: apply with server-side apply; each problem names its line, and a click puts the
// cursor there.
import { useActionState, useRef } from 'react';
import type { ApplyState } from '@/lib/yaml-apply';

export function YamlEditor({ action, initial }: { action: (prev: ApplyState, form: FormData) => Promise<ApplyState>; initial: string }) {
  const [state, run, pending] = useActionState(action, { text: initial });
  const area = useRef<HTMLTextAreaElement>(null);
  const jump = (line: number) => {
    const el = area.current;
    if (!el) return;
    const lines = el.value.split('\n');
    const start = lines.slice(0, line - 1).reduce((n, l) => n + l.length + 1, 0);
    el.focus();
    el.setSelectionRange(start, start + (lines[line - 1]?.length ?? 0));
    el.scrollTop = Math.max(0, (line - 3) * 18);
  };
  const problems = state.problems ?? [];
  return (
    <form action={run}>
      <label htmlFor="yaml">Manifest (YAML; several objects separated by ---)</label>
      <textarea
        id="yaml"
        name="yaml"
        ref={area}
        rows={24}
        spellCheck={false}
        defaultValue={state.text}
        key={state.text}
        aria-invalid={problems.length ? true : undefined}
        aria-describedby={problems.length ? 'yaml-problems' : undefined}
      />
      {problems.length > 0 && (
        <div id="yaml-problems" className="note error" role="alert">
          <strong>{problems.length === 1 ? 'One problem' : `${problems.length} problems`}</strong>
          <ul style={{ margin: '6px 0 0' }}>
            {problems.map((p, i) => (
              <li key={i}>
                {p.line ? (
                  <button type="button" onClick={() => jump(p.line ?? 1)} style={{ padding: '0 6px', marginRight: 6 }}>
                    line {p.line}
                  </button>
                ) : null}
                {p.object && <strong>{p.object}: </strong>}
                {p.field && <code>{p.field} </code>}
                {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
      {state.ok && (
        <p className="note ok" role="status">
          {state.ok}
        </p>
      )}
      <div className="row" style={{ marginTop: 10 }}>
        <button className="primary" type="submit" disabled={pending}>
          {pending ? 'Applying…' : 'Apply'}
        </button>
        <label style={{ display: 'flex', gap: 6, alignItems: 'center', margin: 0, fontWeight: 400 }}>
          <input type="checkbox" name="force" /> Take over fields other tools manage (force)
        </label>
      </div>
    </form>
  );
}
