import { createHmac } from 'node:crypto';
import type { Prng } from './prng.js';
import {
  anyValue,
  dateEdge,
  fromSchema,
  hugeString,
  type JsonSchema,
  mutate,
  nastyString,
  NASTY_STRINGS,
  Tags,
  toJson,
} from './values.js';
import { xmlBody } from './xml.js';

export interface RestOperation {
  method: string;
  /** the OpenAPI template, e.g. /api/v1/directives/{id} */
  path: string;
  pathParams: string[];
  query: { name: string; schema?: JsonSchema }[];
  body?: JsonSchema;
  /** the XML media types the operation takes instead of JSON (CAP), if any */
  xml?: string[];
}

export interface RestInput {
  index: number;
  op: string;
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Buffer;
  token: TokenKind;
  tags: string[];
}

interface OpenApiDoc {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: { in: string; name: string; schema?: JsonSchema }[];
        requestBody?: { content?: Record<string, { schema?: JsonSchema }> };
      }
    >
  >;
}

/** Every operation of the served document, with what the generator needs to build requests. */
export function operationsOf(doc: OpenApiDoc): RestOperation[] {
  const ops: RestOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const params = op.parameters ?? [];
      const xmlTypes = Object.keys(op.requestBody?.content ?? {}).filter((t) => t.includes('xml'));
      ops.push({
        method: method.toUpperCase(),
        path,
        pathParams: params.filter((p) => p.in === 'path').map((p) => p.name),
        query: params.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
        body: op.requestBody?.content?.['application/json']?.schema,
        xml: xmlTypes.length ? xmlTypes : undefined,
      });
    }
  }
  return ops;
}

export type TokenKind =
  | 'admin'
  | 'lower'
  | 'none'
  | 'tampered-signature'
  | 'alg-none'
  | 'expired'
  | 'jwt-sub-not-uuid'
  | 'jwt-sub-unknown-user'
  | 'jwt-sub-object'
  | 'garbage'
  | 'basic'
  | 'huge';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** An HS256 JWT, signed with the hub's own secret when the test knows it. */
export function signJwt(
  payload: object,
  secret: string,
  header: object = { alg: 'HS256', typ: 'JWT' },
): string {
  const head = `${b64(header)}.${b64(payload)}`;
  return `${head}.${createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export interface TokenSet {
  admin: string;
  lower: string;
  secret: string;
  adminClaims: { sub: string; username: string; role: string; siteId: string };
}

/** The Authorization header for one kind of caller (undefined: none). */
export function authHeader(rng: Prng, kind: TokenKind, t: TokenSet): string | undefined {
  const now = Math.floor(Date.now() / 1000);
  const claims = { ...t.adminClaims, iat: now, exp: now + 600 };
  switch (kind) {
    case 'admin':
      return `Bearer ${t.admin}`;
    case 'lower':
      return `Bearer ${t.lower}`;
    case 'none':
      return undefined;
    case 'tampered-signature': {
      const [h, p, s] = t.admin.split('.');
      const flipped = `${s!.slice(0, -2)}${s!.endsWith('AA') ? 'BB' : 'AA'}`;
      return `Bearer ${rng.chance(0.5) ? `${h}.${p}.${flipped}` : `${h}.${b64({ ...claims, role: 'admin', sub: rng.uuid() })}.${s}`}`;
    }
    case 'alg-none':
      return `Bearer ${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    case 'expired':
      return `Bearer ${signJwt({ ...claims, iat: now - 7200, exp: now - 3600 }, t.secret)}`;
    case 'jwt-sub-not-uuid':
      return `Bearer ${signJwt({ ...claims, sub: rng.pick(['admin', '1', '', 'x'.repeat(500), "' OR 1=1 --"]) }, t.secret)}`;
    case 'jwt-sub-unknown-user':
      return `Bearer ${signJwt({ ...claims, sub: rng.uuid() }, t.secret)}`;
    case 'jwt-sub-object':
      return `Bearer ${signJwt({ ...claims, sub: rng.pick([{ id: 1 }, [t.adminClaims.sub], 42, null]) }, t.secret)}`;
    case 'garbage':
      return rng.pick([
        'Bearer ',
        'Bearer a.b.c',
        'Bearer ....',
        'bearer x',
        'Token abc',
        'Bearer \xff\xfe',
        `Bearer ${t.admin}x`,
      ]);
    case 'basic':
      return `Basic ${Buffer.from('admin:admin-password-1').toString('base64')}`;
    case 'huge':
      return `Bearer ${'a'.repeat(rng.pick([4_000, 12_000]))}`;
  }
}

/** callers by weight: mostly real ones, so that inputs reach validation and the database */
const TOKEN_WEIGHTS: readonly (readonly [TokenKind, number])[] = [
  ['admin', 40],
  ['lower', 20],
  ['none', 8],
  ['tampered-signature', 4],
  ['alg-none', 3],
  ['expired', 3],
  ['jwt-sub-not-uuid', 3],
  ['jwt-sub-unknown-user', 3],
  ['jwt-sub-object', 2],
  ['garbage', 6],
  ['basic', 4],
  ['huge', 4],
];
const TOKEN_KINDS: readonly TokenKind[] = TOKEN_WEIGHTS.flatMap(([kind, n]) =>
  Array<TokenKind>(n).fill(kind),
);

/** encodeURIComponent that also writes lone surrogates (as the CESU bytes a sloppy client sends) */
export function encode(s: string): string {
  let out = '';
  for (const ch of s) {
    try {
      out += encodeURIComponent(ch);
    } catch {
      out += `%${[0xed, 0xa0 | ((ch.charCodeAt(0) >> 6) & 0x1f), 0x80 | (ch.charCodeAt(0) & 0x3f)]
        .map((b) => b.toString(16).toUpperCase())
        .join('%')}`;
    }
  }
  return out;
}

const BAD_PATH_PARAMS = [
  'abc',
  '0',
  '-1',
  '00000000-0000-0000-0000-000000000000',
  'ffffffff-ffff-ffff-ffff-ffffffffffff',
  '%00',
  '%FF',
  '%ED%A0%80',
  '%C0%80',
  '%E2%80%AE',
  '%2e%2e%2fadmin',
  "1'%20OR%20'1'%3D'1",
  '%20',
  '%',
  '%zz',
  'x'.repeat(3_000),
  'null',
  'undefined',
  '__proto__',
  'constructor',
];

const GENERIC_QUERY_NAMES = [
  'limit',
  'since',
  'state',
  'siteId',
  'afterSeq',
  'beforeSeq',
  'subjectId',
  'cursor',
  'q',
];

function queryValue(rng: Prng, schema: JsonSchema | undefined, ids: readonly string[], tags: Tags): string {
  if (schema?.format === 'date-time' && rng.chance(0.7)) return encode(dateEdge(rng, tags));
  if (schema && rng.chance(0.4)) return encode(String(fromSchema(rng, schema, ids)));
  switch (rng.int(0, 5)) {
    case 0:
      return encode(nastyString(rng, tags));
    case 1:
      tags.add('date-edge');
      return encode(rng.pick(NASTY_STRINGS.filter(([, tag]) => tag === 'date-edge'))[0]);
    case 2:
      return rng.pick(['1', '0', '500', '501', '-5', '1e309', 'NaN', '0x1f', '1.5', '99999999999999999999']);
    case 3:
      tags.add('bad-query');
      return rng.pick(['%', '%zz', '%E0%A4%A', '%00', '%ED%A0%80', '%FF%FE']);
    case 4:
      return ids.length ? rng.pick(ids) : rng.uuid();
    default:
      return encode(hugeString(rng, tags).slice(0, 3_000));
  }
}

function queryString(rng: Prng, op: RestOperation, ids: readonly string[], tags: Tags): string {
  if (rng.chance(0.4)) return '';
  const documented = op.query.map((q) => q.name);
  const parts: string[] = [];
  for (let i = rng.int(1, 3); i > 0; i--) {
    // mostly the documented names, which reach the handler; now and then an unknown one
    const name = documented.length && rng.chance(0.75) ? rng.pick(documented) : rng.pick(GENERIC_QUERY_NAMES);
    const schema = op.query.find((q) => q.name === name)?.schema;
    const shape = rng.int(0, 9);
    if (shape === 0) {
      tags.add('repeated-query');
      parts.push(
        `${name}=${queryValue(rng, schema, ids, tags)}`,
        `${name}=${queryValue(rng, schema, ids, tags)}`,
      );
    } else if (shape === 1) {
      tags.add('bad-query');
      parts.push(
        `${name}${rng.pick(['[]', '[a]', '[__proto__]', '[0][1]'])}=${queryValue(rng, schema, ids, tags)}`,
      );
    } else if (shape === 2) {
      tags.add('bad-query');
      parts.push(rng.pick([name, `${name}=`, '=x', '&&', `${encode(nastyString(rng, tags))}=1`]));
    } else {
      parts.push(`${name}=${queryValue(rng, schema, ids, tags)}`);
    }
  }
  return `?${parts.join('&')}`;
}

const MALFORMED_JSON = [
  '{',
  '{"a":}',
  "{'a':1}",
  '[1,]',
  'nul',
  '{"a":1}{"b":2}',
  'undefined',
  '{"username":"\\ud800","password":"\\u0000"}',
  '{"a":"\\uZZZZ"}',
  '"\\x00"',
  '\u0000',
  '{"__proto__":{"isAdmin":true}}',
  '[]',
  '""',
  '1e309',
  'null',
];

const INVALID_UTF8 = [
  [0xff],
  [0xc0, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82],
  [0xfe, 0xff],
];

const CONTENT_TYPES = [
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data; boundary=x',
  'application/json; charset=utf-16',
  'application/json; charset=bogus',
  'application/xml',
  'application/merge-patch+json',
  'application/json, text/plain',
  '',
];

function body(
  rng: Prng,
  op: RestOperation,
  ids: readonly string[],
  tags: Tags,
  headers: Record<string, string>,
) {
  if (op.xml && rng.chance(0.9)) {
    headers['content-type'] = rng.chance(0.9) ? rng.pick(op.xml) : rng.pick(CONTENT_TYPES) || 'text/xml';
    return xmlBody(rng, tags);
  }
  const valid = fromSchema(rng, op.body, ids);
  headers['content-type'] = 'application/json';
  const roll = rng.next();
  if (roll < 0.35) return Buffer.from(toJson(valid));
  if (roll < 0.8) return Buffer.from(toJson(mutate(rng, valid, tags, ids)));
  const raw = rng.int(0, 5);
  if (raw === 0) {
    tags.add('malformed-json');
    const text = toJson(valid);
    return Buffer.from(
      rng.chance(0.5) ? rng.pick(MALFORMED_JSON) : text.slice(0, rng.int(0, text.length - 1)),
    );
  }
  if (raw === 1) {
    tags.add('invalid-utf8');
    const text = toJson(valid);
    const cut = Math.max(1, text.indexOf('"', 2) + 1 || 1);
    return Buffer.concat([
      Buffer.from(text.slice(0, cut)),
      Buffer.from(rng.pick(INVALID_UTF8)),
      Buffer.from(text.slice(cut)),
    ]);
  }
  if (raw === 2) {
    tags.add('content-type');
    const ct = rng.pick(CONTENT_TYPES);
    if (ct) headers['content-type'] = ct;
    else delete headers['content-type'];
    return Buffer.from(ct.includes('urlencoded') ? 'username=admin&password=x&a[b]=c' : toJson(valid));
  }
  if (raw === 3) {
    tags.add('huge');
    return Buffer.from(
      toJson({ ...(valid as object), pad: 'x'.repeat(rng.pick([120_000, 120_000, 1_100_000])) }),
    );
  }
  if (raw === 4) {
    tags.add('missing-field');
    return Buffer.alloc(0);
  }
  return Buffer.from(toJson(anyValue(rng, tags, ids)));
}

/** One request for one operation: a valid one, a mutated one, or raw bytes, with some caller. */
export function restInput(
  rng: Prng,
  index: number,
  op: RestOperation,
  ids: readonly string[],
  tokens: TokenSet,
): RestInput {
  const tags = new Tags();
  let path = op.path;
  for (const name of op.pathParams) {
    const roll = rng.next();
    let value: string;
    if (roll < 0.5 && ids.length) value = rng.pick(ids);
    else if (roll < 0.65) value = rng.uuid();
    else {
      tags.add('bad-path-param');
      value = rng.pick(BAD_PATH_PARAMS);
    }
    path = path.replace(`{${name}}`, value);
  }
  const url = `${path}${queryString(rng, op, ids, tags)}`;
  const headers: Record<string, string> = {};
  const token = rng.pick(TOKEN_KINDS);
  const auth = authHeader(rng, token, tokens);
  if (auth !== undefined) headers.authorization = auth;
  const payload =
    op.method === 'GET' || op.method === 'DELETE' ? undefined : body(rng, op, ids, tags, headers);
  return {
    index,
    op: `${op.method} ${op.path}`,
    method: op.method,
    url,
    headers,
    body: payload,
    token,
    tags: tags.list(),
  };
}

/** A short, printable form of an input: enough to replay it by hand. */
export function describeRest(input: RestInput): string {
  const body = input.body
    ? JSON.stringify(input.body.subarray(0, 400).toString('latin1')) +
      (input.body.length > 400 ? `…(${input.body.length} bytes)` : '')
    : '';
  const url = input.url.length > 300 ? `${input.url.slice(0, 300)}…(${input.url.length})` : input.url;
  const headers = Object.fromEntries(
    Object.entries(input.headers).map(([k, v]) => [
      k,
      v.length > 120 ? `${v.slice(0, 120)}…(${v.length})` : v,
    ]),
  );
  return `#${input.index} ${input.method} ${url} token=${input.token} headers=${JSON.stringify(headers)} body=${body} tags=[${input.tags.join(',')}]`;
}
