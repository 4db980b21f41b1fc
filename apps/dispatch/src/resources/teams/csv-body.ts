import { isUtf8 } from 'node:buffer';
import type { Request } from 'express';
import { DomainError } from '#platform';

/** 1,000 rows of a few hundred bytes fit well under this. */
export const MAX_TEAM_CSV_BYTES = 512 * 1024;

/**
 * A text/csv body, read by hand: the app's body parser takes only JSON, so the stream is
 * still unread here. A declared length over the limit is refused before a byte is read, and
 * a chunked body the moment it passes it; the text must be UTF-8 (the export's encoding),
 * else 400 rather than text silently turned into U+FFFD.
 */
export async function readCsvBody(req: Request): Promise<string> {
  const type = String(req.headers['content-type'] ?? '');
  if (!/^text\/csv\b/i.test(type))
    throw new DomainError('invalid', 'send the CSV with content-type: text/csv; charset=utf-8');
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > MAX_TEAM_CSV_BYTES)
    throw new DomainError('too_large', `a CSV file is at most ${MAX_TEAM_CSV_BYTES} bytes`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_TEAM_CSV_BYTES)
      throw new DomainError('too_large', `a CSV file is at most ${MAX_TEAM_CSV_BYTES} bytes`);
    chunks.push(chunk);
  }
  const buf = Buffer.concat(chunks);
  if (!isUtf8(buf)) throw new DomainError('invalid', 'the CSV is not UTF-8: save it as "CSV UTF-8"');
  const text = buf.toString('utf8');
  if (text.includes('\u0000')) throw new DomainError('invalid', 'the CSV contains NUL characters');
  return text;
}
