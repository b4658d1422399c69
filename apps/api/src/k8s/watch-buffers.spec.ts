import { EncodedLines, WatchBuffers } from './watch-buffers';

describe('WatchBuffers', () => {
  it('ends only the streams holding more than their share, and only while the total is over its bound', () => {
    const buffers = new WatchBuffers(1000);
    const fast = { writableLength: 0 };
    const slow = { writableLength: 0 };
    const a = buffers.open(fast);
    const b = buffers.open(slow);
    fast.writableLength = 100;
    slow.writableLength = 800;
    a.update();
    b.update();
    expect(buffers.bytes).toBe(900);
    expect(b.overShare()).toBe(false); // under the total bound

    slow.writableLength = 1200;
    b.update();
    expect(b.overShare()).toBe(true);
    expect(a.overShare()).toBe(false); // 100 is under its share of 500

    b.close();
    expect(buffers.bytes).toBe(100);
    expect(b.overShare()).toBe(false);
    fast.writableLength = 0; // drained
    a.update();
    a.close();
    expect(buffers.bytes).toBe(0);
  });
});

describe('EncodedLines', () => {
  it('encodes an event once for every watch that sends it, and keeps only the most recent', () => {
    const lines = new EncodedLines(2);
    const a = { n: 1 };
    const first = lines.get(a, 'ADDED', '{"n":1}');
    expect(first.toString()).toBe('{"type":"ADDED","object":{"n":1}}\n');
    expect(lines.get(a, 'ADDED', '{"n":1}')).toBe(first);
    expect(lines.get(a, 'DELETED', '{"n":1}').toString()).toBe('{"type":"DELETED","object":{"n":1}}\n');
    lines.get({ n: 2 }, 'ADDED', '{"n":2}');
    lines.get({ n: 3 }, 'ADDED', '{"n":3}');
    expect(lines.get(a, 'ADDED', '{"n":1}')).not.toBe(first); // forgotten, encoded again
  });
});
