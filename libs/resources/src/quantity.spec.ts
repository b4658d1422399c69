import { cpuToNanoCpus, formatCpu, formatMemory, isQuantity, memoryToBytes, milliValue, parseQuantity, QuantityError, wholeValue } from './quantity';

describe('quantities', () => {
  it.each([
    ['500m', 0.5],
    ['128Mi', 128 * 2 ** 20],
    ['1.5', 1.5],
    ['2Gi', 2 * 2 ** 30],
    ['1e3', 1000],
    ['1k', 1000],
    ['100M', 1e8],
    ['.5', 0.5],
    ['-1', -1],
    ['+2', 2],
    ['5E-3', 0.005],
    ['1E3', 1000],
    ['2E', 2e18],
    ['250u', 0.00025],
  ])('parses %s', (q, v) => {
    expect(parseQuantity(q)).toBeCloseTo(v, 9);
  });

  it('accepts numbers as they come', () => {
    expect(parseQuantity(3)).toBe(3);
    expect(() => parseQuantity(Infinity)).toThrow(QuantityError);
  });

  it.each(['', 'abc', '1.2.3', '1Kb', '10 Mi', 'Mi', '1mi', '--1', '1e', '0x10'])('rejects %p', (q) => {
    expect(() => parseQuantity(q)).toThrow(QuantityError);
    expect(isQuantity(q)).toBe(false);
  });

  it('formats cpu and memory canonically', () => {
    expect(formatCpu(0.25)).toBe('250m');
    expect(formatCpu(2)).toBe('2');
    expect(formatCpu(0.1 * 3)).toBe('300m');
    expect(formatMemory(128 * 2 ** 20)).toBe('128Mi');
    expect(formatMemory(1536 * 1024)).toBe('1536Ki');
    expect(formatMemory(1e9)).toBe('1G');
    expect(formatMemory(1000)).toBe('1k');
    expect(formatMemory(123)).toBe('123');
  });
});

describe('whole units', () => {
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
    expect(memoryToBytes('1.1k')).toBe(1100);
  });

  it('turns cpu into Docker NanoCpus', () => {
    expect(cpuToNanoCpus('500m')).toBe(500_000_000);
    expect(cpuToNanoCpus('1.5')).toBe(1_500_000_000);
  });
});
