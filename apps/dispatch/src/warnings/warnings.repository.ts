import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { WarningState, WarningStep } from '#contracts';
import type { NewWarning, WarningPatch, WarningRow, WarningStepRow } from './warning-rows.js';

const PATCHABLE = [
  'state',
  'submitted_by',
  'approved_by',
  'rejected_by',
  'reject_reason',
  'published_by',
  'cancelled_by',
  'cancel_reason',
  'superseded_by_id',
  'directive_id',
  'emergency',
] as const;

/** Warnings, their steps and the identifier sequence (SQL only here). */
@Injectable()
export class WarningsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async now(tx: EntityManager): Promise<Date> {
    const [row] = (await tx.query('SELECT now() AS now')) as { now: Date }[];
    return row!.now;
  }

  /**
   * The next sequence digit for an identifier prefix (region, org and Beijing second): the
   * counter row's lock makes it unique across a cluster; 0 first.
   */
  /**
   * The next sequence digit for an identifier prefix (region, org, second). Rows of seconds
   * long past are never read again: each call prunes those older than ten minutes (a prefix
   * is at most a minute ahead of the database's clock).
   */
  async takeSequence(tx: EntityManager, prefix: string): Promise<number> {
    const [row] = (await tx.query(
      `WITH pruned AS (
         DELETE FROM warning_identifier_seq WHERE taken_at < now() - interval '10 minutes' AND prefix <> $1)
       INSERT INTO warning_identifier_seq (prefix, last_value) VALUES ($1, 0)
       ON CONFLICT (prefix) DO UPDATE SET last_value = warning_identifier_seq.last_value + 1
       RETURNING last_value`,
      [prefix],
    )) as { last_value: number }[];
    return row!.last_value;
  }

  async insert(tx: EntityManager, w: NewWarning): Promise<WarningRow> {
    const [row] = (await tx.query(
      `INSERT INTO warnings (id, identifier, sender, msg_type, status, state, event, level, headline, description,
         instruction, en, region_codes, polygons, onset, expires, drill_id, previous_id, directive_id, refs,
         issuer_site_id, issuer_site_path, imported_identifier, imported_sender, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13::text[], $14::text[], $15, $16, $17, $18,
         $19, $20::jsonb, $21, $22, $23, $24, $25)
       RETURNING *`,
      [
        w.id,
        w.identifier,
        w.sender,
        w.msgType,
        w.status,
        w.state,
        w.event,
        w.level,
        w.headline,
        w.description,
        w.instruction,
        w.en ? JSON.stringify(w.en) : null,
        w.regionCodes,
        w.polygons,
        w.onset,
        w.expires,
        w.drillId,
        w.previousId,
        w.directiveId,
        JSON.stringify(w.refs),
        w.issuerSiteId,
        w.issuerSitePath,
        w.importedIdentifier,
        w.importedSender,
        w.createdBy,
      ],
    )) as WarningRow[];
    return row!;
  }

  async find(id: string, tx: EntityManager = this.dataSource.manager): Promise<WarningRow | undefined> {
    const [row] = (await tx.query('SELECT * FROM warnings WHERE id = $1', [id])) as WarningRow[];
    return row;
  }

  /** The row, locked for a step of the workflow. */
  async lock(tx: EntityManager, id: string): Promise<WarningRow | undefined> {
    const [row] = (await tx.query('SELECT * FROM warnings WHERE id = $1 FOR UPDATE', [id])) as WarningRow[];
    return row;
  }

  async patch(tx: EntityManager, id: string, patch: WarningPatch): Promise<void> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const column of PATCHABLE) {
      if (patch[column] === undefined) continue;
      values.push(patch[column]);
      sets.push(`${column} = $${values.length}`);
    }
    for (const column of patch.stamp ?? []) sets.push(`${column} = now()`);
    if (patch.clearRejection) sets.push('rejected_at = NULL', 'rejected_by = NULL', 'reject_reason = NULL');
    if (sets.length) await tx.query(`UPDATE warnings SET ${sets.join(', ')} WHERE id = $1`, values);
  }

  async insertStep(
    tx: EntityManager,
    warningId: string,
    step: WarningStep,
    actorId: string | null,
    reason: string | null = null,
  ): Promise<void> {
    await tx.query(`INSERT INTO warning_steps (warning_id, step, actor_id, reason) VALUES ($1, $2, $3, $4)`, [
      warningId,
      step,
      actorId,
      reason,
    ]);
  }

  async steps(id: string): Promise<WarningStepRow[]> {
    return (await this.dataSource.query(
      `SELECT ws.step, ws.at, ws.actor_id, u.display_name AS actor_name, ws.reason
       FROM warning_steps ws LEFT JOIN users u ON u.id = ws.actor_id
       WHERE ws.warning_id = $1 ORDER BY ws.id`,
      [id],
    )) as WarningStepRow[];
  }

  /**
   * Warnings issued within the scope, or carried to a site in it. `expired` and `published`
   * follow the clock: a published warning past `expires` is listed as expired at once.
   */
  async list(scope: string | null, state: WarningState | undefined, limit: number): Promise<WarningRow[]> {
    const where: string[] = [];
    const values: unknown[] = [];
    if (scope !== null) {
      values.push(scope);
      where.push(`(w.issuer_site_path LIKE $1 || '%' OR EXISTS (
        SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id
        WHERE r.directive_id = w.directive_id AND s.path LIKE $1 || '%'))`);
    }
    if (state === 'published') where.push(`w.state = 'published' AND w.expires > now()`);
    else if (state === 'expired')
      where.push(`(w.state = 'expired' OR (w.state = 'published' AND w.expires <= now()))`);
    else if (state) {
      values.push(state);
      where.push(`w.state = $${values.length}`);
    }
    values.push(limit);
    return (await this.dataSource.query(
      `SELECT w.* FROM warnings w ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY w.created_at DESC, w.id LIMIT $${values.length}`,
      values,
    )) as WarningRow[];
  }

  /** True when the warning's directive reached a site within the scope path. */
  async isCarriedWithin(directiveId: string | null, scope: string): Promise<boolean> {
    if (!directiveId) return false;
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM directive_recipients r JOIN sites s ON s.id = r.site_id
       WHERE r.directive_id = $1 AND s.path LIKE $2 || '%' LIMIT 1`,
      [directiveId, scope],
    )) as unknown[];
    return rows.length > 0;
  }

  /** Records the expiry of a published warning past `expires`; false when nothing changed. */
  async expire(tx: EntityManager, id: string): Promise<boolean> {
    const [list] = (await tx.query(
      `UPDATE warnings SET state = 'expired' WHERE id = $1 AND state = 'published' AND expires <= now() RETURNING id`,
      [id],
    )) as [unknown[], number];
    return list.length > 0;
  }
}
