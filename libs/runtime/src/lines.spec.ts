// Lines and Docker frames cut across the chunks they arrive in.
import { LineSplitter } from './lines';
import { FrameReader } from './log-stream';

function frame(stream: number, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

describe('LineSplitter', () => {
  it('hands out whole lines only, however the text is cut', () => {
    const s = new LineSplitter();
    const lines: string[] = [];
    for (const part of ['one\ntw', 'o', '\n\nthr', 'ee']) s.push(part, (l) => lines.push(l));
    expect(lines).toEqual(['one', 'two', '']);
    expect(s.flush()).toBe('three');
    expect(s.flush()).toBe('');
  });
});

describe('FrameReader', () => {
  it('reassembles frames split anywhere, header included, keeping stdout and stderr apart in order', () => {
    const bytes = Buffer.concat([frame(1, 'out-1\n'), frame(2, 'err-1\n'), frame(1, 'out-2\n')]);
    for (const cut of [1, 3, 8, 9, 14, 20]) {
      const r = new FrameReader();
      const got: string[] = [];
      for (let i = 0; i < bytes.length; i += cut) r.read(bytes.subarray(i, i + cut), (s, p) => got.push(`${s}:${p.toString()}`));
      expect(got).toEqual(['1:out-1\n', '2:err-1\n', '1:out-2\n']);
    }
  });
});
