import { describe, expect, it } from '@jest/globals';
import { isDatabaseUnavailable } from './database-unavailable.js';

const withCode = (code: string, message = 'x') => Object.assign(new Error(message), { code });

describe('telling an unreachable database from a wrong statement', () => {
  it('takes connection failures, shutdowns and a connection lost mid-query as passing', () => {
    expect(isDatabaseUnavailable(withCode('ECONNREFUSED'))).toBe(true);
    expect(
      isDatabaseUnavailable(withCode('57P01', 'terminating connection due to administrator command')),
    ).toBe(true);
    expect(isDatabaseUnavailable(withCode('57P03', 'the database system is starting up'))).toBe(true);
    expect(isDatabaseUnavailable(withCode('08006'))).toBe(true);
    expect(isDatabaseUnavailable(new Error('Connection terminated unexpectedly'))).toBe(true);
    expect(
      isDatabaseUnavailable(new Error('Client has encountered a connection error and is not queryable')),
    ).toBe(true);
    // wrapped as TypeORM and others do
    expect(isDatabaseUnavailable({ message: 'query failed', driverError: withCode('ECONNRESET') })).toBe(
      true,
    );
    expect(isDatabaseUnavailable(new Error('outer', { cause: withCode('57P01') }))).toBe(true);
    // Redis restarting, as ioredis says it
    expect(isDatabaseUnavailable(new Error('Reached the max retries per request limit (which is 2).'))).toBe(
      true,
    );
  });

  it('leaves a wrong statement, a constraint and anything else as it is', () => {
    expect(isDatabaseUnavailable(withCode('23505', 'duplicate key value violates unique constraint'))).toBe(
      false,
    );
    expect(isDatabaseUnavailable(withCode('42P01', 'relation "x" does not exist'))).toBe(false);
    expect(isDatabaseUnavailable(withCode('22P02', 'invalid input syntax for type uuid'))).toBe(false);
    expect(isDatabaseUnavailable(new Error('boom'))).toBe(false);
    expect(isDatabaseUnavailable(undefined)).toBe(false);
    expect(isDatabaseUnavailable('ECONNREFUSED')).toBe(false);
  });
});
