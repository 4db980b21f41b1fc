import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type { PageQuery, SiteGroupView } from '#contracts';

/** A saved group of sites (site_groups with its site_group_members), owned by a site. */
export interface SiteGroupRow {
  id: string;
  name: string;
  owner_site_id: string;
  owner_site_path: string;
  created_at: Date;
  site_ids: string[] | null;
}

export interface NewSiteGroup {
  id: string;
  name: string;
  ownerSiteId: string;
  ownerSitePath: string;
  createdBy: string;
  siteIds: string[];
}

const WITH_MEMBERS = `SELECT g.*, array(SELECT site_id FROM site_group_members m WHERE m.group_id = g.id ORDER BY site_id) AS site_ids
  FROM site_groups g`;

@Injectable()
export class SiteGroupsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async insert(tx: EntityManager, group: NewSiteGroup): Promise<void> {
    await tx.query(
      `INSERT INTO site_groups (id, name, owner_site_id, owner_site_path, created_by) VALUES ($1, $2, $3, $4, $5)`,
      [group.id, group.name, group.ownerSiteId, group.ownerSitePath, group.createdBy],
    );
    await tx.query('INSERT INTO site_group_members (group_id, site_id) SELECT $1, unnest($2::uuid[])', [
      group.id,
      group.siteIds,
    ]);
  }

  /** Groups owned within the scope, by name; id breaks ties, so pages neither repeat nor skip a group. */
  async page(scope: string, page: PageQuery): Promise<SiteGroupRow[]> {
    return (await this.dataSource.query(
      `${WITH_MEMBERS} WHERE g.owner_site_path LIKE $1 || '%' ORDER BY g.name, g.id LIMIT $2 OFFSET $3`,
      [scope, page.limit, page.offset],
    )) as SiteGroupRow[];
  }

  async find(id: string): Promise<SiteGroupRow | undefined> {
    const [row] = (await this.dataSource.query(`${WITH_MEMBERS} WHERE g.id = $1`, [id])) as SiteGroupRow[];
    return row;
  }

  /** id → owner site path of each group that exists: what a directive naming groups is checked against. */
  async ownerPaths(ids: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(
      'SELECT id, owner_site_path FROM site_groups WHERE id = ANY($1::uuid[])',
      [ids],
    )) as { id: string; owner_site_path: string }[];
    return new Map(rows.map((g) => [g.id, g.owner_site_path]));
  }

  async delete(tx: EntityManager, id: string): Promise<void> {
    await tx.query('DELETE FROM site_groups WHERE id = $1', [id]);
  }
}

export function toSiteGroupView(r: SiteGroupRow): SiteGroupView {
  return {
    id: r.id,
    name: r.name,
    ownerSiteId: r.owner_site_id,
    siteIds: r.site_ids ?? [],
    createdAt: r.created_at.toISOString(),
  };
}
