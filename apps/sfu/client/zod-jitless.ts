/**
 * Imported first by page.ts. The bundle carries zod through #contracts, and zod probes
 * `new Function('')` when a schema is built; the Content-Security-Policy forbids eval, so
 * the probe would fail (harmlessly) and be reported as a violation on every load. Jitless
 * mode skips the probe.
 */
import { z } from 'zod';

z.config({ jitless: true });
