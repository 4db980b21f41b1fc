import type { Prng } from './prng.js';
import { anyValue, deep, hugeString, nastyString, Tags } from './values.js';

export const CONSOLE_EVENTS = ['directive.ack', 'directive.board.subscribe', 'directive.board.unsubscribe'];
export const SFU_EVENTS = [
  'sfu:join',
  'sfu:leave',
  'sfu:transport:create',
  'sfu:transport:connect',
  'sfu:produce',
  'sfu:producer:close',
  'sfu:consume',
  'sfu:consumer:resume',
  'sfu:consumer:layers',
  'sfu:mute',
  'sfu:floor',
  'sfu:remove',
  'sfu:rollcall:start',
  'sfu:rollcall:close',
  'sfu:stats',
  'sfu:rollcall:answer',
];
/** events no handler knows, and names that clash with Object.prototype or socket.io internals */
const UNKNOWN_EVENTS = [
  'x',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'directive',
  'sfu:',
  'é'.repeat(500),
  'exception',
];

const KEYS = [
  'directiveId',
  'consultationId',
  'direction',
  'transportId',
  'dtlsParameters',
  'kind',
  'rtpParameters',
  'appData',
  'producerId',
  'rtpCapabilities',
  'consumerId',
  'spatialLayer',
  'temporalLayer',
  'peerId',
  'muted',
  'muteOthers',
  'rollCallId',
  'state',
];

export interface SocketInput {
  index: number;
  event: string;
  known: boolean;
  args: unknown[];
  withAck: boolean;
  tags: string[];
}

function payload(rng: Prng, ids: readonly string[], tags: Tags): unknown {
  const roll = rng.int(0, 9);
  if (roll <= 4) {
    const obj: Record<string, unknown> = {};
    for (let i = rng.int(0, 3); i > 0; i--) {
      const key = rng.pick(KEYS);
      obj[key] = rng.chance(0.5)
        ? rng.pick([...ids, rng.uuid(), 'send', 'recv', 'audio', 'video', true, null, 0, 2, {}])
        : anyValue(rng, tags, ids);
    }
    return obj;
  }
  if (roll === 5) {
    tags.add('binary');
    return rng.chance(0.5)
      ? rng.bytes(rng.int(0, 2_000))
      : { directiveId: rng.bytes(16), data: rng.bytes(64) };
  }
  if (roll === 6) return deep(rng, tags, true);
  if (roll === 7) return { directiveId: nastyString(rng, tags), consultationId: nastyString(rng, tags) };
  if (roll === 8) {
    tags.add('wrong-type');
    return rng.pick([null, undefined, 0, '', 'x', [], true]);
  }
  return anyValue(rng, tags, ids);
}

export function socketInput(
  rng: Prng,
  index: number,
  namespace: '/' | '/sfu',
  ids: readonly string[],
): SocketInput {
  const tags = new Tags();
  const events = namespace === '/' ? CONSOLE_EVENTS : SFU_EVENTS;
  const known = rng.chance(0.85);
  const event = known ? rng.pick(events) : rng.pick(UNKNOWN_EVENTS);
  let args: unknown[];
  const shape = rng.int(0, 19);
  if (shape === 0) {
    tags.add('huge');
    // beyond maxHttpBufferSize (256 KiB): the server drops the connection, and must survive it
    args = [{ directiveId: hugeString(rng, tags), pad: 'x'.repeat(300_000) }];
  } else if (shape === 1) {
    tags.add('extra-args');
    args = [payload(rng, ids, tags), payload(rng, ids, tags), payload(rng, ids, tags)];
  } else if (shape === 2) {
    args = [];
  } else {
    args = [payload(rng, ids, tags)];
  }
  // a missing ack: the handler's answer goes nowhere, and it must not throw for it
  const withAck = rng.chance(0.75);
  if (!withAck) tags.add('no-ack');
  return { index, event, known, args, withAck, tags: tags.list() };
}

/**
 * Raw Engine.IO v4 / Socket.IO v5 frames for a WebSocket, written by hand: packet types,
 * namespaces, ack ids and binary placeholders that no client library would produce.
 */
export function rawFrame(rng: Prng, ids: readonly string[], token: string): string | Buffer {
  const ns = rng.pick(['', '/sfu,', '/nope,', '/,', '/sfu', '//,', '/%00,']);
  const tags = new Tags();
  switch (rng.int(0, 15)) {
    case 0:
      return rng.pick([
        '',
        '4',
        '9',
        '7',
        '40',
        '41',
        '4x',
        '2',
        '3',
        '2probe',
        '5',
        '6',
        '1',
        '0',
        '8',
        '49',
      ]);
    case 1:
      return `40${ns}${rng.pick(['{', '[]', 'null', '"x"', '{"token":1}', `{"token":"${token}"}`, '{"token":{"a":1}}', `{"token":"${token}x"}`, '1e309'])}`;
    case 2:
      return `42${ns}${rng.pick(['[', '{"a":1}', '[123]', '[null]', '[]', '["__proto__"]', '["connect"]', '["disconnect"]', '["newListener",{}]', '["disconnecting"]', '"x"', '[{}]'])}`;
    case 3:
      return `42${ns}${rng.pick(['0', '1', '99999999999999999999', '-1', '1.5', '9007199254740993'])}["${rng.pick([...CONSOLE_EVENTS, ...SFU_EVENTS])}",${JSON.stringify(payload(rng, ids, tags) ?? null)}]`;
    case 4:
      // binary event declaring attachments that never come, or too many
      return `45${rng.pick(['1', '0', '2', '99999999', '-1', ''])}-${ns}${rng.pick(['0', ''])}["${rng.pick(SFU_EVENTS)}",{"_placeholder":true,"num":${rng.pick([0, 1, 99, -1])}}]`;
    case 5:
      return `46${rng.pick(['1', '2', ''])}-${ns}${rng.int(0, 9)}[{"_placeholder":true,"num":0}]`;
    case 6:
      return `43${ns}${rng.int(0, 100)}[${JSON.stringify(payload(rng, ids, tags) ?? null)}]`;
    case 7:
      return `44${ns}{"message":"x"}`;
    case 8:
      return `41${ns}`;
    case 9:
      return rng.bytes(rng.int(0, 500));
    case 10:
      return `42${ns}["${rng.pick([...CONSOLE_EVENTS, ...SFU_EVENTS])}","${rng.pick(['\u0000', '\ud800', '\u202e', 'x'.repeat(1_000)])}"]`;
    case 11:
      return `42${ns}${'['.repeat(rng.pick([100, 2_000, 20_000]))}`;
    case 12:
      return `42${ns}["${rng.pick(CONSOLE_EVENTS)}",${'['.repeat(3_000)}${']'.repeat(3_000)}]`;
    case 13:
      return `4${rng.int(0, 9)}${ns}${rng.bytes(40).toString('latin1')}`;
    case 14:
      return `${rng.int(0, 9)}${JSON.stringify(payload(rng, ids, tags) ?? null)}`;
    default:
      return `42${ns}["${rng.pick(CONSOLE_EVENTS)}",{"directiveId":"${rng.pick(ids.length ? ids : [rng.uuid()])}"}]`;
  }
}

export function describeSocket(ns: string, input: SocketInput): string {
  const args = JSON.stringify(input.args, (_k, v: unknown) =>
    typeof v === 'string' && v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v,
  ).slice(0, 400);
  return `#${input.index} ${ns} ${input.event} ack=${input.withAck} args=${args} tags=[${input.tags.join(',')}]`;
}
