import type { Prng } from './prng.js';

/**
 * JSON text written as is: numbers JSON.stringify cannot write (`1e309`, `-0`, `1e-400`),
 * which a parser may turn into Infinity, -0 or 0, and deep nesting.
 */
export class RawNumber {
  constructor(readonly text: string) {}
}

/**
 * What a generated input contains, by class: a 5xx is reported with these tags, which say
 * which class of bug (and so which fix) it belongs to.
 */
export type Tag =
  | 'nul'
  | 'lone-surrogate'
  | 'date-edge'
  | 'bidi-zero-width'
  | 'huge'
  | 'deep'
  | 'edge-number'
  | 'wrong-type'
  | 'missing-field'
  | 'extra-field'
  | 'proto-key'
  | 'malformed-json'
  | 'invalid-utf8'
  | 'content-type'
  | 'bad-path-param'
  | 'repeated-query'
  | 'bad-query'
  | 'odd-string';

export class Tags {
  readonly set = new Set<string>();
  add(tag: Tag | string): void {
    this.set.add(tag);
  }
  list(): string[] {
    return [...this.set].sort();
  }
}

export const NASTY_STRINGS: readonly (readonly [string, Tag])[] = [
  ['a\u0000b', 'nul'],
  ['\u0000', 'nul'],
  ['\ud800', 'lone-surrogate'],
  ['x\udfffy', 'lone-surrogate'],
  ['\udc00\ud800', 'lone-surrogate'],
  ['撤离\u202egnp.exe', 'bidi-zero-width'],
  ['\u200b\u200c\u200d\ufeff', 'bidi-zero-width'],
  ['admin\u200b（县指挥中心）', 'bidi-zero-width'],
  ['\u2066\u2067\u2068\u2069\u202a\u202b\u202c\u202d', 'bidi-zero-width'],
  ['', 'odd-string'],
  ['   ', 'odd-string'],
  ['\t\r\n\u000b\u000c\u0085\u00a0\u3000', 'odd-string'],
  ['\u001b[2J\u0007', 'odd-string'],
  ["'; DROP TABLE users; --", 'odd-string'],
  ['<img src=x onerror=alert(1)>', 'odd-string'],
  ['../../../../etc/passwd', 'odd-string'],
  ['%00%ff%ed%a0%80', 'odd-string'],
  ['${jndi:ldap://x}{{7*7}}', 'odd-string'],
  ['😀👨‍👩‍👧‍👦🏳️‍🌈', 'odd-string'],
  ['𠀀𪚥龘', 'odd-string'],
  ['\uffff\ufffe\ufffd', 'odd-string'],
  ['NaN', 'edge-number'],
  ['Infinity', 'edge-number'],
  ['-0', 'edge-number'],
  ['1e309', 'edge-number'],
  ['-1', 'edge-number'],
  ['9007199254740993', 'edge-number'],
  ['0x10', 'edge-number'],
  ['0000-01-01T00:00:00Z', 'date-edge'],
  ['275760-09-14T00:00:00Z', 'date-edge'],
  ['+275760-09-13T00:00:00.000Z', 'date-edge'],
  ['-000001-01-01T00:00:00Z', 'date-edge'],
  ['9999-12-31T23:59:59.999Z', 'date-edge'],
  ['0001-01-01T00:00:00Z', 'date-edge'],
  ['1969-12-31T23:59:59.999999999Z', 'date-edge'],
  ['2024-02-30T00:00:00Z', 'date-edge'],
  ['2024-01-01T24:00:00+25:00', 'date-edge'],
  ['99999-01-01T00:00:00Z', 'date-edge'],
];

const EDGE_NUMBERS: readonly (number | RawNumber)[] = [
  0,
  -1,
  0.5,
  2 ** 31,
  -(2 ** 31) - 1,
  2 ** 53 + 2,
  Number.MAX_SAFE_INTEGER,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  new RawNumber('1e309'),
  new RawNumber('-1e309'),
  new RawNumber('-0'),
  new RawNumber('1e-400'),
  new RawNumber('123456789012345678901234567890'),
];

/** well-formed ISO 8601 that a parser or PostgreSQL may not take: year 0, before 1 BC, past 9999 */
export const DATE_EDGES = [
  '0000-01-01T00:00:00Z',
  '0000-12-31T23:59:59+01:00',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  ...NASTY_STRINGS.filter(([, tag]) => tag === 'date-edge').map(([s]) => s),
];

export function dateEdge(rng: Prng, tags: Tags): string {
  tags.add('date-edge');
  // half of them year 0: the one a strict ISO 8601 check lets through
  return rng.chance(0.5) ? rng.pick(DATE_EDGES.slice(0, 2)) : rng.pick(DATE_EDGES);
}

export function nastyString(rng: Prng, tags: Tags): string {
  const [s, tag] = rng.pick(NASTY_STRINGS);
  tags.add(tag);
  // mostly as a whole value; sometimes inside an otherwise sane one
  return rng.chance(0.7) ? s : `正常${s}text`;
}

export function hugeString(rng: Prng, tags: Tags): string {
  tags.add('huge');
  return rng.pick(['x', '汉', '😀', '\u200b']).repeat(rng.pick([300, 5_000, 70_000, 300_000]));
}

/**
 * Deep nesting as JSON text (the generator's own serialiser would overflow the test's stack
 * before the hub sees it); `live` gives a real value, shallower, for Socket.IO's encoder.
 */
export function deep(rng: Prng, tags: Tags, live = false): unknown {
  tags.add('deep');
  const depth = live ? rng.pick([20, 200]) : rng.pick([50, 1_000, 20_000]);
  if (live) {
    let v: unknown = 1;
    for (let i = 0; i < depth; i++) v = rng.chance(0.5) ? [v] : { a: v };
    return v;
  }
  const open = rng.chance(0.5) ? '[' : '{"a":';
  const close = open === '[' ? ']' : '}';
  return new RawNumber(`${open.repeat(depth)}1${close.repeat(depth)}`);
}

export function edgeNumber(rng: Prng, tags: Tags): number | RawNumber {
  tags.add('edge-number');
  return rng.pick(EDGE_NUMBERS);
}

/** any value of a random type: the wrong type for most fields */
export function anyValue(rng: Prng, tags: Tags, ids: readonly string[] = []): unknown {
  switch (rng.int(0, 11)) {
    case 0:
      return nastyString(rng, tags);
    case 1:
      return edgeNumber(rng, tags);
    case 2:
      tags.add('wrong-type');
      return rng.pick([true, false, null]);
    case 3:
      tags.add('wrong-type');
      return [];
    case 4:
      tags.add('wrong-type');
      return {};
    case 5:
      return hugeString(rng, tags);
    case 6:
      return deep(rng, tags);
    case 7:
      return ids.length ? rng.pick(ids) : rng.uuid();
    case 8:
      tags.add('wrong-type');
      return [nastyString(rng, tags), rng.uuid()];
    case 9:
      tags.add('proto-key');
      return JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"x":1}}}') as unknown;
    case 10:
      return rng.uuid().toUpperCase();
    default:
      tags.add('wrong-type');
      return rng.int(-1000, 1000);
  }
}

const RAW = '\u0001raw:';

/** JSON text, with RawNumbers written verbatim; lone surrogates come out as \\uXXXX escapes */
export function toJson(value: unknown): string {
  // JSON.stringify (native, so deep values do not overflow the stack) with RawNumbers as markers
  const text =
    JSON.stringify(value, (_key, v: unknown) => (v instanceof RawNumber ? `${RAW}${v.text}` : v)) ?? 'null';
  return text.replace(/"\\u0001raw:([^"]*)"/g, '$1');
}

/** A JSON schema, as zod's toJSONSchema writes it (the subset this generator reads). */
export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
}

function plausibleString(rng: Prng, s: JsonSchema, ids: readonly string[]): string {
  if (s.format === 'uuid') return ids.length && rng.chance(0.7) ? rng.pick(ids) : rng.uuid();
  if (s.format === 'date-time')
    return new Date(Date.now() + rng.int(-86_400_000, 86_400_000 * 3)).toISOString();
  if (s.pattern?.includes('\\d')) return String(rng.int(100000, 999999)).repeat(rng.pick([1, 1, 2]));
  const min = s.minLength ?? 1;
  const max = Math.min(s.maxLength ?? 40, 200);
  const len = rng.int(min, Math.max(min, Math.min(max, min + 20)));
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789_-镇村应急指挥撤离';
  let out = '';
  for (let i = 0; i < len; i++) out += alphabet[rng.int(0, alphabet.length - 1)];
  return out;
}

/** a value that matches the schema as far as this generator can tell */
export function fromSchema(rng: Prng, s: JsonSchema | undefined, ids: readonly string[], depth = 0): unknown {
  if (!s || depth > 6) return null;
  if (s.const !== undefined) return s.const;
  if (s.enum?.length) return rng.pick(s.enum);
  const alts = s.anyOf ?? s.oneOf;
  if (alts?.length) return fromSchema(rng, rng.pick(alts), ids, depth + 1);
  if (s.allOf?.length) return fromSchema(rng, s.allOf[0], ids, depth + 1);
  const type = Array.isArray(s.type) ? rng.pick(s.type) : s.type;
  switch (type) {
    case 'object': {
      const out: Record<string, unknown> = {};
      for (const [key, prop] of Object.entries(s.properties ?? {})) {
        if (s.required?.includes(key) || rng.chance(0.5)) out[key] = fromSchema(rng, prop, ids, depth + 1);
      }
      return out;
    }
    case 'array': {
      const n = rng.int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3));
      return Array.from({ length: n }, () => fromSchema(rng, s.items, ids, depth + 1));
    }
    case 'string':
      return plausibleString(rng, s, ids);
    case 'integer':
      return rng.int(s.minimum ?? 0, Math.min(s.maximum ?? 1000, (s.minimum ?? 0) + 1000));
    case 'number':
      return (s.minimum ?? 0) + rng.next() * 100;
    case 'boolean':
      return rng.chance(0.5);
    case 'null':
      return null;
    default:
      return rng.chance(0.5) ? {} : 'x';
  }
}

/** one mutation of a valid value: the classes of client mistake the issue lists */
export function mutate(rng: Prng, value: unknown, tags: Tags, ids: readonly string[]): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value) || rng.chance(0.1)) {
    return anyValue(rng, tags, ids);
  }
  const obj = { ...(value as Record<string, unknown>) };
  const keys = Object.keys(obj);
  const texts = keys.filter((k) => typeof obj[k] === 'string');
  const op = rng.int(0, 9);
  if (op >= 6 && texts.length) {
    // the right type with the wrong characters: this reaches past validation to the database
    const key = rng.pick(texts);
    obj[key] = key.endsWith('At') && rng.chance(0.6) ? dateEdge(rng, tags) : nastyString(rng, tags);
  } else if (op === 0 && keys.length) {
    tags.add('missing-field');
    delete obj[rng.pick(keys)];
  } else if (op === 1) {
    tags.add('extra-field');
    obj[rng.pick(['extra', 'role', 'isAdmin', 'id', 'siteId', 'x'.repeat(300), '', '\u0000'])] = anyValue(
      rng,
      tags,
      ids,
    );
  } else if (keys.length) {
    const key = rng.pick(keys);
    const inner = obj[key];
    obj[key] =
      inner && typeof inner === 'object' && !Array.isArray(inner) && rng.chance(0.5)
        ? mutate(rng, inner, tags, ids)
        : anyValue(rng, tags, ids);
  } else {
    tags.add('extra-field');
    obj.unexpected = anyValue(rng, tags, ids);
  }
  // a second mutation now and then: bugs hide behind the first 400
  return rng.chance(0.25) ? mutate(rng, obj, tags, ids) : obj;
}
