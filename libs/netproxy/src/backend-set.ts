// A set of backends (address + port) that can be replaced at any time, handed out round-robin.
export interface Backend {
  host: string;
  port: number;
}

export function backendKey(b: Backend): string {
  return b.host.includes(':') ? `[${b.host}]:${b.port}` : `${b.host}:${b.port}`;
}

/**
 * Round-robin over a list that the owner swaps whole (`replace`). The cursor survives a replace so a
 * changing set keeps spreading load instead of restarting at the first backend every time.
 */
export class BackendSet {
  private list: Backend[] = [];
  private cursor = 0;

  constructor(initial: Backend[] = []) {
    this.replace(initial);
  }

  /** Swaps in a new list (duplicates dropped, order kept). Connections already made are not touched. */
  replace(backends: readonly Backend[]): void {
    const seen = new Set<string>();
    const next: Backend[] = [];
    for (const b of backends) {
      const k = backendKey(b);
      if (seen.has(k)) continue;
      seen.add(k);
      next.push({ host: b.host, port: b.port });
    }
    this.list = next;
    if (this.cursor >= next.length) this.cursor = 0;
  }

  get size(): number {
    return this.list.length;
  }

  /** A copy of the current list. */
  all(): Backend[] {
    return this.list.map((b) => ({ ...b }));
  }

  /** The next backend in turn, or undefined when the set is empty. */
  next(): Backend | undefined {
    if (this.list.length === 0) return undefined;
    const b = this.list[this.cursor % this.list.length];
    this.cursor = (this.cursor + 1) % this.list.length;
    return b;
  }
}
