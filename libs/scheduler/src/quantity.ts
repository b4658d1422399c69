// Kubernetes resource quantities ("100m", "1.5Gi", "2e3"), parsed into plain numbers.
// Interim copy: @flotilla/resources is getting a shared parseQuantity; switch to it once it lands.

export class QuantityError extends Error {}

const QUANTITY = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E)|[eE]([+-]?\d+))?$/;

const SUFFIX: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/**
 * The value of a quantity in its base unit: cores for cpu ("100m" → 0.1), bytes for memory
 * ("1Gi" → 1073741824), a count for pods. Throws QuantityError for anything Kubernetes would reject.
 */
export function parseQuantity(q: string | number): number {
  if (typeof q === 'number') {
    if (!Number.isFinite(q)) throw new QuantityError(`invalid quantity ${q}: must be a finite number`);
    return q;
  }
  const m = QUANTITY.exec(q.trim());
  if (!m) throw new QuantityError(`invalid quantity "${q}": expected a number with an optional suffix such as 100m, 512Mi or 2G`);
  const mantissa = Number(m[1]);
  if (m[2] !== undefined) return mantissa * SUFFIX[m[2]];
  if (m[3] !== undefined) return mantissa * 10 ** Number(m[3]);
  return mantissa;
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
