import { pino, type Level, type Logger } from 'pino';

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls until `check` returns a truthy value (or stops throwing); fails after `timeoutMs`. */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  timeoutMs = 10_000,
  what = 'condition',
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
      lastError = undefined;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() > deadline) {
      throw new Error(
        `timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`,
      );
    }
    await sleep(25);
  }
}

export interface CapturedLog {
  level: number;
  msg?: string;
  [key: string]: unknown;
}

/** A real pino logger whose records are kept in memory, so a test can assert on them. */
export function captureLogger(level: Level = 'debug'): { logger: Logger; records: CapturedLog[] } {
  const records: CapturedLog[] = [];
  const logger = pino(
    { level },
    { write: (line: string) => void records.push(JSON.parse(line) as CapturedLog) },
  );
  return { logger, records };
}

/** Resolves with the first value `subscribe` hands over, or rejects after `timeoutMs`. */
export function nextValue<T>(subscribe: (deliver: (value: T) => void) => void, timeoutMs = 5000): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`nothing arrived within ${timeoutMs} ms`)), timeoutMs);
    subscribe((value) => {
      clearTimeout(timer);
      resolve(value);
    });
  });
}
