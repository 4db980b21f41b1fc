import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { Logger } from 'pino';
import { DataSource, QueryFailedError, type EntityManager } from 'typeorm';
import type { DailyRoundView, OpenDailyRoundRequest } from '#contracts';
import { isInScope, openRoundDenial, reminderAt, roundClosesAt, toShanghaiIso, type Actor } from '#domain';
import { AuditStore } from '#persistence';
import { AppConfig, DomainError, LOGGER, DrillLinks, DrillsRepository } from '#platform';
import { refuse } from '../../directives/shared/refuse.js';
import { DailyReportAlerts } from './daily-report-alerts.js';
import { DailyRoundTimers } from './daily-round-timers.js';
import { DailyReportsRepository, type RoundRow, type SiteRow } from './daily-reports.repository.js';

const UNIQUE_VIOLATION = '23505';
const ids = (sites: SiteRow[]) => sites.map((s) => s.id);

/**
 * Opens a round of daily reports: by hand (commanders and dispatchers, for sites in their
 * scope) or by the scheduler for every township. A site is in at most one round per date
 * and drill (or none): a second round naming it is refused (409), whoever opens it; a
 * drill's round stands beside the real round of its date (docs/drills.md). The round, its targets and
 * the audit entry are one transaction; then its timers are set and the sites told.
 */
@Injectable()
export class DailyRoundsService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rows: DailyReportsRepository,
    private readonly audit: AuditStore,
    private readonly timers: DailyRoundTimers,
    private readonly alerts: DailyReportAlerts,
    private readonly drillLinks: DrillLinks,
    private readonly drills: DrillsRepository,
    @Inject(AppConfig) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  async open(actor: Actor, req: OpenDailyRoundRequest): Promise<DailyRoundView> {
    const dueAt = new Date(req.dueAt);
    refuse(openRoundDenial(req.date, dueAt, new Date()));
    const drillId = req.drillId ?? null;
    const siteIds = req.siteIds ?? (drillId ? await this.drillSites(actor, drillId) : null);
    const sites = siteIds ? await this.named(actor, siteIds) : await this.townships(actor);
    const drill = await this.drillLinks.check(actor, req.drillId, req.drill, ids(sites));
    const round = await this.insert(
      { date: req.date, dueAt, drill, drillId, openedBy: actor.userId, scopeSiteId: actor.siteId },
      async (tx) => {
        // under the drill's share lock: an end racing this round cannot let it in afterwards
        await this.drillLinks.attach(tx, req.drillId, ids(sites));
        const taken = await this.rows.taken(tx, req.date, ids(sites), drillId);
        if (taken.length)
          throw new DomainError(
            'conflict',
            `a round of ${req.date}${drillId ? ` in drill ${drillId}` : ''} already names ${taken.length} of these sites (${taken.slice(0, 5).join(', ')})`,
          );
        return sites;
      },
    );
    return this.started(round!, sites);
  }

  /**
   * The scheduler's round of a day: every township not yet in a round of the date. The
   * claim row of the date, written in the same transaction, lets one instance open it.
   * Null when another instance has it (or had it).
   */
  async openAutomatic(date: string, dueAt: Date): Promise<DailyRoundView | null> {
    const all = await this.rows.townshipsUnder('/');
    let sites: SiteRow[] = [];
    const round = await this.insert(
      { date, dueAt, drill: false, drillId: null, openedBy: null, scopeSiteId: null },
      async (tx, id) => {
        // drill rounds of the date do not count: the real round is still owed
        const taken = new Set(await this.rows.taken(tx, date, ids(all), null));
        sites = all.filter((s) => !taken.has(s.id));
        if (!(await this.rows.claimAuto(tx, date, sites.length ? id : null))) return null;
        if (!sites.length) this.logger.info({ date }, 'daily reports: every township already has a round');
        return sites.length ? sites : null;
      },
    );
    return round ? this.started(round, sites) : null;
  }

  private async insert(
    r: {
      date: string;
      dueAt: Date;
      drill: boolean;
      drillId: string | null;
      openedBy: string | null;
      scopeSiteId: string | null;
    },
    /** the sites of the round, checked inside its transaction; null abandons it */
    targets: (tx: EntityManager, id: string) => Promise<SiteRow[] | null>,
  ): Promise<RoundRow | null> {
    const id = randomUUID();
    const now = new Date();
    const closesAt = roundClosesAt(r.date, r.dueAt, this.config.raw.DAILY_REPORT_CUTOFF_SECONDS ?? null);
    try {
      return await this.dataSource.transaction(async (tx) => {
        const sites = await targets(tx, id);
        if (!sites) return null;
        const siteIds = ids(sites);
        const row = await this.rows.insertRound(
          tx,
          {
            id,
            date: r.date,
            due_at: r.dueAt,
            remind_at: reminderAt(now, r.dueAt, this.config.raw.DAILY_REPORT_REMIND_SECONDS),
            closes_at: closesAt,
            drill: r.drill,
            drill_id: r.drillId,
            opened_by: r.openedBy,
            scope_site_id: r.scopeSiteId,
          },
          siteIds,
        );
        await this.audit.append(
          {
            actorId: r.openedBy,
            action: 'daily.round.open',
            subjectType: 'daily_report_round',
            subjectId: id,
            data: {
              date: r.date,
              dueAt: r.dueAt.toISOString(),
              closesAt: closesAt.toISOString(),
              siteIds,
              ...(r.drill ? { drill: true } : {}),
              ...(r.drillId ? { drillId: r.drillId } : {}),
              ...(r.openedBy ? {} : { automatic: true }),
            },
          },
          tx,
        );
        return row;
      });
    } catch (err) {
      // two openers at once: the targets' primary key lets one in
      if (err instanceof QueryFailedError && (err.driverError as { code?: string }).code === UNIQUE_VIOLATION)
        throw new DomainError('conflict', `a round of ${r.date} already names some of these sites`);
      throw err;
    }
  }

  private async started(round: RoundRow, sites: SiteRow[]): Promise<DailyRoundView> {
    await this.timers.schedule(round);
    this.alerts.due(
      round,
      sites.map((s) => ({ siteId: s.id, siteName: s.name, parentId: s.parent_id })),
    );
    return {
      date: round.date,
      dueAt: toShanghaiIso(round.due_at),
      drill: round.drill,
      drillId: round.drill_id,
      sites: sites.map((s) => ({
        siteId: s.id,
        siteName: s.name,
        state: 'pending',
        submittedAt: null,
        channel: null,
        kind: null,
        version: null,
        drill: round.drill,
        drillId: round.drill_id,
        dueAt: toShanghaiIso(round.due_at),
      })),
    };
  }

  /**
   * A drill round without siteIds names the drill's sites in the caller's scope, as a round
   * without siteIds names the townships in it. A drill with none there is 404 like an unknown
   * one (docs/drills.md: a drill out of one's reach is not told to exist).
   */
  private async drillSites(actor: Actor, drillId: string): Promise<string[]> {
    const d = await this.drills.find(drillId);
    const mine = (d?.sites ?? []).filter((s) => isInScope(actor, s.path)).map((s) => s.id);
    if (!mine.length)
      throw new DomainError('not_found', `drill ${drillId} does not exist`, [
        { path: 'drillId', message: 'no such drill' },
      ]);
    return mine;
  }

  private async named(actor: Actor, ids: string[]): Promise<SiteRow[]> {
    const unique = [...new Set(ids)];
    const sites = await this.rows.sites(unique);
    if (sites.length < unique.length) {
      const known = new Set(sites.map((s) => s.id));
      throw new DomainError('not_found', `no such site: ${unique.filter((id) => !known.has(id)).join(', ')}`);
    }
    const outside = sites.find((s) => !isInScope(actor, s.path));
    if (outside) throw new DomainError('forbidden', `site ${outside.id} is outside your scope`);
    return sites;
  }

  private async townships(actor: Actor): Promise<SiteRow[]> {
    const sites = await this.rows.townshipsUnder(actor.role === 'admin' ? '/' : actor.sitePath);
    if (!sites.length)
      throw new DomainError('invalid', 'there is no township in your scope', [
        { path: 'siteIds', message: 'name the sites: there is no township in your scope' },
      ]);
    return sites;
  }
}
