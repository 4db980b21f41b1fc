import type { SiteKind } from '#contracts';

/**
 * The org tree is command centre -> township -> village. A command centre may sit under
 * another (city over county); a township only under a command centre; a village only
 * under a township.
 */
const ALLOWED_PARENTS: Record<SiteKind, readonly (SiteKind | null)[]> = {
  command: [null, 'command'],
  township: ['command'],
  village: ['township'],
};

export function parentKindError(kind: SiteKind, parentKind: SiteKind | null): string | null {
  if (ALLOWED_PARENTS[kind].includes(parentKind)) return null;
  const allowed = ALLOWED_PARENTS[kind].map((k) => k ?? 'none').join(' or ');
  return `a ${kind} site needs a parent of kind ${allowed}, not ${parentKind ?? 'none'}`;
}

/** Materialized path: "/<rootId>/.../<id>/". A prefix match finds the whole subtree. */
export function childPath(parentPath: string | null, id: string): string {
  return `${parentPath ?? '/'}${id}/`;
}

/** Ids on a path from the root down to the site itself. */
export function pathIds(path: string): string[] {
  return path.split('/').filter(Boolean);
}
