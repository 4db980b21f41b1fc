import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { Queryable } from './directive-events.repository.js';

export interface OutboxJob {
  name: string;
  data: unknown;
  key?: string;
  /** not before this time (a delayed job) */
  runAt?: Date;
}

/** A claimed outbox row, with how long its job must still wait. */
export interface OutboxRow {
  id: string;
  job_name: string;
  data: unknown;
  job_key: string | null;
  delay_ms: number;
}

/** `directive_outbox`: jobs written with the change that causes them, until the relay moves them. */
@Injectable()
export class OutboxRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(db: Queryable, jobs: OutboxJob[]): Promise<void> {
    if (jobs.length === 0) return;
    await db.query(
      `INSERT INTO directive_outbox (job_name, data, job_key, run_at)
       SELECT n, d, k, coalesce(r, now()) FROM unnest($1::varchar[], $2::jsonb[], $3::text[], $4::timestamptz[]) AS t(n, d, k, r)`,
      [
        jobs.map((j) => j.name),
        jobs.map((j) => JSON.stringify(j.data)),
        jobs.map((j) => j.key ?? null),
        jobs.map((j) => j.runAt?.toISOString() ?? null),
      ],
    );
  }

  /** Leases up to `limit` unclaimed rows (or rows whose lease ran out) for `leaseSeconds`, oldest first. */
  async claim(leaseSeconds: number, limit: number): Promise<OutboxRow[]> {
    const [rows] = (await this.dataSource.query(
      `UPDATE directive_outbox SET claimed_until = now() + make_interval(secs => $1)
       WHERE id IN (SELECT id FROM directive_outbox
                    WHERE claimed_until IS NULL OR claimed_until < now()
                    ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED)
       RETURNING id, job_name, data, job_key,
                 greatest(0, extract(epoch FROM run_at - now()) * 1000)::float8 AS delay_ms`,
      [leaseSeconds, limit],
    )) as [OutboxRow[], number];
    return rows.sort((a, b) => Number(a.id) - Number(b.id));
  }

  async remove(ids: string[]): Promise<void> {
    if (ids.length)
      await this.dataSource.query('DELETE FROM directive_outbox WHERE id = ANY($1::bigint[])', [ids]);
  }

  async releaseClaims(): Promise<void> {
    await this.dataSource.query('UPDATE directive_outbox SET claimed_until = NULL');
  }
}
