import { shouldReturnMemory } from './memory-return';

const MB = 1024 * 1024;

describe('shouldReturnMemory', () => {
  it('collects only when the API is quiet and V8 holds much more heap than it uses', () => {
    expect(shouldReturnMemory(0.02, 300 * MB, 100 * MB)).toBe(true);
    expect(shouldReturnMemory(0.5, 300 * MB, 100 * MB)).toBe(false); // busy: V8 collects on its own
    expect(shouldReturnMemory(0.02, 120 * MB, 100 * MB)).toBe(false); // little to give back
  });
});
