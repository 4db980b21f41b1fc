import type { Role, WarningState } from '#contracts';

/**
 * Which workflow buttons a user sees: a browser-side copy of libs/domain/src/warnings.ts
 * (the console imports only the contracts). The server checks every step again; this only
 * keeps buttons away from those who may not use them.
 */
export type WarningAction = 'submit' | 'approve' | 'reject' | 'publish' | 'emergency' | 'update' | 'cancel';

const EDITORS: readonly Role[] = ['admin', 'commander', 'dispatcher'];
/** 签发 is a leader's act */
const APPROVERS: readonly Role[] = ['admin', 'commander'];

export const mayEditWarnings = (role: Role) => EDITORS.includes(role);
export const mayApproveWarnings = (role: Role) => APPROVERS.includes(role);

/** A published warning past `expires` reads as expired before the server's job records it. */
export function effectiveState(state: WarningState, expires: string, now: number): WarningState {
  return state === 'published' && Date.parse(expires) <= now ? 'expired' : state;
}

export interface ActionFacts {
  state: WarningState;
  createdBy: string | null;
  expires: string;
  /** the hub's WARNINGS_SELF_APPROVAL, as it reports it on the warning */
  selfApprovalAllowed?: boolean;
}

/**
 * The steps this user may take now. `selfBlocked`: an approver looking at their own draft
 * in review, which the default setting leaves to another person (two pairs of eyes); where
 * the hub allows self-approval, the approver may approve their own.
 */
export function warningActions(
  user: { id: string; role: Role },
  w: ActionFacts,
  now: number,
): { actions: WarningAction[]; selfBlocked: boolean } {
  const state = effectiveState(w.state, w.expires, now);
  const live = Date.parse(w.expires) > now;
  const editor = mayEditWarnings(user.role);
  const approver = mayApproveWarnings(user.role);
  const own = w.createdBy !== null && w.createdBy === user.id && w.selfApprovalAllowed !== true;
  const actions: WarningAction[] = [];
  if (editor && state === 'draft') actions.push('submit');
  if (approver && state === 'review' && !own) actions.push('approve');
  if (approver && state === 'review') actions.push('reject');
  if (editor && state === 'approved' && live) actions.push('publish');
  if (user.role === 'commander' && (state === 'draft' || state === 'review') && live)
    actions.push('emergency');
  if (approver && state === 'published') actions.push('update', 'cancel');
  return { actions, selfBlocked: approver && state === 'review' && own };
}

/** The states a list filter offers, in the workflow's order. */
export const FILTER_STATES: readonly WarningState[] = [
  'draft',
  'review',
  'approved',
  'published',
  'superseded',
  'cancelled',
  'expired',
];

const LEVEL_RANK = { red: 0, orange: 1, yellow: 2, blue: 3 } as const;

/**
 * The list's order: warnings in force first (most severe level first), then those waiting
 * for a step (review, approved, draft), then the past; newest first within each.
 */
export function byAttention(now: number) {
  const group = (s: WarningState) =>
    s === 'published' ? 0 : s === 'review' ? 1 : s === 'approved' ? 2 : s === 'draft' ? 3 : 4;
  return <
    T extends { state: WarningState; expires: string; level: keyof typeof LEVEL_RANK; createdAt: string },
  >(
    a: T,
    b: T,
  ) => {
    const ga = group(effectiveState(a.state, a.expires, now));
    const gb = group(effectiveState(b.state, b.expires, now));
    if (ga !== gb) return ga - gb;
    if (ga === 0 && a.level !== b.level) return LEVEL_RANK[a.level] - LEVEL_RANK[b.level];
    return a.createdAt < b.createdAt ? 1 : a.createdAt > b.createdAt ? -1 : 0;
  };
}
