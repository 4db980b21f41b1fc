import type { Role, WarningCoverageView, WarningState } from '#contracts';
import { WARNING_MIN_LEAD_SECONDS } from '#contracts';
import type { RuleDenial } from './rule-denial.js';

/**
 * 预警信息发布: the pure rules (docs/warnings.md). The workflow draft → review → approved →
 * published, who may take each step, what an update (变更) or a cancellation (解除) may
 * follow, expiry, the area rule of region codes, and the coverage figures.
 */

/** What the rules need to know about a warning. */
export interface WarningFacts {
  id: string;
  state: WarningState;
  createdBy: string | null;
  expires: Date;
  supersededById?: string | null;
  /** published by a commander before sign-off, and not signed off yet */
  awaitingSignOff?: boolean;
}

export interface WarningActor {
  userId: string;
  role: Role;
}

const EDITORS: readonly Role[] = ['admin', 'commander', 'dispatcher'];
/** 签发 is a leader's act: commanders (and admins) */
const APPROVERS: readonly Role[] = ['admin', 'commander'];

const forbidden = (message: string): RuleDenial => ({ code: 'forbidden', message });
const conflict = (message: string): RuleDenial => ({ code: 'conflict', message });

export function mayEditWarnings(role: Role): boolean {
  return EDITORS.includes(role);
}

export function mayApproveWarnings(role: Role): boolean {
  return APPROVERS.includes(role);
}

/** The state a reader sees: a published warning past `expires` is expired even before the job records it. */
export function effectiveWarningState(state: WarningState, expires: Date, now: Date): WarningState {
  return state === 'published' && expires.getTime() <= now.getTime() ? 'expired' : state;
}

/** Creating a draft or importing one: editors only. */
export function warningDraftDenial(actor: WarningActor): RuleDenial | null {
  return mayEditWarnings(actor.role) ? null : forbidden(`role ${actor.role} may not draft warnings`);
}

/** 制作 → 审核: a draft (also one sent back by a rejection) goes to review. */
export function warningSubmitDenial(actor: WarningActor, w: WarningFacts): RuleDenial | null {
  if (!mayEditWarnings(actor.role)) return forbidden(`role ${actor.role} may not submit warnings`);
  if (w.state !== 'draft') return conflict(`warning ${w.id} is ${w.state}, not a draft`);
  return null;
}

/**
 * 审核/签发: a commander approves a warning in review; never their own draft unless the
 * setting WARNINGS_SELF_APPROVAL allows it (two pairs of eyes on what reaches the public).
 */
export function warningApproveDenial(
  actor: WarningActor,
  w: WarningFacts,
  selfApproval: boolean,
): RuleDenial | null {
  if (!mayApproveWarnings(actor.role)) return forbidden(`role ${actor.role} may not approve warnings`);
  if (w.createdBy === actor.userId && !selfApproval)
    return forbidden('the editor of a warning may not approve it; another person signs it off');
  // 紧急发布: the sign-off is recorded after publication
  if (w.state === 'published' && w.awaitingSignOff) return null;
  if (w.state !== 'review') return conflict(`warning ${w.id} is ${w.state}, not in review`);
  return null;
}

/** A rejection sends a warning in review back to draft, with a reason. */
export function warningRejectDenial(actor: WarningActor, w: WarningFacts): RuleDenial | null {
  if (!mayApproveWarnings(actor.role)) return forbidden(`role ${actor.role} may not reject warnings`);
  if (w.state !== 'review') return conflict(`warning ${w.id} is ${w.state}, not in review`);
  return null;
}

/**
 * 发布: an approved warning, once. `emergency`: a commander publishes a draft or one in
 * review before sign-off (紧急发布, recorded); nobody else may, and without it an
 * unapproved warning is 409. A warning already past its `expires` is not published.
 */
export function warningPublishDenial(
  actor: WarningActor,
  w: WarningFacts,
  emergency: boolean,
  now: Date,
): RuleDenial | null {
  if (!mayEditWarnings(actor.role)) return forbidden(`role ${actor.role} may not publish warnings`);
  if (emergency && actor.role !== 'commander')
    return forbidden('only a commander may publish a warning before sign-off (emergency)');
  if (['published', 'superseded', 'cancelled', 'expired'].includes(w.state))
    return conflict(`warning ${w.id} is ${w.state}: it was published already`);
  if (w.state !== 'approved' && !emergency)
    return conflict(
      `warning ${w.id} is ${w.state}, not approved; only a commander's emergency publication skips sign-off`,
    );
  if (w.expires.getTime() <= now.getTime()) return conflict(`warning ${w.id} expired before publication`);
  return null;
}

/**
 * 变更 and 解除 are new messages that a commander sends at once (the act is the sign-off):
 * only of the latest published message, never of a cancelled, superseded or expired one.
 */
export function warningChangeDenial(
  actor: WarningActor,
  w: WarningFacts,
  change: 'update' | 'cancel',
  now: Date,
): RuleDenial | null {
  if (!mayApproveWarnings(actor.role))
    return forbidden(`role ${actor.role} may not ${change} warnings; a commander does`);
  const state = effectiveWarningState(w.state, w.expires, now);
  if (state === 'cancelled') return conflict(`warning ${w.id} is cancelled: it cannot be ${change}d`);
  if (state === 'superseded')
    return conflict(
      `warning ${w.id} was superseded by ${w.supersededById ?? 'a newer message'}: ${change} that one`,
    );
  if (state === 'expired') return conflict(`warning ${w.id} has expired`);
  if (state !== 'published')
    return conflict(`warning ${w.id} is ${state}: only a published warning can be ${change}d`);
  return null;
}

/** `expires` must follow `onset` (also after an update merges the changes). */
export function warningTimesDenial(onset: Date, expires: Date): RuleDenial | null {
  if (expires.getTime() <= onset.getTime())
    return {
      code: 'invalid',
      message: 'expires: must be after onset',
      fields: [{ path: 'expires', message: 'must be after onset' }],
    };
  return null;
}

/**
 * The part of a region code that its subdivisions share (GB/T 2260 and the 9/12-digit
 * township and village codes): trailing zero groups mark a level that is not subdivided
 * further. 330000 (a province) → 33, 330100 (a city) → 3301, 330106 (a county) → 330106,
 * 330106001 (a township) → 330106001, 330106001000 → 330106001.
 */
export function regionPrefix(code: string): string {
  let c = code;
  if (c.length === 12 && c.endsWith('000')) c = c.slice(0, 9);
  if (c.length === 9 && c.endsWith('000')) c = c.slice(0, 6);
  if (c.length === 6 && c.endsWith('00')) c = c.slice(0, 4);
  if (c.length === 4 && c.endsWith('00')) c = c.slice(0, 2);
  return c;
}

/** True when a site's region code equals or lies under one of the warning's codes. */
export function regionCovers(warningCodes: readonly string[], siteCode: string): boolean {
  return warningCodes.some((c) => siteCode === c || siteCode.startsWith(regionPrefix(c)));
}

/**
 * Every region code that covers `code` (see regionCovers): the code itself and each level
 * above it, in both the short and the zero-padded form. A site whose region code is one of
 * these contains the area `code`.
 */
export function regionAncestors(code: string): string[] {
  const out = new Set<string>([code]);
  const add = (c: string) => {
    if (regionCovers([c], code)) out.add(c);
  };
  if (code.length === 12) {
    add(code.slice(0, 9));
    add(`${code.slice(0, 9)}000`);
  }
  if (code.length >= 9) {
    add(code.slice(0, 6));
    add(`${code.slice(0, 6)}000`);
    add(`${code.slice(0, 6)}000000`);
  }
  add(`${code.slice(0, 4)}00`);
  add(`${code.slice(0, 2)}0000`);
  return [...out];
}

/** Value at quantile q (0..1) of sorted numbers, nearest rank; null when empty. */
export function nearestRankQuantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1]!;
}

export interface CoverageFacts {
  targets: number;
  acknowledged: number;
  byChannel: { console: number; terminal: number; radio: number };
  /** seconds from publication to each delivered site's first delivery */
  deliverySeconds: number[];
  onset: Date;
  publishedAt: Date | null;
}

/** The coverage figures of a published warning (a draft has none delivered and no lead time). */
export function warningCoverage(f: CoverageFacts): WarningCoverageView {
  const sorted = [...f.deliverySeconds].sort((a, b) => a - b);
  const round = (v: number | null) => (v === null ? null : Math.round(v * 1000) / 1000);
  const lead = f.publishedAt ? Math.round((f.onset.getTime() - f.publishedAt.getTime()) / 1000) : null;
  return {
    targets: f.targets,
    delivered: sorted.length,
    acknowledged: f.acknowledged,
    byChannel: f.byChannel,
    deliveredWithinSeconds: {
      p50: round(nearestRankQuantile(sorted, 0.5)),
      p95: round(nearestRankQuantile(sorted, 0.95)),
    },
    leadTimeSeconds: lead,
    leadTimeShort: lead !== null && lead < WARNING_MIN_LEAD_SECONDS,
  };
}

const CAP_CATEGORIES: [RegExp, string][] = [
  [/暴雨|台风|寒潮|大风|高温|暴雪|冰雹|雷|大雾|霾|霜冻|干旱|道路结冰|沙尘|低温|降温|气象/, 'Met'],
  [/地震|地质|滑坡|泥石流|崩塌|塌陷/, 'Geo'],
  [/火/, 'Fire'],
  [/洪|汛|山洪|内涝|水/, 'Met'],
  [/疫|病|卫生|食物中毒/, 'Health'],
  [/化学|危化|泄漏|爆炸/, 'CBRNE'],
  [/交通|道路|桥/, 'Transport'],
];

/** The CAP `category` of a warning's event (暴雨 Met, 地震 Geo, 森林火险 Fire …; Safety otherwise). */
export function capCategoryOfEvent(event: string): string {
  return CAP_CATEGORIES.find(([re]) => re.test(event))?.[1] ?? 'Safety';
}

/** What a duty console and a terminal show of a warning: the directive's body. */
export function warningDirectiveBody(w: { description: string; instruction: string }): string {
  return w.instruction.trim() ? `${w.description}\n\n${w.instruction}` : w.description;
}

/** The text of an update (变更) notice: the new headline, description and instruction. */
export function warningUpdateText(w: { headline: string; description: string; instruction: string }): string {
  return `【变更】${w.headline}\n${warningDirectiveBody(w)}`;
}
