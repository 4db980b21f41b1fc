import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { DirectiveTargets, DirectiveTemplateView, PageQuery } from '#contracts';

/** A saved directive (directive_templates), owned by a site. */
export interface DirectiveTemplateRow {
  id: string;
  name: string;
  title: string;
  body: string;
  level: DirectiveTemplateView['level'];
  ack_within_seconds: number | null;
  targets: DirectiveTargets | null;
  owner_site_id: string;
  owner_site_path: string;
  created_at: Date;
}

export interface NewDirectiveTemplate {
  id: string;
  name: string;
  title: string;
  body: string;
  level: DirectiveTemplateView['level'];
  ackWithinSeconds: number | null;
  targets: DirectiveTargets | null;
  ownerSiteId: string;
  ownerSitePath: string;
  createdBy: string;
}

@Injectable()
export class DirectiveTemplatesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, t: NewDirectiveTemplate): Promise<void> {
    await tx.query(
      `INSERT INTO directive_templates (id, name, title, body, level, ack_within_seconds, targets, owner_site_id, owner_site_path, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [
        t.id,
        t.name,
        t.title,
        t.body,
        t.level,
        t.ackWithinSeconds,
        t.targets ? JSON.stringify(t.targets) : null,
        t.ownerSiteId,
        t.ownerSitePath,
        t.createdBy,
      ],
    );
  }

  /** Templates owned within the scope, by name; id breaks ties, so pages neither repeat nor skip one. */
  async page(scope: string, page: PageQuery): Promise<DirectiveTemplateRow[]> {
    return (await this.dataSource.query(
      `SELECT * FROM directive_templates WHERE owner_site_path LIKE $1 || '%' ORDER BY name, id LIMIT $2 OFFSET $3`,
      [scope, page.limit, page.offset],
    )) as DirectiveTemplateRow[];
  }

  async find(id: string): Promise<DirectiveTemplateRow | undefined> {
    const [row] = (await this.dataSource.query('SELECT * FROM directive_templates WHERE id = $1', [
      id,
    ])) as DirectiveTemplateRow[];
    return row;
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query('DELETE FROM directive_templates WHERE id = $1', [id]);
  }
}

export function toDirectiveTemplateView(r: DirectiveTemplateRow): DirectiveTemplateView {
  return {
    id: r.id,
    name: r.name,
    title: r.title,
    body: r.body,
    level: r.level,
    ackWithinSeconds: r.ack_within_seconds,
    targets: r.targets,
    ownerSiteId: r.owner_site_id,
    createdAt: r.created_at.toISOString(),
  };
}
