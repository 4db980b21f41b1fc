import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ApiErrorBody } from '#contracts';
import type { Actor } from '#domain';
import type { DenialAudit } from '../auth/denial-audit.js';
import { DatabaseBusyError, isDatabaseUnavailable } from '#persistence';
import { DomainError, type DomainErrorCode } from './domain-error.js';

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  too_large: 413,
  radio_busy: 409,
  unprocessable: 422,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** A reason a client can act on, for the body parser's own 4xx errors. */
function bodyParserMessage(err: unknown): string | undefined {
  const { type, message } = (err ?? {}) as { type?: unknown; message?: unknown };
  if (type === 'entity.parse.failed') return `request body is not valid JSON: ${String(message)}`;
  if (type === 'entity.too.large') return 'request body is too large';
  return undefined;
}

/** pg-pool's message when a caller waited connectionTimeoutMillis for a connection */
const POOL_WAIT_TIMEOUT = 'timeout exceeded when trying to connect';

/**
 * The database is busy, or cannot be reached for now (restarting, failing over): the
 * request was not wrong, so the client hears 503 with Retry-After, not 500.
 */
function databaseBusy(exception: unknown): boolean {
  return (
    exception instanceof DatabaseBusyError ||
    (exception as Error)?.message === POOL_WAIT_TIMEOUT ||
    isDatabaseUnavailable(exception)
  );
}

/** Every HTTP error leaves in one shape, with the request id to quote to support. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly denials?: DenialAudit,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string; actor?: Actor }>();
    const body = this.toBody(exception);
    body.requestId = req.id;
    if (body.statusCode === 403) {
      const route = req.route ? `${req.baseUrl}${String(req.route.path)}` : req.path;
      this.denials?.record(req.actor, req.method, route, body.message);
    }
    if (body.statusCode >= 500 && !databaseBusy(exception))
      this.logger.error({ err: exception, path: req.path, requestId: req.id }, 'unhandled error');
    if (exception instanceof DomainError && exception.retryAfterSeconds) {
      res.setHeader('retry-after', String(exception.retryAfterSeconds));
    }
    if (databaseBusy(exception)) res.setHeader('retry-after', '1');
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS[exception.code];
      return {
        statusCode,
        error: REASON[statusCode]!,
        code: exception.code,
        message: exception.message,
        fields: exception.fields,
      };
    }
    // Nest wraps body-parser's errors (malformed JSON, too large, bad charset) in an
    // HttpException with the original as its cause; raw ones reach here as themselves
    const cause = exception instanceof HttpException ? exception.cause : exception;
    const parserMessage = bodyParserMessage(cause);
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        parserMessage ??
        (typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message));
      return { statusCode, error: REASON[statusCode] ?? 'Error', message };
    }
    // body-parser errors carry their own 4xx status; a 5xx one is a server fault
    const status = (exception as { status?: unknown }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message = parserMessage ?? (exception as Error).message;
      return { statusCode: status, error: REASON[status] ?? 'Error', message };
    }
    if (databaseBusy(exception)) {
      return { statusCode: 503, error: REASON[503]!, message: 'the database is busy; retry shortly' };
    }
    return { statusCode: 500, error: REASON[500]!, message: 'internal error' };
  }
}
