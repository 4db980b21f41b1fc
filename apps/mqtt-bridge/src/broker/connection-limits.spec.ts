import { describe, expect, it } from '@jest/globals';
import mqttPacket, { type Packet } from 'mqtt-packet';
import { capPacketSize, parserHasLengthStep, PendingConnections } from './connection-limits.js';

describe('PendingConnections', () => {
  it('bounds sockets per address and in all, and gives a place back once', () => {
    const pending = new PendingConnections({ pendingPerAddress: 2, pendingTotal: 3 });
    const a1 = pending.admit('10.0.0.1');
    const a2 = pending.admit('10.0.0.1');
    expect(typeof a1).toBe('function');
    expect(typeof a2).toBe('function');
    expect(pending.admit('10.0.0.1')).toBe('address');
    const b1 = pending.admit('10.0.0.2');
    expect(typeof b1).toBe('function');
    expect(pending.admit('10.0.0.3')).toBe('total');
    (a1 as () => void)();
    (a1 as () => void)(); // a second release changes nothing
    expect(pending.count).toBe(2);
    expect(typeof pending.admit('10.0.0.1')).toBe('function');
    expect(pending.admit('10.0.0.1')).toBe('address');
  });
});

describe('capPacketSize', () => {
  const connect = mqttPacket.generate({
    cmd: 'connect',
    protocolId: 'MQTT',
    protocolVersion: 4,
    clientId: 't0123456789abcdef0123',
    clean: true,
    keepalive: 60,
  });
  const publish = (bytes: number) =>
    mqttPacket.generate({
      cmd: 'publish',
      topic: 'a/b',
      payload: Buffer.alloc(bytes),
      qos: 0,
      retain: false,
      dup: false,
    });

  function guarded(caps: { maxConnectBytes: number; maxPacketBytes: number }) {
    const parser = mqttPacket.parser({ protocolVersion: 4 });
    const packets: Packet[] = [];
    const errors: string[] = [];
    const refused: [boolean, number][] = [];
    parser.on('packet', (p: Packet) => packets.push(p));
    parser.on('error', (err: Error) => errors.push(err.message));
    capPacketSize(parser, caps, (first, declared) => refused.push([first, declared]));
    return { parser, packets, errors, refused };
  }

  it('knows the parser it patches', () => {
    expect(parserHasLengthStep(mqttPacket.parser())).toBe(true);
  });

  it('passes packets within the caps, whole or in pieces', () => {
    const g = guarded({ maxConnectBytes: 128, maxPacketBytes: 1100 });
    const bytes = Buffer.concat([connect, publish(1000), publish(10)]);
    for (let i = 0; i < bytes.length; i += 7) g.parser.parse(bytes.subarray(i, i + 7));
    expect(g.packets.map((p) => p.cmd)).toEqual(['connect', 'publish', 'publish']);
    expect(g.errors).toEqual([]);
  });

  it('refuses the first packet over the CONNECT cap from its header alone', () => {
    const g = guarded({ maxConnectBytes: 128, maxPacketBytes: 100_000 });
    // the header of a CONNECT declaring 250 MB, and no body at all
    g.parser.parse(Buffer.from([0x10, 0x80, 0x80, 0x80, 0x77]));
    expect(g.refused).toEqual([[true, 0x77 * 128 ** 3]]);
    expect(g.errors[0]).toMatch(/packet too large/);
    expect(g.packets).toEqual([]);
  });

  it('refuses a later packet over the packet cap', () => {
    const g = guarded({ maxConnectBytes: 128, maxPacketBytes: 1100 });
    g.parser.parse(Buffer.concat([connect, publish(2000)]));
    expect(g.packets.map((p) => p.cmd)).toEqual(['connect']);
    expect(g.refused[0]![0]).toBe(false);
    expect(g.errors[0]).toMatch(/packet too large/);
  });
});
