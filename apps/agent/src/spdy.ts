// The server side of a SPDY/3.1 session, as much of it as kubectl port-forward uses: the client opens
// streams (SYN_STREAM, headers zlib-compressed with SPDY's dictionary), the server accepts each with a
// SYN_REPLY, both send DATA (FIN closes one direction), RST_STREAM aborts a stream, PINGs are echoed and
// GOAWAY ends the session. Bytes come in and go out through callbacks, so the session can ride on any
// transport (here: the binary messages of a WebSocket). Flow-control windows are not enforced: kubectl's
// SPDY library (spdystream) neither sends nor expects WINDOW_UPDATE frames.
import { createInflate, constants as zlibConstants, type Inflate } from 'node:zlib';

const VERSION = 3;
const TYPE = { synStream: 1, synReply: 2, rstStream: 3, settings: 4, ping: 6, goaway: 7, headers: 8, windowUpdate: 9 } as const;
const FLAG_FIN = 0x01;
const MAX_DATA = 32 * 1024;
/** An empty non-final stored deflate block: what zlib's Z_SYNC_FLUSH writes. */
const SYNC_FLUSH = Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]);
/** RST_STREAM status codes (SPDY/3 §2.6.3). */
export const RST = { protocolError: 1, refusedStream: 3, cancel: 5, internalError: 6 } as const;

/** SPDY/3's header-compression dictionary (§2.6.10.1): length-prefixed words, then a run of common values. */
const DICTIONARY = (() => {
  // prettier-ignore
  const words = [
    'options', 'head', 'post', 'put', 'delete', 'trace', 'accept', 'accept-charset', 'accept-encoding', 'accept-language', 'accept-ranges', 'age',
    'allow', 'authorization', 'cache-control', 'connection', 'content-base', 'content-encoding', 'content-language', 'content-length',
    'content-location', 'content-md5', 'content-range', 'content-type', 'date', 'etag', 'expect', 'expires', 'from', 'host', 'if-match',
    'if-modified-since', 'if-none-match', 'if-range', 'if-unmodified-since', 'last-modified', 'location', 'max-forwards', 'pragma',
    'proxy-authenticate', 'proxy-authorization', 'range', 'referer', 'retry-after', 'server', 'te', 'trailer', 'transfer-encoding', 'upgrade',
    'user-agent', 'vary', 'via', 'warning', 'www-authenticate', 'method', 'get', 'status', '200 OK', 'version', 'HTTP/1.1', 'url', 'public',
    'set-cookie', 'keep-alive', 'origin',
  ];
  const tail =
    '100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505203 Non-Authoritative Information204 No Content' +
    '301 Moved Permanently400 Bad Request401 Unauthorized403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service ' +
    'UnavailableJan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMTchunked,text/html,image/png,' +
    'image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain,text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8' +
    'charset=iso-8859-1,utf-,*,enq=0.';
  const parts = words.map((w) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(w.length);
    return Buffer.concat([len, Buffer.from(w, 'latin1')]);
  });
  return Buffer.concat([...parts, Buffer.from(tail, 'latin1')]);
})();

export interface SpdyStream {
  id: number;
  /** Header names lowercased; repeated values joined by NUL, as on the wire. */
  headers: Record<string, string>;
  /** Data from the client; `null` when it half-closed (FIN). */
  onData?: (chunk: Buffer | null) => void;
  onReset?: () => void;
}

export class SpdySession {
  private buffered: Buffer = Buffer.alloc(0);
  private readonly inflater: Inflate = createInflate({ dictionary: DICTIONARY });
  /** Frames are handled in order; header blocks are inflated asynchronously. */
  private chain: Promise<void> = Promise.resolve();
  private deflateStarted = false;
  private readonly streams = new Map<number, SpdyStream>();
  private closed = false;

  constructor(
    private readonly send: (bytes: Buffer) => void,
    private readonly onStream: (s: SpdyStream) => void,
    private readonly onClose: (why?: string) => void,
  ) {
    this.inflater.on('error', (e) => this.close(`header decompression failed: ${e.message}`));
  }

  /** Bytes from the transport, split anywhere. */
  receive(bytes: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, bytes]) : bytes;
    while (this.buffered.length >= 8) {
      const length = this.buffered.readUInt32BE(4) & 0xffffff;
      if (this.buffered.length < 8 + length) break;
      const frame = this.buffered.subarray(0, 8 + length);
      this.buffered = this.buffered.subarray(8 + length);
      this.chain = this.chain.then(() => this.frame(frame)).catch((e: unknown) => this.close(`bad frame: ${(e as Error).message}`));
    }
  }

  close(why?: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onReset?.();
    this.streams.clear();
    this.inflater.destroy();
    this.onClose(why);
  }

  /** Accepts a stream the client opened (SYN_REPLY with no headers). */
  reply(id: number): void {
    this.control(TYPE.synReply, 0, Buffer.concat([u32(id), this.headerBlock()]));
  }

  data(id: number, chunk: Buffer, fin = false): void {
    let at = 0;
    do {
      const part = chunk.subarray(at, at + MAX_DATA);
      at += part.length;
      const head = Buffer.alloc(8);
      head.writeUInt32BE(id & 0x7fffffff, 0);
      head.writeUInt32BE((((fin && at >= chunk.length ? FLAG_FIN : 0) << 24) | part.length) >>> 0, 4);
      this.send(Buffer.concat([head, part]));
    } while (at < chunk.length);
  }

  reset(id: number, status: number = RST.cancel): void {
    this.control(TYPE.rstStream, 0, Buffer.concat([u32(id), u32(status)]));
    this.streams.delete(id);
  }

  private control(type: number, flags: number, payload: Buffer): void {
    if (this.closed) return;
    const head = Buffer.alloc(8);
    head.writeUInt16BE(0x8000 | VERSION, 0);
    head.writeUInt16BE(type, 2);
    head.writeUInt32BE(((flags << 24) | payload.length) >>> 0, 4);
    this.send(Buffer.concat([head, payload]));
  }

  /**
   * An empty name/value block as one stored (uncompressed) deflate block of the session's zlib stream, then the
   * empty stored block a sync flush ends with (Go's inflater hands out a block's data only when it sees that):
   * valid zlib for the client's persistent decompressor without keeping a compressor here.
   */
  private headerBlock(): Buffer {
    const nv = Buffer.alloc(4); // zero headers
    const stored = Buffer.from([0x00, nv.length & 0xff, nv.length >> 8, ~nv.length & 0xff, (~nv.length >> 8) & 0xff]);
    const zlibHeader = this.deflateStarted ? Buffer.alloc(0) : Buffer.from([0x78, 0x01]);
    this.deflateStarted = true;
    return Buffer.concat([zlibHeader, stored, nv, SYNC_FLUSH]);
  }

  private async frame(frame: Buffer): Promise<void> {
    if (this.closed) return;
    const flags = frame[4];
    const body = frame.subarray(8);
    if (!(frame[0] & 0x80)) {
      const id = frame.readUInt32BE(0) & 0x7fffffff;
      const s = this.streams.get(id);
      if (!s) return;
      if (body.length) s.onData?.(body);
      if (flags & FLAG_FIN) s.onData?.(null);
      return;
    }
    const version = frame.readUInt16BE(0) & 0x7fff;
    if (version !== VERSION) throw new Error(`SPDY version ${version} is not supported`);
    switch (frame.readUInt16BE(2)) {
      case TYPE.synStream: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        const headers = parseNameValues(await this.inflate(body.subarray(10)));
        const s: SpdyStream = { id, headers };
        this.streams.set(id, s);
        this.onStream(s);
        if (flags & FLAG_FIN) s.onData?.(null);
        return;
      }
      case TYPE.headers:
        // Keep the decompressor in step; port-forward sends no trailing headers that matter.
        await this.inflate(body.subarray(4));
        return;
      case TYPE.rstStream: {
        const id = body.readUInt32BE(0) & 0x7fffffff;
        this.streams.get(id)?.onReset?.();
        this.streams.delete(id);
        return;
      }
      case TYPE.ping:
        this.control(TYPE.ping, 0, body.subarray(0, 4));
        return;
      case TYPE.goaway:
        this.close();
        return;
      default:
        // SETTINGS, WINDOW_UPDATE and anything newer: nothing to do.
        return;
    }
  }

  private inflate(block: Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const out: Buffer[] = [];
      const onData = (d: Buffer): void => {
        out.push(d);
      };
      this.inflater.on('data', onData);
      this.inflater.write(block);
      this.inflater.flush(zlibConstants.Z_SYNC_FLUSH, () => {
        this.inflater.off('data', onData);
        if (this.closed) reject(new Error('session closed'));
        else resolve(Buffer.concat(out));
      });
    });
  }
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0);
  return b;
}

function parseNameValues(block: Buffer): Record<string, string> {
  const headers: Record<string, string> = {};
  let at = 0;
  const read = (): string => {
    const len = block.readUInt32BE(at);
    const s = block.subarray(at + 4, at + 4 + len).toString('utf8');
    at += 4 + len;
    return s;
  };
  const count = block.readUInt32BE(0);
  at = 4;
  for (let i = 0; i < count; i++) {
    const name = read().toLowerCase();
    headers[name] = read();
  }
  return headers;
}
