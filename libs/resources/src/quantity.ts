// Kubernetes resource quantities ("500m", "128Mi", "1.5", "2Gi", "1e3") as plain numbers in base units.

export class QuantityError extends Error {
  override name = 'QuantityError';
}

/** Kubernetes' own wording for an unparseable quantity. */
export const QUANTITY_REGEX_MESSAGE = "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

const BINARY: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
const DECIMAL: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };

// sign, digits with at most one dot (at least one digit), then a binary/decimal suffix or an exponent.
const SHAPE = /^([+-]?)(\d+\.?\d*|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|[numkMGTPE]|[eE][+-]?\d+)?$/;

function parse(s: string): number | undefined {
  if (s.length === 0 || s.length > 100) return undefined;
  const m = SHAPE.exec(s);
  if (!m) return undefined;
  const [, sign, digits, suffix = ''] = m;
  let mult: number;
  if (suffix in BINARY) mult = BINARY[suffix];
  else if (suffix in DECIMAL) mult = DECIMAL[suffix];
  else {
    const exp = Number(suffix.slice(1));
    if (!Number.isFinite(exp) || Math.abs(exp) > 300) return undefined;
    mult = 10 ** exp;
  }
  const v = Number(digits) * mult;
  if (!Number.isFinite(v)) return undefined;
  return sign === '-' ? -v : v;
}

/**
 * The value in base units: cores for cpu ("100m" → 0.1), bytes for memory ("1Gi" → 1073741824).
 * Throws QuantityError for anything Kubernetes would reject.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(`invalid quantity ${q}: must be a finite number`);
    return q;
  }
  if (typeof q !== 'string') throw new QuantityError(`invalid quantity: expected a string or a number`);
  const v = parse(q);
  if (v === undefined) throw new QuantityError(`invalid quantity "${q.slice(0, 100)}": ${QUANTITY_REGEX_MESSAGE}`);
  return v;
}

/** Rounds up to a whole number as Kubernetes does, without letting float noise (1.1 × 1000) round up. */
function ceilWhole(v: number): number {
  const r = Math.round(v);
  return Math.abs(v - r) < 1e-6 ? r : Math.ceil(v);
}

/** The quantity in thousandths of its unit, rounded up: cpu in millicores. */
export function milliValue(q: string | number): number {
  return ceilWhole(parseQuantity(q) * 1000);
}

/** The quantity as a whole number of its unit, rounded up: memory in bytes, pods as a count. */
export function wholeValue(q: string | number): number {
  return ceilWhole(parseQuantity(q));
}

/** CPU cores → Docker's NanoCpus. */
export function cpuToNanoCpus(q: string | number): number {
  return Math.round(parseQuantity(q) * 1e9);
}

/** Memory → bytes for Docker's limits and tmpfs sizes. */
export function memoryToBytes(q: string | number): number {
  return wholeValue(q);
}

export function isQuantity(s: unknown): s is string | number {
  if (typeof s === 'number') return Number.isFinite(s);
  return typeof s === 'string' && parse(s) !== undefined;
}

/** Rounds away float noise (0.1 × 3) so formatting does not print 300.00000000000006m. */
function clean(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}

/** Cores as Kubernetes prints them: whole cores as "2", fractions in millicores ("250m"). */
export function formatCpu(cores: number): string {
  if (!Number.isFinite(cores)) return '0';
  const c = clean(cores);
  if (Number.isInteger(c)) return String(c);
  const milli = clean(c * 1000);
  if (Number.isInteger(milli)) return `${milli}m`;
  return `${Math.ceil(milli)}m`;
}

/** Bytes in the largest binary suffix that divides them exactly ("128Mi", "1536Ki"), else decimal. */
export function formatMemory(bytes: number): string {
  if (!Number.isFinite(bytes)) return '0';
  const b = Math.ceil(clean(bytes));
  if (b === 0) return '0';
  for (const suffix of ['Ei', 'Pi', 'Ti', 'Gi', 'Mi', 'Ki']) {
    const unit = BINARY[suffix];
    if (b % unit === 0) return `${b / unit}${suffix}`;
  }
  for (const [suffix, unit] of [
    ['G', 1e9],
    ['M', 1e6],
    ['k', 1e3],
  ] as const) {
    if (Math.abs(b) >= unit && b % unit === 0) return `${b / unit}${suffix}`;
  }
  return String(b);
}
