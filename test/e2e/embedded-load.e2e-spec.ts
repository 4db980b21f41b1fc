import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Api } from '../support/api.js';
import { adminLogin, createSite } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

/** The embedded hub's one database connection under many clients, and the paged lists. */
describe('embedded hub under 45 concurrent clients', () => {
  let hub: HubProcess;
  let admin: Api;
  let rootId: string;
  const townIds: string[] = [];

  beforeAll(async () => {
    // start-up is slow on a loaded machine (PGlite's first migrations): a generous limit
    hub = await startHub({ SFU_ENABLED: 'false' }, 'hub', 180_000);
    admin = await adminLogin(hub.baseUrl);
    rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    for (let i = 1; i <= 5; i += 1) townIds.push(await createSite(admin, `负载镇 ${i}`, 'township', rootId));
    // 120 templates of ~8 KB each: a page of 100 is ~1.6 MB of JSON
    for (let i = 1; i <= 120; i += 1) {
      const res = await admin.post('/api/v1/directive-templates', {
        name: `模板 ${String(i).padStart(3, '0')}`,
        title: `标题 ${i}`,
        body: 'x'.repeat(8000),
        level: 'blue',
        targets: { siteIds: townIds },
      });
      expect(res.status).toBe(201);
    }
    for (let i = 1; i <= 3; i += 1) {
      const res = await admin.post('/api/v1/site-groups', { name: `分组 ${i}`, siteIds: townIds });
      expect(res.status).toBe(201);
    }
  }, 400_000);
  afterAll(async () => {
    await hub?.stop();
  });

  it('pages /directive-templates, /site-groups and /sites with limit and offset', async () => {
    const first = await admin.get<{ id: string; name: string }[]>('/api/v1/directive-templates');
    expect(first.status).toBe(200);
    expect(first.body).toHaveLength(100);
    const ids = new Set<string>();
    for (let offset = 0; ; offset += 50) {
      const page = await admin.get<{ id: string }[]>(`/api/v1/directive-templates?limit=50&offset=${offset}`);
      expect(page.status).toBe(200);
      for (const t of page.body) ids.add(t.id);
      if (page.body.length < 50) break;
    }
    expect(ids.size).toBe(120);
    expect((await admin.get('/api/v1/directive-templates?limit=501')).status).toBe(400);
    const bad = await admin.get('/api/v1/directive-templates?offset=-1');
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('offset');

    const groups = await admin.get<{ name: string }[]>('/api/v1/site-groups?limit=2&offset=1');
    expect(groups.body.map((g) => g.name)).toEqual(['分组 2', '分组 3']);

    // /sites: the whole tree by default, as before; pages when asked
    const sites = await admin.get<{ id: string }[]>('/api/v1/sites');
    expect(sites.body).toHaveLength(6);
    const paged = [
      ...(await admin.get<{ id: string }[]>('/api/v1/sites?limit=4')).body,
      ...(await admin.get<{ id: string }[]>('/api/v1/sites?limit=4&offset=4')).body,
    ];
    expect(paged.map((s) => s.id)).toEqual(sites.body.map((s) => s.id));
    expect((await admin.get('/api/v1/sites?limit=10001')).status).toBe(400);
  });

  it('health never answers 503 while the engine serves 45 clients', async () => {
    const statuses: { health: number[]; list: number[] } = { health: [], list: [] };
    const client = async (i: number) => {
      for (let round = 0; round < 6; round += 1) {
        if ((i + round) % 2) {
          const res = await fetch(`${hub.baseUrl}/api/v1/health`);
          await res.arrayBuffer();
          statuses.health.push(res.status);
        } else {
          statuses.list.push((await admin.get('/api/v1/directive-templates?limit=100')).status);
        }
      }
    };
    await Promise.all(Array.from({ length: 45 }, (_, i) => client(i)));
    expect(statuses.health.length).toBeGreaterThanOrEqual(130);
    expect(statuses.health.filter((s) => s !== 200)).toEqual([]);
    expect(statuses.list.filter((s) => s !== 200)).toEqual([]);
  }, 300_000);
});
