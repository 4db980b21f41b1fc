import { PayloadTooLargeException, UnsupportedMediaTypeException } from '@nestjs/common';
import type { Request } from 'express';

export const XML_CONTENT_TYPES = ['application/xml', 'text/xml', 'application/cap+xml'];

/**
 * Reads an XML request body (no body parser handles XML here) up to `maxBytes`: a larger
 * declared length is refused before reading, and a stream that grows past the limit is
 * cut off (413); another content type is 415.
 */
export async function readXmlBody(req: Request, maxBytes: number): Promise<Buffer> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!XML_CONTENT_TYPES.includes(type))
    throw new UnsupportedMediaTypeException(`send the CAP document as ${XML_CONTENT_TYPES.join(', ')}`);
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > maxBytes) throw new PayloadTooLargeException(`a CAP document is at most ${maxBytes} bytes`);
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxBytes) return void chunks.push(chunk);
      // stop keeping bytes but drain the rest, so the 413 reaches the client (a destroyed
      // socket would answer with a reset instead)
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      reject(new PayloadTooLargeException(`a CAP document is at most ${maxBytes} bytes`));
    };
    req.on('data', onData);
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}
