// Docker's multiplexed attach/log stream (8-byte frame headers) to plain text, and a byte limit.
import { PassThrough, Transform, type TransformCallback } from 'node:stream';

/**
 * Docker's `[stream, 0, 0, 0, size(4, big-endian)]` frames, reassembled across the chunks they arrive in: the one
 * reader of multiplexed log, attach and exec output.
 */
export class FrameReader {
  private buffered: Buffer = Buffer.alloc(0);

  /** Calls `frame` for each whole frame received so far (stream 1: stdout, 2: stderr), in order. */
  read(chunk: Buffer, frame: (stream: number, payload: Buffer) => void): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const size = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + size) break;
      const stream = this.buffered[0];
      const payload = this.buffered.subarray(8, 8 + size);
      this.buffered = this.buffered.subarray(8 + size);
      frame(stream, payload);
    }
  }
}

/** Strips Docker's frame headers, keeping stdout and stderr in order. */
export class DockerDemuxer extends Transform {
  private readonly frames = new FrameReader();

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.frames.read(chunk, (_stream, payload) => this.push(payload));
    done();
  }

  override _flush(done: TransformCallback): void {
    done();
  }
}

/** Passes at most `limit` bytes, then ends (the upstream is destroyed by the caller via `onLimit`). */
export class ByteLimiter extends Transform {
  private seen = 0;
  constructor(
    private readonly limit: number,
    private readonly onLimit: () => void,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.seen >= this.limit) return done();
    const room = this.limit - this.seen;
    const part = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.seen += part.length;
    this.push(part);
    if (this.seen >= this.limit) {
      this.push(null);
      this.onLimit();
    }
    done();
  }
}

/**
 * Splits Docker's multiplexed stream (8-byte frame headers; byte 0 is 1 for stdout, 2 for stderr) into
 * two readable streams, for callers that must keep them apart (kubectl exec's channels 1 and 2).
 */
export function splitDockerStream(source: NodeJS.ReadableStream): { stdout: PassThrough; stderr: PassThrough } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const frames = new FrameReader();
  source.on('data', (chunk: Buffer) =>
    frames.read(chunk, (stream, payload) => {
      const target = stream === 2 ? stderr : stdout;
      // Backpressure: hold the source while a consumer is slow.
      if (!target.write(payload)) {
        source.pause();
        target.once('drain', () => source.resume());
      }
    }),
  );
  const end = (): void => {
    stdout.end();
    stderr.end();
  };
  source.once('end', end);
  source.once('close', end);
  source.once('error', end);
  return { stdout, stderr };
}
