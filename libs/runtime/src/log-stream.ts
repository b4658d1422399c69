// Docker's multiplexed attach/log stream (8-byte frame headers) to plain text, and a byte limit.
import { Transform, type TransformCallback } from 'node:stream';

/** Strips Docker's `[stream, 0, 0, 0, size(4, big-endian)]` frame headers, keeping stdout and stderr in order. */
export class DockerDemuxer extends Transform {
  private buffered: Buffer = Buffer.alloc(0);

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    while (this.buffered.length >= 8) {
      const size = this.buffered.readUInt32BE(4);
      if (this.buffered.length < 8 + size) break;
      this.push(this.buffered.subarray(8, 8 + size));
      this.buffered = this.buffered.subarray(8 + size);
    }
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
