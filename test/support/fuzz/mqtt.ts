import { reportPayload } from './mqtt-reports.js';
import type { Prng } from './prng.js';
import { Tags } from './values.js';

/** MQTT 3.1.1 wire pieces, written by hand so that every field can be wrong. */
export function varint(n: number): Buffer {
  const out: number[] = [];
  do {
    let byte = n % 128;
    n = Math.floor(n / 128);
    if (n > 0) byte |= 0x80;
    out.push(byte);
  } while (n > 0);
  return Buffer.from(out);
}

export function mqttString(s: string | Buffer): Buffer {
  const b = typeof s === 'string' ? Buffer.from(s) : s;
  const len = Buffer.alloc(2);
  len.writeUInt16BE(Math.min(b.length, 0xffff));
  return Buffer.concat([len, b]);
}

export function packet(first: number, body: Buffer): Buffer {
  return Buffer.concat([Buffer.from([first]), varint(body.length), body]);
}

export interface ConnectFields {
  protocol?: string | Buffer;
  level?: number;
  flags?: number;
  keepAlive?: number;
  clientId: string | Buffer;
  will?: { topic: string | Buffer; payload: Buffer };
  username?: string | Buffer;
  password?: string | Buffer;
}

export function connectPacket(f: ConnectFields): Buffer {
  let flags = f.flags ?? 0x02;
  if (f.flags === undefined) {
    if (f.will) flags |= 0x04 | 0x08 | 0x20;
    if (f.username !== undefined) flags |= 0x80;
    if (f.password !== undefined) flags |= 0x40;
  }
  const keep = Buffer.alloc(2);
  keep.writeUInt16BE(f.keepAlive ?? 30);
  const parts = [
    mqttString(f.protocol ?? 'MQTT'),
    Buffer.from([f.level ?? 4, flags]),
    keep,
    mqttString(f.clientId),
  ];
  if (f.will) parts.push(mqttString(f.will.topic), mqttString(f.will.payload));
  if (f.username !== undefined) parts.push(mqttString(f.username));
  if (f.password !== undefined) parts.push(mqttString(f.password));
  return packet(0x10, Buffer.concat(parts));
}

export function publishPacket(topic: string | Buffer, payload: Buffer, qos = 1, id = 1, flags = 0): Buffer {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  return packet(
    0x30 | (qos << 1) | flags,
    Buffer.concat([mqttString(topic), qos ? pid : Buffer.alloc(0), payload]),
  );
}

export function subscribePacket(filter: string | Buffer, qos = 1, id = 2): Buffer {
  const pid = Buffer.alloc(2);
  pid.writeUInt16BE(id);
  return packet(0x82, Buffer.concat([pid, mqttString(filter), Buffer.from([qos])]));
}

export interface MqttInput {
  index: number;
  kind: string;
  /** sent after a valid CONNECT of a provisioned terminal (else on a fresh connection) */
  authenticated: boolean;
  /** packets written one after another */
  chunks: Buffer[];
  tags: string[];
}

export interface DeviceContext {
  id: string;
  secret: string;
  /** another terminal's id: its topics are forbidden to this one */
  otherId: string;
  messageIds: readonly string[];
}

const topic = (id: string, leaf: string) => `yihu/v1/terminals/${id}/${leaf}`;

const BAD_LENGTHS = [
  [0xff, 0xff, 0xff, 0xff, 0x7f],
  [0x80, 0x80, 0x80, 0x80, 0x01],
  [0xff, 0xff, 0xff, 0x7f],
  [0x80],
  [0xff, 0xff],
];

function preAuth(rng: Prng, d: DeviceContext, tags: Tags): { kind: string; chunks: Buffer[] } {
  switch (rng.int(0, 9)) {
    case 0:
      return { kind: 'random-bytes', chunks: [rng.bytes(rng.int(1, 300))] };
    case 1: {
      tags.add('bad-remaining-length');
      const first = rng.pick([0x10, 0x30, 0x82, 0xc0, 0x00, 0xf0]);
      return {
        kind: 'bad-remaining-length',
        chunks: [
          Buffer.concat([
            Buffer.from([first]),
            Buffer.from(rng.pick(BAD_LENGTHS)),
            rng.bytes(rng.int(0, 20)),
          ]),
        ],
      };
    }
    case 2: {
      tags.add('reserved-type');
      const first = rng.pick([0x00, 0x0f, 0xf0, 0xff]);
      return { kind: 'reserved-type', chunks: [packet(first, rng.bytes(rng.int(0, 10)))] };
    }
    case 3: {
      const full = connectPacket({ clientId: d.id, username: d.id, password: d.secret });
      return { kind: 'truncated-connect', chunks: [full.subarray(0, rng.int(1, full.length - 1))] };
    }
    case 4:
      return {
        kind: 'connect-bad-protocol',
        chunks: [
          connectPacket({
            protocol: rng.pick([
              'MQTX',
              '',
              'MQIsdp',
              'mqtt',
              'MQTT\u0000',
              Buffer.from([0xed, 0xa0, 0x80]),
              'x'.repeat(300),
            ]),
            level: rng.pick([0, 1, 3, 4, 5, 6, 255]),
            clientId: d.id,
            username: d.id,
            password: d.secret,
          }),
        ],
      };
    case 5:
      return {
        kind: 'connect-bad-flags',
        chunks: [
          connectPacket({
            flags: rng.pick([0x01, 0x03, 0x18, 0x40, 0x24, 0x34, 0xff, 0x80, 0xc6]),
            clientId: d.id,
            username: d.id,
            password: d.secret,
          }),
        ],
      };
    case 6: {
      const [cid, tag] = rng.pick([
        ['a\u0000b', 'nul'],
        [Buffer.from([0xed, 0xa0, 0x80]), 'lone-surrogate'],
        [Buffer.from([0xff, 0xfe]), 'invalid-utf8'],
        ['x'.repeat(rng.pick([65, 1_000, 60_000])), 'huge'],
        ['', 'empty'],
        ['$SYS', 'odd-string'],
      ] as const);
      tags.add(tag);
      return {
        kind: 'connect-bad-client-id',
        chunks: [
          connectPacket({ clientId: cid, username: rng.chance(0.5) ? cid : d.id, password: d.secret }),
        ],
      };
    }
    case 7:
      return {
        kind: 'connect-bad-credentials',
        chunks: [
          connectPacket({
            clientId: rng.pick([d.id, d.otherId, rng.uuid()]),
            username: rng.pick([d.id, d.otherId, 'yihu-bridge', 'admin', 'a\u0000', '']),
            password: rng.pick(['', 'wrong', d.secret.slice(0, -1), `${d.secret}\u0000`, 'x'.repeat(5_000)]),
            keepAlive: rng.pick([0, 1, 65535]),
          }),
        ],
      };
    case 8:
      return {
        kind: 'connect-bad-will',
        chunks: [
          connectPacket({
            clientId: d.id,
            username: d.id,
            password: d.secret,
            will: {
              topic: rng.pick(['#', '', topic(d.otherId, 'status'), '$SYS/x', 'a\u0000']),
              payload: rng.bytes(rng.int(0, 40)),
            },
          }),
        ],
      };
    default:
      return {
        kind: 'packet-before-connect',
        chunks: [
          rng.pick([
            publishPacket(topic(d.id, 'acks'), Buffer.from('{}')),
            subscribePacket('#'),
            Buffer.from([0xc0, 0x00]),
            Buffer.from([0xe0, 0x00]),
          ]),
        ],
      };
  }
}

function devicePayload(rng: Prng, d: DeviceContext, tags: Tags): Buffer {
  const messageId = d.messageIds.length && rng.chance(0.6) ? rng.pick(d.messageIds) : rng.uuid();
  switch (rng.int(0, 9)) {
    case 0:
      tags.add('malformed-json');
      return Buffer.from(
        rng.pick(['{', '[]', 'null', '1e309', '"x"', '{"messageId":}', '{}{}', '', 'online ', 'OFFLINE']),
      );
    case 1:
      tags.add('nul');
      return Buffer.from(
        JSON.stringify({ messageId: `${messageId}\u0000`, state: 'received', at: new Date().toISOString() }),
      );
    case 2:
      tags.add('lone-surrogate');
      return Buffer.from(`{"messageId":"${messageId}","state":"acknowledged","at":"\\ud800"}`);
    case 3:
      tags.add('date-edge');
      return Buffer.from(
        JSON.stringify({
          messageId,
          state: 'acknowledged',
          at: rng.pick([
            '0000-01-01T00:00:00Z',
            '275760-09-14T00:00:00Z',
            '+275760-09-13T00:00:00.000Z',
            '1970-01-01T00:00:00Z',
            'yesterday',
          ]),
        }),
      );
    case 4:
      tags.add('invalid-utf8');
      return Buffer.concat([
        Buffer.from(`{"messageId":"${messageId}","state":"`),
        Buffer.from([0xff, 0xed, 0xa0, 0x80]),
        Buffer.from('"}'),
      ]);
    case 5:
      tags.add('wrong-type');
      return Buffer.from(
        JSON.stringify(
          rng.pick([
            { messageId: 1, state: true },
            { messageId: [messageId], state: 'acknowledged' },
            { power: 7, battery: 'x', link: null },
            { battery: 1e308 },
          ]),
        ),
      );
    case 6:
      tags.add('huge');
      return Buffer.from(
        JSON.stringify({ messageId, state: 'received', pad: 'x'.repeat(rng.pick([16_300, 16_500, 60_000])) }),
      );
    case 7:
      tags.add('deep');
      return Buffer.from(`${'['.repeat(5_000)}${']'.repeat(5_000)}`);
    case 8:
      tags.add('proto-key');
      return Buffer.from(
        `{"__proto__":{"state":"acknowledged"},"messageId":"${messageId}","constructor":{"prototype":{}}}`,
      );
    default:
      return Buffer.from(
        JSON.stringify({
          messageId,
          state: rng.pick(['received', 'acknowledged', 'done', '']),
          at: new Date().toISOString(),
        }),
      );
  }
}

function postAuth(rng: Prng, d: DeviceContext, tags: Tags): { kind: string; chunks: Buffer[] } {
  const id = rng.int(1, 65535);
  switch (rng.int(0, 9)) {
    case 0:
    case 1:
    case 2: {
      // reports: a push terminal's 零报告 (issue 18), the newest way in over MQTT
      const leaf = rng.pick(['acks', 'status', 'acks', 'status', 'telemetry', 'reports', 'reports']);
      return {
        kind: `publish-${leaf}`,
        chunks: [
          publishPacket(
            topic(d.id, leaf),
            leaf === 'reports' ? reportPayload(rng, tags) : devicePayload(rng, d, tags),
            rng.pick([0, 1, 1]),
            id,
            rng.pick([0, 0, 1]),
          ),
        ],
      };
    }
    case 3: {
      tags.add('forbidden-topic');
      const t = rng.pick([
        topic(d.otherId, 'acks'),
        topic(d.id, 'directives'),
        topic(d.id, 'notices'),
        '#',
        '+/x',
        '$SYS/broker',
        'yihu/v1/terminals/+/acks',
        '',
        'a\u0000b',
        'x'.repeat(70_000),
      ]);
      return {
        kind: 'publish-forbidden',
        chunks: [publishPacket(t, devicePayload(rng, d, tags), rng.pick([0, 1, 2]), id)],
      };
    }
    case 4: {
      tags.add('forbidden-topic');
      const f = rng.pick([
        '#',
        '$SYS/#',
        topic(d.otherId, 'directives'),
        'yihu/#',
        '+/+/+/+/+',
        'a/#/b',
        '',
        'a\u0000',
      ]);
      return { kind: 'subscribe-forbidden', chunks: [subscribePacket(f, rng.pick([0, 1, 2, 3, 0x80]), id)] };
    }
    case 5:
      tags.add('bad-qos');
      return { kind: 'publish-qos3', chunks: [publishPacket(topic(d.id, 'acks'), Buffer.from('{}'), 3, id)] };
    case 6:
      tags.add('protocol-violation');
      return {
        kind: 'second-connect-or-reserved',
        chunks: [
          rng.pick([
            connectPacket({ clientId: d.id, username: d.id, password: d.secret }),
            packet(0x00, Buffer.alloc(0)),
            packet(0xf0, rng.bytes(4)),
            packet(0x40, Buffer.from([0, 0])),
            packet(0x62, Buffer.from([id >> 8, id & 0xff])),
            packet(0xa2, rng.bytes(rng.int(0, 6))),
            packet(0xc0, rng.bytes(3)),
            packet(0x80, rng.bytes(5)),
            packet(0xe0, rng.bytes(2)),
          ]),
        ],
      };
    case 7: {
      tags.add('bad-remaining-length');
      return {
        kind: 'bad-remaining-length',
        chunks: [Buffer.concat([Buffer.from([0x32]), Buffer.from(rng.pick(BAD_LENGTHS)), rng.bytes(8)])],
      };
    }
    case 8: {
      const full = publishPacket(topic(d.id, 'acks'), devicePayload(rng, d, tags), 1, id);
      return { kind: 'truncated-publish', chunks: [full.subarray(0, rng.int(1, full.length - 1))] };
    }
    default:
      return { kind: 'random-bytes', chunks: [rng.bytes(rng.int(1, 200))] };
  }
}

export function mqttInput(rng: Prng, index: number, d: DeviceContext): MqttInput {
  const tags = new Tags();
  const authenticated = rng.chance(0.55);
  const { kind, chunks } = authenticated ? postAuth(rng, d, tags) : preAuth(rng, d, tags);
  return { index, kind, authenticated, chunks, tags: tags.list() };
}

export function describeMqtt(input: MqttInput): string {
  const bytes = Buffer.concat(input.chunks);
  const hex = bytes.subarray(0, 120).toString('hex') + (bytes.length > 120 ? `…(${bytes.length} bytes)` : '');
  return `#${input.index} ${input.kind} authenticated=${input.authenticated} bytes=${hex} tags=[${input.tags.join(',')}]`;
}
