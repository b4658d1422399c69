// The one way every Flotilla process reads its environment: each reader returns the default when the
// variable is unset or empty, and otherwise either a valid value or a ConfigError naming the variable,
// what it accepts and what it got, so a bad setting stops the process at start with one clear line.

export type Env = Record<string, string | undefined>;

/** A setting that cannot be used; the processes print its message and exit at start. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface Bounds {
  min?: number;
  /** Strictly greater than this (a rate or a share that cannot be 0). */
  over?: number;
  max?: number;
}

/** The value, or undefined when the variable is unset or empty (both mean "use the default"). */
export function text(env: Env, key: string): string | undefined {
  const raw = env[key];
  return raw === undefined || raw === '' ? undefined : raw;
}

/** The value, or a ConfigError saying how to provide it. */
export function required(env: Env, key: string, hint: string): string {
  const raw = text(env, key);
  if (raw === undefined) throw new ConfigError(`${key} is not set: ${hint}`);
  return raw;
}

function range({ min, over, max }: Bounds): string {
  const low = over !== undefined ? `> ${over}` : min !== undefined ? `≥ ${min}` : undefined;
  if (min !== undefined && over === undefined && max !== undefined) return ` from ${min} to ${max}`;
  return [low, max !== undefined ? `≤ ${max}` : undefined]
    .filter(Boolean)
    .map((s) => ` ${s}`)
    .join(' and');
}

function bounded(key: string, raw: string, n: number, what: string, bounds: Bounds): number {
  const { min, over, max } = bounds;
  if (!Number.isFinite(n) || (min !== undefined && n < min) || (over !== undefined && n <= over) || (max !== undefined && n > max))
    throw new ConfigError(`${key} must be ${what}${range(bounds)}, got "${raw}"`);
  return n;
}

/** A whole number in decimal digits ("1e3" and "0x10" are refused: they are typos more often than not). */
export function int(env: Env, key: string, def: number, bounds: Bounds = {}): number {
  const raw = text(env, key);
  if (raw === undefined) return def;
  return bounded(key, raw, /^[+-]?\d+$/.test(raw.trim()) ? Number(raw) : NaN, 'an integer', bounds);
}

/** A decimal number ("0.5", "2"). */
export function num(env: Env, key: string, def: number, bounds: Bounds = {}): number {
  const raw = text(env, key);
  if (raw === undefined) return def;
  return bounded(key, raw, raw.trim() === '' ? NaN : Number(raw), 'a number', bounds);
}

/** A duration in seconds, fractions allowed ("0.5"); never negative. */
export function seconds(env: Env, key: string, def: number, bounds: Bounds = {}): number {
  const raw = text(env, key);
  if (raw === undefined) return def;
  return bounded(key, raw, raw.trim() === '' ? NaN : Number(raw), 'a number of seconds', { min: 0, ...bounds });
}

// `on`/`off` is the documented spelling; the others were accepted by some process before and still are.
const ON = new Set(['on', '1', 'true']);
const OFF = new Set(['off', '0', 'false']);

/** A switch: `on` or `off` (also `1`/`0` and `true`/`false`, spellings that some processes took before). */
export function flag(env: Env, key: string, def: boolean): boolean {
  const raw = text(env, key);
  if (raw === undefined) return def;
  const v = raw.trim().toLowerCase();
  if (ON.has(v)) return true;
  if (OFF.has(v)) return false;
  throw new ConfigError(`${key} must be "on" or "off", got "${raw}"`);
}

/** One of a fixed list of words. */
export function oneOf<T extends string>(env: Env, key: string, def: T, values: readonly T[]): T {
  const raw = text(env, key);
  if (raw === undefined) return def;
  if ((values as readonly string[]).includes(raw)) return raw as T;
  const list = values.map((v) => `"${v}"`);
  const choices = list.length > 1 ? `${list.slice(0, -1).join(', ')} or ${list[list.length - 1]}` : list[0];
  throw new ConfigError(`${key} must be ${choices}, got "${raw}"`);
}

/** An absolute URL whose scheme is one of `protocols` (e.g. ['https']); returned as given, minus trailing slashes. */
export function url(env: Env, key: string, def: string, protocols: readonly string[], why = ''): string {
  const raw = text(env, key) ?? def;
  let scheme: string | undefined;
  try {
    scheme = new URL(raw).protocol.replace(/:$/, '');
  } catch {
    scheme = undefined;
  }
  if (scheme === undefined || !protocols.includes(scheme))
    throw new ConfigError(`${key} must be a URL starting with ${protocols.map((p) => `${p}://`).join(' or ')}${why ? ` (${why})` : ''}, got "${raw}"`);
  return raw.replace(/\/+$/, '');
}
