// Server-sent events from route handlers: a stream the handler writes to, closed when the browser leaves.
export interface SseWriter {
  send: (data: unknown, event?: string) => void;
  closed: () => boolean;
  onClose: (fn: () => void) => void;
}

export function sseResponse(signal: AbortSignal, run: (w: SseWriter) => Promise<void> | void): Response {
  const enc = new TextEncoder();
  const cleanups: (() => void)[] = [];
  let done = false;
  const stream = new ReadableStream<Uint8Array>({
    start(controller) {
      const close = () => {
        if (done) return;
        done = true;
        clearInterval(ping);
        for (const fn of cleanups) fn();
        try {
          controller.close();
        } catch {
          /* already closed */
        }
      };
      const write = (s: string) => {
        if (done) return;
        try {
          controller.enqueue(enc.encode(s));
        } catch {
          close();
        }
      };
      // A comment every 15 s keeps proxies from timing the stream out.
      const ping = setInterval(() => write(': ping\n\n'), 15_000);
      signal.addEventListener('abort', close);
      const w: SseWriter = {
        send: (data, event) => write(`${event ? `event: ${event}\n` : ''}data: ${JSON.stringify(data)}\n\n`),
        closed: () => done,
        onClose: (fn) => cleanups.push(fn),
      };
      write('retry: 3000\n\n');
      Promise.resolve(run(w)).catch((err: unknown) => {
        w.send({ message: String((err as Error)?.message ?? err) }, 'failure');
        close();
      });
    },
    cancel() {
      done = true;
      for (const fn of cleanups) fn();
    },
  });
  return new Response(stream, {
    headers: { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', 'x-accel-buffering': 'no' },
  });
}

/** Splits a byte stream into lines, calling `onLine` for each complete one. */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer) => void {
  let rest = '';
  return (chunk) => {
    rest += chunk.toString('utf8');
    let i: number;
    while ((i = rest.indexOf('\n')) >= 0) {
      onLine(rest.slice(0, i));
      rest = rest.slice(i + 1);
    }
  };
}
