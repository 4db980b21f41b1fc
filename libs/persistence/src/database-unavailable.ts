/**
 * Whether an error says the database could not be reached or went away (restart, failover,
 * network), rather than that a statement was wrong. Such a failure passes: a write that met
 * it is tried again, and a client is told 503 (come back) instead of 500.
 *
 * SQLSTATE class 08 is connection exceptions; 57P01–57P03 an administrator's shutdown, a
 * crash shutdown and "cannot connect now" (starting up); the Node codes are the socket's.
 * pg reports a connection lost mid-query only by message. Redis restarting reads the same
 * (ioredis: "Connection is closed", "Reached the max retries per request limit").
 */
const CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
]);
const MESSAGES =
  /Connection terminated|terminating connection|Client has encountered a connection error|connection timeout|the database system is (starting up|shutting down|in recovery mode)|Client was closed|Connection is closed|Reached the max retries per request limit/i;

export function isDatabaseUnavailable(err: unknown): boolean {
  for (let e = err, depth = 0; e && typeof e === 'object' && depth < 4; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string' && (CODES.has(code) || code.startsWith('08'))) return true;
    if (typeof message === 'string' && MESSAGES.test(message)) return true;
    // TypeORM's QueryFailedError keeps pg's error as driverError; others use cause
    e = (e as { driverError?: unknown; cause?: unknown }).driverError ?? (e as { cause?: unknown }).cause;
  }
  return false;
}
