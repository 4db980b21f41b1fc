import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

/** The sites of a warning's area, and the issuing site's region code (SQL only here). */
@Injectable()
export class WarningAreasRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The region code of the deepest site on the path that has one (the site itself first). */
  async issuerRegionCode(pathIds: string[]): Promise<{ regionCode: string; name: string } | null> {
    const [row] = (await this.dataSource.query(
      `SELECT region_code, name FROM sites WHERE id = ANY($1::uuid[]) AND region_code IS NOT NULL
       ORDER BY length(path) DESC LIMIT 1`,
      [pathIds],
    )) as { region_code: string; name: string }[];
    return row ? { regionCode: row.region_code, name: row.name } : null;
  }

  /**
   * Of the given codes, those no site within the scope contains: `ancestors[i]` lists the
   * codes that contain `codes[i]` (domain regionAncestors).
   */
  async outsideScope(scope: string, codes: string[], ancestors: string[][]): Promise<string[]> {
    const pairs = codes.flatMap((c, i) => ancestors[i]!.map((a) => [c, a] as const));
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT p.code FROM unnest($1::text[], $2::text[]) AS p(code, ancestor)
       JOIN sites s ON s.region_code = p.ancestor
       WHERE s.path LIKE $3 || '%'`,
      [pairs.map((p) => p[0]), pairs.map((p) => p[1]), scope],
    )) as { code: string }[];
    const inside = new Set(rows.map((r) => r.code));
    return codes.filter((c) => !inside.has(c));
  }

  /**
   * Sites (within the scope, when given) whose region code equals or lies under one of
   * `prefixes` (domain regionPrefix of each code), at most `limit`.
   */
  async sitesIn(scope: string | null, prefixes: string[], limit: number): Promise<string[]> {
    const rows = (await this.dataSource.query(
      `SELECT id FROM sites
       WHERE region_code IS NOT NULL AND region_code LIKE ANY($1::text[])
         AND ($2::text IS NULL OR path LIKE $2 || '%')
       ORDER BY path LIMIT $3`,
      [prefixes.map((p) => `${p}%`), scope, limit],
    )) as { id: string }[];
    return rows.map((r) => r.id);
  }

  /** Names of the sites holding these region codes, for the CAP `areaDesc`. */
  async namesOf(codes: string[]): Promise<Map<string, string>> {
    const rows = (await this.dataSource.query(
      `SELECT region_code, name FROM sites WHERE region_code = ANY($1::text[])`,
      [codes],
    )) as { region_code: string; name: string }[];
    return new Map(rows.map((r) => [r.region_code, r.name]));
  }
}
