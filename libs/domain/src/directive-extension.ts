import { isExpired } from './directives.js';
import type { RuleDenial } from './rule-denial.js';

/**
 * Adding recipients to an issued directive (a widened warning area, docs/directives.md
 * "Extending"): which of the wanted sites are new, and whether the directive may still grow.
 */

/** The wanted sites that are not recipients yet, each once, in the order given. */
export function sitesToAdd(existing: Iterable<string>, wanted: readonly string[]): string[] {
  const seen = new Set(existing);
  const added: string[] = [];
  for (const id of wanted) {
    if (seen.has(id)) continue;
    seen.add(id);
    added.push(id);
  }
  return added;
}

export interface ExtensionFacts {
  status: 'issued' | 'cancelled' | 'closed';
  expiresAt: Date | null;
  /** recipients it has now */
  recipients: number;
  /** sites it would gain */
  adding: number;
  /** DIRECTIVE_MAX_RECIPIENTS */
  maxRecipients: number;
}

/**
 * Only a live directive gains recipients (409 once cancelled, closed or past its validity:
 * a site must not be asked to 签收 what no longer holds), and never beyond the recipient
 * bound of issue (413), counting those it has.
 */
export function extensionDenial(directiveId: string, f: ExtensionFacts, now: Date): RuleDenial | null {
  if (f.status !== 'issued')
    return {
      code: 'conflict',
      message: `directive ${directiveId} is ${f.status}; it cannot gain recipients`,
    };
  if (isExpired(f.expiresAt, now))
    return { code: 'conflict', message: `directive ${directiveId} has expired; it cannot gain recipients` };
  if (f.recipients + f.adding > f.maxRecipients)
    return {
      code: 'too_large',
      message: `directive ${directiveId} would have ${f.recipients + f.adding} recipients; at most ${f.maxRecipients} per directive (DIRECTIVE_MAX_RECIPIENTS)`,
    };
  return null;
}

/**
 * Sites grouped by the 签收 deadline each must meet (`own`, or the directive's when null),
 * earliest first: a re-delivery carries one deadline per message, so a site added later is
 * not shown the directive's earlier one.
 */
export function byDeadline(
  sites: readonly { siteId: string; own: Date | null }[],
  directiveDeadline: Date,
): { ackBy: Date; siteIds: string[] }[] {
  const groups = new Map<number, string[]>();
  for (const s of sites) {
    const at = (s.own ?? directiveDeadline).getTime();
    const ids = groups.get(at);
    if (ids) ids.push(s.siteId);
    else groups.set(at, [s.siteId]);
  }
  return [...groups.entries()]
    .sort(([a], [b]) => a - b)
    .map(([at, siteIds]) => ({ ackBy: new Date(at), siteIds }));
}

/**
 * The radio's part of one pass of re-delivery (escalation's step 1, a board's 重发), aligned
 * with its messages (`byDeadline`'s groups): the messages go one per deadline, but the radio
 * says no deadline, and one talkgroup may cover sites of both (an original township and one
 * a widened area added): spoken per message, it would hear the directive twice in a row.
 * So the first message speaks for every site of the pass, each once, and the others say
 * nothing on air.
 */
export function radioSitesPerMessage(groups: readonly { siteIds: readonly string[] }[]): string[][] {
  const all = [...new Set(groups.flatMap((g) => g.siteIds))];
  return groups.map((_, i) => (i === 0 ? all : []));
}
