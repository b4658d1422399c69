import { componentStart, componentsKey, parseComponentRecord } from './components';

describe('component records', () => {
  const now = new Date('2026-12-03T12:00:00.000Z');

  it('take restarts and the last exit from the supervisor', () => {
    const r = componentStart(
      'api',
      'h1',
      { FLOTILLA_RESTARTS: '3', FLOTILLA_LAST_EXIT_STATUS: '137', FLOTILLA_LAST_EXIT_AT: 't' },
      { starts: 4, restarts: 2 },
      now,
    );
    expect(r).toMatchObject({ component: 'api', host: 'h1', restarts: 3, starts: 5, lastExit: { status: 137, at: 't' }, startedAt: now.toISOString() });
  });

  it('count starts when no supervisor says how often it restarted (systemd)', () => {
    expect(componentStart('controller', 'h1', {}, { starts: 2, restarts: 1 }, now)).toMatchObject({ restarts: 2, starts: 3, lastExit: null });
    expect(componentStart('controller', 'h1', {}, undefined, now)).toMatchObject({ restarts: 0, starts: 1 });
  });

  it('read back what they wrote and refuse anything else', () => {
    const r = componentStart('agent', 'n1', { FLOTILLA_RESTARTS: '0' }, undefined, now);
    expect(parseComponentRecord(JSON.stringify(r))).toEqual(r);
    expect(parseComponentRecord('not json')).toBeUndefined();
    expect(parseComponentRecord('{"component":1}')).toBeUndefined();
    expect(parseComponentRecord(undefined)).toBeUndefined();
  });

  it('are kept per cluster, named by its database without credentials', () => {
    expect(componentsKey('postgresql://u:secret@127.0.0.1:5432/flotilla')).toBe('flotilla:components:127.0.0.1:5432/flotilla');
    expect(componentsKey('postgresql://u:p@db/other')).toBe('flotilla:components:db:5432/other');
  });
});
