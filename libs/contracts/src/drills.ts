import { z } from 'zod';
import { boundedDateTime, singleLineText } from './text.js';

/**
 * 演练: a drill groups the directives, spot checks (查岗), incidents (信息报送), daily-report
 * rounds, consultations (视频会商) and warnings done in it (issue 19; docs/drills.md). Items join a drill by `drillId`; they are marked 演练
 * everywhere and counted only in the drill's after-action report.
 */

/** 桌面推演 / 功能演练 / 全面演练 / 双盲演练 */
export const DRILL_KINDS = ['tabletop', 'functional', 'full', 'no-notice'] as const;
export const DrillKindSchema = z.enum(DRILL_KINDS, {
  error: 'must be one of tabletop, functional, full, no-notice',
});
export type DrillKind = z.infer<typeof DrillKindSchema>;

export const MAX_DRILL_NAME = 200;
export const MAX_DRILL_SITES = 200;
/** A drill lasts at most 7 days: a longer "drill" would hide real work from the statistics. */
export const MAX_DRILL_SECONDS = 7 * 24 * 3600;

export const CreateDrillRequestSchema = z
  .strictObject({
    name: singleLineText(MAX_DRILL_NAME).refine((v) => v.trim().length > 0, 'must not be empty'),
    kind: DrillKindSchema,
    siteIds: z
      .array(z.uuid())
      .min(1, 'name at least one site')
      .max(MAX_DRILL_SITES, `at most ${MAX_DRILL_SITES} sites`)
      .refine((s) => new Set(s).size === s.length, 'a site is named twice'),
    startsAt: boundedDateTime(),
    endsAt: boundedDateTime(),
  })
  .refine((r) => Date.parse(r.endsAt) > Date.parse(r.startsAt), {
    message: 'endsAt must be after startsAt',
    path: ['endsAt'],
  })
  .refine((r) => Date.parse(r.endsAt) - Date.parse(r.startsAt) <= MAX_DRILL_SECONDS * 1000, {
    message: 'a drill lasts at most 7 days',
    path: ['endsAt'],
  });
export type CreateDrillRequest = z.infer<typeof CreateDrillRequestSchema>;

export const ListDrillsQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListDrillsQuery = z.infer<typeof ListDrillsQuerySchema>;

/** scheduled: before startsAt; running; ended: past endsAt or ended early */
export type DrillState = 'scheduled' | 'running' | 'ended';

export interface DrillSiteView {
  id: string;
  name: string;
}

export interface DrillView {
  id: string;
  name: string;
  kind: DrillKind;
  state: DrillState;
  sites: DrillSiteView[];
  startsAt: string;
  endsAt: string;
  /** set when ended early (POST /drills/:id/end) */
  endedAt: string | null;
  endedBy: string | null;
  createdAt: string;
  createdBy: string;
  creatorSiteId: string;
}

/** Seconds figures: each value, with median and max (null when there are none). */
export interface DrillSecondsView {
  values: number[];
  median: number | null;
  max: number | null;
}

export interface DrillSiteReportView {
  siteId: string;
  siteName: string;
  directives: {
    sent: number;
    delivered: number;
    acknowledged: number;
    /** seconds from issue to 签收 */
    ackSeconds: DrillSecondsView;
    /** 反馈 */
    answered: number;
    answerSeconds: DrillSecondsView;
  };
  spotChecks: {
    sent: number;
    onTime: number;
    late: number;
    missed: number;
    /** not yet settled */
    pending: number;
    answerSeconds: DrillSecondsView;
  };
  reports: { incidents: number; submitted: number; late: number };
  warnings: { sent: number; delivered: number; acknowledged: number };
  /**
   * 日报告 rounds of the drill naming the site (additive): submitted (on time or late), of
   * which late; missing at the close; pending (still open); seconds from the round's opening
   * to the site's first report
   */
  dailyReports: {
    sent: number;
    submitted: number;
    late: number;
    missing: number;
    pending: number;
    submitSeconds: DrillSecondsView;
  };
  /** 视频会商 of the drill the site was invited to, joined, and seconds from invitation to joining (additive) */
  consultations: { invited: number; joined: number; joinSeconds: DrillSecondsView };
  /** true: sent something and never answered any of it (签收, 反馈, 查岗, 预警签收, 日报告 or joining a 会商) */
  silent: boolean;
}

/** One 视频会商 held in the drill (additive): per invited drill site the reader may see. */
export interface DrillConsultationView {
  id: string;
  title: string;
  state: 'scheduled' | 'live' | 'ended';
  createdAt: string;
  scheduledAt: string | null;
  /** the invitation's moment: scheduledAt when later than createdAt, else createdAt */
  invitedAt: string;
  /** the first join (a consultation starts when someone joins it); null before that */
  startedAt: string | null;
  endedAt: string | null;
  invited: number;
  joined: number;
  sites: { siteId: string; siteName: string; joinedAt: string | null; joinSeconds: number | null }[];
}

export interface DrillReportView {
  drill: DrillView;
  generatedAt: string;
  sites: DrillSiteReportView[];
  totals: Omit<DrillSiteReportView, 'siteId' | 'siteName' | 'silent'>;
  /** the drill's 视频会商, oldest first (additive) */
  consultations: DrillConsultationView[];
  /**
   * the sites that stand out: never 签收'd a directive, missed a 查岗 or a 日报告 (additive),
   * or said nothing at all
   */
  missed: {
    acknowledgement: string[];
    feedback: string[];
    spotCheck: string[];
    dailyReport: string[];
    silent: string[];
  };
}
