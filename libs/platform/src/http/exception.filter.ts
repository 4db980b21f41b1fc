import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { ApiErrorBody } from '#contracts';
import { DomainError, type DomainErrorCode } from './domain-error.js';

const STATUS: Record<DomainErrorCode, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
};

const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Every HTTP error leaves in one shape, with the request id to quote to support. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const res = host.switchToHttp().getResponse<Response>();
    const req = host.switchToHttp().getRequest<Request & { id?: string }>();
    const body = this.toBody(exception);
    body.requestId = req.id;
    if (body.statusCode >= 500) this.logger.error({ err: exception, path: req.path }, 'unhandled error');
    if (exception instanceof DomainError && exception.retryAfterSeconds) {
      res.setHeader('retry-after', String(exception.retryAfterSeconds));
    }
    res.status(body.statusCode).json(body);
  }

  private toBody(exception: unknown): ApiErrorBody {
    if (exception instanceof DomainError) {
      const statusCode = STATUS[exception.code];
      return { statusCode, error: REASON[statusCode]!, message: exception.message, fields: exception.fields };
    }
    if (exception instanceof HttpException) {
      const statusCode = exception.getStatus();
      const response = exception.getResponse();
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return { statusCode, error: REASON[statusCode] ?? 'Error', message };
    }
    // body-parser errors (malformed JSON, too large) carry their own 4xx status
    const status = (exception as { status?: unknown; type?: string }).status;
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const type = (exception as { type?: string }).type;
      const message =
        type === 'entity.parse.failed'
          ? 'request body is not valid JSON'
          : type === 'entity.too.large'
            ? 'request body is too large'
            : (exception as Error).message;
      return { statusCode: status, error: REASON[status] ?? 'Error', message };
    }
    return { statusCode: 500, error: REASON[500]!, message: 'internal error' };
  }
}
