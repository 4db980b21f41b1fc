import type { IncomingMessage, Server, ServerResponse } from 'node:http';

const COMMON = [
  "default-src 'self'",
  // no inline script and no eval anywhere: an injected string can never run, even if a
  // page were to build markup from data (which eslint.config.js forbids)
  "script-src 'self'",
  // WebRTC streams are attached through srcObject and the alarms are WebAudio oscillators:
  // neither is a URL that media-src governs. blob: is for the radio page's replay: a
  // recording needs the bearer token, so the page fetches it and plays it from a blob URL
  // (only the page's own script, 'self', can make one)
  "media-src 'self' blob:",
  // Swagger UI's stylesheet draws its icons as data: SVGs
  "img-src 'self' data:",
  // CSP Level 3: 'self' also matches ws:/wss: on the page's own host and port, which is
  // where Socket.IO (console, /sfu) connects
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
];

/** The console (/), /sfu/client, and every API answer: styles come from files only. */
export const PAGE_CSP = [...COMMON, "style-src 'self'"].join('; ');

/**
 * Swagger UI at /api/docs writes `<style>` blocks and style attributes (its HTML template and
 * React components): inline style only, script stays 'self'.
 */
export const DOCS_CSP = [...COMMON, "style-src 'self' 'unsafe-inline'"].join('; ');

const DOCS_PATH = /^\/api\/docs(?:[/?#]|$)/;

export function contentSecurityPolicy(url: string | undefined): string {
  return DOCS_PATH.test(url ?? '') ? DOCS_CSP : PAGE_CSP;
}

/** Headers for every HTTP answer, pages, API, errors and 404s alike. */
export function setSecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', contentSecurityPolicy(req.url));
  // frame-ancestors for current browsers, X-Frame-Options for the rest
  res.setHeader('X-Frame-Options', 'DENY');
  // a URL may carry an id (?id=<consultation>): never hand it to another site
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
}

/**
 * Runs before every other 'request' listener of the server, so that Engine.IO's long-polling
 * answers (which bypass Express) carry the headers too. Call it after the Socket.IO servers
 * are attached: Engine.IO moves the listeners present when it attaches behind its own.
 */
export function installSecurityHeaders(server: Server): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) =>
    setSecurityHeaders(req, res),
  );
}
