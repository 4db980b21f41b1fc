import { describe, expect, it } from '@jest/globals';
import type { ArgumentsHost } from '@nestjs/common';
import { BadRequestException, HttpException } from '@nestjs/common';
import pino from 'pino';
import { DomainError } from './domain-error.js';
import { HttpExceptionFilter } from './exception.filter.js';

/** Runs the filter on one error against a recording response; returns status and body. */
function answer(exception: unknown): { status: number; body: Record<string, unknown> } {
  const out = { status: 0, body: {} as Record<string, unknown> };
  const res = {
    setHeader: () => res,
    status: (s: number) => ((out.status = s), res),
    json: (b: Record<string, unknown>) => ((out.body = b), res),
  };
  const host = {
    getType: () => 'http',
    switchToHttp: () => ({ getResponse: () => res, getRequest: () => ({ id: 'r1', path: '/x' }) }),
  } as unknown as ArgumentsHost;
  new HttpExceptionFilter(pino({ level: 'silent' })).catch(exception, host);
  return out;
}

const parserError = (status: number, type: string, message: string) =>
  Object.assign(new Error(message), { status, statusCode: status, type, expose: status < 500 });

describe('HttpExceptionFilter', () => {
  it('answers a domain error with its status and fields', () => {
    const r = answer(new DomainError('invalid', 'title: bad', [{ path: 'title', message: 'bad' }]));
    expect(r).toEqual({
      status: 400,
      body: expect.objectContaining({ statusCode: 400, message: 'title: bad', requestId: 'r1' }),
    });
    // the code is what clients translate; the English message is for logs and English users
    expect(answer(new DomainError('conflict', 'x')).body.code).toBe('conflict');
  });

  it('gives body-parser refusals a reason, raw or wrapped by Nest', () => {
    const json = parserError(400, 'entity.parse.failed', 'Unexpected end of JSON input');
    expect(answer(json).body.message).toBe('request body is not valid JSON: Unexpected end of JSON input');
    const wrapped = new BadRequestException(json.message, { cause: json });
    expect(answer(wrapped)).toMatchObject({
      status: 400,
      body: { message: 'request body is not valid JSON: Unexpected end of JSON input' },
    });
    const large = new HttpException('request entity too large', 413, {
      cause: parserError(413, 'entity.too.large', 'request entity too large'),
    });
    expect(answer(large)).toMatchObject({ status: 413, body: { message: 'request body is too large' } });
  });

  it('keeps real server errors 500, whatever they carry', () => {
    expect(answer(new TypeError('x is undefined')).status).toBe(500);
    expect(answer(parserError(500, 'stream.not.readable', 'stream is not readable')).status).toBe(500);
    const pg = Object.assign(new Error('invalid byte sequence for encoding "UTF8": 0x00'), { code: '22021' });
    expect(answer(pg)).toEqual({
      status: 500,
      body: expect.objectContaining({ message: 'internal error' }),
    });
  });
});
