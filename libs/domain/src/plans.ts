import type { Hazard, PlanAction, PlanLevel, ResponseActionState, ResponseLevel } from '#contracts';
import type { Actor } from './access-policy.js';
import type { RuleDenial } from './rule-denial.js';

/** 预案 and 启动响应 (docs/plans.md): the rules of plans and responses, free of I/O. */

/** Plan versions written and responses started, changed or ended, per user per minute. */
export const PLAN_WRITES_PER_MINUTE = 20;
export const RESPONSE_WRITES_PER_MINUTE = 20;
/** A pending action older than this was interrupted (a crash mid-start): the board says so. */
export const RESPONSE_ACTION_STALL_SECONDS = 60;

const RANK: Record<ResponseLevel, number> = { I: 1, II: 2, III: 3, IV: 4 };
const NUMERAL: Record<ResponseLevel, string> = { I: 'Ⅰ', II: 'Ⅱ', III: 'Ⅲ', IV: 'Ⅳ' };

export const HAZARD_LABELS: Record<Hazard, string> = {
  flood: '防汛',
  'forest-fire': '森林防火',
  geologic: '地质灾害',
  hazmat: '危化',
  earthquake: '地震',
  weather: '气象灾害',
  other: '其他',
};

/** Ⅲ级 */
export function levelLabel(level: ResponseLevel): string {
  return `${NUMERAL[level]}级`;
}

/** Negative when `a` is more severe than `b` (Ⅰ > Ⅱ > Ⅲ > Ⅳ). */
export function compareLevels(a: ResponseLevel, b: ResponseLevel): number {
  return RANK[a] - RANK[b];
}

/** 升级 (towards Ⅰ), 降级 (towards Ⅳ) or the same level. */
export function levelChange(from: ResponseLevel, to: ResponseLevel): 'raise' | 'lower' | 'same' {
  const d = compareLevels(to, from);
  return d < 0 ? 'raise' : d > 0 ? 'lower' : 'same';
}

/** Admins and commanders write plans (within their subtree); everyone else reads. */
export function planEditDenial(actor: Actor): RuleDenial | null {
  return actor.role === 'admin' || actor.role === 'commander'
    ? null
    : { code: 'forbidden', message: `role ${actor.role} may read plans but not write them` };
}

/** Commanders (and admins) start, change and end responses; dispatchers run the board. */
export function responseCommandDenial(actor: Actor): RuleDenial | null {
  return actor.role === 'admin' || actor.role === 'commander'
    ? null
    : {
        code: 'forbidden',
        message: `role ${actor.role} may follow responses but not start, change or end them`,
      };
}

export function responseChangeDenial(
  r: { endedAt: Date | null; level: ResponseLevel },
  to: ResponseLevel,
): RuleDenial | null {
  if (r.endedAt) return { code: 'conflict', message: 'this response has ended' };
  if (r.level === to) return { code: 'conflict', message: `the response is already at ${levelLabel(to)}` };
  return null;
}

export function responseEndDenial(r: { endedAt: Date | null }): RuleDenial | null {
  return r.endedAt ? { code: 'conflict', message: 'this response has already ended' } : null;
}

/** The actions of one level of a plan version (none when the plan has no such level). */
export function actionsOfLevel(levels: PlanLevel[], level: ResponseLevel): PlanAction[] {
  return levels.find((l) => l.level === level)?.actions ?? [];
}

const canonical = (v: unknown): unknown =>
  Array.isArray(v)
    ? v.map(canonical)
    : v && typeof v === 'object'
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>)
            .filter(([, x]) => x !== undefined)
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([k, x]) => [k, canonical(x)]),
        )
      : v;

/** The same action in two levels has the same key: a level change does not start it again. */
export function actionKey(a: PlanAction): string {
  return JSON.stringify(canonical(a));
}

/**
 * What a level change starts: the new level's actions that are not already running. Teams
 * already alerted are left out of an alert; a response has one consultation, so a second
 * consultation action is left out once one is open.
 */
export function actionsForLevelChange(
  next: PlanAction[],
  running: { actions: PlanAction[]; alertedTeamIds: string[]; consultationOpen: boolean },
): PlanAction[] {
  const keys = new Set(running.actions.map(actionKey));
  const alerted = new Set(running.alertedTeamIds);
  const out: PlanAction[] = [];
  for (const a of next) {
    if (keys.has(actionKey(a))) continue;
    if (a.kind === 'consultation' && running.consultationOpen) continue;
    if (a.kind === 'alert-teams') {
      const teamIds = a.teamIds.filter((t) => !alerted.has(t));
      if (teamIds.length) out.push({ ...a, teamIds });
      continue;
    }
    out.push(a);
  }
  return out;
}

/**
 * A board row's state: a pending action that stayed pending past the stall bound was cut
 * short (the process died mid-start) and is shown as `interrupted` so nobody trusts it.
 */
export function boardActionState(
  a: { state: ResponseActionState; createdAt: Date },
  now: Date,
): ResponseActionState | 'interrupted' {
  if (a.state !== 'pending') return a.state;
  return now.getTime() - a.createdAt.getTime() > RESPONSE_ACTION_STALL_SECONDS * 1000
    ? 'interrupted'
    : 'pending';
}

/** 加强值守: the directive a duty action sends to its sites' duty rooms. */
export function dutyDirective(
  planName: string,
  level: ResponseLevel,
  note: string | undefined,
): { title: string; body: string } {
  const lines = [
    `根据《${planName}》启动${levelLabel(level)}应急响应，请立即加强值班值守：`,
    '带班领导到岗带班，值班人员24小时在岗，保持通信畅通，重要情况及时报告。',
  ];
  if (note?.trim()) lines.push(note.trim());
  return { title: `加强值班值守（${levelLabel(level)}响应）`, body: lines.join('\n') };
}

/** 响应级别调整为Ⅱ级 */
export function levelChangeDirective(planName: string, from: ResponseLevel, to: ResponseLevel) {
  const verb = levelChange(from, to) === 'raise' ? '提升' : '降低';
  return {
    title: `响应级别调整为${levelLabel(to)}`,
    body: `《${planName}》应急响应级别由${levelLabel(from)}${verb}为${levelLabel(to)}，请按${levelLabel(to)}响应要求落实各项措施。`,
  };
}

/** 终止 */
export function endDirective(planName: string, level: ResponseLevel, summary: string) {
  return {
    title: `终止${levelLabel(level)}应急响应`,
    body: `《${planName}》${levelLabel(level)}应急响应即日终止。\n${summary}`,
  };
}
