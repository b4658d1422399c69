// kubectl port-forward's streams (portforward.k8s.io) on a SPDY session carried in a WebSocket
// (SPDY/3.1+portforward.k8s.io): for each local connection kubectl opens an `error` and a `data`
// stream with the same requestID and port; the data stream is joined to a connection the runtime opens to
// the pod's port, and a failure is written on the error stream (kubectl prints it).
import type { Socket } from 'node:net';
import type { WebSocket } from 'ws';
import type { Logger } from '@flotilla/log';
import { RST, SpdySession, type SpdyStream } from './spdy';

interface Pair {
  error?: SpdyStream;
  data?: SpdyStream;
  socket?: Socket;
}

/** `dial` opens a connection to the pod's port; `podIP` names the pod in error messages. */
export function servePortForward(ws: WebSocket, podIP: string, dial: (port: number) => Socket, log: Logger): void {
  const pairs = new Map<string, Pair>();
  const session = new SpdySession(
    (bytes) => {
      if (ws.readyState === ws.OPEN) ws.send(bytes);
    },
    (s) => onStream(s),
    (why) => {
      if (why) log.warn('port-forward session ended', { error: why });
      for (const p of pairs.values()) p.socket?.destroy();
      pairs.clear();
      if (ws.readyState === ws.OPEN) ws.close(1000);
    },
  );
  ws.on('message', (data: Buffer) => session.receive(data));
  ws.once('close', () => session.close());

  function fail(p: Pair, message: string): void {
    if (p.error) session.data(p.error.id, Buffer.from(message), true);
    if (p.data) session.data(p.data.id, Buffer.alloc(0), true);
  }

  function onStream(s: SpdyStream): void {
    const type = s.headers.streamtype;
    const requestId = s.headers.requestid ?? '';
    const port = Number(s.headers.port);
    if ((type !== 'error' && type !== 'data') || !Number.isInteger(port) || port < 1 || port > 65535) {
      session.reset(s.id, RST.protocolError);
      return;
    }
    session.reply(s.id);
    const p = pairs.get(requestId) ?? {};
    pairs.set(requestId, p);
    if (type === 'error') {
      p.error = s;
      // kubectl half-closes its error stream at once; it only reads from it.
      s.onData = () => undefined;
      return;
    }
    p.data = s;
    const pending: Buffer[] = [];
    let clientDone = false;
    const socket = dial(port);
    p.socket = socket;
    s.onData = (chunk) => {
      if (chunk === null) {
        clientDone = true;
        if (socket.connecting) return;
        socket.end();
        return;
      }
      if (socket.connecting) pending.push(chunk);
      else socket.write(chunk);
    };
    s.onReset = () => socket.destroy();
    socket.once('connect', () => {
      for (const c of pending) socket.write(c);
      pending.length = 0;
      if (clientDone) socket.end();
    });
    socket.on('data', (chunk: Buffer) => session.data(s.id, chunk));
    socket.once('end', () => session.data(s.id, Buffer.alloc(0), true));
    socket.once('error', (e) => fail(p, `error forwarding port ${port} to pod ${podIP}: ${e.message}`));
    socket.once('close', () => {
      if (p.error) session.data(p.error.id, Buffer.alloc(0), true);
      pairs.delete(requestId);
    });
  }
}
