// The harness's sites, duty officers and terminals, written straight into the database as
// bench/directives.mjs and bench/mqtt.mjs do (provisioning 10,000 terminals over REST would
// take longer than the run), before the bridges start and write Mosquitto's passwd from them.
import { createHash, createHmac, randomBytes, randomUUID } from 'node:crypto';

const b64url = (obj) => Buffer.from(JSON.stringify(obj)).toString('base64url');
export function signJwt(claims, secret, ttlS = 6 * 3600) {
  const now = Math.floor(Date.now() / 1000);
  const body = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ ...claims, iat: now, exp: now + ttlS })}`;
  return `${body}.${createHmac('sha256', secret).update(body).digest('base64url')}`;
}

/** Mosquitto's $6$ form, as the hub stores a terminal secret (bench/mqtt.mjs seedTerminals) */
function secretHash(secret) {
  const salt = randomBytes(12);
  return `$6$${salt.toString('base64')}$${createHash('sha512').update(secret).update(salt).digest('base64')}`;
}

/** `sites` townships under the root, one duty officer each, `terminals` spread over them. */
export async function seed(client, { sites: nSites, terminals: nTerminals, jwtSecret }) {
  const root = (await client.query('SELECT id, path FROM sites WHERE parent_id IS NULL')).rows[0];
  const sites = Array.from({ length: nSites }, (_, i) => ({ id: randomUUID(), user: randomUUID(), i }));
  await client.query(
    `INSERT INTO sites (id, name, kind, parent_id, path) SELECT id, '混沌乡' || n, 'township', $2, $3 || id || '/'
     FROM unnest($1::uuid[]) WITH ORDINALITY AS t(id, n)`,
    [sites.map((s) => s.id), root.id, root.path],
  );
  await client.query(
    `INSERT INTO users (id, username, password_hash, role, site_id)
     SELECT u, 'chaos-duty-' || n, 'scrypt$unusable', 'duty_officer', s FROM unnest($1::uuid[], $2::uuid[]) WITH ORDINALITY AS t(u, s, n)`,
    [sites.map((s) => s.user), sites.map((s) => s.id)],
  );
  const terminals = Array.from({ length: nTerminals }, (_, i) => ({
    id: `t${randomBytes(10).toString('hex')}`,
    secret: randomBytes(24).toString('base64url'),
    siteId: sites[i % nSites].id,
  }));
  for (let i = 0; i < terminals.length; i += 5000) {
    const chunk = terminals.slice(i, i + 5000);
    await client.query(
      `INSERT INTO terminals (id, name, site_id, kind, secret_hash)
       SELECT id, 'chaos ' || n, s, 'push', h FROM unnest($1::text[], $2::text[], $3::uuid[]) WITH ORDINALITY AS t(id, h, s, n)`,
      [chunk.map((t) => t.id), chunk.map((t) => secretHash(t.secret)), chunk.map((t) => t.siteId)],
    );
  }
  const consoles = sites.map((s) => ({
    siteId: s.id,
    token: signJwt(
      { sub: s.user, username: `chaos-duty-${s.i + 1}`, role: 'duty_officer', siteId: s.id },
      jwtSecret,
    ),
  }));
  return { rootId: root.id, sites: sites.map((s) => s.id), terminals, consoles };
}
