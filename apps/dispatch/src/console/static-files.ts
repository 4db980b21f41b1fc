import { createReadStream, existsSync, statSync } from 'node:fs';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { NextFunction, Request, Response } from 'express';

/** Paths the console never answers: the API, sockets, metrics and SFU signalling keep theirs. */
export const RESERVED_PREFIXES = ['/api', '/socket.io', '/metrics', '/sfu'] as const;

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Finds `apps/console/dist` from this file, in the source tree (tests) and in `dist/` (built). */
export function findConsoleDist(from = dirname(fileURLToPath(import.meta.url))): string | null {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'apps', 'console', 'dist');
    if (existsSync(join(candidate, 'index.html'))) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

export const isReserved = (path: string) =>
  RESERVED_PREFIXES.some((p) => path === p || path.startsWith(`${p}/`));

function fileIn(root: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0')) return null;
  const full = normalize(join(root, decoded));
  if (full !== root && !full.startsWith(root + sep)) return null;
  try {
    return statSync(full).isFile() ? full : null;
  } catch {
    return null;
  }
}

/**
 * Serves the built console with a single-page fallback: any GET that is not an API path
 * and not a file gets index.html. Hashed assets are cached for a year; index.html never,
 * so a new build is picked up at once. A precompressed `.gz` beside a file (written by the
 * console build) is sent to clients that accept gzip: it matters on a 1 Mbit/s link.
 */
export function consoleStatic(rootDir: string) {
  const root = resolve(rootDir);
  return (req: Request, res: Response, next: NextFunction): void => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    const path = req.path;
    if (isReserved(path)) return next();
    let file = fileIn(root, path);
    if (!file) {
      // a missing asset is a 404, not the app shell
      if (extname(path)) return next();
      file = join(root, 'index.html');
    }
    const ext = extname(file);
    res.setHeader('Content-Type', TYPES[ext] ?? 'application/octet-stream');
    res.setHeader(
      'Cache-Control',
      path.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
    );
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Vary', 'Accept-Encoding');
    const gz = `${file}.gz`;
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? '')) && existsSync(gz)) {
      res.setHeader('Content-Encoding', 'gzip');
      file = gz;
    }
    res.setHeader('Content-Length', String(statSync(file).size));
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(file)
      .on('error', (err) => next(err))
      .pipe(res);
  };
}
