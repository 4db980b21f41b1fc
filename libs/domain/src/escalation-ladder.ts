import type { DirectiveLevel, EscalationStep } from '#contracts';
import { nextEscalation } from './directives.js';

/** A recipient whose escalation time has come (`next_escalation_at` <= now, still waited for). */
export interface DueRecipient {
  siteId: string;
  escalationLevel: number;
}

export interface PlannedStep {
  siteId: string;
  step: EscalationStep;
  fromLevel: number;
  newLevel: number;
  /** when the step after this one falls due; null after the last step */
  nextAt: Date | null;
}

export interface EscalationPlan {
  steps: PlannedStep[];
  /** past the last step: nothing left to schedule for these */
  finished: string[];
}

/** The step each due recipient takes now (ESCALATION_LADDER), and those past the last one. */
export function planEscalation(
  due: readonly DueRecipient[],
  directive: { level: DirectiveLevel; ackWithinSeconds: number },
  now: Date,
): EscalationPlan {
  const steps: PlannedStep[] = [];
  const finished: string[] = [];
  for (const r of due) {
    const next = nextEscalation(r.escalationLevel, directive.level, directive.ackWithinSeconds, now);
    if (next) steps.push({ siteId: r.siteId, fromLevel: r.escalationLevel, ...next });
    else finished.push(r.siteId);
  }
  return { steps, finished };
}

/** Who hears about an escalation step, besides the directive's board. */
export interface EscalationAudience {
  users: string[];
  sites: string[];
  /** step 2 found no leader on duty at the site (worth a warning: nobody there is told) */
  noLeader: boolean;
}

/**
 * Step 1 (re-deliver) reaches the site's consoles through delivery, so only the board hears;
 * step 2 tells the issuer and the site's leader on duty; step 3 tells the issuer and the
 * parent site's consoles (the site's path is `/root/.../parent/site/`).
 */
export function escalationAudience(
  step: EscalationStep,
  who: { issuedBy: string; leaderId: string | null; sitePathIds: readonly string[] },
): EscalationAudience {
  if (step === 'notify_leader') {
    return {
      users: who.leaderId ? [who.issuedBy, who.leaderId] : [who.issuedBy],
      sites: [],
      noLeader: !who.leaderId,
    };
  }
  if (step === 'escalate_parent') {
    const parent = who.sitePathIds[who.sitePathIds.length - 2];
    return { users: [who.issuedBy], sites: parent ? [parent] : [], noLeader: false };
  }
  return { users: [], sites: [], noLeader: false };
}
