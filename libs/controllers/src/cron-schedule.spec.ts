import { CronError, mostRecent, nextAfter, parseCron } from './cron-schedule';

const at = (s: string) => new Date(s);
const next = (spec: string, after: string) => nextAfter(parseCron(spec), at(after))?.toISOString();

describe('cron schedules', () => {
  it('runs every minute with * * * * *', () => {
    expect(next('* * * * *', '2024-05-01T10:00:30Z')).toBe('2024-05-01T10:01:00.000Z');
  });

  it('honours steps, ranges and lists', () => {
    expect(next('*/15 * * * *', '2024-05-01T10:16:00Z')).toBe('2024-05-01T10:30:00.000Z');
    expect(next('0 9-17/4 * * *', '2024-05-01T10:00:00Z')).toBe('2024-05-01T13:00:00.000Z');
    expect(next('5,10 0 * * *', '2024-05-01T00:06:00Z')).toBe('2024-05-01T00:10:00.000Z');
  });

  it('understands month and weekday names, and 7 as Sunday', () => {
    expect(next('0 0 * * sun', '2024-05-01T00:00:00Z')).toBe('2024-05-05T00:00:00.000Z');
    expect(next('0 0 * * 7', '2024-05-01T00:00:00Z')).toBe('2024-05-05T00:00:00.000Z');
    expect(next('0 0 1 feb *', '2024-05-01T00:00:00Z')).toBe('2025-02-01T00:00:00.000Z');
  });

  it('matches either day field when both are restricted', () => {
    // The 13th, or any Friday: 2024-05-03 is a Friday.
    expect(next('0 0 13 * 5', '2024-05-01T00:00:00Z')).toBe('2024-05-03T00:00:00.000Z');
  });

  it('expands the @macros', () => {
    expect(next('@hourly', '2024-05-01T10:20:00Z')).toBe('2024-05-01T11:00:00.000Z');
    expect(next('@daily', '2024-05-01T10:20:00Z')).toBe('2024-05-02T00:00:00.000Z');
    expect(next('@monthly', '2024-12-15T10:20:00Z')).toBe('2025-01-01T00:00:00.000Z');
  });

  it('finds the Feb 29th of the next leap year', () => {
    expect(next('0 0 29 2 *', '2024-03-01T00:00:00Z')).toBe('2028-02-29T00:00:00.000Z');
  });

  it('rejects malformed schedules with a reason', () => {
    expect(() => parseCron('* * * *')).toThrow(CronError);
    expect(() => parseCron('61 * * * *')).toThrow(/out of range/);
    expect(() => parseCron('5-1 * * * *')).toThrow(/backwards/);
    expect(() => parseCron('x * * * *')).toThrow(/not a number/);
  });

  it('reports the most recent missed time and how many were missed', () => {
    const r = mostRecent(parseCron('*/10 * * * *'), at('2024-05-01T10:00:00Z'), at('2024-05-01T10:35:00Z'));
    expect(r.time?.toISOString()).toBe('2024-05-01T10:30:00.000Z');
    expect(r.missed).toBe(3);
    expect(mostRecent(parseCron('0 0 1 1 *'), at('2024-05-01T10:00:00Z'), at('2024-05-01T10:35:00Z')).time).toBeUndefined();
  });
});
