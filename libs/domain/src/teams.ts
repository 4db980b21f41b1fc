import { MIN_VILLAGE_SHOCK_HEADCOUNT, type DirectiveLevel, type TeamKind, type TeamStatus } from '#contracts';
import { isInScope, type Actor } from './access-policy.js';
import { invalidField, type RuleDenial } from './rule-denial.js';

/** 应急队伍 (docs/resources.md): the rules of a team and its alerts, free of I/O. */

/** Teams created, edited or imported per user per minute (TeamBudget). */
export const TEAM_WRITES_PER_MINUTE = 30;

/** The kind's name in the directive a team's site receives (zh-CN: what the duty room reads). */
export const TEAM_KIND_NAMES: Record<TeamKind, string> = {
  general: '综合应急队伍',
  flood: '防汛抢险队伍',
  'forest-fire': '森林消防队伍',
  hazmat: '危化救援队伍',
  medical: '医疗救护队伍',
  'village-shock': '村级应急突击队',
  other: '应急队伍',
};

/** A village 突击队 has at least 30 people (the source documents); any team at least 1. */
export function teamHeadcountDenial(kind: TeamKind, headcount: number): RuleDenial | null {
  if (kind === 'village-shock' && headcount < MIN_VILLAGE_SHOCK_HEADCOUNT)
    return invalidField(
      'headcount',
      `a village shock team (村级突击队) has at least ${MIN_VILLAGE_SHOCK_HEADCOUNT} people`,
    );
  return null;
}

/** Admins and commanders keep the teams of their subtree; the others only read them. */
export function teamWriteDenial(actor: Actor, sitePath: string): RuleDenial | null {
  if (actor.role !== 'admin' && actor.role !== 'commander')
    return { code: 'forbidden', message: `role ${actor.role} may not create or edit teams` };
  if (!isInScope(actor, sitePath))
    return {
      code: 'forbidden',
      message: 'siteId: outside your scope',
      fields: [{ path: 'siteId', message: 'outside your scope' }],
    };
  return null;
}

/** What the status is read from: the base a person set, and the team's latest alert. */
export interface TeamStatusFacts {
  base: 'available' | 'unavailable';
  alert: {
    released: boolean;
    /** the alert directive's status: issued, cancelled or closed */
    directiveStatus: string;
    /** the team's site's recipient state on that directive */
    recipientState: string;
  } | null;
}

/**
 * A team's status, derived on every read rather than stored: the 签收 and 反馈 of the alert's
 * directive are already durable in directive_recipients, so a crash between a 签收 and a
 * status update cannot leave a team stuck (TeamsRepository's SQL mirrors this for filters).
 * 签收 → deployed; 反馈 (completed), a cancelled or closed directive, or a released alert →
 * available; otherwise (pending, delivered, expired, failed) the team stays alerted until a
 * person sets its status.
 */
export function teamStatus(f: TeamStatusFacts): TeamStatus {
  if (f.base === 'unavailable') return 'unavailable';
  const a = f.alert;
  if (!a || a.released || a.directiveStatus !== 'issued') return 'available';
  if (a.recipientState === 'completed') return 'available';
  if (a.recipientState === 'acknowledged') return 'deployed';
  return 'alerted';
}

/** Only an unavailable team refuses an alert; an alerted or deployed one may be called again. */
export function teamAlertDenial(team: { id: string; name: string; status: TeamStatus }): RuleDenial | null {
  if (team.status === 'unavailable')
    return { code: 'conflict', message: `team ${team.name} (${team.id}) is unavailable and takes no alerts` };
  return null;
}

export interface TeamAlertFacts {
  name: string;
  kind: TeamKind;
  siteName: string;
  leaderName: string;
  leaderPhone: string;
  headcount: number;
  assembleMinutes: number;
}

/**
 * The alert directive's title and body, both naming the team so the duty room console, the
 * site's terminal and the radio announcement say who is called. A caller's own title gets the
 * name in front unless it already holds it; a caller's body follows a line addressed to the team.
 */
export function teamAlertText(
  t: TeamAlertFacts,
  opts: { title?: string; body?: string; level?: DirectiveLevel },
): { title: string; body: string; level: DirectiveLevel } {
  const title = opts.title
    ? opts.title.includes(t.name)
      ? opts.title
      : `【${t.name}】${opts.title}`
    : `【${t.name}】应急出动通知`;
  const to = `致${t.siteName}${t.name}（${TEAM_KIND_NAMES[t.kind]}，队长${t.leaderName} ${t.leaderPhone}，${t.headcount}人）：`;
  const body = opts.body
    ? `${to}\n${opts.body}`
    : `${to}\n请于${t.assembleMinutes}分钟内集结完毕，签收后出发，任务完成后反馈。`;
  return { title, body, level: opts.level ?? 'orange' };
}
