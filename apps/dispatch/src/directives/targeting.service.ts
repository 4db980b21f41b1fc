import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type {
  CreateDirectiveTemplateRequest,
  CreateSiteGroupRequest,
  DirectiveTargets,
  DirectiveTemplateView,
  SiteGroupView,
} from '#contracts';
import { isInScope, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';

/** The most recipients one directive may have. */
export const MAX_RECIPIENTS = 20_000;

interface GroupRow {
  id: string;
  name: string;
  owner_site_id: string;
  owner_site_path: string;
  created_at: Date;
  site_ids: string[] | null;
}

interface TemplateRow {
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

const scopePrefix = (actor: Actor) => (actor.role === 'admin' ? '/' : actor.sitePath);

/** Who a directive goes to (all townships, chosen sites, subtrees, saved groups), and the saved groups and templates. */
@Injectable()
export class TargetingService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
  ) {}

  /** Resolves targets to site ids within the actor's scope; a 4xx names any target that is unknown or out of scope. */
  async resolve(actor: Actor, targets: DirectiveTargets): Promise<string[]> {
    const scope = scopePrefix(actor);
    const result = new Set<string>();
    const roots: string[] = [];
    if (targets.all) {
      const rows = (await this.dataSource.query(
        `SELECT id FROM sites WHERE kind = 'township' AND path LIKE $1 || '%'`,
        [scope],
      )) as { id: string }[];
      for (const r of rows) result.add(r.id);
    }
    const siteIds = [...new Set(targets.siteIds ?? [])];
    if (siteIds.length) {
      const rows = (await this.dataSource.query('SELECT id, path FROM sites WHERE id = ANY($1::uuid[])', [
        siteIds,
      ])) as {
        id: string;
        path: string;
      }[];
      const found = new Map(rows.map((r) => [r.id, r.path]));
      const unknown = siteIds.map((id, i) => ({ id, i })).filter(({ id }) => !found.has(id));
      if (unknown.length) {
        const fields = unknown.map(({ id, i }) => ({
          path: `targets.siteIds.${i}`,
          message: `site ${id} does not exist`,
        }));
        throw new DomainError('invalid', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
      }
      for (const [id, path] of found) {
        if (!isInScope(actor, path))
          throw new DomainError('forbidden', `targets.siteIds: site ${id} is outside your scope`);
        result.add(id);
        roots.push(path);
      }
    }
    const groupIds = [...new Set(targets.groupIds ?? [])];
    if (groupIds.length) {
      const groups = (await this.dataSource.query(
        'SELECT id, owner_site_path FROM site_groups WHERE id = ANY($1::uuid[])',
        [groupIds],
      )) as { id: string; owner_site_path: string }[];
      const known = new Map(groups.map((g) => [g.id, g.owner_site_path]));
      const unknown = groupIds.map((id, i) => ({ id, i })).filter(({ id }) => !known.has(id));
      if (unknown.length) {
        const fields = unknown.map(({ id, i }) => ({
          path: `targets.groupIds.${i}`,
          message: `site group ${id} does not exist`,
        }));
        throw new DomainError('invalid', fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields);
      }
      for (const [id, path] of known) {
        if (!isInScope(actor, path))
          throw new DomainError('forbidden', `targets.groupIds: site group ${id} is outside your scope`);
      }
      const members = (await this.dataSource.query(
        `SELECT s.id, s.path FROM site_group_members m JOIN sites s ON s.id = m.site_id
         WHERE m.group_id = ANY($1::uuid[]) AND s.path LIKE $2 || '%'`,
        [groupIds, scope],
      )) as { id: string; path: string }[];
      for (const m of members) {
        result.add(m.id);
        roots.push(m.path);
      }
    }
    if (targets.includeChildren && roots.length) {
      const rows = (await this.dataSource.query(
        `SELECT id FROM sites WHERE path LIKE ANY (SELECT p || '%' FROM unnest($1::text[]) AS p)`,
        [roots],
      )) as { id: string }[];
      for (const r of rows) result.add(r.id);
    }
    if (result.size === 0) {
      throw new DomainError('invalid', 'targets: the targets select no site', [
        { path: 'targets', message: 'the targets select no site' },
      ]);
    }
    if (result.size > MAX_RECIPIENTS) {
      throw new DomainError('invalid', `targets: ${result.size} sites selected; at most ${MAX_RECIPIENTS}`);
    }
    return [...result];
  }

  // ---- site groups ----

  async createGroup(actor: Actor, req: CreateSiteGroupRequest): Promise<SiteGroupView> {
    const siteIds = [...new Set(req.siteIds)];
    const rows = (await this.dataSource.query('SELECT id, path FROM sites WHERE id = ANY($1::uuid[])', [
      siteIds,
    ])) as {
      id: string;
      path: string;
    }[];
    const found = new Map(rows.map((r) => [r.id, r.path]));
    siteIds.forEach((id, i) => {
      if (!found.has(id)) {
        throw new DomainError('invalid', `siteIds.${i}: site ${id} does not exist`, [
          { path: `siteIds.${i}`, message: `site ${id} does not exist` },
        ]);
      }
      if (!isInScope(actor, found.get(id)!))
        throw new DomainError('forbidden', `siteIds.${i}: site ${id} is outside your scope`);
    });
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO site_groups (id, name, owner_site_id, owner_site_path, created_by) VALUES ($1, $2, $3, $4, $5)`,
        [id, req.name, actor.siteId, actor.sitePath, actor.userId],
      );
      await tx.query('INSERT INTO site_group_members (group_id, site_id) SELECT $1, unnest($2::uuid[])', [
        id,
        siteIds,
      ]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'site_group.create',
          subjectType: 'site_group',
          subjectId: id,
          data: { name: req.name, siteIds },
        },
        tx,
      );
    });
    return this.getGroup(actor, id);
  }

  async listGroups(actor: Actor): Promise<SiteGroupView[]> {
    const rows = (await this.dataSource.query(
      `SELECT g.*, array(SELECT site_id FROM site_group_members m WHERE m.group_id = g.id ORDER BY site_id) AS site_ids
       FROM site_groups g WHERE g.owner_site_path LIKE $1 || '%' ORDER BY g.name`,
      [scopePrefix(actor)],
    )) as GroupRow[];
    return rows.map(toGroupView);
  }

  async getGroup(actor: Actor, id: string): Promise<SiteGroupView> {
    const [row] = (await this.dataSource.query(
      `SELECT g.*, array(SELECT site_id FROM site_group_members m WHERE m.group_id = g.id ORDER BY site_id) AS site_ids
       FROM site_groups g WHERE g.id = $1`,
      [id],
    )) as GroupRow[];
    if (!row) throw new DomainError('not_found', `site group ${id} does not exist`);
    if (!isInScope(actor, row.owner_site_path))
      throw new DomainError('forbidden', `site group ${id} is outside your scope`);
    return toGroupView(row);
  }

  async deleteGroup(actor: Actor, id: string): Promise<void> {
    await this.getGroup(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await tx.query('DELETE FROM site_groups WHERE id = $1', [id]);
      await this.audit.append(
        { actorId: actor.userId, action: 'site_group.delete', subjectType: 'site_group', subjectId: id },
        tx,
      );
    });
  }

  // ---- templates ----

  async createTemplate(actor: Actor, req: CreateDirectiveTemplateRequest): Promise<DirectiveTemplateView> {
    if (req.targets) await this.resolve(actor, req.targets);
    const id = randomUUID();
    await this.dataSource.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO directive_templates (id, name, title, body, level, ack_within_seconds, targets, owner_site_id, owner_site_path, created_by)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
        [
          id,
          req.name,
          req.title,
          req.body,
          req.level,
          req.ackWithinSeconds ?? null,
          req.targets ? JSON.stringify(req.targets) : null,
          actor.siteId,
          actor.sitePath,
          actor.userId,
        ],
      );
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive_template.create',
          subjectType: 'directive_template',
          subjectId: id,
          data: { name: req.name },
        },
        tx,
      );
    });
    return this.getTemplate(actor, id);
  }

  async listTemplates(actor: Actor): Promise<DirectiveTemplateView[]> {
    const rows = (await this.dataSource.query(
      `SELECT * FROM directive_templates WHERE owner_site_path LIKE $1 || '%' ORDER BY name`,
      [scopePrefix(actor)],
    )) as TemplateRow[];
    return rows.map(toTemplateView);
  }

  async getTemplate(actor: Actor, id: string): Promise<DirectiveTemplateView> {
    const [row] = (await this.dataSource.query('SELECT * FROM directive_templates WHERE id = $1', [
      id,
    ])) as TemplateRow[];
    if (!row) throw new DomainError('not_found', `directive template ${id} does not exist`);
    if (!isInScope(actor, row.owner_site_path))
      throw new DomainError('forbidden', `directive template ${id} is outside your scope`);
    return toTemplateView(row);
  }

  async deleteTemplate(actor: Actor, id: string): Promise<void> {
    await this.getTemplate(actor, id);
    await this.dataSource.transaction(async (tx) => {
      await tx.query('DELETE FROM directive_templates WHERE id = $1', [id]);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'directive_template.delete',
          subjectType: 'directive_template',
          subjectId: id,
        },
        tx,
      );
    });
  }

  // ---- leader on duty (领导带班) ----

  async setLeaderOnDuty(
    actor: Actor,
    siteId: string,
    userId: string | null,
  ): Promise<{ siteId: string; userId: string | null }> {
    const [site] = (await this.dataSource.query('SELECT path FROM sites WHERE id = $1', [siteId])) as {
      path: string;
    }[];
    if (!site) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (!isInScope(actor, site.path))
      throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
    if (userId) {
      const [user] = (await this.dataSource.query('SELECT site_id, disabled FROM users WHERE id = $1', [
        userId,
      ])) as {
        site_id: string;
        disabled: boolean;
      }[];
      if (!user || user.disabled)
        throw new DomainError('invalid', `userId: user ${userId} does not exist`, [
          { path: 'userId', message: 'no such user' },
        ]);
      if (user.site_id !== siteId) {
        throw new DomainError('invalid', `userId: user ${userId} does not belong to site ${siteId}`, [
          { path: 'userId', message: 'the leader on duty must belong to the site' },
        ]);
      }
    }
    await this.dataSource.transaction(async (tx) => {
      if (userId) {
        await tx.query(
          `INSERT INTO duty_leaders (site_id, user_id, set_by) VALUES ($1, $2, $3)
           ON CONFLICT (site_id) DO UPDATE SET user_id = excluded.user_id, set_by = excluded.set_by, since = now()`,
          [siteId, userId, actor.userId],
        );
      } else {
        await tx.query('DELETE FROM duty_leaders WHERE site_id = $1', [siteId]);
      }
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.leader',
          subjectType: 'site',
          subjectId: siteId,
          data: { userId },
        },
        tx,
      );
    });
    return { siteId, userId };
  }

  async getLeaderOnDuty(
    actor: Actor,
    siteId: string,
  ): Promise<{ siteId: string; userId: string | null; since: string | null }> {
    const [site] = (await this.dataSource.query('SELECT path FROM sites WHERE id = $1', [siteId])) as {
      path: string;
    }[];
    if (!site) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (!isInScope(actor, site.path))
      throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
    const [row] = (await this.dataSource.query('SELECT user_id, since FROM duty_leaders WHERE site_id = $1', [
      siteId,
    ])) as {
      user_id: string;
      since: Date;
    }[];
    return { siteId, userId: row?.user_id ?? null, since: row?.since.toISOString() ?? null };
  }
}

function toGroupView(r: GroupRow): SiteGroupView {
  return {
    id: r.id,
    name: r.name,
    ownerSiteId: r.owner_site_id,
    siteIds: r.site_ids ?? [],
    createdAt: r.created_at.toISOString(),
  };
}

function toTemplateView(r: TemplateRow): DirectiveTemplateView {
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
