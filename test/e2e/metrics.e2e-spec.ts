import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startHub, type HubProcess } from '../support/hub-process.js';
import { freePort } from '../support/ports.js';

const TOKEN = 'metrics-e2e-token-abcdefghijklmnop';

describe('/metrics: a bearer token (METRICS_TOKEN) and a separate listener (METRICS_PORT)', () => {
  let hub: HubProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    const metricsPort = await freePort();
    hub = await startHub({
      METRICS_TOKEN: TOKEN,
      METRICS_PORT: String(metricsPort),
      SFU_ENABLED: 'false',
    });
    metricsUrl = `http://127.0.0.1:${metricsPort}/metrics`;
    // a request that shows up in the histogram
    await fetch(`${hub.baseUrl}/api/v1/auth/login`, { method: 'POST' });
  });

  afterAll(async () => {
    await hub?.stop();
  });

  const get = (url: string, authorization?: string) =>
    fetch(url, { headers: authorization ? { authorization } : {} });

  it('answers a scrape without the token, or with a wrong one, 401 on both listeners', async () => {
    for (const url of [`${hub.baseUrl}/metrics`, metricsUrl]) {
      for (const auth of [
        undefined,
        `Bearer ${TOKEN}x`,
        `Bearer ${TOKEN.slice(1)}`,
        TOKEN,
        `Basic ${TOKEN}`,
      ]) {
        const res = await get(url, auth);
        expect(res.status).toBe(401);
        expect(await res.text()).not.toContain('yihu_http_request_duration_seconds');
      }
    }
  });

  it('serves the Prometheus text with the token, on the API port and on METRICS_PORT', async () => {
    for (const url of [`${hub.baseUrl}/metrics`, metricsUrl]) {
      const res = await get(url, `Bearer ${TOKEN}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toMatch(/text\/plain/);
      const text = await res.text();
      expect(text).toContain('yihu_http_request_duration_seconds_bucket');
      expect(text).toContain('route="/api/v1/auth/login"');
    }
  });

  it('serves nothing else on METRICS_PORT', async () => {
    const other = await get(metricsUrl.replace('/metrics', '/api/v1/health'), `Bearer ${TOKEN}`);
    expect(other.status).toBe(404);
    const post = await fetch(metricsUrl, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` } });
    expect(post.status).toBe(404);
  });
});
