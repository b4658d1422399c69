import { QuantityError, milliValue, parseQuantity, wholeValue } from './quantity';

describe('parseQuantity', () => {
  it.each([
    ['1', 1],
    ['100m', 0.1],
    ['1.5', 1.5],
    ['.5', 0.5],
    ['1Ki', 1024],
    ['512Mi', 512 * 1024 ** 2],
    ['2Gi', 2 * 1024 ** 3],
    ['1k', 1000],
    ['1M', 1e6],
    ['3G', 3e9],
    ['1e3', 1000],
    ['1E3', 1000],
    ['2E', 2e18],
    ['250u', 0.00025],
  ])('reads %s as %d', (q, v) => {
    expect(parseQuantity(q)).toBeCloseTo(v, 12);
  });

  it('takes numbers as they are', () => {
    expect(parseQuantity(2)).toBe(2);
  });

  it.each(['', 'abc', '1Gb', '1 Gi', '--1', '1.2.3'])('rejects %j', (q) => {
    expect(() => parseQuantity(q)).toThrow(QuantityError);
  });
});

describe('milliValue and wholeValue', () => {
  it('turns cpu into whole millicores without float noise', () => {
    expect(milliValue('1.1')).toBe(1100);
    expect(milliValue('0.3')).toBe(300);
    expect(milliValue('250m')).toBe(250);
    expect(milliValue(2)).toBe(2000);
  });

  it('rounds a fraction of the unit up, as Kubernetes does', () => {
    expect(milliValue('0.0001')).toBe(1);
    expect(wholeValue('1.5')).toBe(2);
  });

  it('turns memory into bytes', () => {
    expect(wholeValue('1.5Gi')).toBe(1610612736);
    expect(wholeValue('128Mi')).toBe(134217728);
  });
});
