import { z } from 'zod';
import { DirectiveLevelSchema, type DirectiveLevel } from './directives.js';
import { pageQuerySchema } from './paging.js';
import { phoneNumber } from './phone.js';
import { boundedDateTime, multiLineText, singleLineText } from './text.js';

/**
 * 应急队伍 (issue 23, docs/resources.md): rescue teams of a site, and alerting one (a
 * directive to its site addressed to the team by name). Free of Node-only APIs: the console
 * imports this file.
 */

/** 综合 / 防汛 / 森林消防 / 危化 / 医疗 / 村级突击队 / 其他 */
export const TEAM_KINDS = [
  'general',
  'flood',
  'forest-fire',
  'hazmat',
  'medical',
  'village-shock',
  'other',
] as const;
export const TeamKindSchema = z.enum(TEAM_KINDS, { error: `must be one of ${TEAM_KINDS.join(', ')}` });
export type TeamKind = z.infer<typeof TeamKindSchema>;

/**
 * available: ready; alerted: an alert's directive is out, not yet 签收; deployed: its site
 * signed for it (签收); unavailable: set by hand, refuses alerts. alerted and deployed follow
 * from the team's latest alert (docs/resources.md), so only available and unavailable are set.
 */
export const TEAM_STATUSES = ['available', 'alerted', 'deployed', 'unavailable'] as const;
export const TeamStatusSchema = z.enum(TEAM_STATUSES, {
  error: `must be one of ${TEAM_STATUSES.join(', ')}`,
});
export type TeamStatus = z.infer<typeof TeamStatusSchema>;
export const SETTABLE_TEAM_STATUSES = ['available', 'unavailable'] as const;
export const SettableTeamStatusSchema = z.enum(SETTABLE_TEAM_STATUSES, {
  error: 'must be available or unavailable (alerted and deployed follow from an alert)',
});

export const MAX_TEAM_NAME = 60;
export const MAX_TEAM_LEADER_NAME = 50;
export const MAX_TEAM_EQUIPMENT = 50;
export const MAX_TEAM_EQUIPMENT_ITEM = 50;
export const MAX_TEAM_HEADCOUNT = 100_000;
/** a week: a team that needs longer is not on call */
export const MAX_TEAM_ASSEMBLE_MINUTES = 7 * 24 * 60;
/** the source documents: a village 突击队 has at least 30 people */
export const MIN_VILLAGE_SHOCK_HEADCOUNT = 30;
/** teams per site (TeamsService.create): a site's roster, not a personnel database */
export const MAX_TEAMS_PER_SITE = 200;

const equipment = z
  .array(singleLineText(MAX_TEAM_EQUIPMENT_ITEM), { error: 'must be a list of short texts' })
  .max(MAX_TEAM_EQUIPMENT, `at most ${MAX_TEAM_EQUIPMENT} items`);

const teamFields = {
  name: singleLineText(MAX_TEAM_NAME),
  kind: TeamKindSchema,
  siteId: z.uuid(),
  leaderName: singleLineText(MAX_TEAM_LEADER_NAME),
  leaderPhone: phoneNumber(),
  /** a user of the team's site (its leader's account), if they have one */
  leaderUserId: z.uuid().nullable(),
  headcount: z
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(MAX_TEAM_HEADCOUNT, `must be at most ${MAX_TEAM_HEADCOUNT}`),
  equipment,
  assembleMinutes: z
    .number({ error: 'must be a whole number of minutes' })
    .int('must be a whole number of minutes')
    .min(0, 'must be 0 or more')
    .max(MAX_TEAM_ASSEMBLE_MINUTES, `must be at most ${MAX_TEAM_ASSEMBLE_MINUTES}`),
  lastVerifiedAt: boundedDateTime().nullable(),
};

export const CreateTeamRequestSchema = z.strictObject({
  ...teamFields,
  leaderUserId: teamFields.leaderUserId.optional(),
  equipment: equipment.default([]),
  lastVerifiedAt: teamFields.lastVerifiedAt.optional(),
  status: SettableTeamStatusSchema.default('available'),
});
export type CreateTeamRequest = z.infer<typeof CreateTeamRequestSchema>;

/** Every field optional; null clears leaderUserId and lastVerifiedAt. The site does not move. */
export const UpdateTeamRequestSchema = z
  .strictObject({
    name: teamFields.name.optional(),
    kind: teamFields.kind.optional(),
    leaderName: teamFields.leaderName.optional(),
    leaderPhone: teamFields.leaderPhone.optional(),
    leaderUserId: teamFields.leaderUserId.optional(),
    headcount: teamFields.headcount.optional(),
    equipment: equipment.optional(),
    assembleMinutes: teamFields.assembleMinutes.optional(),
    lastVerifiedAt: teamFields.lastVerifiedAt.optional(),
    /** setting it ends the team's open alert (available: back from a job; unavailable: off duty) */
    status: SettableTeamStatusSchema.optional(),
  })
  .refine((r) => Object.keys(r).length > 0, 'name at least one field to change');
export type UpdateTeamRequest = z.infer<typeof UpdateTeamRequestSchema>;

export const TEAMS_PAGE_DEFAULT = 100;
export const TEAMS_PAGE_MAX = 500;

export const ListTeamsQuerySchema = pageQuerySchema(TEAMS_PAGE_DEFAULT, TEAMS_PAGE_MAX).extend({
  status: TeamStatusSchema.optional(),
  kind: TeamKindSchema.optional(),
  /** the site's own teams (not those below it) */
  siteId: z.uuid().optional(),
});
export type ListTeamsQuery = z.infer<typeof ListTeamsQuerySchema>;

export const MAX_TEAM_ALERT_TITLE = 120;
export const MAX_TEAM_ALERT_BODY_BYTES = 4096;

/** POST /teams/:id/alert: the directive's title and body get the team's name (default texts otherwise). */
export const AlertTeamRequestSchema = z.strictObject({
  title: singleLineText(MAX_TEAM_ALERT_TITLE).optional(),
  body: multiLineText(MAX_TEAM_ALERT_BODY_BYTES).optional(),
  level: DirectiveLevelSchema.optional(),
});
export type AlertTeamRequest = z.infer<typeof AlertTeamRequestSchema>;

/** What another module (预案 responses, drills) passes to TeamAlertsService.alert. */
export interface TeamAlertOptions {
  responseId?: string;
  drillId?: string;
  incidentId?: string;
  title?: string;
  body?: string;
  level?: DirectiveLevel;
}

export interface TeamAlertResult {
  teamId: string;
  directiveId: string;
}

export interface TeamAlertView {
  id: string;
  directiveId: string;
  responseId: string | null;
  drillId: string | null;
  incidentId: string | null;
  createdAt: string;
  /** ended by the response's end or a status set by hand */
  releasedAt: string | null;
}

export interface TeamView {
  id: string;
  name: string;
  kind: TeamKind;
  siteId: string;
  siteName: string;
  leaderName: string;
  leaderPhone: string;
  leaderUserId: string | null;
  headcount: number;
  equipment: string[];
  assembleMinutes: number;
  /** derived from the latest alert's directive while it is open (docs/resources.md) */
  status: TeamStatus;
  lastVerifiedAt: string | null;
  /** the latest alert, open or not */
  lastAlert: TeamAlertView | null;
  createdAt: string;
  updatedAt: string;
}

/** A response's alert of one team, with the team's status now (TeamAlertsService.forResponse). */
export interface TeamResponseAlertView {
  teamId: string;
  teamName: string;
  siteId: string;
  siteName: string;
  directiveId: string;
  /** the team's status now: its latest alert decides, which may be a newer one than this */
  status: TeamStatus;
  alertedAt: string;
  releasedAt: string | null;
}

export interface TeamImportResult {
  created: number;
  updated: number;
}
