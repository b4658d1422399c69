import { StoreError } from '@flotilla/store';
import { databaseUnreachable, toStatus } from './status';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });

describe('toStatus', () => {
  it('answers 503 with a retry hint when Postgres cannot be reached or went away', () => {
    for (const err of [
      withCode('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'),
      withCode('terminating connection due to administrator command', '57P01'),
      withCode('the database system is starting up', '57P03'),
      withCode('connection failure', '08006'),
      new Error('Connection terminated unexpectedly'),
      new Error('timeout exceeded when trying to connect'),
    ]) {
      expect(databaseUnreachable(err)).toBe(true);
      expect(toStatus(err)).toMatchObject({ code: 503, reason: 'ServiceUnavailable', details: { retryAfterSeconds: 1 } });
      expect(toStatus(err).message).toContain('/readyz');
    }
  });

  it('keeps a failed statement or a bug a 500, and a store error its own code', () => {
    for (const err of [withCode('duplicate key value violates unique constraint', '23505'), new TypeError('x is undefined'), 'a string']) {
      expect(databaseUnreachable(err)).toBe(false);
      expect(toStatus(err)).toMatchObject({ code: 500, reason: 'InternalError' });
    }
    expect(toStatus(new StoreError('Conflict', 'the object has been modified'))).toMatchObject({ code: 409, reason: 'Conflict' });
  });
});
