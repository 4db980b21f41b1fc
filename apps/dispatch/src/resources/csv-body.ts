import { isUtf8 } from 'node:buffer';
import { HttpException, HttpStatus } from '@nestjs/common';
import type { Request } from 'express';
import { DomainError } from '#platform';

/** A CSV upload: 5,000 rows (CSV_LIMITS) of a few hundred bytes fit well under this. */
export const MAX_CSV_BYTES = 2 * 1024 * 1024;
/** How long a refused body is drained before a connection still sending is closed (as xml-body.ts). */
const LINGER_MS = 3000;

const unsupported = (message: string) => new HttpException(message, HttpStatus.UNSUPPORTED_MEDIA_TYPE);

/**
 * A text/csv body, read by hand: the app parses only JSON bodies. The content type, charset
 * and encoding are checked first (415); a declared or counted size over MAX_CSV_BYTES is 413
 * and the rest is drained, not buffered; the bytes must be UTF-8 (the export's encoding),
 * else 400 rather than text silently turned into U+FFFD.
 */
export async function readCsvBody(req: Request): Promise<string> {
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((s) => s.trim());
  if (type.toLowerCase() !== 'text/csv')
    throw unsupported(`content type ${type || '(none)'} is not accepted; send text/csv; charset=utf-8`);
  const charset = params
    .find((p) => /^charset=/i.test(p))
    ?.slice(8)
    .replace(/"/g, '');
  if (charset && !/^utf-?8$/i.test(charset))
    throw unsupported(`charset ${charset} is not accepted; send UTF-8`);
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity')
    throw unsupported(`content encoding ${encoding} is not accepted`);
  const tooLarge = (size: string) => {
    req.resume();
    setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, LINGER_MS).unref();
    return new DomainError('too_large', `request body is ${size} bytes; the limit is ${MAX_CSV_BYTES}`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_CSV_BYTES) throw tooLarge(String(declared));
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_CSV_BYTES) throw tooLarge(`over ${MAX_CSV_BYTES}`);
    chunks.push(chunk);
  }
  const buf = Buffer.concat(chunks);
  if (!isUtf8(buf)) throw new DomainError('invalid', 'the CSV is not UTF-8: save it as "CSV UTF-8"');
  const text = buf.toString('utf8');
  if (text.includes('\u0000')) throw new DomainError('invalid', 'the CSV contains NUL characters (U+0000)');
  return text;
}

/** A CSV refused at a line (and column): 400 naming them, in the words of the table spec. */
export function csvError(issue: { line: number; column?: number; message: string }): DomainError {
  return new DomainError('invalid', issue.message, [
    {
      path: issue.column ? `line ${issue.line}, column ${issue.column}` : `line ${issue.line}`,
      message: issue.message,
    },
  ]);
}
