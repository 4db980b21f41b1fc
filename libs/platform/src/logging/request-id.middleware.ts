import { randomUUID } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';
import { requestContext } from './logger.js';

const SAFE_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Takes a caller's X-Request-Id when it is sane, or makes one, and echoes it back. */
export function requestIdMiddleware(req: Request, res: Response, next: NextFunction): void {
  const incoming = req.headers['x-request-id'];
  const requestId = typeof incoming === 'string' && SAFE_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', requestId);
  (req as Request & { id?: string }).id = requestId;
  requestContext.run({ requestId }, next);
}
