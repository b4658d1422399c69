// Docker's event stream is the runtime's PLEG: a container of ours died or started → re-sync its pod. The
// stream ends when the engine stops; then the engine is pinged until it answers, and the stream re-opened.
import { PassThrough } from 'node:stream';
import { LABEL } from '../labels';
import { LineSplitter } from '../lines';
import { EngineLiveness, pingDelayMs } from '../sandbox-change';
import { mine, type DockerContext } from './context';

export interface EngineEventHandlers {
  /** A container of the pod with this uid started, died or ran out of memory. */
  podChanged: (uid: string) => void;
  /** The engine answers again after its event stream ended. */
  engineBack: () => void;
}

export class EngineEvents {
  private events?: NodeJS.ReadableStream;
  private readonly engine = new EngineLiveness();
  private closed = false;

  constructor(
    private readonly ctx: DockerContext,
    private readonly on: EngineEventHandlers,
  ) {}

  /** Follows the engine's events, unless already following (or waiting for the engine to come back). */
  watch(): void {
    if (this.events || this.closed || this.ctx.opts.watchEvents === false || this.engine.away) return;
    const placeholder = new PassThrough();
    this.events = placeholder;
    this.ctx.docker
      .getEvents({ filters: { type: ['container'], event: ['die', 'start', 'oom'], label: mine(this.ctx).label } })
      .then((stream) => {
        if (this.closed || this.events !== placeholder) {
          (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
          return;
        }
        this.events = stream;
        const lines = new LineSplitter();
        stream.on('data', (chunk: Buffer) =>
          lines.push(chunk.toString('utf8'), (raw) => {
            const line = raw.trim();
            if (!line) return;
            try {
              const ev = JSON.parse(line) as { Actor?: { Attributes?: Record<string, string> } };
              const uid = ev.Actor?.Attributes?.[LABEL.podUid];
              if (uid) this.on.podChanged(uid);
            } catch {
              // a partial or foreign line: ignore
            }
          }),
        );
        const ended = (): void => {
          if (this.events !== stream) return;
          this.events = undefined;
          this.engineLost();
        };
        stream.on('error', ended);
        stream.on('end', ended);
        stream.on('close', ended);
      })
      .catch(() => {
        if (this.events !== placeholder) return;
        this.events = undefined;
        this.engineLost();
      });
  }

  close(): void {
    this.closed = true;
    const ev = this.events as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    ev?.destroy?.();
    this.events = undefined;
  }

  /** Pings until the engine answers, then follows its events again and tells the runtime. */
  private engineLost(): void {
    if (this.closed || !this.engine.streamLost()) return;
    void (async () => {
      for (let attempt = 0; !this.closed; attempt++) {
        await new Promise((r) => setTimeout(r, pingDelayMs(attempt)));
        try {
          await this.ctx.docker.ping();
          break;
        } catch {
          // still away
        }
      }
      if (this.closed || !this.engine.pingAnswered()) return;
      this.on.engineBack();
    })();
  }
}
