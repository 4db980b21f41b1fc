import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from '@jest/globals';
import mqttPacket, { type IPublishPacket, type Packet } from 'mqtt-packet';
import { pino } from 'pino';
import { terminalTopics } from '#contracts';
import { EmbeddedBroker } from '../../apps/mqtt-bridge/src/broker/embedded-broker.js';
import { freePort } from '../support/ports.js';
import { waitFor } from '../support/terminals.js';

/**
 * The embedded broker's own delivery to a connected, subscribed terminal (a PUBLISH
 * written to its socket, see EmbeddedBroker.writeToSession), seen from a device speaking
 * raw MQTT 3.1.1: packet ids, the granted QoS, PUBACKs, a device that stops reading, and
 * the aedes path that still serves a terminal that is not subscribed.
 */
describe('EmbeddedBroker delivery to a terminal', () => {
  const SECRET = 'device-secret-0123456789';
  let broker: EmbeddedBroker | undefined;
  const devices: Device[] = [];

  afterEach(async () => {
    for (const d of devices.splice(0)) d.socket.destroy();
    await broker?.stop();
    broker = undefined;
  });

  async function start(): Promise<EmbeddedBroker> {
    broker = await EmbeddedBroker.start({
      host: '127.0.0.1',
      port: await freePort(),
      logger: pino({ level: 'silent' }),
      gate: {
        authenticate: async (_id, _user, password) =>
          password?.toString() === SECRET ? null : 'auth_failed',
        rejected: () => undefined,
        kindOf: () => 'push',
      },
    });
    return broker;
  }

  /** A device at the packet level; it PUBACKs what it receives unless told not to. */
  class Device {
    readonly received: IPublishPacket[] = [];
    readonly socket: Socket;
    private readonly packets: Packet[] = [];
    puback = true;

    constructor(
      readonly id: string,
      port: number,
    ) {
      this.socket = connect({ host: '127.0.0.1', port });
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p: Packet) => {
        this.packets.push(p);
        if (p.cmd !== 'publish') return;
        this.received.push(p);
        if (p.qos > 0 && this.puback) this.send({ cmd: 'puback', messageId: p.messageId! });
      });
      this.socket.on('data', (chunk: Buffer) => parser.parse(chunk));
      this.socket.on('error', () => undefined);
      devices.push(this);
    }

    send(packet: Packet): void {
      this.socket.write(mqttPacket.generate(packet));
    }

    async connect(clean = false): Promise<void> {
      this.send({
        cmd: 'connect',
        protocolId: 'MQTT',
        protocolVersion: 4,
        clientId: this.id,
        username: this.id,
        password: Buffer.from(SECRET),
        clean,
        keepalive: 60,
      });
      await waitFor(() => this.packets.some((p) => p.cmd === 'connack'), `${this.id} CONNACK`);
    }

    async subscribe(qos: 0 | 1): Promise<void> {
      this.send({
        cmd: 'subscribe',
        messageId: 1,
        subscriptions: [{ topic: terminalTopics(this.id).directives, qos }],
      });
      await waitFor(() => this.packets.some((p) => p.cmd === 'suback'), `${this.id} SUBACK`);
    }
  }

  const terminal = (n: number) => `t${String(n).padStart(20, '0')}`;
  const publish = (b: EmbeddedBroker, id: string, text: string) =>
    b.publish(terminalTopics(id).directives, text, { qos: 1, terminal: id });

  it('sends in order with distinct packet ids, takes the PUBACKs, and keeps no in-flight copy in aedes', async () => {
    const b = await start();
    const device = new Device(terminal(1), b.port);
    await device.connect();
    await device.subscribe(1);
    for (let i = 0; i < 50; i++) await publish(b, device.id, `{"n":${i}}`);
    await waitFor(() => device.received.length === 50, '50 messages');
    expect(device.received.map((p) => JSON.parse(p.payload.toString()).n)).toEqual([...Array(50).keys()]);
    expect(device.received.every((p) => p.qos === 1)).toBe(true);
    expect(new Set(device.received.map((p) => p.messageId)).size).toBe(50);
    // the PUBACKs were taken without ending the session
    await publish(b, device.id, '{"n":50}');
    await waitFor(() => device.received.length === 51, 'a message after the PUBACKs');
    expect(device.socket.destroyed).toBe(false);
    // one it does not PUBACK: nothing waits for it in aedes' in-flight store (the outbox in
    // the database is the store, replayed on the next connection)
    device.puback = false;
    await publish(b, device.id, '{"n":51}');
    await waitFor(() => device.received.length === 52, 'a message left without PUBACK');
    const stored: unknown[] = [];
    // aedes' persistence is not in its typings
    const { persistence } = b.aedes as unknown as {
      persistence: { outgoingStream(client: { id: string }): AsyncIterable<unknown> };
    };
    for await (const p of persistence.outgoingStream({ id: device.id })) stored.push(p);
    expect(stored).toEqual([]);
  });

  it('sends at the QoS the subscription was granted', async () => {
    const b = await start();
    const device = new Device(terminal(2), b.port);
    await device.connect();
    await device.subscribe(0);
    await publish(b, device.id, '{"n":1}');
    await waitFor(() => device.received.length === 1, 'the message');
    expect(device.received[0]).toMatchObject({ qos: 0 });
    expect(device.received[0]!.messageId).toBeUndefined();
  });

  it('waits for a device that stops reading, goes on when it reads again, and fails when its link ends', async () => {
    const b = await start();
    const device = new Device(terminal(3), b.port);
    await device.connect();
    await device.subscribe(1);
    device.socket.pause();
    const body = JSON.stringify({ text: 'x'.repeat(16_000) });
    // fill the kernel's buffers and the socket's own: a publish that the socket cannot take stays pending
    let pending: Promise<void> | undefined;
    let sent = 0;
    for (let i = 0; i < 2000 && !pending; i++) {
      let done = false;
      const p = publish(b, device.id, body).then(() => void (done = true));
      await new Promise((r) => setImmediate(r));
      if (done) sent++;
      else pending = p;
    }
    expect(pending).toBeDefined();
    expect(sent).toBeGreaterThan(0);
    device.socket.resume();
    await pending;
    await waitFor(() => device.received.length === sent + 1, 'every message once it reads again');

    device.socket.pause();
    let stuck: Promise<void> | undefined;
    for (let i = 0; i < 2000 && !stuck; i++) {
      let done = false;
      const p = publish(b, device.id, body).then(
        () => void (done = true),
        (err: Error) => Promise.reject(err),
      );
      p.catch(() => undefined);
      await new Promise((r) => setImmediate(r));
      if (!done) stuck = p;
    }
    expect(stuck).toBeDefined();
    device.socket.destroy();
    await expect(stuck).rejects.toThrow('connection closed');
  });

  it('leaves a terminal that has not subscribed to aedes, which queues for its persistent session', async () => {
    const b = await start();
    const first = new Device(terminal(4), b.port);
    await first.connect();
    await first.subscribe(1);
    first.send({ cmd: 'disconnect' });
    await waitFor(() => first.socket.destroyed || first.socket.readableEnded, 'the first link ended');
    // offline: aedes stores it for the session
    await publish(b, first.id, '{"n":"while offline"}');
    const again = new Device(first.id, b.port);
    await again.connect(false);
    await waitFor(() => again.received.length === 1, 'the stored message on reconnect');
    expect(JSON.parse(again.received[0]!.payload.toString())).toEqual({ n: 'while offline' });
  });
});
