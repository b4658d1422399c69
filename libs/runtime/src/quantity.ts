// Kubernetes resource quantities to Docker's units, on the shared parser of @flotilla/resources.
import { parseQuantity } from '@flotilla/resources';

/** CPU cores → Docker NanoCpus. */
export function cpuToNanoCpus(q: string | number): number {
  return Math.round(parseQuantity(q) * 1e9);
}

/** Memory quantity → bytes (rounded up, as Kubernetes does for fractional bytes). */
export function memoryToBytes(q: string | number): number {
  return Math.ceil(parseQuantity(q));
}
