import { z } from 'zod';

/**
 * Imported first by this lib's index, so it runs before any schema is built. In a browser
 * page our Content-Security-Policy forbids eval, and zod probes `new Function('')` when a
 * schema is built: the probe fails harmlessly but is reported as a violation on every load.
 * Jitless mode skips it there; servers keep zod's compiled fast path.
 */
if ('document' in globalThis) z.config({ jitless: true });
