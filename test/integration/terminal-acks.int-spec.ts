import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import { ReceiptReconciler } from '#terminals';
import type { DirectiveRecipientView, TerminalDirectiveMessage } from '#contracts';
import { sleep } from '../support/async.js';
import { startBridgeHarness, type BridgeHarness } from '../support/bridge-harness.js';
import { createSite } from '../support/directives.js';
import { provision, TestDevice, topics, waitFor, type Credentials } from '../support/terminals.js';

/** Issue 21, items 7 (one 签收 per directive) and 8 (the device's `at`), from the device's side. */
describe('terminal 签收 on the embedded broker', () => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness('embedded');
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  const connect = (creds: Credentials) =>
    waitFor(() => TestDevice.connect(h.mqttUrl, creds), `terminal ${creds.id} to connect`, 10_000);

  async function issue(siteIds: string[], title: string): Promise<string> {
    const res = await h.api.post<{ id: string }>('/api/v1/directives', {
      title,
      body: '请立即签收',
      level: 'orange',
      targets: { siteIds },
      ackWithinSeconds: 600,
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function rows(terminalId: string, directiveId: string) {
    return (
      await h.api.get<{ messageId: string; directiveId: string; state: string }[]>(
        `/api/v1/terminals/${terminalId}/messages`,
      )
    ).body.filter((m) => m.directiveId === directiveId);
  }

  async function recipients(directiveId: string): Promise<DirectiveRecipientView[]> {
    return (await h.api.get<{ recipients: DirectiveRecipientView[] }>(`/api/v1/directives/${directiveId}`))
      .body.recipients;
  }

  /** publishes an ack with the device's own `at` */
  async function ack(device: TestDevice, messageId: string, state: 'received' | 'acknowledged', at: string) {
    await device.client.publishAsync(topics(device.creds.id).acks, JSON.stringify({ messageId, state, at }), {
      qos: 1,
    });
  }

  const of = (device: TestDevice, directiveId: string): TerminalDirectiveMessage[] => {
    const seen = new Set<string>();
    return device.received.filter(
      (m) => m.directiveId === directiveId && !seen.has(m.messageId) && seen.add(m.messageId),
    );
  };

  it('one 签收 settles every message of the directive to that terminal: nothing is replayed after a reconnect', async () => {
    const town = await createSite(h.api, '一签镇', 'township', h.siteId);
    const creds = await provision(h.api, town, 'one-ack');
    const device = await connect(creds);
    const directiveId = await issue([town], '一次签收');
    await waitFor(() => of(device, directiveId).length === 1, 'the directive');
    // the dispatcher re-sends it to the township (a re-delivery under a new messageId, as
    // an escalation's first step does)
    const resent = await h.api.post(`/api/v1/directives/${directiveId}/resend`, { siteIds: [town] });
    expect(resent.status).toBe(200);
    await waitFor(() => of(device, directiveId).length === 2, 'the re-send');
    const [first, second] = of(device, directiveId);
    const now = new Date().toISOString();
    await ack(device, first!.messageId, 'received', now);
    await ack(device, second!.messageId, 'received', now);
    await waitFor(
      async () => (await rows(creds.id, directiveId)).every((r) => r.state === 'received'),
      'both received',
    );
    // the person presses 签收 once, on the reminder
    await ack(device, second!.messageId, 'acknowledged', new Date().toISOString());
    await waitFor(
      async () =>
        (await rows(creds.id, directiveId)).find((r) => r.messageId === second!.messageId)?.state ===
        'acknowledged',
      'the 签收 recorded',
    );
    await sleep(1000);
    await device.end();
    const again = await connect(creds);
    await sleep(3000); // a replay comes within ~100 ms of the SUBSCRIBE
    expect(of(again, directiveId).map((m) => m.messageId)).toEqual([]);
    expect((await rows(creds.id, directiveId)).map((r) => r.state)).toEqual(['acknowledged', 'acknowledged']);
    expect((await recipients(directiveId))[0]!.state).toBe('acknowledged');
    await again.end();
  });

  it('records when 签收 was pressed (the device’s `at`) beside when the hub received it, bounded against the device’s clock', async () => {
    const towns = [
      await createSite(h.api, '断网镇', 'township', h.siteId),
      await createSite(h.api, '快钟镇', 'township', h.siteId),
      await createSite(h.api, '慢钟镇', 'township', h.siteId),
    ];
    const creds = [
      await provision(h.api, towns[0]!, 'outage'),
      await provision(h.api, towns[1]!, 'clock-ahead'),
      await provision(h.api, towns[2]!, 'clock-behind'),
    ];
    const devices = [await connect(creds[0]!), await connect(creds[1]!), await connect(creds[2]!)];
    const directiveId = await issue(towns, '断网期间签收');
    for (const d of devices) await waitFor(() => of(d, directiveId).length === 1, 'the directive');
    // the directive has been out for half an hour (the outage began after it arrived)
    const issuedAt = new Date(Date.now() - 30 * 60_000);
    await h.app.app
      .get(DataSource)
      .query(`UPDATE directives SET issued_at = $2 WHERE id = $1`, [directiveId, issuedAt]);
    const pressedDuringOutage = new Date(Date.now() - 10 * 60_000).toISOString();
    const sentAt = Date.now();
    await ack(devices[0]!, of(devices[0]!, directiveId)[0]!.messageId, 'acknowledged', pressedDuringOutage);
    // a clock a day fast, and one that says year 0 (which the database cannot even store)
    await ack(
      devices[1]!,
      of(devices[1]!, directiveId)[0]!.messageId,
      'acknowledged',
      new Date(Date.now() + 86_400_000).toISOString(),
    );
    await ack(
      devices[2]!,
      of(devices[2]!, directiveId)[0]!.messageId,
      'acknowledged',
      '0000-01-01T00:00:00Z',
    );
    const bySite = async () => {
      const list = await recipients(directiveId);
      return towns.map((t) => list.find((r) => r.siteId === t)!);
    };
    await waitFor(
      async () => (await bySite()).every((r) => r.state === 'acknowledged'),
      'every 签收 recorded',
      15_000,
    );
    const [outage, ahead, behind] = await bySite();
    // pressed during the outage: the device's moment, received now
    expect(outage!.acknowledgedPressedAt).toBe(pressedDuringOutage);
    expect(outage!.acknowledgedClockSkew).toBeNull();
    expect(Date.parse(outage!.acknowledgedAt!)).toBeGreaterThanOrEqual(sentAt - 1000);
    // a day ahead: clamped to when the hub received it, and flagged
    expect(ahead!.acknowledgedClockSkew).toBe('ahead');
    expect(Date.parse(ahead!.acknowledgedPressedAt!)).toBeGreaterThanOrEqual(sentAt - 1000);
    expect(Date.parse(ahead!.acknowledgedPressedAt!)).toBeLessThanOrEqual(Date.parse(ahead!.acknowledgedAt!));
    // before the directive existed: never earlier than its issue, and flagged
    expect(behind!.acknowledgedClockSkew).toBe('behind');
    expect(behind!.acknowledgedPressedAt).toBe(issuedAt.toISOString());
    // a console 签收 has no device time: pressed when recorded
    const consoleTown = await createSite(h.api, '控制台镇', 'township', h.siteId);
    const consoleDirective = await issue([consoleTown], '控制台签收');
    const onBehalf = await h.api.post(`/api/v1/directives/${consoleDirective}/ack`, {
      siteId: consoleTown,
      note: '电话确认',
    });
    expect(onBehalf.status).toBe(200);
    const [r] = await recipients(consoleDirective);
    expect(r!.state).toBe('acknowledged');
    expect(r!.acknowledgedPressedAt).toBe(r!.acknowledgedAt);
    expect(r!.acknowledgedClockSkew).toBeNull();
    for (const d of devices) await d.end();
  });

  it('a radio gateway’s acks of the text settle its own messages but report neither delivery nor 签收', async () => {
    const radioTown = await createSite(h.api, '对讲镇', 'township', h.siteId);
    const pushTown = await createSite(h.api, '喇叭镇', 'township', h.siteId);
    const gateway = await connect(await provision(h.api, radioTown, 'radio gateway', 'radio'));
    const speaker = await connect(await provision(h.api, pushTown, 'loudspeaker'));
    const directiveId = await issue([radioTown, pushTown], '对讲签收');
    await waitFor(() => of(gateway, directiveId).length === 1, 'the directive at the gateway');
    await waitFor(() => of(speaker, directiveId).length === 1, 'the directive at the loudspeaker');
    for (const d of [gateway, speaker]) {
      const messageId = of(d, directiveId)[0]!.messageId;
      await ack(d, messageId, 'received', new Date().toISOString());
      await ack(d, messageId, 'acknowledged', new Date().toISOString());
    }
    const bySite = async (site: string) => (await recipients(directiveId)).find((r) => r.siteId === site)!;
    // the loudspeaker's 签收 reports (the same path ran for both), and the gateway's row is settled
    await waitFor(async () => (await bySite(pushTown)).state === 'acknowledged', 'the loudspeaker’s 签收');
    await waitFor(
      async () => (await rows(gateway.creds.id, directiveId)).every((r) => r.state === 'acknowledged'),
      'the gateway’s message settled',
    );
    await sleep(1000);
    // neither delivered nor acknowledged by the text acks; `failed` is the spoken broadcast's
    // report (radio-voice): this gateway is in no talkgroup, so nothing could be said on air
    const notByText = async () => {
      const r = await bySite(radioTown);
      expect(['pending', 'failed']).toContain(r.state);
      expect(r.deliveredVia).toBeNull();
      expect(r.acknowledgedVia).toBeNull();
    };
    await notByText();
    // nor does the reconciler report it later, however old the ack
    const db = h.app.app.get(DataSource);
    await db.query(
      `UPDATE terminal_messages SET received_at = now() - interval '10 minutes',
         acknowledged_at = now() - interval '10 minutes' WHERE directive_id = $1`,
      [directiveId],
    );
    await h.app.app.get(ReceiptReconciler).reconcile();
    await sleep(1000);
    await notByText();
    // settled: a reconnect replays nothing to the gateway
    await gateway.end();
    const again = await connect(gateway.creds);
    await sleep(2000);
    expect(of(again, directiveId)).toEqual([]);
    await again.end();
    await speaker.end();
  });
});
