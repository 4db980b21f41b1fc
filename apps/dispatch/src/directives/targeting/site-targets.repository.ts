import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { subtreeUpperBound } from '#domain';

/**
 * The statements that read sites as directives and duty name them: looking sites up, and
 * expanding a directive's targets. Each expansion reads at most `limit` rows, so a request
 * selecting more than a directive may have costs no more than the limit.
 */
@Injectable()
export class SiteTargetsRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** id → path of each site that exists, in no particular order. */
  async paths(ids: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query('SELECT id, path FROM sites WHERE id = ANY($1::uuid[])', [
      ids,
    ])) as { id: string; path: string }[];
    return new Map(rows.map((r) => [r.id, r.path]));
  }

  /** The site's path, or null when there is no such site. */
  async path(id: string): Promise<string | null> {
    const [site] = (await this.dataSource.query('SELECT path FROM sites WHERE id = $1', [id])) as {
      path: string;
    }[];
    return site?.path ?? null;
  }

  async townshipsUnder(scope: string, limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM sites WHERE kind = 'township' AND path LIKE $1 || '%' LIMIT $2`,
      [scope, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Distinct member sites of the groups within the scope. */
  async groupMembers(
    groupIds: string[],
    scope: string,
    limit: number,
  ): Promise<{ id: string; path: string }[]> {
    return (await this.dataSource.query(
      `SELECT DISTINCT s.id, s.path FROM site_group_members m JOIN sites s ON s.id = m.site_id
       WHERE m.group_id = ANY($1::uuid[]) AND s.path LIKE $2 || '%' LIMIT $3`,
      [groupIds, scope, limit],
    )) as { id: string; path: string }[];
  }

  /**
   * Every site in the subtrees. The roots must be disjoint (outermostPaths): each is then one
   * range scan of the text_pattern_ops index on path (~>=~ and ~<~ are its operators), and
   * no site comes back twice.
   */
  async subtrees(roots: string[], limit: number): Promise<string[]> {
    if (!roots.length) return [];
    const rows = (await this.dataSource.query(
      `SELECT s.id FROM unnest($1::text[], $2::text[]) AS r(lo, hi)
       JOIN sites s ON s.path ~>=~ r.lo AND s.path ~<~ r.hi
       LIMIT $3`,
      [roots, roots.map(subtreeUpperBound), limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }
}
