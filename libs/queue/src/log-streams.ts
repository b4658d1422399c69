// The Redis layout of container logs, shared by the node agent (which ships them) and the API's pods/log
// reader: one definition, so the two can never drift apart.
//
//   flotilla:logs:<podUid>:<container>:<restartCount>   a stream, one entry per line, capped (MAXLEN ~ 10000):
//        t = Docker's RFC 3339 nanosecond timestamp, s = "o" (stdout) | "e" (stderr), l = the line without "\n"
//        a last entry `eof=1` says the container instance has exited and every line was shipped.
//        Entry ids are the line's own timestamp in ms (kept monotonic), so sinceTime is an XRANGE.
//   flotilla:logs:<podUid>                               a set of the pod's stream keys (to expire them with the pod)

export const LOG_STREAM_MAXLEN = 10_000;
/** How long a deleted pod's logs stay readable. */
export const LOG_RETENTION_AFTER_DELETE_SECONDS = 3600;

export function logStreamKey(podUid: string, container: string, restartCount: number): string {
  return `flotilla:logs:${podUid}:${container}:${restartCount}`;
}

export function podLogIndexKey(podUid: string): string {
  return `flotilla:logs:${podUid}`;
}
