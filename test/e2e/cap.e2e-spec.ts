import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { MAX_CAP_BYTES } from '#cap';
import { countingServer } from '../support/counting-server.js';
import { adminLogin, createUser } from '../support/directives.js';
import { startHub, type HubProcess } from '../support/hub-process.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/cap/${name}`, import.meta.url), 'utf8');

/** POST /api/v1/cap/validate against the built hub, as another system would call it. */
describe('CAP validation endpoint', () => {
  let hub: HubProcess;
  let token: string;
  let burstToken: string;
  let net: Awaited<ReturnType<typeof countingServer>>;

  beforeAll(async () => {
    net = await countingServer();
    hub = await startHub({ SFU_WORKERS: '1' });
    const admin = await adminLogin(hub.baseUrl);
    const rootId = (await admin.get('/api/v1/auth/me')).body.siteId as string;
    // the least-privileged role: validation is open to anyone signed in
    token = (await createUser(admin, 'cap-officer', 'duty_officer', rootId)).token;
    burstToken = (await createUser(admin, 'cap-burst', 'duty_officer', rootId)).token;
  });

  afterAll(async () => {
    if (process.env.YIHU_TEST_DEBUG)
      process.stderr.write(`--- hub output ---\n${hub?.output().slice(-6000)}\n`);
    await hub?.stop();
    await net?.close();
  });

  const validate = async (
    body: string | Uint8Array,
    contentType = 'application/xml',
    auth: string | null = token,
    extra: Record<string, string> = {},
  ) => {
    const headers: Record<string, string> = { 'content-type': contentType, ...extra };
    if (auth) headers.authorization = `Bearer ${auth}`;
    const res = await fetch(`${hub.baseUrl}/api/v1/cap/validate`, { method: 'POST', headers, body });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
  };

  it.each([
    ['canada.cap', 'application/xml'],
    ['australia.cap', 'text/xml'],
    ['de-valid.xml', 'application/cap+xml; charset=utf-8'],
  ])('%s (as %s) is valid CAP 1.2', async (name, type) => {
    const res = await validate(fixture(name), type);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ valid: true, version: '1.2', errors: [] });
  });

  it('invalid.cap is invalid, and the error names scope and the line', async () => {
    const res = await validate(fixture('invalid.cap'));
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.version).toBe('1.2');
    expect(res.body.errors).toHaveLength(1);
    expect(res.body.errors[0].message).toContain('scope');
    expect(res.body.errors[0].line).toBe(9);
  });

  it('weather.cap (CAP 1.1) is an unsupported version', async () => {
    const res = await validate(fixture('weather.cap'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ valid: false, version: '1.1' });
    expect(res.body.errors[0].message).toMatch(/unsupported version/);
  });

  it('a hostile document is refused with a reason and makes no request', async () => {
    const hostile = fixture('xee.cap').replaceAll('localhost:8080', net.url.slice('http://'.length));
    expect(hostile).toContain(net.url);
    const res = await validate(hostile);
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors[0].message).toMatch(/DOCTYPE is refused/);
    // the same without its DOCTYPE: the entity references and the XInclude are refused on their own
    const noDoctype = hostile.replace(/<!DOCTYPE[\s\S]*?\]>/, '');
    const res2 = await validate(noDoctype);
    expect(res2.body.valid).toBe(false);
    expect(res2.body.errors[0].message).toMatch(/entity reference &xxe; is refused/);
    const noEntities = noDoctype.replaceAll('&xxe;', '');
    const res3 = await validate(noEntities);
    expect(res3.body.valid).toBe(false);
    expect(res3.body.errors[0].message).toMatch(/XInclude is refused/);
    // a schemaLocation and a stylesheet pointing at the server are never followed either
    const located = fixture('canada.cap').replace(
      '<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">',
      `<?xml-stylesheet type="text/xsl" href="${net.url}/x.xsl"?><alert xmlns="urn:oasis:names:tc:emergency:cap:1.2" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="urn:oasis:names:tc:emergency:cap:1.2 ${net.url}/cap.xsd">`,
    );
    expect(located).toContain(`${net.url}/cap.xsd`);
    expect((await validate(located)).body).toEqual({ valid: true, version: '1.2', errors: [] });
    await new Promise((r) => setTimeout(r, 300));
    expect(net.requests()).toEqual([]);
  });

  it('an oversized body is 413, with or without a Content-Length', async () => {
    const big = `<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">${' '.repeat(MAX_CAP_BYTES)}</alert>`;
    const declared = await validate(big);
    expect(declared.status).toBe(413);
    expect(declared.body.message).toContain(`limit is ${MAX_CAP_BYTES}`);
    // chunked: no length up front. The client sends twice the limit and then waits, the
    // request still open: a hub that buffered the whole body before answering would never
    // answer; this one answers as soon as the count passes the limit.
    const chunked = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(new URL('/api/v1/cap/validate', hub.baseUrl), {
        method: 'POST',
        headers: { 'content-type': 'application/xml', authorization: `Bearer ${token}` },
      });
      const timer = setTimeout(() => reject(new Error('no answer while the body was still open')), 15_000);
      req.on('response', (res) => {
        clearTimeout(timer);
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
      req.write(Buffer.alloc(2 * MAX_CAP_BYTES, 'x'));
    });
    expect(chunked).toBe(413);
    // exactly at the limit is still read (and judged)
    const atLimit = `<a>${'x'.repeat(MAX_CAP_BYTES - 7)}</a>`;
    expect(Buffer.byteLength(atLimit)).toBe(MAX_CAP_BYTES);
    const ok = await validate(atLimit);
    expect(ok.status).toBe(200);
    expect(ok.body.errors[0].message).toMatch(/not a CAP alert/);
  });

  it('a wrong content type is 415', async () => {
    for (const type of ['text/plain', 'application/octet-stream', 'application/xml; charset=iso-8859-1']) {
      const res = await validate(fixture('canada.cap'), type);
      expect(res.status).toBe(415);
      expect(res.body.message).toMatch(/not accepted/);
    }
    // JSON is read by the hub's JSON parser before any route: well-formed JSON is a 415 here…
    const json = await validate('{"alert":{}}', 'application/json');
    expect(json.status).toBe(415);
    // …and XML labelled as JSON is the parser's 400, also a refusal with a reason
    const mislabelled = await validate(fixture('canada.cap'), 'application/json');
    expect(mislabelled.status).toBe(400);
    expect(mislabelled.body.message).toMatch(/not valid JSON/);
    expect(
      (await validate(fixture('canada.cap'), 'application/xml', token, { 'content-encoding': 'gzip' }))
        .status,
    ).toBe(415);
  });

  it('malformed XML and non-UTF-8 bytes are answered, not a 5xx', async () => {
    const res = await validate('<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>x</alert>');
    expect(res.status).toBe(200);
    expect(res.body.valid).toBe(false);
    expect(res.body.errors[0]).toEqual({ message: '</alert> closes <identifier>', line: 1 });
    const empty = await validate('');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({
      valid: false,
      version: null,
      errors: [{ message: 'no root element', line: 1 }],
    });
    const latin1 = await validate(new Uint8Array([0x3c, 0x61, 0x3e, 0xe9, 0x3c, 0x2f, 0x61, 0x3e]));
    expect(latin1.status).toBe(200);
    expect(latin1.body.errors[0].message).toMatch(/not valid UTF-8/);
  });

  it('unauthenticated is 401', async () => {
    expect((await validate(fixture('canada.cap'), 'application/xml', null)).status).toBe(401);
    expect((await validate(fixture('canada.cap'), 'application/xml', 'not-a-token')).status).toBe(401);
  });

  it('is in the OpenAPI document, taking XML and answering the verdict', async () => {
    const doc = (await (await fetch(`${hub.baseUrl}/api/docs/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { requestBody?: { content: object }; responses: Record<string, unknown> }>
      >;
    };
    const op = doc.paths['/api/v1/cap/validate']!.post!;
    expect(Object.keys(op.requestBody!.content)).toEqual([
      'application/xml',
      'text/xml',
      'application/cap+xml',
    ]);
    expect(op.responses['200']).toMatchObject({
      content: { 'application/json': { schema: { required: ['valid', 'version', 'errors'] } } },
    });
  });

  it('allows 60 validations a minute per person, then 429 with Retry-After', async () => {
    for (let i = 0; i < 60; i++) {
      expect((await validate('x', 'text/plain', burstToken)).status).toBe(415);
    }
    const refused = await validate(fixture('canada.cap'), 'application/xml', burstToken);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    // another person is not affected
    expect((await validate(fixture('canada.cap'))).status).toBe(200);
  });
});
