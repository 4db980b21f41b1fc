import { isUtf8 } from 'node:buffer';
import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication, NestExpressBodyParserOptionsFor } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { describeIssues, findUnstorableText } from '#contracts';
import { DomainError } from './domain-error.js';

/** body-parser turns a verify error carrying `status` into that status (else 403). */
class InvalidUtf8Error extends Error {
  readonly status = 400;
  readonly type = 'entity.verify.failed';
  constructor() {
    super('request body is not valid UTF-8');
  }
}

/**
 * body-parser decodes invalid UTF-8 to U+FFFD without a word: the client's bytes would
 * be stored altered. Bodies declared UTF-8 (JSON's default) must be UTF-8.
 */
function verifyUtf8(_req: unknown, _res: unknown, buf: Buffer, encoding: string): void {
  if (/^utf-?8$/i.test(encoding) && !isUtf8(buf)) throw new InvalidUtf8Error();
}

/**
 * Every REST body and query string, on every route (whether or not its handler validates
 * them): text no column can hold (NUL, an unpaired surrogate, in a value or a key) is a
 * 400 naming the field, before any handler runs. Route parameters go through ZodPipe or
 * ParseUUIDPipe, which refuse the same.
 */
export function installInputGuard(app: INestApplication): void {
  // registered before Nest's own: Nest then skips its default JSON parser. Nest's type
  // leaves out `verify` because its rawBody option uses it; that option is not used here.
  const options = { verify: verifyUtf8 } as NestExpressBodyParserOptionsFor<'json'>;
  (app as NestExpressApplication).useBodyParser('json', options);
  app.use((req: Request, _res: Response, next: NextFunction) => {
    const issue = findUnstorableText(req.query) ?? findUnstorableText(req.body);
    if (issue) return next(new DomainError('invalid', describeIssues([issue]), [issue]));
    next();
  });
}
