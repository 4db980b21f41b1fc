import { HttpException, HttpStatus } from '@nestjs/common';
import type { Request, Response } from 'express';
import { CAP_CONTENT_TYPES } from '#contracts';
import { DomainError } from '#platform';

/**
 * An XML request body as bytes, read by hand: the hub's body parser takes only JSON, and an
 * XML body must be bounded before it is buffered. The content type is checked first (415),
 * then a declared Content-Length over the limit is refused without reading a byte (413), and
 * a body without one (chunked) is counted as it arrives and refused the moment it passes the
 * limit. A refused body is not buffered: the rest is discarded as it arrives, for at most
 * LINGER_MS, then a connection still sending is closed. (Closing at once, or answering with
 * `Connection: close`, resets a socket with unread input, and the reset can destroy the 413
 * on its way to a client that is still sending.)
 * Used by `POST /api/v1/cap/validate` and the warnings import.
 */
const LINGER_MS = 3000;

export async function readXmlBody(req: Request, _res: Response, limit: number): Promise<Buffer> {
  const [type = '', ...params] = (req.headers['content-type'] ?? '').split(';').map((s) => s.trim());
  if (!(CAP_CONTENT_TYPES as readonly string[]).includes(type.toLowerCase())) {
    throw new HttpException(
      `content type ${type || '(none)'} is not accepted; send ${CAP_CONTENT_TYPES.join(', ')}`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  const charset = params
    .find((p) => /^charset=/i.test(p))
    ?.slice(8)
    .replace(/"/g, '');
  if (charset && !/^utf-?8$/i.test(charset)) {
    throw new HttpException(
      `charset ${charset} is not accepted; send UTF-8`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  const encoding = req.headers['content-encoding'];
  if (encoding && encoding.toLowerCase() !== 'identity') {
    throw new HttpException(
      `content encoding ${encoding} is not accepted`,
      HttpStatus.UNSUPPORTED_MEDIA_TYPE,
    );
  }
  const tooLarge = (size: string) => {
    req.resume();
    setTimeout(() => {
      if (!req.complete) req.socket.destroy();
    }, LINGER_MS).unref();
    return new DomainError('too_large', `request body is ${size} bytes; the limit is ${limit}`);
  };
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw tooLarge(String(declared));

  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        reject(tooLarge(`more than ${limit}`));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, size));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(new DomainError('invalid', `request body could not be read: ${err.message}`));
    };
    const onAborted = () => onError(new Error('the client aborted'));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}
