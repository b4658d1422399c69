import { failure, fieldsOf } from './__fixtures__/requests';
import { all, dryRunParam, flag, intParam, one } from './query';

describe('query parameters', () => {
  it('reads the last of a repeated value, every value, and true/1 flags', () => {
    const q = { a: ['1', '2'], b: 'x', f: '1', g: 'true', h: 'yes' };
    expect(one(q, 'a')).toBe('2');
    expect(one(q, 'b')).toBe('x');
    expect(one(q, 'z')).toBeUndefined();
    expect(all(q, 'a')).toEqual(['1', '2']);
    expect(all(q, 'b')).toEqual(['x']);
    expect(all(q, 'z')).toEqual([]);
    expect([flag(q, 'f'), flag(q, 'g'), flag(q, 'h'), flag(q, 'z')]).toEqual([true, true, false, false]);
  });

  it('reads integers, absent or empty as undefined', () => {
    expect(intParam({ limit: '500' }, 'limit')).toBe(500);
    expect(intParam({ limit: '-1' }, 'limit')).toBe(-1);
    expect(intParam({ limit: '' }, 'limit')).toBeUndefined();
    expect(intParam({}, 'limit')).toBeUndefined();
  });

  it('answers 400 naming the parameter for a value that is not an integer', async () => {
    for (const v of ['1.5', 'ten', '1e3', ' 1']) {
      const s = await failure(() => intParam({ limit: v }, 'limit'));
      expect(s).toMatchObject({ code: 400, reason: 'BadRequest' });
      expect(fieldsOf(s)).toEqual(['limit']);
    }
  });

  it('takes dryRun=All (once or repeated) and refuses anything else, naming dryRun', async () => {
    expect(dryRunParam({})).toBe(false);
    expect(dryRunParam({ dryRun: 'All' })).toBe(true);
    expect(dryRunParam({ dryRun: ['All', 'All'] })).toBe(true);
    for (const v of ['all', 'true', ['All', 'None']]) {
      const s = await failure(() => dryRunParam({ dryRun: v }));
      expect(s.code).toBe(400);
      expect(fieldsOf(s)).toEqual(['dryRun']);
    }
  });
});
