import { AsyncLocalStorage } from 'node:async_hooks';
import type { LoggerService } from '@nestjs/common';
import { pino, type Logger } from 'pino';

export interface RequestContext {
  requestId: string;
}

/** Carries the request id through async work so every log line of a request names it. */
export const requestContext = new AsyncLocalStorage<RequestContext>();

/** Fields that must never reach a log line, wherever they appear. */
const REDACT = [
  'password',
  'secret',
  'accessToken',
  'token',
  '*.password',
  '*.secret',
  '*.accessToken',
  '*.token',
  'req.headers.authorization',
  'req.headers.cookie',
];

/**
 * A URL for a log line: query values are replaced, names kept. A token sent as
 * `?access_token=` (refused, but sent by some clients) was written to the log in full.
 */
export function redactUrlQuery(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const names = url
    .slice(q + 1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return eq < 0 ? part : `${part.slice(0, eq)}=[redacted]`;
    });
  return `${url.slice(0, q)}?${names.join('&')}`;
}

/** pino-http's request serializer, with the query string redacted (headers: see REDACT). */
export function redactedRequest(req: Record<string, unknown>): Record<string, unknown> {
  const url = typeof req.url === 'string' ? redactUrlQuery(req.url) : req.url;
  const query =
    req.query && typeof req.query === 'object'
      ? Object.fromEntries(Object.keys(req.query).map((k) => [k, '[redacted]']))
      : req.query;
  return { ...req, url, query };
}

export function createRootLogger(level: string, service: string): Logger {
  return pino({
    level,
    base: { service, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
    mixin: () => {
      const ctx = requestContext.getStore();
      return ctx ? { requestId: ctx.requestId } : {};
    },
  });
}

/** Nest's logger interface over pino, so framework and application lines share one JSON format. */
export class PinoNestLogger implements LoggerService {
  constructor(private readonly logger: Logger) {}

  log(message: unknown, ...rest: unknown[]): void {
    this.write('info', message, rest);
  }
  error(message: unknown, ...rest: unknown[]): void {
    this.write('error', message, rest);
  }
  warn(message: unknown, ...rest: unknown[]): void {
    this.write('warn', message, rest);
  }
  debug(message: unknown, ...rest: unknown[]): void {
    this.write('debug', message, rest);
  }
  verbose(message: unknown, ...rest: unknown[]): void {
    this.write('trace', message, rest);
  }
  fatal(message: unknown, ...rest: unknown[]): void {
    this.write('fatal', message, rest);
  }

  private write(
    level: 'info' | 'error' | 'warn' | 'debug' | 'trace' | 'fatal',
    message: unknown,
    rest: unknown[],
  ) {
    // Nest passes the context (class name) last; errors pass a stack before it.
    const context = typeof rest[rest.length - 1] === 'string' ? (rest[rest.length - 1] as string) : undefined;
    const stack = rest.length > 1 && typeof rest[0] === 'string' ? rest[0] : undefined;
    if (message instanceof Error) {
      this.logger[level]({ context, err: message }, message.message);
    } else if (typeof message === 'object' && message !== null) {
      this.logger[level]({ context, ...message });
    } else {
      this.logger[level]({ context, stack }, String(message));
    }
  }
}
