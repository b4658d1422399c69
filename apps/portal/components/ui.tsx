// Small presentational pieces shared by the pages. Server components only: Age formats with
// @flotilla/resources, which the browser bundle must not carry (client components use Outcome and the like).
import type { ReactNode } from 'react';
import { age } from '@/lib/format';

export function ErrorNote({ children }: { children: ReactNode }) {
  return (
    <p className="note error" role="alert">
      {children}
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="card empty">{children}</div>;
}

const GOOD = new Set(['Running', 'Ready', 'True', 'Active', 'Complete', 'Succeeded', 'Available', 'Normal', 'allowed']);
const BAD = new Set(['Failed', 'Error', 'CrashLoopBackOff', 'ImagePullBackOff', 'ErrImagePull', 'False', 'Warning', 'NotReady', 'denied', 'OOMKilled']);

export function Badge({ value, tone }: { value: string; tone?: 'ok' | 'warn' | 'bad' }) {
  const t = tone ?? (GOOD.has(value) ? 'ok' : BAD.has(value) || value.startsWith('Init:Err') ? 'bad' : 'warn');
  return <span className={`badge ${t}`}>{value}</span>;
}

/** A name with its description in smaller print under it (a user's display name, a group's purpose). */
export function Described({ name, description }: { name: string; description?: string | null }) {
  return (
    <>
      {name}
      {description && <div className="sub">{description}</div>}
    </>
  );
}

export function Age({ ts }: { ts?: string | null }) {
  return <time dateTime={ts ?? undefined}>{age(ts)}</time>;
}

export function PageHead({ title, sub, children }: { title: string; sub?: ReactNode; children?: ReactNode }) {
  return (
    <div className="row between" style={{ marginBottom: 12 }}>
      <div>
        <h1>{title}</h1>
        {sub && <p className="sub">{sub}</p>}
      </div>
      <div className="row">{children}</div>
    </div>
  );
}

export function UsageBar({ label, used, hard, pct }: { label: string; used: string; hard: string; pct: number }) {
  return (
    <div style={{ marginBottom: 8 }}>
      <div className="row between">
        <span>{label}</span>
        <span className="mono">
          {used} / {hard}
        </span>
      </div>
      <div className={`bar${pct >= 90 ? ' high' : ''}`} role="meter" aria-label={`${label} used`} aria-valuemin={0} aria-valuemax={100} aria-valuenow={pct}>
        <span style={{ width: `${pct}%` }} />
      </div>
    </div>
  );
}
