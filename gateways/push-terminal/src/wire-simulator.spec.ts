import { createServer, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Aedes } from 'aedes';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { WireSimulator } from './wire-simulator.js';

// The packet-level simulator against a real broker (a bare aedes): what a terminal must do
// on the wire, seen from the broker's side.
describe('WireSimulator', () => {
  let aedes: Aedes;
  let server: Server;
  let url: string;
  const seen: { topic: string; payload: string; retain: boolean; clientId?: string }[] = [];
  const connects: { clientId: string; username?: string; password?: string; clean: boolean }[] = [];

  beforeAll(async () => {
    aedes = await Aedes.createBroker({
      authenticate: (client, username, password, done) => {
        connects.push({
          clientId: client.id,
          username,
          password: password?.toString(),
          clean: (client as unknown as { clean: boolean }).clean,
        });
        done(null, password?.toString() === `secret-${client.id}`);
      },
    });
    aedes.on('publish', (packet, client) => {
      if (client)
        seen.push({
          topic: packet.topic,
          payload: packet.payload.toString(),
          retain: packet.retain,
          clientId: client.id,
        });
    });
    server = createServer(aedes.handle);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `mqtt://127.0.0.1:${(server.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((r) => aedes.close(() => r()));
    await new Promise<void>((r) => server.close(() => r()));
  });

  const publish = (topic: string, payload: unknown) =>
    new Promise<void>((resolve, reject) =>
      aedes.publish(
        {
          cmd: 'publish',
          topic,
          payload: Buffer.from(JSON.stringify(payload)),
          qos: 1,
          retain: false,
          dup: false,
        },
        (err) => (err ? reject(err) : resolve()),
      ),
    );
  const until = async (check: () => boolean, what: string) => {
    for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
    if (!check()) throw new Error(`timed out: ${what}`);
  };

  it('logs in as the protocol says, shows a message once, acks it, and answers a duplicate with its ack again', async () => {
    const terminals = [
      { id: 'tw1', secret: 'secret-tw1' },
      { id: 'tw2', secret: 'secret-tw2' },
    ];
    const sim = new WireSimulator({ url, terminals, acknowledge: true });
    await sim.start();
    expect(sim.connectedCount()).toBe(2);
    expect([...connects].sort((a, b) => a.clientId.localeCompare(b.clientId))).toEqual([
      { clientId: 'tw1', username: 'tw1', password: 'secret-tw1', clean: false },
      { clientId: 'tw2', username: 'tw2', password: 'secret-tw2', clean: false },
    ]);
    expect(
      seen
        .filter((s) => s.payload === 'online')
        .map((s) => [s.topic, s.retain])
        .sort(),
    ).toEqual([
      ['yihu/v1/terminals/tw1/status', true],
      ['yihu/v1/terminals/tw2/status', true],
    ]);

    const message = { messageId: 'm-1', directiveId: 'd-1', title: 't' };
    await publish('yihu/v1/terminals/tw1/directives', message);
    await publish('yihu/v1/terminals/tw1/directives', message); // a replay
    await publish('yihu/v1/terminals/tw1/directives', 'not json at all');
    const acks = () =>
      seen.filter((s) => s.topic === 'yihu/v1/terminals/tw1/acks').map((s) => JSON.parse(s.payload));
    await until(() => acks().length >= 3, 'three acks');
    await until(() => sim.rejected === 1, 'the bad message counted');
    expect(acks().map((a) => [a.messageId, a.state])).toEqual([
      ['m-1', 'received'],
      ['m-1', 'acknowledged'],
      ['m-1', 'acknowledged'],
    ]);
    expect(sim.arrivals).toEqual([
      expect.objectContaining({
        terminalId: 'tw1',
        messageId: 'm-1',
        directiveId: 'd-1',
        topic: 'directives',
      }),
    ]);
    expect(sim.shows.get('tw1/m-1')).toBe(1);
    // nothing went to the other terminal's topics
    expect(seen.some((s) => s.clientId === 'tw2' && s.topic.includes('/acks'))).toBe(false);

    await sim.stop();
    expect(
      seen
        .filter((s) => s.payload === 'offline')
        .map((s) => s.clientId)
        .sort(),
    ).toEqual(['tw1', 'tw2']);
    expect(() => sim.check()).not.toThrow();
  });

  it('fails to start, naming the terminal, when the broker refuses its login', async () => {
    const sim = new WireSimulator({ url, terminals: [{ id: 'tw3', secret: 'wrong' }], acknowledge: true });
    await expect(sim.start()).rejects.toThrow(/tw3: CONNACK return code [1-5]/);
    await sim.stop();
  });

  it('reads packets cut anywhere by TCP, and several in one read', async () => {
    // a broker by hand, so the bytes are cut where this test says
    const sockets: Socket[] = [];
    const fromDevice: Packet[] = [];
    const raw = createServer((socket) => {
      sockets.push(socket);
      socket.setNoDelay(true);
      const parser = mqttPacket.parser({ protocolVersion: 4 });
      parser.on('packet', (p: Packet) => {
        fromDevice.push(p);
        if (p.cmd === 'connect')
          socket.write(mqttPacket.generate({ cmd: 'connack', returnCode: 0, sessionPresent: false }));
        if (p.cmd === 'subscribe')
          socket.write(mqttPacket.generate({ cmd: 'suback', messageId: p.messageId, granted: [1, 1] }));
        if (p.cmd === 'publish' && p.qos > 0)
          socket.write(mqttPacket.generate({ cmd: 'puback', messageId: p.messageId! }));
      });
      socket.on('data', (d: Buffer) => parser.parse(d));
    });
    await new Promise<void>((r) => raw.listen(0, '127.0.0.1', r));
    const port = (raw.address() as { port: number }).port;
    const sim = new WireSimulator({
      url: `mqtt://127.0.0.1:${port}`,
      terminals: [{ id: 'tw9', secret: 's' }],
      acknowledge: true,
    });
    try {
      await sim.start();
      const directive = (n: number) =>
        mqttPacket.generate({
          cmd: 'publish',
          topic: 'yihu/v1/terminals/tw9/directives',
          // over 127 bytes: a two-byte remaining length, which the cut below splits
          payload: Buffer.from(
            JSON.stringify({ messageId: `m-${n}`, directiveId: 'd-9', body: '请立即转移'.repeat(20) }),
          ),
          qos: 1,
          messageId: n,
          retain: false,
          dup: false,
        });
      const pause = () => new Promise((r) => setTimeout(r, 30));
      const [one, two, three] = [directive(1), directive(2), directive(3)];
      // the first cut inside the remaining length, the next inside the payload
      sockets[0]!.write(one.subarray(0, 2));
      await pause();
      sockets[0]!.write(one.subarray(2, 60));
      await pause();
      // the end of one and all of two in one read, then three and a PINGRESP together
      sockets[0]!.write(Buffer.concat([one.subarray(60), two]));
      await pause();
      sockets[0]!.write(Buffer.concat([three, mqttPacket.generate({ cmd: 'pingresp' })]));
      await until(() => sim.arrivals.length === 3, 'three directives shown');
      expect(sim.arrivals.map((a) => a.messageId)).toEqual(['m-1', 'm-2', 'm-3']);
      const acks = () => fromDevice.filter((p) => p.cmd === 'publish' && p.topic.endsWith('/acks'));
      const pubacks = () => fromDevice.filter((p) => p.cmd === 'puback').map((p) => p.messageId);
      await until(() => acks().length === 6 && pubacks().length === 3, 'six acks and three PUBACKs');
      expect(pubacks()).toEqual([1, 2, 3]);
      const acked = acks().map((packet) => {
        const p = packet as mqttPacket.IPublishPacket;
        const body = JSON.parse(p.payload.toString()) as Record<string, string>;
        return [body.messageId, body.state, p.qos, Number.isNaN(Date.parse(body.at!))];
      });
      expect(acked).toEqual([
        ['m-1', 'received', 1, false],
        ['m-1', 'acknowledged', 1, false],
        ['m-2', 'received', 1, false],
        ['m-2', 'acknowledged', 1, false],
        ['m-3', 'received', 1, false],
        ['m-3', 'acknowledged', 1, false],
      ]);
      expect(() => sim.check()).not.toThrow();
    } finally {
      await sim.stop();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((r) => raw.close(() => r()));
    }
  });
});
