import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';
import type { SiteKind } from '#contracts';

@Entity({ name: 'sites' })
export class SiteEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'enum', enum: ['command', 'township', 'village'], enumName: 'site_kind' })
  kind!: SiteKind;

  @Column({ name: 'parent_id', type: 'uuid', nullable: true })
  parentId!: string | null;

  @Column({ name: 'region_code', type: 'varchar', length: 12, nullable: true })
  regionCode!: string | null;

  /** WGS-84 degrees, both or neither (a CHECK holds them to it) */
  @Column({ type: 'double precision', nullable: true })
  lat!: number | null;

  @Column({ type: 'double precision', nullable: true })
  lng!: number | null;

  @Column({ name: 'duty_phone', type: 'varchar', length: 32, nullable: true })
  dutyPhone!: string | null;

  /** "/<rootId>/.../<id>/": a prefix match selects a subtree in one indexed query */
  @Column({ type: 'text' })
  path!: string;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
