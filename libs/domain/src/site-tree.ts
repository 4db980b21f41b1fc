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

/**
 * The paths no other path in the list contains (a subtree's root covers its descendants),
 * sorted: disjoint subtrees, so a prefix scan per path returns each site once. 96,000
 * overlapping prefixes in one `LIKE ANY` stalled the database for a whole county.
 */
export function outermostPaths(paths: Iterable<string>): string[] {
  const sorted = [...new Set(paths)].sort();
  const out: string[] = [];
  for (const p of sorted) {
    // sorted, so an ancestor (a prefix ending in "/") comes right before its subtree
    const last = out.at(-1);
    if (last === undefined || !p.startsWith(last)) out.push(p);
  }
  return out;
}

/** The exclusive upper bound of a subtree's paths in byte order: "/a/b/" -> "/a/b0" ("0" follows "/"). */
export function subtreeUpperBound(path: string): string {
  return `${path.slice(0, -1)}0`;
}
