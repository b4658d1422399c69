// Collects Kubernetes-style field errors (StatusCause), worded like apimachinery's field.Error.
import type { FieldError } from './registry-types';

const MAX_SHOWN = 1024;

/** Renders a bad value the way Go's field errors do: strings quoted, numbers and bools bare, rest as JSON. */
export function showValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > MAX_SHOWN ? `${v.slice(0, MAX_SHOWN)}...` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === undefined || v === null) return 'null';
  let s: string;
  try {
    s = JSON.stringify(v) ?? 'null';
  } catch {
    s = String(typeof v);
  }
  return s.length > MAX_SHOWN ? `${s.slice(0, MAX_SHOWN)}...` : s;
}

/** A Go-style map literal, as Kubernetes prints label maps in messages. */
export function showMap(m: Record<string, unknown>): string {
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${JSON.stringify(String(m[k]))}`);
  const out = `map[string]string{${entries.join(', ')}}`;
  return out.length > MAX_SHOWN ? `${out.slice(0, MAX_SHOWN)}...` : out;
}

export class FieldErrors {
  readonly list: FieldError[] = [];

  private add(field: string, reason: string, message: string): void {
    // Hostile inputs can produce one error per array element; a bound keeps replies small.
    if (this.list.length < 1000) this.list.push({ field, reason, message });
  }

  /** An error worded elsewhere (e.g. pod-limits.ts, shared with the agent). */
  push(e: FieldError): void {
    this.add(e.field, e.reason, e.message);
  }

  required(field: string, detail?: string): void {
    this.add(field, 'FieldValueRequired', detail ? `Required value: ${detail}` : 'Required value');
  }

  invalid(field: string, value: unknown, detail: string, raw = false): void {
    this.add(field, 'FieldValueInvalid', `Invalid value: ${raw ? String(value) : showValue(value)}${detail ? `: ${detail}` : ''}`);
  }

  notSupported(field: string, value: unknown, allowed: string[]): void {
    const list = allowed.map((a) => JSON.stringify(a)).join(', ');
    this.add(field, 'FieldValueNotSupported', `Unsupported value: ${showValue(value)}${allowed.length ? `: supported values: ${list}` : ''}`);
  }

  duplicate(field: string, value: unknown): void {
    this.add(field, 'FieldValueDuplicate', `Duplicate value: ${showValue(value)}`);
  }

  notFound(field: string, value: unknown): void {
    this.add(field, 'FieldValueNotFound', `Not found: ${showValue(value)}`);
  }

  typeInvalid(field: string, value: unknown, detail: string): void {
    this.add(field, 'FieldValueTypeInvalid', `Invalid value: ${showValue(value)}: ${detail}`);
  }

  tooLong(field: string, max: number, unit = 'bytes'): void {
    this.add(field, 'FieldValueTooLong', `Too long: may not be more than ${max} ${unit}`);
  }

  forbidden(field: string, detail: string): void {
    this.add(field, 'FieldValueForbidden', `Forbidden: ${detail}`);
  }

  /** Reports each message from a syntax check (names.ts) as an Invalid value. */
  check(field: string, value: string, problems: string[]): void {
    for (const p of problems) this.invalid(field, value, p);
  }
}
