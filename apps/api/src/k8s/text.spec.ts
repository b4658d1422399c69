import { ApiError } from './status';
import { validateHeaderValue } from 'node:http';
import { unstorableText } from '@flotilla/store';
import { assertCleanBody, storableText, utf8Body, warningHeaderValue } from './text';

describe('assertCleanBody', () => {
  it('is a 400 with a cause naming the field', () => {
    try {
      assertCleanBody({ data: { k: '\ud800' } });
      throw new Error('not refused');
    } catch (err) {
      expect(err).toBeInstanceOf(ApiError);
      expect((err as ApiError).code).toBe(400);
      expect((err as ApiError).details?.causes?.[0].field).toBe('data.k');
    }
  });
});

describe('utf8Body', () => {
  it('decodes UTF-8 and refuses invalid bytes with the offset of the first', () => {
    expect(utf8Body(Buffer.from('héllo'))).toBe('héllo');
    expect(() => utf8Body(Buffer.from([0x61, 0x62, 0xff, 0x63]))).toThrow('first bad byte at offset 2');
    expect(() => utf8Body(Buffer.from([0xed, 0xa0, 0x80]))).toThrow('offset 0');
  });
});

describe('storableText', () => {
  it('replaces NUL and lone surrogates with visible stand-ins and cuts long text', () => {
    expect(storableText('a\u0000b\ud800c')).toBe('a\u2400b\ufffdc');
    expect(storableText('😀')).toBe('😀');
    const cut = storableText(`${'x'.repeat(9)}😀`, 10);
    expect(cut).toBe(`${'x'.repeat(9)}\ufffd…(truncated)`);
    expect(unstorableText(cut)).toBeUndefined();
  });
});

describe('warningHeaderValue', () => {
  it('is a header Node accepts for any text a client sent, carrying its UTF-8 bytes', () => {
    for (const w of ['unknown field "spec.dnsConfig.\u202e\u200b\ufeff"', 'ünïcødé-名前-🚀', 'a\u0000b\u0007', 'lone \ud800']) {
      const v = warningHeaderValue(w);
      expect(() => validateHeaderValue('warning', v)).not.toThrow();
      expect(v.startsWith('299 - "')).toBe(true);
    }
    expect(Buffer.from(warningHeaderValue('名前'), 'latin1').toString('utf8')).toBe('299 - "名前"');
  });
});
