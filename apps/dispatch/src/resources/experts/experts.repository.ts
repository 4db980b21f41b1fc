import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { ExpertCategory } from '#contracts';
import { scopeSql, type ReadScope } from '../stock/read-scope.js';

export interface ExpertRow {
  id: string;
  site_id: string;
  site_path: string;
  name: string;
  category: ExpertCategory;
  specialty: string;
  organisation: string;
  phones: string[];
  available: boolean;
  updated_at: Date;
}

export interface ExpertFields {
  siteId: string;
  name: string;
  category: ExpertCategory;
  specialty: string;
  organisation: string;
  phones: string[];
  available: boolean;
}

export interface ConsultationRow {
  id: string;
  state: 'scheduled' | 'live' | 'ended';
  host_site_path: string;
  site_ids: string[];
}

export interface InvitationRow {
  id: string;
  consultation_id: string;
  expert_id: string;
  name: string;
  phones: string[];
  invited_by: string;
  invited_at: Date;
}

const EXPERT = `e.id, e.site_id, s.path AS site_path, e.name, e.category, e.specialty, e.organisation, e.phones,
  e.available, e.updated_at FROM experts e JOIN sites s ON s.id = e.site_id`;

/** Experts and their invitations to consultations (SQL only here). */
@Injectable()
export class ExpertsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async site(id: string): Promise<{ id: string; path: string } | null> {
    const [row] = (await this.dataSource.query(`SELECT id, path FROM sites WHERE id = $1`, [id])) as {
      id: string;
      path: string;
    }[];
    return row ?? null;
  }

  /** Inserts, or (import) overwrites the expert with this id; true when inserted. */
  async put(tx: EntityManager, id: string, f: ExpertFields): Promise<boolean> {
    const rows = (await tx.query(
      `INSERT INTO experts (id, site_id, name, category, specialty, organisation, phones, available)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (id) DO UPDATE SET site_id = EXCLUDED.site_id, name = EXCLUDED.name,
         category = EXCLUDED.category, specialty = EXCLUDED.specialty, organisation = EXCLUDED.organisation,
         phones = EXCLUDED.phones, available = EXCLUDED.available, updated_at = now()
       RETURNING (xmax = 0) AS inserted`,
      [id, f.siteId, f.name, f.category, f.specialty, f.organisation, f.phones, f.available],
    )) as { inserted: boolean }[];
    return rows[0]!.inserted;
  }

  async find(id: string, runner: DataSource | EntityManager = this.dataSource): Promise<ExpertRow | null> {
    const [row] = (await runner.query(`SELECT ${EXPERT} WHERE e.id = $1`, [id])) as ExpertRow[];
    return row ?? null;
  }

  async findMany(ids: string[]): Promise<ExpertRow[]> {
    return (await this.dataSource.query(`SELECT ${EXPERT} WHERE e.id = ANY($1::uuid[])`, [
      ids,
    ])) as ExpertRow[];
  }

  async list(
    scope: ReadScope,
    f: { category?: ExpertCategory; available?: boolean; limit: number; offset: number },
  ): Promise<ExpertRow[]> {
    return (await this.dataSource.query(
      `SELECT ${EXPERT} WHERE ${scopeSql('s', 1)}
         AND ($3::text IS NULL OR e.category = $3) AND ($4::boolean IS NULL OR e.available = $4)
       ORDER BY e.category, e.name, e.id LIMIT $5 OFFSET $6`,
      [scope.prefix, scope.siteId, f.category ?? null, f.available ?? null, f.limit, f.offset],
    )) as ExpertRow[];
  }

  /** The consultation's row in the SFU's table (shared database): only what the rules need. */
  async consultation(id: string): Promise<ConsultationRow | null> {
    const [row] = (await this.dataSource.query(
      `SELECT c.id, c.state, s.path AS host_site_path, c.site_ids
       FROM consultations c JOIN sites s ON s.id = c.host_site_id WHERE c.id = $1`,
      [id],
    )) as ConsultationRow[];
    return row ?? null;
  }

  async invite(
    tx: EntityManager,
    rows: { id: string; consultationId: string; expertId: string; by: string }[],
  ) {
    for (const r of rows)
      await tx.query(
        `INSERT INTO expert_invitations (id, consultation_id, expert_id, invited_by) VALUES ($1, $2, $3, $4)`,
        [r.id, r.consultationId, r.expertId, r.by],
      );
  }

  async invitations(consultationId: string): Promise<InvitationRow[]> {
    return (await this.dataSource.query(
      `SELECT i.id, i.consultation_id, i.expert_id, e.name, e.phones, i.invited_by, i.invited_at
       FROM expert_invitations i JOIN experts e ON e.id = i.expert_id
       WHERE i.consultation_id = $1 ORDER BY i.invited_at, e.name, i.id LIMIT 500`,
      [consultationId],
    )) as InvitationRow[];
  }
}
