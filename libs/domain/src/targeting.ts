import type { DirectiveTargets } from '#contracts';
import { isInScope, type Actor } from './access-policy.js';
import type { RuleDenial } from './rule-denial.js';

/** The configured bounds on one directive's targets (DIRECTIVE_MAX_*). */
export interface TargetLimits {
  maxTargets: number;
  maxGroups: number;
  maxRecipients: number;
}

/** The subtree an actor reaches, as a path prefix: an admin reaches every tree. */
export function scopePrefix(actor: Actor): string {
  return actor.role === 'admin' ? '/' : actor.sitePath;
}

/** Site and group ids named once each, in the order first given. */
export function distinctTargets(targets: DirectiveTargets): { siteIds: string[]; groupIds: string[] } {
  return { siteIds: [...new Set(targets.siteIds ?? [])], groupIds: [...new Set(targets.groupIds ?? [])] };
}

/** Checked before any lookup: a request naming too much costs no database work. */
export function targetCountDenial(
  siteIds: readonly string[],
  groupIds: readonly string[],
  limits: TargetLimits,
): RuleDenial | null {
  const named = siteIds.length + groupIds.length;
  if (named > limits.maxTargets) {
    return {
      code: 'too_large',
      message: `targets: ${named} sites and groups named; at most ${limits.maxTargets} per directive (DIRECTIVE_MAX_TARGETS)`,
    };
  }
  if (groupIds.length > limits.maxGroups) {
    return {
      code: 'too_large',
      message: `targets.groupIds: ${groupIds.length} groups; at most ${limits.maxGroups} per directive (DIRECTIVE_MAX_GROUPS)`,
    };
  }
  return null;
}

/**
 * Rows each expansion step reads: one past the recipient limit, so a request over the limit
 * is seen without reading everything it selects.
 */
export function expansionReadLimit(limits: TargetLimits): number {
  return limits.maxRecipients + 1;
}

type TargetKind = 'siteIds' | 'groupIds';
const NOUN: Record<TargetKind, string> = { siteIds: 'site', groupIds: 'site group' };

/** Every named id that does not exist, each as a field at its index in the request. */
export function unknownTargetsDenial(
  kind: TargetKind,
  requested: readonly string[],
  found: ReadonlyMap<string, string>,
): RuleDenial | null {
  const fields = requested
    .map((id, i) => ({ id, i }))
    .filter(({ id }) => !found.has(id))
    .map(({ id, i }) => ({ path: `targets.${kind}.${i}`, message: `${NOUN[kind]} ${id} does not exist` }));
  if (!fields.length) return null;
  return { code: 'invalid', message: fields.map((f) => `${f.path}: ${f.message}`).join('; '), fields };
}

/** The first named site or group (id → path of the site or of the group's owner) outside the actor's scope. */
export function outOfScopeTargetDenial(
  actor: Actor,
  kind: TargetKind,
  found: ReadonlyMap<string, string>,
): RuleDenial | null {
  for (const [id, path] of found) {
    if (!isInScope(actor, path)) {
      return { code: 'forbidden', message: `targets.${kind}: ${NOUN[kind]} ${id} is outside your scope` };
    }
  }
  return null;
}

/**
 * The recipients a directive's targets select, each site once. Every step adds what it
 * selected and is refused as soon as the set goes over the limit, naming what it added.
 */
export class RecipientSet {
  private readonly ids = new Set<string>();

  constructor(private readonly maxRecipients: number) {}

  add(ids: Iterable<string>, what: string): RuleDenial | null {
    for (const id of ids) this.ids.add(id);
    if (this.ids.size <= this.maxRecipients) return null;
    const max = this.maxRecipients;
    return {
      code: 'too_large',
      message: `targets: ${what} select more than ${max} sites; at most ${max} recipients per directive (DIRECTIVE_MAX_RECIPIENTS)`,
    };
  }

  /** A directive must reach someone: targets that select no site are refused. */
  emptyDenial(): RuleDenial | null {
    if (this.ids.size > 0) return null;
    return {
      code: 'invalid',
      message: 'targets: the targets select no site',
      fields: [{ path: 'targets', message: 'the targets select no site' }],
    };
  }

  toArray(): string[] {
    return [...this.ids];
  }
}

/**
 * A saved group's members must exist and lie within the creator's scope; the first member
 * (in request order) that does not decides the answer.
 */
export function groupMembersDenial(
  actor: Actor,
  siteIds: readonly string[],
  found: ReadonlyMap<string, string>,
): RuleDenial | null {
  for (const [i, id] of siteIds.entries()) {
    const path = found.get(id);
    if (path === undefined) {
      return {
        code: 'invalid',
        message: `siteIds.${i}: site ${id} does not exist`,
        fields: [{ path: `siteIds.${i}`, message: `site ${id} does not exist` }],
      };
    }
    if (!isInScope(actor, path)) {
      return { code: 'forbidden', message: `siteIds.${i}: site ${id} is outside your scope` };
    }
  }
  return null;
}
