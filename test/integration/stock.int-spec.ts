import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type pg from 'pg';
import type { Api } from '../support/api.js';
import { createSite, createUser } from '../support/directives.js';
import {
  csvRequest,
  startResourceHub,
  type ResourceHub,
  type TestUser as User,
} from '../support/resource-hub.js';

(globalThis as unknown as { jest?: { setTimeout(ms: number): void } }).jest?.setTimeout(120_000);

const days = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString();

/**
 * 应急物资 over REST against PostgreSQL (cluster mode): depots and items within scope, the
 * GB/T 38565-2020 code rule and negative quantities refused, the flags, 调拨 that moves the
 * quantity under a row lock (concurrent dispatches never overdraw), and the CSV round trip.
 */
describe('stock (PostgreSQL)', () => {
  let hub: ResourceHub | undefined;
  let sql: pg.Client;
  let admin: Api;
  let county: string;
  let towns: string[];
  let neighbour: string;
  let commander: User;
  let dispatchers: User[];
  let officer: User;
  let outsider: User;

  const depot = async (siteId: string, name = '县物资储备库', api = commander.api) =>
    api.post('/api/v1/depots', {
      siteId,
      name,
      place: '城关镇仓库路1号',
      keeper: '王库管',
      phone: '0571-12345678',
    });
  const item = (depotId: string, body: Record<string, unknown>, api = commander.api) =>
    api.post(`/api/v1/depots/${depotId}/items`, {
      code: '1010101',
      name: '帐篷',
      quantity: 10,
      unit: '顶',
      ...body,
    });
  const csvPost = (user: User, path: string, text: string) =>
    csvRequest(user, path, text).then((r) => ({ status: r.status, body: r.json() }));
  const csvGet = (user: User, path: string) => csvRequest(user, path);

  beforeAll(async () => {
    hub = await startResourceHub('stock');
    ({ admin, sql } = hub);
    county = await createSite(admin, '物资县', 'command', hub.root);
    towns = [
      await createSite(admin, '东镇', 'township', county),
      await createSite(admin, '西镇', 'township', county),
    ];
    neighbour = await createSite(admin, '邻县', 'command', hub.root);
    commander = await createUser(admin, 'st-cmd', 'commander', county);
    dispatchers = [
      await createUser(admin, 'st-disp1', 'dispatcher', county),
      await createUser(admin, 'st-disp2', 'dispatcher', county),
    ];
    officer = await createUser(admin, 'st-duty', 'duty_officer', towns[0]!);
    outsider = await createUser(admin, 'st-out', 'commander', neighbour);
  });

  afterAll(async () => {
    await hub?.stop();
  });

  it('keeps depots in scope: a commander outside is 403, a dispatcher may not create, a duty officer reads only their own site', async () => {
    const made = await depot(county);
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ siteId: county, siteName: '物资县', keeper: '王库管' });
    expect((await depot(county, '越权', outsider.api)).status).toBe(403);
    expect((await depot(county, '调度员', dispatchers[0]!.api)).status).toBe(403);
    const town = await depot(towns[0]!, '东镇储备点');
    expect((await item(made.body.id, {}, outsider.api)).status).toBe(404);
    expect((await admin.get(`/api/v1/depots/${made.body.id}`)).status).toBe(200);
    expect((await outsider.api.get(`/api/v1/depots/${made.body.id}`)).status).toBe(404);
    const seen = (await officer.api.get('/api/v1/depots')).body as { id: string }[];
    expect(seen.map((d) => d.id)).toEqual([town.body.id]);
    const audit = await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1`, [made.body.id]);
    expect(audit.rows.map((r) => r.action)).toEqual(['depot.create']);
  });

  it('refuses a bad item code naming the GB/T rule, a negative quantity, and a code twice (409)', async () => {
    const d = (await depot(county, '编码库')).body.id as string;
    for (const code of ['101010', '4010101', '10a0101']) {
      const res = await item(d, { code });
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('invalid');
      expect(res.body.message).toContain('物资编码应为7位数字，首位为1-3');
      expect(res.body.fields[0].path).toBe('code');
    }
    const negative = await item(d, { quantity: -1 });
    expect(negative.status).toBe(400);
    expect(negative.body.fields[0]).toMatchObject({
      path: 'quantity',
      message: 'quantity must not be negative',
    });
    expect((await item(d, { code: '2020304' })).status).toBe(201);
    const twice = await item(d, { code: '2020304', quantity: 3 });
    expect(twice.status).toBe(409);
    expect((await sql.query(`SELECT quantity FROM stock_items WHERE depot_id = $1`, [d])).rows).toEqual([
      { quantity: 10 },
    ]);
  });

  it('flags expired, expiring soon and below minimum, and filters by them', async () => {
    const d = (await depot(towns[1]!, '西镇储备点')).body.id as string;
    const old = await item(d, { code: '1030101', name: '矿泉水', expiresAt: days(-1) });
    const soon = await item(d, { code: '1030102', name: '方便面', expiresAt: days(10) });
    const low = await item(d, { code: '2010101', name: '冲锋舟', quantity: 1, minimum: 2, unit: '艘' });
    const fine = await item(d, {
      code: '3010101',
      name: '编织袋',
      quantity: 500,
      minimum: 100,
      unit: '条',
      expiresAt: days(400),
    });
    expect(old.body).toMatchObject({ expired: true, expiringSoon: false, belowMinimum: false });
    expect(soon.body).toMatchObject({ expired: false, expiringSoon: true });
    expect(low.body).toMatchObject({ belowMinimum: true, expired: false, expiringSoon: false });
    expect(fine.body).toMatchObject({ belowMinimum: false, expired: false, expiringSoon: false });
    const names = async (q: string) =>
      ((await commander.api.get(`/api/v1/stock?depotId=${d}&${q}`)).body as { name: string }[])
        .map((i) => i.name)
        .sort();
    expect(await names('')).toEqual(['冲锋舟', '方便面', '矿泉水', '编织袋'].sort());
    expect(await names('expiringWithinDays=30')).toEqual(['方便面', '矿泉水'].sort());
    expect(await names('belowMinimum=true')).toEqual(['冲锋舟']);
    expect(await names('expiringWithinDays=5&belowMinimum=true')).toEqual(['冲锋舟', '矿泉水'].sort());
    const wide = (await commander.api.get(`/api/v1/stock?depotId=${d}&expiringWithinDays=500`)).body as {
      name: string;
      expiringSoon: boolean;
    }[];
    expect(wide.find((i) => i.name === '编织袋')?.expiringSoon).toBe(true);
    expect(((await officer.api.get(`/api/v1/stock?depotId=${d}`)).body as unknown[]).length).toBe(0);
  });

  it('a dispatch moves the quantity, is recorded and audited; more than in stock is 409 and nothing changes', async () => {
    const d = (await depot(county, '调拨库')).body.id as string;
    const tent = (await item(d, { code: '1010102', quantity: 10 })).body.id as string;
    const responseId = '6f1c1a52-9a57-4c64-9d1e-2f0b0a7d8e11';
    const sent = await dispatchers[0]!.api.post('/api/v1/stock/dispatches', {
      itemId: tent,
      quantity: 4,
      toSiteId: towns[0],
      responseId,
    });
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({
      quantity: 4,
      remaining: 6,
      fromDepotId: d,
      toSiteId: towns[0],
      toSiteName: '东镇',
      responseId,
      dispatchedBy: dispatchers[0]!.id,
    });
    const over = await dispatchers[0]!.api.post('/api/v1/stock/dispatches', {
      itemId: tent,
      quantity: 7,
      toSiteId: towns[0],
    });
    expect(over.status).toBe(409);
    expect((await sql.query(`SELECT quantity FROM stock_items WHERE id = $1`, [tent])).rows[0].quantity).toBe(
      6,
    );
    expect(
      (await sql.query(`SELECT count(*)::int AS n FROM stock_dispatches WHERE item_id = $1`, [tent])).rows[0]
        .n,
    ).toBe(1);
    const listed = (await commander.api.get(`/api/v1/stock/dispatches?responseId=${responseId}`)).body as {
      id: string;
    }[];
    expect(listed.map((x) => x.id)).toEqual([sent.body.id]);
    const audit = await sql.query(`SELECT action FROM audit_log WHERE subject_id = $1 ORDER BY seq`, [tent]);
    expect(audit.rows.map((r) => r.action)).toEqual(['stock.item.create', 'stock.dispatch']);
    expect(
      (
        await dispatchers[0]!.api.post('/api/v1/stock/dispatches', {
          itemId: tent,
          quantity: 1,
          toSiteId: neighbour,
        })
      ).status,
    ).toBe(403);
    expect(
      (await officer.api.post('/api/v1/stock/dispatches', { itemId: tent, quantity: 1, toSiteId: towns[0] }))
        .status,
    ).toBe(403);
  });

  it('concurrent dispatches never overdraw: 12 of 3 from 20 leave 2 and six are refused', async () => {
    const d = (await depot(county, '并发库')).body.id as string;
    const pumps = (await item(d, { code: '2050101', name: '排涝泵', quantity: 20, unit: '台' })).body
      .id as string;
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        dispatchers[i % 2]!.api.post('/api/v1/stock/dispatches', {
          itemId: pumps,
          quantity: 3,
          toSiteId: towns[i % 2],
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([...Array(6).fill(201), ...Array(6).fill(409)]);
    expect(
      (await sql.query(`SELECT quantity FROM stock_items WHERE id = $1`, [pumps])).rows[0].quantity,
    ).toBe(2);
    const remaining = results
      .filter((r) => r.status === 201)
      .map((r) => r.body.remaining as number)
      .sort((a, b) => a - b);
    expect(remaining).toEqual([2, 5, 8, 11, 14, 17]);
  });

  it('exports CSV with a BOM and zh header, imports it back unchanged, and refuses a bad line with nothing imported', async () => {
    const d = (await depot(towns[0]!, 'CSV库')).body.id as string;
    await item(d, {
      code: '1040101',
      name: '棉被, "加厚"',
      quantity: 30,
      unit: '床',
      minimum: 50,
      expiresAt: '2027-06-30T00:00:00.000Z',
    });
    await item(d, { code: '3020101', name: '=HYPERLINK("x")', quantity: 7, unit: '吨' });
    const first = await csvGet(officer, '/api/v1/stock.csv');
    expect(first.status).toBe(200);
    expect(first.type).toContain('text/csv');
    expect(
      first.text.startsWith(
        '\uFEFF库点编号,库点名称,物资编码,物资名称,数量,单位,有效期至,储备下限,最近检查\r\n',
      ),
    ).toBe(true);
    expect(first.text).toContain(`"'=HYPERLINK(""x"")"`);
    const back = await csvPost(commander, '/api/v1/stock/import', first.text);
    expect(back).toEqual({ status: 200, body: { created: 0, updated: 2 } });
    expect((await csvGet(officer, '/api/v1/stock.csv')).text).toBe(first.text);
    const more = first.text + `${d},,1040102,毛毯,5,条,,,\r\n${d},,5010101,坏编码,1,个,,,\r\n`;
    const bad = await csvPost(commander, '/api/v1/stock/import', more);
    expect(bad.status).toBe(400);
    expect(bad.body.message).toContain('第5行');
    expect(bad.body.message).toContain('物资编码应为7位数字');
    expect(
      (await sql.query(`SELECT count(*)::int AS n FROM stock_items WHERE depot_id = $1`, [d])).rows[0].n,
    ).toBe(2);
    const header = await csvPost(commander, '/api/v1/stock/import', '\uFEFF编码,名称\r\n1,2\r\n');
    expect(header.status).toBe(400);
    expect(header.body.message).toContain('第1行表头应为');
    const good = await csvPost(
      commander,
      '/api/v1/stock/import',
      first.text + `${d},,1040102,毛毯,5,条,2027-01-01,,\r\n`,
    );
    expect(good).toEqual({ status: 200, body: { created: 1, updated: 2 } });
    // a bare date is that day in Beijing
    const blanket = await sql.query(
      `SELECT expires_at FROM stock_items WHERE depot_id = $1 AND code = '1040102'`,
      [d],
    );
    expect(blanket.rows[0].expires_at.toISOString()).toBe('2026-12-31T16:00:00.000Z');
    expect((await csvPost(outsider, '/api/v1/stock/import', first.text)).status).toBe(400);
    const json = await commander.api.post('/api/v1/stock/import', { csv: first.text });
    expect(json.status).toBe(415);
    const gbk = await fetch(`${admin.baseUrl}/api/v1/stock/import`, {
      method: 'POST',
      headers: { authorization: `Bearer ${commander.token}`, 'content-type': 'text/csv' },
      body: Buffer.from([0xce, 0xef, 0xd7, 0xca, 0x0d, 0x0a, 0xff]),
    });
    expect(gbk.status).toBe(400);
  });
});
