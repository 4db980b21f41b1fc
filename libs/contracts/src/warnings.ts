import { z } from 'zod';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';
import {
  WARNING_LEVELS,
  WARNING_STATES,
  WARNING_STATUSES,
  type WarningLevelName,
  type WarningMsgType,
  type WarningState,
  type WarningStatus,
  type WarningStep,
} from './warning-events.js';

/**
 * 预警信息发布: the REST contract of warnings (issue 19; docs/warnings.md). A warning is
 * published as a CAP 1.2 alert and, on every channel, as a directive linked to it.
 */

export const WarningLevelSchema = z.enum(WARNING_LEVELS);
export const WarningStateSchema = z.enum(WARNING_STATES);
export const WarningStatusSchema = z.enum(WARNING_STATUSES);

/** GB/T 2260 style: 6 (county and above), 9 (township) or 12 (village) digits */
export const WARNING_REGION_CODE_PATTERN = /^\d{6}(\d{3}(\d{3})?)?$/;
export const MAX_WARNING_REGION_CODES = 500;
export const MAX_WARNING_POLYGONS = 50;
/** description and instruction each: together they fit a directive body (8 KB) */
export const MAX_WARNING_TEXT_BYTES = 4000;

/**
 * A CAP polygon: at least 4 "lat,lon" pairs separated by spaces, the first equal to the last
 * (CAP 1.2 §3.3.2; the schema cannot say so, the hub does).
 */
export function polygonProblem(value: string): string | null {
  const points = value.trim().split(/\s+/);
  if (points.length < 4) return 'a polygon needs at least 4 points';
  if (points.length > 1000) return 'a polygon has at most 1000 points';
  for (const p of points) {
    const m = /^(-?\d{1,2}(?:\.\d+)?),(-?\d{1,3}(?:\.\d+)?)$/.exec(p);
    if (!m) return `"${p.slice(0, 40)}" is not a lat,lon point`;
    const lat = Number(m[1]);
    const lon = Number(m[2]);
    if (lat < -90 || lat > 90 || lon < -180 || lon > 180) return `"${p}" is out of range`;
  }
  if (points[0] !== points[points.length - 1]) return 'the first and last points of a polygon must be equal';
  return null;
}

const polygon = z
  .string()
  .max(40_000, 'a polygon has at most 40000 characters')
  .superRefine((v, ctx) => {
    const problem = polygonProblem(v);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: v });
  });

export const WarningAreasSchema = z.strictObject({
  regionCodes: z
    .array(z.string().regex(WARNING_REGION_CODE_PATTERN, 'must be 6, 9 or 12 digits (GB/T 2260 style)'))
    .min(1, 'name at least one region code')
    .max(MAX_WARNING_REGION_CODES)
    .refine((c) => new Set(c).size === c.length, 'a region code is named twice'),
  polygons: z.array(polygon).max(MAX_WARNING_POLYGONS).optional(),
});
export type WarningAreas = z.infer<typeof WarningAreasSchema>;

const text = () => multiLineText(MAX_WARNING_TEXT_BYTES);

/** The English `info` block (CAP `en-US`), optional: published beside the zh-CN one. */
export const WarningEnglishSchema = z.strictObject({
  event: singleLineText(200).optional(),
  headline: singleLineText(200),
  description: text(),
  instruction: text().optional(),
});
export type WarningEnglish = z.infer<typeof WarningEnglishSchema>;

const onsetBeforeExpires = (r: { onset?: string; expires?: string }) =>
  r.onset === undefined || r.expires === undefined || Date.parse(r.expires) > Date.parse(r.onset);

export const CreateWarningRequestSchema = z
  .strictObject({
    /** the event type, e.g. 暴雨 */
    event: singleLineText(100),
    level: WarningLevelSchema,
    headline: singleLineText(200),
    description: text(),
    instruction: text(),
    areas: WarningAreasSchema,
    onset: boundedDateTime(),
    expires: boundedDateTime(),
    status: WarningStatusSchema.optional(),
    drillId: z.uuid().optional(),
    /** optional English info block (additive to the issue's table) */
    en: WarningEnglishSchema.optional(),
  })
  .refine(onsetBeforeExpires, { message: 'expires must be after onset', path: ['expires'] });
export type CreateWarningRequest = z.infer<typeof CreateWarningRequestSchema>;

export const RejectWarningRequestSchema = z.strictObject({ reason: text() });
export type RejectWarningRequest = z.infer<typeof RejectWarningRequestSchema>;

export const PublishWarningRequestSchema = z.strictObject({
  /** 紧急发布: a commander publishes before sign-off; recorded, signed off after */
  emergency: z.boolean().optional(),
});
export type PublishWarningRequest = z.infer<typeof PublishWarningRequestSchema>;

/** 变更: the fields that change; the rest is carried over from the warning it updates. */
export const UpdateWarningRequestSchema = z
  .strictObject({
    event: singleLineText(100).optional(),
    level: WarningLevelSchema.optional(),
    headline: singleLineText(200).optional(),
    description: text().optional(),
    instruction: text().optional(),
    areas: WarningAreasSchema.optional(),
    onset: boundedDateTime().optional(),
    expires: boundedDateTime().optional(),
    en: WarningEnglishSchema.optional(),
  })
  .refine((r) => Object.keys(r).length > 0, { message: 'name at least one change' })
  .refine(onsetBeforeExpires, { message: 'expires must be after onset', path: ['expires'] });
export type UpdateWarningRequest = z.infer<typeof UpdateWarningRequestSchema>;

/** 解除 */
export const CancelWarningRequestSchema = z.strictObject({ reason: text() });
export type CancelWarningRequest = z.infer<typeof CancelWarningRequestSchema>;

export const ListWarningsQuerySchema = z.strictObject({
  state: WarningStateSchema.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});
export type ListWarningsQuery = z.infer<typeof ListWarningsQuerySchema>;

/** 201 of POST /warnings and of POST /warnings/import */
export interface WarningCreatedView {
  id: string;
  identifier: string;
  state: 'draft';
}

/** CAP `references`: one earlier message */
export interface WarningReferenceView {
  sender: string;
  identifier: string;
  sent: string;
}

/** One step of the workflow: who did it and when. */
export interface WarningStepView {
  step: WarningStep;
  at: string;
  actorId: string | null;
  actorName: string | null;
  /** a rejection's or cancellation's reason */
  reason: string | null;
}

export interface WarningView {
  id: string;
  identifier: string;
  /** CAP sender, e.g. yihu@<region code> */
  sender: string;
  state: WarningState;
  msgType: WarningMsgType;
  status: WarningStatus;
  event: string;
  level: WarningLevelName;
  headline: string;
  description: string;
  instruction: string;
  en: WarningEnglish | null;
  areas: { regionCodes: string[]; polygons: string[] };
  onset: string;
  expires: string;
  /** `sent` of the CAP message: its publication, or its creation while unpublished */
  sent: string;
  drillId: string | null;
  /** the earlier messages this one updates or cancels */
  references: WarningReferenceView[];
  /** the warning this message updates or cancels, and the one that replaced this */
  previousId: string | null;
  supersededById: string | null;
  /** the directive that carries it on every channel, once published */
  directiveId: string | null;
  /** true: published by a commander before sign-off (紧急发布) */
  emergency: boolean;
  /** the issuing site (its region code heads the identifier) */
  issuerSiteId: string;
  /** imported from another system's CAP: its original identifier and sender */
  importedFrom: { identifier: string; sender: string } | null;
  createdAt: string;
  createdBy: string | null;
  submittedAt: string | null;
  submittedBy: string | null;
  approvedAt: string | null;
  approvedBy: string | null;
  rejectedAt: string | null;
  rejectedBy: string | null;
  rejectReason: string | null;
  publishedAt: string | null;
  publishedBy: string | null;
  cancelledAt: string | null;
  cancelledBy: string | null;
  cancelReason: string | null;
  /** every step in order, with who did it */
  history: WarningStepView[];
  /**
   * Whether this hub lets an editor approve their own warning (WARNINGS_SELF_APPROVAL), so a
   * console asks for a second person only where the hub will (additive).
   */
  selfApprovalAllowed: boolean;
}

export type WarningSummaryView = Pick<
  WarningView,
  | 'id'
  | 'identifier'
  | 'state'
  | 'msgType'
  | 'status'
  | 'event'
  | 'level'
  | 'headline'
  | 'onset'
  | 'expires'
  | 'publishedAt'
  | 'directiveId'
  | 'emergency'
  | 'createdAt'
>;

export interface WarningCoverageView {
  /** recipient sites */
  targets: number;
  /** sites reached on at least one channel */
  delivered: number;
  /** sites that 签收'd */
  acknowledged: number;
  /** sites reached per channel */
  byChannel: { console: number; terminal: number; radio: number };
  /** seconds from publication to delivery over the delivered sites; null when none */
  deliveredWithinSeconds: { p50: number | null; p95: number | null };
  /** onset − publishedAt in seconds; null until published */
  leadTimeSeconds: number | null;
  /** onset less than 30 min (WARNING_MIN_LEAD_SECONDS) after publication */
  leadTimeShort: boolean;
}
