import { z } from 'zod';
import { DirectiveLevelSchema, DirectiveTargetsSchema } from './directives.js';
import { multiLineText, singleLineText } from './text.js';
import { WarningAreasSchema, WarningLevelSchema } from './warnings.js';

/**
 * 预案 and 启动响应 (issue 23, docs/plans.md): a plan per hazard and site with response levels
 * Ⅰ–Ⅳ, each listing actions; a response starts every action of one level in one step.
 */

/** Ⅰ is the most severe */
export const RESPONSE_LEVELS = ['I', 'II', 'III', 'IV'] as const;
export const ResponseLevelSchema = z.enum(RESPONSE_LEVELS, { error: 'must be one of I, II, III, IV' });
export type ResponseLevel = z.infer<typeof ResponseLevelSchema>;

/** 防汛, 森林防火, 地质灾害, 危化, 地震, 气象灾害, 其他 */
export const HAZARDS = [
  'flood',
  'forest-fire',
  'geologic',
  'hazmat',
  'earthquake',
  'weather',
  'other',
] as const;
export const HazardSchema = z.enum(HAZARDS, { error: `must be one of ${HAZARDS.join(', ')}` });
export type Hazard = z.infer<typeof HazardSchema>;

export const MAX_PLAN_ACTIONS_PER_LEVEL = 20;
export const MAX_PLAN_ACTION_SITES = 200;
export const MAX_PLAN_ACTION_TEAMS = 50;

const body = multiLineText(8 * 1024);
const siteIds = z
  .array(z.uuid())
  .min(1, 'name at least one site')
  .max(MAX_PLAN_ACTION_SITES, `at most ${MAX_PLAN_ACTION_SITES} sites`)
  .refine((s) => new Set(s).size === s.length, 'a site is named twice');

/** A directive from a saved template (its title, body and level) or written inline. */
export const PlanDirectiveActionSchema = z
  .strictObject({
    kind: z.literal('directive'),
    templateId: z.uuid().optional(),
    title: singleLineText(200).optional(),
    body: body.optional(),
    level: DirectiveLevelSchema.optional(),
    targets: DirectiveTargetsSchema,
  })
  .refine((a) => (a.templateId ? !a.title && !a.body && !a.level : !!a.title && !!a.body && !!a.level), {
    message: 'give templateId, or title, body and level (not both)',
  })
  .refine((a) => (a.targets.siteIds?.length ?? 0) <= MAX_PLAN_ACTION_SITES, {
    message: `at most ${MAX_PLAN_ACTION_SITES} sites`,
    path: ['targets', 'siteIds'],
  })
  .refine((a) => (a.targets.groupIds?.length ?? 0) <= 20, {
    message: 'at most 20 groups',
    path: ['targets', 'groupIds'],
  });

export const PlanConsultationActionSchema = z.strictObject({
  kind: z.literal('consultation'),
  title: singleLineText(200).optional(),
  siteIds,
});

export const PlanAlertTeamsActionSchema = z.strictObject({
  kind: z.literal('alert-teams'),
  teamIds: z
    .array(z.uuid())
    .min(1, 'name at least one team')
    .max(MAX_PLAN_ACTION_TEAMS, `at most ${MAX_PLAN_ACTION_TEAMS} teams`)
    .refine((s) => new Set(s).size === s.length, 'a team is named twice'),
});

/** Drafts a warning (it stays a draft for the normal review flow); valid `validHours` from the start. */
export const PlanWarningActionSchema = z.strictObject({
  kind: z.literal('warning'),
  event: singleLineText(100),
  level: WarningLevelSchema,
  headline: singleLineText(200),
  description: body,
  instruction: body,
  areas: WarningAreasSchema,
  validHours: z.number().int().min(1).max(720).default(24),
});

/** 加强值守: a directive to the sites' duty rooms asking for 带班领导 + officers on duty. */
export const PlanDutyActionSchema = z.strictObject({
  kind: z.literal('duty'),
  siteIds,
  note: multiLineText(2 * 1024, { allowEmpty: true }).optional(),
});

export const PlanActionSchema = z.discriminatedUnion('kind', [
  PlanDirectiveActionSchema,
  PlanConsultationActionSchema,
  PlanAlertTeamsActionSchema,
  PlanWarningActionSchema,
  PlanDutyActionSchema,
]);
export type PlanAction = z.infer<typeof PlanActionSchema>;
export type PlanActionKind = PlanAction['kind'];

export const PlanLevelSchema = z.strictObject({
  level: ResponseLevelSchema,
  actions: z
    .array(PlanActionSchema)
    .max(MAX_PLAN_ACTIONS_PER_LEVEL, `at most ${MAX_PLAN_ACTIONS_PER_LEVEL} actions per level`),
});
export type PlanLevel = z.infer<typeof PlanLevelSchema>;

export const PlanVersionRequestSchema = z.strictObject({
  name: singleLineText(200).refine((v) => v.trim().length > 0, 'must not be empty'),
  hazard: HazardSchema,
  levels: z
    .array(PlanLevelSchema)
    .min(1, 'give at least one level')
    .max(4, 'at most 4 levels')
    .refine((l) => new Set(l.map((x) => x.level)).size === l.length, 'a level is given twice'),
});
export type PlanVersionRequest = z.infer<typeof PlanVersionRequestSchema>;

export const CreatePlanRequestSchema = PlanVersionRequestSchema.extend({ siteId: z.uuid() });
export type CreatePlanRequest = z.infer<typeof CreatePlanRequestSchema>;

export const GetPlanQuerySchema = z.strictObject({ version: z.coerce.number().int().min(1).optional() });
export type GetPlanQuery = z.infer<typeof GetPlanQuerySchema>;

export const ListPlansQuerySchema = z.strictObject({
  hazard: HazardSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListPlansQuery = z.infer<typeof ListPlansQuerySchema>;

export interface PlanCreatedView {
  id: string;
  version: number;
}

export interface PlanVersionSummaryView {
  version: number;
  createdAt: string;
  createdBy: string;
}

export interface PlanView {
  id: string;
  siteId: string;
  siteName: string;
  name: string;
  hazard: Hazard;
  /** the version shown (the latest unless ?version= asked for another) */
  version: number;
  latestVersion: number;
  levels: PlanLevel[];
  versions: PlanVersionSummaryView[];
  createdAt: string;
  updatedAt: string;
}

export interface PlanSummaryView {
  id: string;
  siteId: string;
  siteName: string;
  name: string;
  hazard: Hazard;
  latestVersion: number;
  levels: ResponseLevel[];
  updatedAt: string;
}

// ---- responses (启动响应) ----

export const StartResponseRequestSchema = z.strictObject({
  planId: z.uuid(),
  level: ResponseLevelSchema,
  incidentId: z.uuid().optional(),
  /** 演练 without a drill record */
  drill: z.boolean().optional(),
  /** run within this open drill (docs/drills.md): implies drill: true */
  drillId: z.uuid().optional(),
});
export type StartResponseRequest = z.infer<typeof StartResponseRequestSchema>;

export const ChangeResponseLevelRequestSchema = z.strictObject({ level: ResponseLevelSchema });
export type ChangeResponseLevelRequest = z.infer<typeof ChangeResponseLevelRequestSchema>;

export const EndResponseRequestSchema = z.strictObject({ summary: multiLineText(8 * 1024) });
export type EndResponseRequest = z.infer<typeof EndResponseRequestSchema>;

export const RESPONSE_STATES = ['active', 'ended'] as const;
export type ResponseState = (typeof RESPONSE_STATES)[number];

export const ListResponsesQuerySchema = z.strictObject({
  state: z.enum(RESPONSE_STATES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListResponsesQuery = z.infer<typeof ListResponsesQuerySchema>;

export interface TeamAlertResultView {
  teamId: string;
  directiveId?: string | null;
  [key: string]: unknown;
}

export interface StartResponseView {
  id: string;
  directiveIds: string[];
  consultationId: string | null;
  teamAlerts: TeamAlertResultView[];
  /** actions that failed, each with its reason (the response is started; retry them) */
  failed: { actionId: string; kind: string; reason: string }[];
}

/** pending: written, not yet run (a crash left it, or it runs now); started; failed (with reason) */
export type ResponseActionState = 'pending' | 'started' | 'failed';
/** on the board: a pending action past RESPONSE_ACTION_STALL_SECONDS was cut short (a crash) */
export type ResponseBoardActionState = ResponseActionState | 'interrupted';
/** the kinds of a plan, plus the notices a level change or the end sends */
export type ResponseActionKind = PlanActionKind | 'level-change' | 'end';

export interface ResponseDirectiveCounts {
  sent: number;
  delivered: number;
  acknowledged: number;
  answered: number;
}

export interface ResponseActionView {
  id: string;
  level: ResponseLevel;
  kind: ResponseActionKind;
  state: ResponseBoardActionState;
  reason: string | null;
  /** what the action does, in a line (a title, the invited sites' count …) */
  title: string;
  directiveId: string | null;
  counts: ResponseDirectiveCounts | null;
  consultation: { id: string; state: string } | null;
  warningId: string | null;
  teams: { id: string; name: string; status: string }[];
  createdAt: string;
}

export interface ResponseView {
  id: string;
  planId: string;
  planName: string;
  planVersion: number;
  hazard: Hazard;
  level: ResponseLevel;
  state: ResponseState;
  incidentId: string | null;
  drill: boolean;
  drillId: string | null;
  consultationId: string | null;
  startedAt: string;
  startedBy: string;
  /** seconds since the start (until the end, once ended) */
  elapsedSeconds: number;
  endedAt: string | null;
  summary: string | null;
  levels: { level: ResponseLevel; at: string; by: string }[];
  actions: ResponseActionView[];
  /** actions that failed or never finished: the board shows them, POST /retry runs them again */
  problems: number;
}

export interface ResponseSummaryView {
  id: string;
  planId: string;
  planName: string;
  level: ResponseLevel;
  state: ResponseState;
  drill: boolean;
  incidentId: string | null;
  startedAt: string;
  endedAt: string | null;
}
