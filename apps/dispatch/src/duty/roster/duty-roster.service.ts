import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import type {
  CreateRotationRequest,
  CreateShiftRequest,
  DutyGapView,
  DutyNowView,
  DutyShiftView,
  DutyWindowQuery,
} from '#contracts';
import {
  dutyAssigneeDenial,
  generateRotation,
  isInScope,
  onDutyAt,
  rosterGaps,
  rosterWindowDenial,
  rotationDenial,
  selfOverlaps,
  shiftsOverlap,
  shiftTimesDenial,
  toShanghaiIso,
  type Actor,
  type PlannedShift,
} from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { DutyRosterRepository, type ShiftRow } from './duty-roster.repository.js';

const view = (s: ShiftRow): DutyShiftView => ({
  id: s.id,
  siteId: s.siteId,
  userId: s.userId,
  name: s.name,
  role: s.role,
  startsAt: toShanghaiIso(s.startsAt),
  endsAt: toShanghaiIso(s.endsAt),
});

const describe = (s: Pick<ShiftRow, 'startsAt' | 'endsAt' | 'id'>) =>
  `shift ${s.id} (${toShanghaiIso(s.startsAt)} to ${toShanghaiIso(s.endsAt)})`;

/**
 * The duty roster (值班表): who is rostered where and when. `onRoster` is what spot checks
 * ask ("was the person who answered on duty then?"); `leaderAt` is what escalation's
 * "notify the leader on duty" reaches, the static leader being the fallback.
 */
@Injectable()
export class DutyRoster {
  constructor(
    private readonly dataSource: DataSource,
    private readonly audit: AuditStore,
    private readonly roster: DutyRosterRepository,
  ) {}

  /** Whether the user stands a shift (leader or officer) at the site at that instant. */
  onRoster(siteId: string, userId: string, at: Date): Promise<boolean> {
    return this.roster.onRoster(siteId, userId, at);
  }

  /** `onRoster` for many (site, user, instant) at once, in their order: one query. */
  onRosterMany(asks: { siteId: string; userId: string; at: Date }[]): Promise<boolean[]> {
    return this.roster.onRosterMany(asks);
  }

  /**
   * The leader rostered at `at`, else the site's fixed leader on duty, else null. Pass the
   * transaction when inside one: the embedded engine has a single connection.
   */
  async leaderAt(
    siteId: string,
    at: Date,
    tx?: EntityManager,
  ): Promise<{ userId: string; name: string; source: 'roster' | 'static' } | null> {
    const on = onDutyAt(await this.roster.shiftsIn(siteId, at, new Date(at.getTime() + 1), tx), at);
    if (on.leader) {
      const shift = on.leader as ShiftRow;
      return { userId: shift.userId, name: shift.name, source: 'roster' };
    }
    const fixed = await this.roster.staticLeader(siteId, tx);
    return fixed && { ...fixed, source: 'static' };
  }

  async createShift(actor: Actor, req: CreateShiftRequest): Promise<DutyShiftView> {
    const sitePath = await this.siteInScope(actor, req.siteId);
    const planned: PlannedShift = {
      userId: req.userId,
      role: req.role,
      startsAt: new Date(req.startsAt),
      endsAt: new Date(req.endsAt),
    };
    refuse(shiftTimesDenial(planned));
    const users = await this.roster.users([req.userId]);
    refuse(dutyAssigneeDenial('userId', req.userId, sitePath, users.get(req.userId)));
    const [id] = await this.dataSource.transaction(async (tx) => {
      await this.roster.lockUsers(tx, [req.userId]);
      const [clash] = await this.roster.overlapping(tx, req.userId, planned.startsAt, planned.endsAt);
      if (clash) {
        throw new DomainError(
          'conflict',
          `user ${req.userId} already stands ${describe(clash)} at that time`,
        );
      }
      const ids = await this.roster.insert(tx, req.siteId, [planned], actor.userId);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.shift.create',
          subjectType: 'site',
          subjectId: req.siteId,
          data: {
            shiftId: ids[0],
            userId: req.userId,
            role: req.role,
            startsAt: req.startsAt,
            endsAt: req.endsAt,
          },
        },
        tx,
      );
      return ids;
    });
    return view({ ...planned, id: id!, siteId: req.siteId, name: users.get(req.userId)!.name });
  }

  /** Generates and stores a rotation's shifts in one transaction: all of them, or none. */
  async createRotation(actor: Actor, req: CreateRotationRequest): Promise<DutyShiftView[]> {
    const sitePath = await this.siteInScope(actor, req.siteId);
    refuse(rotationDenial(req.slots, req.from));
    const planned = generateRotation(req.slots, req.from, req.days);
    const userIds = [...new Set(planned.map((s) => s.userId))];
    const users = await this.roster.users(userIds);
    for (const [i, slot] of req.slots.entries()) {
      if (slot.leader)
        refuse(dutyAssigneeDenial(`slots.${i}.leader`, slot.leader, sitePath, users.get(slot.leader)));
      for (const [k, officer] of slot.officers.entries())
        refuse(dutyAssigneeDenial(`slots.${i}.officers.${k}`, officer, sitePath, users.get(officer)));
    }
    const [pair] = selfOverlaps(planned);
    if (pair) {
      const [a, b] = [planned[pair[0]]!, planned[pair[1]]!];
      throw new DomainError(
        'conflict',
        `the rotation gives user ${a.userId} two overlapping shifts (${toShanghaiIso(a.startsAt)} and ${toShanghaiIso(b.startsAt)})`,
      );
    }
    const from = new Date(Math.min(...planned.map((s) => s.startsAt.getTime())));
    const to = new Date(Math.max(...planned.map((s) => s.endsAt.getTime())));
    const ids = await this.dataSource.transaction(async (tx) => {
      await this.roster.lockUsers(tx, userIds);
      const existing = await this.roster.shiftsOfUsers(tx, userIds, from, to);
      for (const s of planned) {
        const clash = existing.find((e) => e.userId === s.userId && shiftsOverlap(e, s));
        if (clash) {
          throw new DomainError(
            'conflict',
            `user ${s.userId} already stands ${describe(clash)}, which overlaps the rotation's shift from ${toShanghaiIso(s.startsAt)}`,
          );
        }
      }
      const inserted = await this.roster.insert(tx, req.siteId, planned, actor.userId);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.rotation.create',
          subjectType: 'site',
          subjectId: req.siteId,
          data: { from: req.from, days: req.days, slots: req.slots, shifts: inserted.length },
        },
        tx,
      );
      return inserted;
    });
    return planned.map((s, i) =>
      view({ ...s, id: ids[i]!, siteId: req.siteId, name: users.get(s.userId)!.name }),
    );
  }

  async deleteShift(actor: Actor, id: string): Promise<void> {
    const shift = await this.roster.shift(id);
    if (!shift) throw new DomainError('not_found', `shift ${id} does not exist`);
    await this.siteInScope(actor, shift.siteId);
    await this.dataSource.transaction(async (tx) => {
      await this.roster.delete(tx, id);
      await this.audit.append(
        {
          actorId: actor.userId,
          action: 'duty.shift.delete',
          subjectType: 'site',
          subjectId: shift.siteId,
          data: {
            shiftId: id,
            userId: shift.userId,
            role: shift.role,
            startsAt: shift.startsAt.toISOString(),
          },
        },
        tx,
      );
    });
  }

  async list(actor: Actor, q: Pick<DutyWindowQuery, 'siteId' | 'from' | 'to'>): Promise<DutyShiftView[]> {
    await this.siteInScope(actor, q.siteId);
    const [from, to] = [new Date(q.from), new Date(q.to)];
    refuse(rosterWindowDenial(from, to));
    return (await this.roster.shiftsIn(q.siteId, from, to)).map(view);
  }

  async now(actor: Actor, siteId: string, at = new Date()): Promise<DutyNowView> {
    await this.siteInScope(actor, siteId);
    const on = onDutyAt(await this.roster.shiftsIn(siteId, at, new Date(at.getTime() + 1)), at);
    const person = (s: ShiftRow) => ({ userId: s.userId, name: s.name });
    const fixed = on.leader ? null : await this.roster.staticLeader(siteId);
    return {
      siteId,
      leader: on.leader ? person(on.leader as ShiftRow) : fixed,
      officers: (on.officers as ShiftRow[]).map(person),
      until: on.until && toShanghaiIso(on.until),
      leaderSource: on.leader ? 'roster' : fixed ? 'static' : null,
    };
  }

  async gaps(actor: Actor, q: DutyWindowQuery): Promise<DutyGapView[]> {
    await this.siteInScope(actor, q.siteId);
    const [from, to] = [new Date(q.from), new Date(q.to)];
    refuse(rosterWindowDenial(from, to));
    const shifts = await this.roster.shiftsIn(q.siteId, from, to);
    return rosterGaps(shifts, from, to, q.minOfficers).map((g) => ({
      ...g,
      startsAt: toShanghaiIso(g.startsAt),
      endsAt: toShanghaiIso(g.endsAt),
    }));
  }

  /** The site's path, after checking it exists and lies in the actor's scope. */
  async siteInScope(actor: Actor, siteId: string): Promise<string> {
    const path = await this.roster.sitePath(siteId);
    if (path === null) throw new DomainError('not_found', `site ${siteId} does not exist`);
    if (!isInScope(actor, path)) throw new DomainError('forbidden', `site ${siteId} is outside your scope`);
    return path;
  }
}
