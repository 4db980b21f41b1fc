import { describe, expect, it } from '@jest/globals';
import { metricsAccess } from './metrics-access.js';

const TOKEN = 'a-metrics-token-of-24-chars+';

describe('metricsAccess', () => {
  it('does not serve the main port without a configured token', () => {
    expect(metricsAccess(undefined, undefined, 'main')).toBe('not_served');
    expect(metricsAccess(`Bearer ${TOKEN}`, undefined, 'main')).toBe('not_served');
  });

  it('serves the separate listener without a token when none is configured', () => {
    expect(metricsAccess(undefined, undefined, 'metrics')).toBe('ok');
  });

  it('requires the configured token as a bearer token on every listener', () => {
    for (const listener of ['main', 'metrics'] as const) {
      expect(metricsAccess(`Bearer ${TOKEN}`, TOKEN, listener)).toBe('ok');
      expect(metricsAccess(undefined, TOKEN, listener)).toBe('unauthorized');
      expect(metricsAccess(`Bearer ${TOKEN}x`, TOKEN, listener)).toBe('unauthorized');
      expect(metricsAccess(`Bearer ${TOKEN.slice(1)}`, TOKEN, listener)).toBe('unauthorized');
      expect(metricsAccess(TOKEN, TOKEN, listener)).toBe('unauthorized');
      expect(metricsAccess(`Basic ${TOKEN}`, TOKEN, listener)).toBe('unauthorized');
    }
  });
});
