import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface CoverageRows {
  targets: number;
  acknowledged: number;
  console: number;
  terminal: number;
  radio: number;
  /** seconds from the directive's issue to each delivered recipient's first delivery */
  deliverySeconds: number[];
}

/**
 * A warning's coverage from its directive's records (SQL only here): recipient rows
 * (first delivery and 签收, docs/directives.md) and, per channel, the terminal outbox: a
 * site counts for `terminal` (`radio`) when one of its push terminals (radio gateways)
 * confirmed receipt, or when that channel delivered or acknowledged first.
 */
@Injectable()
export class WarningCoverageRepository {
  constructor(private readonly dataSource: DataSource) {}

  async of(directiveId: string): Promise<CoverageRows> {
    const [counts] = (await this.dataSource.query(
      `SELECT count(*)::int AS targets,
              count(*) FILTER (WHERE acknowledged_at IS NOT NULL)::int AS acknowledged,
              count(*) FILTER (WHERE delivered_via = 'console' OR acknowledged_via = 'console')::int AS console
       FROM directive_recipients WHERE directive_id = $1::uuid`,
      [directiveId],
    )) as { targets: number; acknowledged: number; console: number }[];
    const perKind = (await this.dataSource.query(
      `SELECT x.kind, count(DISTINCT x.site_id)::int AS n FROM (
         SELECT t.kind::text AS kind, t.site_id FROM terminal_messages m JOIN terminals t ON t.id = m.terminal_id
         WHERE m.directive_id = $1::text AND m.topic = 'directives'
           AND m.received_at IS NOT NULL
         UNION
         SELECT 'push', r.site_id FROM directive_recipients r
         WHERE r.directive_id = $1::uuid AND 'terminal' IN (r.delivered_via, r.acknowledged_via)
         UNION
         SELECT 'radio', r.site_id FROM directive_recipients r
         WHERE r.directive_id = $1::uuid AND 'radio' IN (r.delivered_via, r.acknowledged_via)
       ) x GROUP BY x.kind`,
      [directiveId],
    )) as { kind: 'push' | 'radio'; n: number }[];
    const times = (await this.dataSource.query(
      `SELECT extract(epoch FROM (r.delivered_at - d.issued_at))::float8 AS s
       FROM directive_recipients r JOIN directives d ON d.id = r.directive_id
       WHERE r.directive_id = $1 AND r.delivered_at IS NOT NULL`,
      [directiveId],
    )) as { s: number }[];
    return {
      targets: counts?.targets ?? 0,
      acknowledged: counts?.acknowledged ?? 0,
      console: counts?.console ?? 0,
      terminal: perKind.find((k) => k.kind === 'push')?.n ?? 0,
      radio: perKind.find((k) => k.kind === 'radio')?.n ?? 0,
      deliverySeconds: times.map((t) => Math.max(0, Number(t.s))),
    };
  }
}
