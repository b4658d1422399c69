// kubectl exec's remote command protocol (v4/v5.channel.k8s.io) on one WebSocket, bridged to a Docker
// exec session: binary messages whose first byte is the channel — 0 stdin, 1 stdout, 2 stderr, 3 the
// final Status (exit code), 4 terminal resize, 255 close a stream (v5: stdin EOF).
import { EXEC_CHANNEL, type ExecOptions } from '@flotilla/resources';
import type { ExecSession } from '@flotilla/runtime';
import type { WebSocket } from 'ws';

/** Unsent bytes past which the container's output is paused until the socket drains. */
const HIGH_WATER = 1 << 20;

/** The Status kubelet writes on the error channel when the command ends (kubectl turns it into its exit code). */
export function exitStatus(code: number, command: string[]): Record<string, unknown> {
  if (code === 0) return { metadata: {}, status: 'Success' };
  if (code < 0) {
    return {
      metadata: {},
      status: 'Failure',
      reason: 'InternalError',
      message: `error executing command ${JSON.stringify(command)}: the exit code could not be read`,
    };
  }
  return {
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: error executing command ${JSON.stringify(command)}, exit code ${code}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
  };
}

export function sendStatus(ws: WebSocket, status: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(Buffer.concat([Buffer.from([EXEC_CHANNEL.error]), Buffer.from(JSON.stringify(status))]), () => ws.close(1000));
}

/** Runs the bridge until the command ends or the client goes; resolves with the exit code (-1 when unknown). */
export function bridgeExec(ws: WebSocket, protocol: string, session: ExecSession, o: ExecOptions): Promise<number> {
  const v5 = protocol === 'v5.channel.k8s.io';
  let unsent = 0;
  const outputs = [
    { stream: session.stdout, channel: EXEC_CHANNEL.stdout, wanted: o.stdout },
    ...(session.stderr ? [{ stream: session.stderr, channel: EXEC_CHANNEL.stderr, wanted: o.stderr }] : []),
  ];
  const resumeAll = (): void => {
    for (const out of outputs) out.stream.resume();
  };
  const forward = (channel: number, chunk: Buffer, stream: NodeJS.ReadableStream): void => {
    if (ws.readyState !== ws.OPEN) return;
    unsent += chunk.length;
    ws.send(Buffer.concat([Buffer.from([channel]), chunk]), () => {
      unsent -= chunk.length;
      if (unsent < HIGH_WATER) resumeAll();
    });
    if (unsent >= HIGH_WATER) stream.pause();
  };
  const ended = outputs.map(
    (out) =>
      new Promise<void>((resolve) => {
        out.stream.on('data', (chunk: Buffer) => (out.wanted ? forward(out.channel, chunk, out.stream) : undefined));
        out.stream.once('end', () => resolve());
        out.stream.once('close', () => resolve());
        out.stream.once('error', () => resolve());
      }),
  );

  ws.on('message', (data: Buffer) => {
    if (data.length === 0) return;
    const payload = data.subarray(1);
    switch (data[0]) {
      case EXEC_CHANNEL.stdin:
        if (o.stdin && payload.length && !session.stream.write(payload)) {
          ws.pause();
          session.stream.once('drain', () => ws.resume());
        }
        break;
      case EXEC_CHANNEL.resize: {
        if (!o.tty) break;
        try {
          const size = JSON.parse(payload.toString('utf8')) as { Width?: unknown; Height?: unknown };
          const w = Number(size.Width);
          const h = Number(size.Height);
          if (Number.isInteger(w) && Number.isInteger(h) && w > 0 && h > 0) session.resize(w, h).catch(() => undefined);
        } catch {
          /* a malformed resize is ignored, as kubelet does */
        }
        break;
      }
      case EXEC_CHANNEL.close:
        // v5: the client closed one of its streams; only stdin flows from the client.
        if (v5 && payload[0] === EXEC_CHANNEL.stdin && o.stdin) session.stream.end();
        break;
      default:
        break;
    }
  });
  // The client went away: stop feeding the command and let Docker close the session.
  ws.once('close', () => session.stream.destroy());

  return Promise.all(ended).then(async () => {
    const code = await session.exitCode().catch(() => -1);
    sendStatus(ws, exitStatus(code, o.command));
    return code;
  });
}
