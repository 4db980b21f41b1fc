import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import {
  INCIDENT_LEVELS,
  type IncidentLevel,
  type PutReportingRulesRequest,
  type ReportingRule,
  type ReportingRulesView,
} from '#contracts';
import { DEFAULT_REPORTING_RULES, type Actor, type RuleLimits } from '#domain';
import { AuditStore } from '#persistence';
import { DomainError } from '#platform';
import { FindingsRepository, type RuleRow } from './findings.repository.js';
import { isCommander } from './reporting-access.js';

const limitsOf = (r: RuleRow): RuleLimits => ({
  phoneWithinSeconds: r.phone_within_s,
  writtenWithinSeconds: r.written_within_s,
  followupEverySeconds: r.followup_every_s,
});

const ruleView = (level: IncidentLevel, l: RuleLimits): ReportingRule => ({
  level,
  ...(l.phoneWithinSeconds !== null ? { phoneWithinSeconds: l.phoneWithinSeconds } : {}),
  ...(l.writtenWithinSeconds !== null ? { writtenWithinSeconds: l.writtenWithinSeconds } : {}),
  ...(l.followupEverySeconds !== null ? { followupEverySeconds: l.followupEverySeconds } : {}),
});

export interface RuleTable {
  version: number;
  updatedAt: Date;
  limits: Record<IncidentLevel, RuleLimits>;
}

/**
 * The rule table (报送时限): versioned, so a change applies to incidents opened after it and
 * an incident keeps the limits it was opened under (copied onto its row). A PUT replaces
 * each named level's rule whole (an omitted limit: none for that level); other levels keep theirs.
 */
@Injectable()
export class ReportingRules {
  constructor(
    private readonly dataSource: DataSource,
    private readonly findings: FindingsRepository,
    private readonly audit: AuditStore,
  ) {}

  async table(): Promise<RuleTable> {
    const rows = await this.findings.currentRules();
    const limits = { ...DEFAULT_REPORTING_RULES };
    for (const r of rows) limits[r.level] = limitsOf(r);
    return { version: rows[0]?.version ?? 0, updatedAt: rows[0]?.created_at ?? new Date(0), limits };
  }

  async view(): Promise<ReportingRulesView> {
    const t = await this.table();
    return {
      rules: INCIDENT_LEVELS.map((level) => ruleView(level, t.limits[level])),
      updatedAt: t.updatedAt.toISOString(),
      version: t.version,
    };
  }

  async put(actor: Actor, req: PutReportingRulesRequest): Promise<ReportingRulesView> {
    if (!isCommander(actor)) throw new DomainError('forbidden', 'only commanders change the reporting rules');
    await this.dataSource
      .transaction(async (tx) => {
        const current = await this.findings.currentRules(tx);
        const version = (current[0]?.version ?? 0) + 1;
        const limits = { ...DEFAULT_REPORTING_RULES };
        for (const r of current) limits[r.level] = limitsOf(r);
        for (const r of req.rules) {
          limits[r.level] = {
            phoneWithinSeconds: r.phoneWithinSeconds ?? null,
            writtenWithinSeconds: r.writtenWithinSeconds ?? null,
            followupEverySeconds: r.followupEverySeconds ?? null,
          };
        }
        await this.findings.insertRules(
          tx,
          version,
          INCIDENT_LEVELS.map((level) => ({ level, limits: limits[level] })),
          actor.userId,
        );
        await this.audit.append(
          {
            actorId: actor.userId,
            action: 'reporting.rules.update',
            subjectType: 'reporting_rules',
            subjectId: String(version),
            data: { rules: req.rules },
          },
          tx,
        );
      })
      .catch((err: unknown) => {
        if ((err as { code?: string }).code === '23505')
          throw new DomainError('conflict', 'the rules changed meanwhile: read them and try again');
        throw err;
      });
    return this.view();
  }
}
