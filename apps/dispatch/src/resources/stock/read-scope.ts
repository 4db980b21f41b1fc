import { scopePrefix, type Actor } from '#domain';

/**
 * Which sites' stock and experts an actor reads: their subtree (an admin: every site); a
 * duty officer only their own site's, as the issue says.
 */
export interface ReadScope {
  prefix: string;
  siteId: string | null;
}

export function readScope(actor: Actor): ReadScope {
  return { prefix: scopePrefix(actor), siteId: actor.role === 'duty_officer' ? actor.siteId : null };
}

/** SQL for a ReadScope over a site alias `s`, with its two parameters at $n and $n+1. */
export function scopeSql(alias: string, n: number): string {
  return `${alias}.path LIKE $${n} || '%' AND ($${n + 1}::uuid IS NULL OR ${alias}.id = $${n + 1})`;
}
