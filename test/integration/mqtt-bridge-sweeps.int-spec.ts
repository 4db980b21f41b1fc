import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { DataSource } from 'typeorm';
import type { BrokerLink } from '../../apps/mqtt-bridge/src/broker/broker-link.js';
import { TerminalDelivery } from '../../apps/mqtt-bridge/src/bridge/terminal-delivery.js';
import { ReceiptReconciler } from '#terminals';
import { TerminalChannel } from '#terminals';
import { sleep } from '../support/async.js';
import {
  connectDevice,
  deliveryJob,
  startBridgeHarness,
  terminalMessages,
  type BridgeHarness,
  type BrokerKind,
} from '../support/bridge-harness.js';
import { createSite } from '../support/directives.js';
import { provision, waitFor } from '../support/terminals.js';

/**
 * The outbox's own bookkeeping, driven by hand rather than by the timers: the `sent` mark, a
 * retry after a failed publish, the resend, straggler and receipt-reconciling sweeps.
 */
describe.each<BrokerKind>(['embedded', 'mosquitto'])('MQTT bridge sweeps with the %s broker', (kind) => {
  let h: BridgeHarness;

  beforeAll(async () => {
    h = await startBridgeHarness(kind);
  }, 180_000);

  afterAll(async () => {
    await h?.stop();
  });

  it('marks a message sent when the device stays silent, and lets a device ack record the send itself', async () => {
    const silentCreds = await provision(h.api, h.siteId, 'silent');
    const ackingCreds = await provision(h.api, h.siteId, 'acking');
    const silent = await connectDevice(h, silentCreds);
    const acking = await connectDevice(h, ackingCreds);
    silent.client.on('message', () => undefined);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    await waitFor(
      () => acking.received.some((m) => m.directiveId === directiveId),
      'delivery to the acking device',
    );
    const mine = acking.received.find((m) => m.directiveId === directiveId)!;
    await acking.ack(mine.messageId, 'received');
    const row = async (id: string) => {
      const [r] = (await h.app.app
        .get(DataSource)
        .query(
          `SELECT state, send_count, sent_at FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`,
          [id, directiveId],
        )) as { state: string; send_count: number; sent_at: Date | null }[];
      return r;
    };
    // the `sent` mark is written within about half a second of the publish
    await waitFor(
      async () => (await row(silentCreds.id))?.state === 'sent',
      'the silent device’s message marked sent',
    );
    expect(await row(silentCreds.id)).toMatchObject({ send_count: 1 });
    await waitFor(async () => (await row(ackingCreds.id))?.state === 'received', 'the ack recorded');
    await new Promise((r) => setTimeout(r, 1000)); // past the sent-mark delay: no second count
    const acked = await row(ackingCreds.id);
    expect(acked).toMatchObject({ state: 'received', send_count: 1 });
    expect(acked!.sent_at).not.toBeNull();
    await silent.end();
    await acking.end();
  });

  it('reports a terminal’s 签收 that a crash kept from its directive, once the sweep runs', async () => {
    const town = await createSite(h.api, `对账镇 ${kind}`, 'township', h.siteId);
    const creds = await provision(h.api, town, 'reconcile');
    const issued = await h.api.post<{ id: string }>('/api/v1/directives', {
      title: '对账',
      body: '签收记录在终端，未报到指令',
      level: 'blue',
      targets: { siteIds: [town] },
      ackWithinSeconds: 600,
    });
    expect(issued.status).toBe(201);
    const directiveId = issued.body.id;
    await waitFor(
      async () => (await terminalMessages(h, creds.id)).some((m) => m.directiveId === directiveId),
      'the outbox row',
    );
    const recipient = async () =>
      (
        await h.api.get<{ recipients: { state: string; acknowledgedVia: string | null }[] }>(
          `/api/v1/directives/${directiveId}`,
        )
      ).body.recipients[0]!;
    const reconciler = h.app.app.get(ReceiptReconciler);
    // the device's 签收 recorded on the row a minute ago, and the bridge gone before it
    // reported it: the township still reads pending
    await h.app.app.get(DataSource).query(
      `UPDATE terminal_messages SET state = 'acknowledged', send_count = 1,
         sent_at = now() - interval '2 minutes', received_at = now() - interval '2 minutes',
         acknowledged_at = now() - interval '1 minute'
       WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, directiveId],
    );
    expect((await recipient()).state).toBe('pending');
    expect(await reconciler.reconcile()).toBe(1);
    await waitFor(async () => (await recipient()).state === 'acknowledged', 'the township acknowledged');
    expect((await recipient()).acknowledgedVia).toBe('terminal');
    // nothing left to report; a receipt of a moment ago is left to the live path
    expect(await reconciler.reconcile()).toBe(0);
  });

  it('after a failed publish sends nothing past it, then retries the terminal’s outbox in order', async () => {
    const creds = await provision(h.api, h.siteId, 'publish-fails');
    const device = await connectDevice(h, creds);
    await sleep(500); // past the connection's replay
    const delivery = h.app.app.get(TerminalDelivery);
    // the broker refuses the first publish to this terminal (a quota, say): the one fault
    // this test cannot make a real broker produce on cue
    const link = (delivery as unknown as { link: BrokerLink }).link;
    const refused: string[] = [];
    const failing = Object.create(link) as BrokerLink;
    failing.publish = (topic, payload, options) => {
      if (topic.includes(creds.id) && !refused.length) {
        refused.push(topic);
        return Promise.reject(new Error('quota exceeded'));
      }
      return link.publish(topic, payload, options);
    };
    (delivery as unknown as { link: BrokerLink }).link = failing;
    try {
      const channel = h.app.app.get(TerminalChannel);
      const first: string = randomUUID();
      const second: string = randomUUID();
      await channel.deliver(deliveryJob(h.siteId, first, randomUUID()), 'push');
      await channel.deliver(deliveryJob(h.siteId, second, randomUUID()), 'push');
      await sleep(1000);
      expect(refused).toHaveLength(1);
      // the second must not overtake the first
      expect(device.received.filter((m) => [first, second].includes(m.directiveId))).toHaveLength(0);
      await waitFor(
        () => device.received.filter((m) => [first, second].includes(m.directiveId)).length >= 2,
        'the retry',
        15_000,
      );
      await sleep(500);
      expect(
        device.received.filter((m) => [first, second].includes(m.directiveId)).map((m) => m.directiveId),
      ).toEqual([first, second]);
    } finally {
      (delivery as unknown as { link: BrokerLink }).link = link;
      await device.end();
    }
  });

  it('sends a message again to an online terminal that never confirmed `received`, later each time, and no more once it does', async () => {
    const creds = await provision(h.api, h.siteId, 'no-receipt');
    const device = await connectDevice(h, creds);
    const db = h.app.app.get(DataSource);
    const delivery = h.app.app.get(TerminalDelivery);
    // online in the database (the sweep's condition), and past the connection's replay,
    // which would otherwise pick up the new row as well (a harmless second copy)
    await waitFor(
      async () =>
        (
          (await db.query(`SELECT presence FROM terminals WHERE id = $1`, [creds.id])) as {
            presence: string;
          }[]
        )[0]?.presence === 'online',
      'presence recorded',
    );
    await sleep(300);
    const directiveId = randomUUID();
    await h.app.app.get(TerminalChannel).deliver(deliveryJob(h.siteId, directiveId, randomUUID()), 'push');
    const copies = () => device.received.filter((m) => m.directiveId === directiveId);
    const row = async () =>
      (
        (await db.query(
          `SELECT state, send_count FROM terminal_messages WHERE terminal_id = $1 AND directive_id = $2`,
          [creds.id, directiveId],
        )) as { state: string; send_count: number }[]
      )[0];
    await waitFor(async () => (await row())?.state === 'sent', 'the first send marked');
    expect(copies()).toHaveLength(1);
    // an hour without `received`: the sweep sends it again, with the same messageId
    const backdate = () =>
      db.query(
        `UPDATE terminal_messages SET sent_at = now() - interval '1 hour' WHERE terminal_id = $1 AND directive_id = $2`,
        [creds.id, directiveId],
      );
    await backdate();
    await delivery.resendUnconfirmed();
    await waitFor(() => copies().length === 2, 'the second send');
    expect(copies()[1]!.messageId).toBe(copies()[0]!.messageId);
    await waitFor(async () => (await row())?.send_count === 2, 'the second send counted');
    const setSendCount = (n: number) =>
      db.query(`UPDATE terminal_messages SET send_count = $3 WHERE terminal_id = $1 AND directive_id = $2`, [
        creds.id,
        directiveId,
        n,
      ]);
    // just sent again: not yet due (next after 2x the delay)
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // claimed by the straggler sweep a moment ago and not yet counted (send_count 0): not
    // due before one whole delay either
    await setSendCount(0);
    await db.query(
      `UPDATE terminal_messages SET sent_at = now() - interval '2 seconds' WHERE terminal_id = $1 AND directive_id = $2`,
      [creds.id, directiveId],
    );
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // at the limit of sends: left for the next reconnect's replay
    await setSendCount(5);
    await backdate();
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    // confirmed: never again
    await setSendCount(2);
    await device.ack(copies()[0]!.messageId, 'received');
    await waitFor(async () => (await row())?.state === 'received', 'the receipt recorded');
    await backdate();
    await delivery.resendUnconfirmed();
    await sleep(300);
    expect(copies()).toHaveLength(2);
    await device.end();
  });

  /** the device's presence recorded and its connection's replay over */
  const onlineAndReplayed = async (db: DataSource, terminalId: string) => {
    await waitFor(
      async () =>
        (
          (await db.query(`SELECT presence FROM terminals WHERE id = $1`, [terminalId])) as {
            presence: string;
          }[]
        )[0]?.presence === 'online',
      'presence recorded',
    );
    await sleep(300);
  };

  it('claims a message left queued without a notice in the sweep’s own statement, and sends it once', async () => {
    const creds = await provision(h.api, h.siteId, 'straggler');
    const device = await connectDevice(h, creds);
    const db = h.app.app.get(DataSource);
    const delivery = h.app.app.get(TerminalDelivery);
    await onlineAndReplayed(db, creds.id);
    // a row whose outbox notice was lost, queued a minute ago
    const messageId = randomUUID();
    const directiveId = `straggler-${messageId}`;
    const payload = JSON.stringify({
      messageId,
      directiveId,
      serial: 'T-1',
      title: '迟到',
      body: '',
      level: 'none',
      issuedAt: new Date().toISOString(),
      expiresAt: null,
      drill: true,
    });
    await db.query(
      `INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, created_at)
       VALUES ($1, $2, $3, $3, 'directives', $4, now() - interval '1 minute')`,
      [messageId, creds.id, directiveId, payload],
    );
    const state = async () =>
      (
        (await db.query(`SELECT state, send_count FROM terminal_messages WHERE id = $1`, [messageId])) as {
          state: string;
          send_count: number;
        }[]
      )[0];
    // the connection's replay long over (a fresh replay claim keeps sweeps off the terminal)
    await db.query(`UPDATE terminals SET replay_claimed_at = NULL WHERE id = $1`, [creds.id]);
    await delivery.requeueStragglers();
    // taken in the sweep's own statement, before any send or `sent` mark: another bridge's
    // sweep, which does not share this one's memory of what it is sending, finds nothing
    expect((await state())?.state).toBe('sent');
    await delivery.requeueStragglers();
    const copies = () => device.received.filter((m) => m.messageId === messageId);
    await waitFor(() => copies().length >= 1, 'the straggler sent');
    await sleep(1000);
    expect(copies()).toHaveLength(1);
    expect(await state()).toEqual({ state: 'sent', send_count: 1 });
    await device.end();
  });

  it('leaves the queued rows of a terminal being replayed to the bridge replaying it', async () => {
    const creds = await provision(h.api, h.siteId, 'replaying');
    const device = await connectDevice(h, creds);
    const db = h.app.app.get(DataSource);
    const delivery = h.app.app.get(TerminalDelivery);
    await onlineAndReplayed(db, creds.id);
    const messageId = randomUUID();
    const directiveId = `replaying-${messageId}`;
    await db.query(
      `INSERT INTO terminal_messages (id, terminal_id, directive_id, source_id, topic, payload, created_at)
       VALUES ($1, $2, $3, $3, 'directives', $4, now() - interval '1 minute')`,
      [messageId, creds.id, directiveId, JSON.stringify({ messageId, directiveId })],
    );
    const state = async () =>
      (
        (await db.query(`SELECT state FROM terminal_messages WHERE id = $1`, [messageId])) as {
          state: string;
        }[]
      )[0]?.state;
    // another bridge took on this terminal's replay a moment ago: it is reading and sending
    // the queued rows now, and marks them `sent` only afterwards
    await db.query(`UPDATE terminals SET replay_claimed_at = clock_timestamp() WHERE id = $1`, [creds.id]);
    await delivery.requeueStragglers();
    expect(await state()).toBe('queued');
    // a replay claim long past: that bridge died before its marks, so the sweep sends them
    await db.query(`UPDATE terminals SET replay_claimed_at = now() - interval '1 minute' WHERE id = $1`, [
      creds.id,
    ]);
    await delivery.requeueStragglers();
    expect(await state()).toBe('sent');
    await device.end();
  });
});
