import { timingSafeEqual } from 'node:crypto';

export type MetricsAccess = 'ok' | 'unauthorized' | 'not_served';

/**
 * Who may read /metrics (it names routes, counts logins and terminals: an inventory for an
 * attacker). With METRICS_TOKEN, a scrape carries it as a bearer token on any listener;
 * without, the main port does not serve /metrics at all and only METRICS_PORT (loopback by
 * default) does.
 */
export function metricsAccess(
  authorization: string | undefined,
  token: string | undefined,
  listener: 'main' | 'metrics',
): MetricsAccess {
  if (!token) return listener === 'metrics' ? 'ok' : 'not_served';
  const match = /^Bearer (.+)$/.exec(authorization ?? '');
  if (!match) return 'unauthorized';
  const given = Buffer.from(match[1]!);
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected) ? 'ok' : 'unauthorized';
}
