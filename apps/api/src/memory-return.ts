// After a burst (a watch storm, a LIST of thousands of pods) V8 keeps the heap it grew to: an idle process
// allocates nothing, so no collection runs that would shrink it, and the API would hold the burst's memory
// for good (Node 24: 150 → 360 MB, unchanged a minute after a 300-watcher storm). So when the API has been
// quiet for a whole interval (event loop busy under 10 % of it) and V8 holds much more heap than it uses, it
// runs one full collection, which gives the free pages back. Busy, it never does: V8 collects on its own.
import { performance } from 'node:perf_hooks';
import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Heap V8 may hold beyond what is in use before an idle API collects. */
const SLACK_BYTES = 32 * 1024 * 1024;
const IDLE_UTILIZATION = 0.1;

/** The decision, pure: collect when quiet and holding more than SLACK_BYTES it does not use. */
export function shouldReturnMemory(utilization: number, heapTotal: number, heapUsed: number): boolean {
  return utilization < IDLE_UTILIZATION && heapTotal - heapUsed > SLACK_BYTES;
}

/** Checks every `intervalMs`; returns the timer (unref'd). `onReturn` reports the heap before and after. */
export function returnMemoryWhenIdle(intervalMs: number, onReturn: (before: number, after: number) => void): NodeJS.Timeout {
  // Node exposes a full collection only behind --expose-gc; set at run time, the flag holds for new contexts.
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  let last = performance.eventLoopUtilization();
  const timer = setInterval(() => {
    const now = performance.eventLoopUtilization();
    const { utilization } = performance.eventLoopUtilization(now, last);
    last = now;
    const h = getHeapStatistics();
    if (!shouldReturnMemory(utilization, h.total_heap_size, h.used_heap_size)) return;
    gc();
    onReturn(h.total_heap_size, getHeapStatistics().total_heap_size);
  }, intervalMs);
  timer.unref();
  return timer;
}
