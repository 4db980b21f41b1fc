import type { SiteGroupView, SiteView } from '#contracts';

export interface TargetChoice {
  all: boolean;
  siteIds: ReadonlySet<string>;
  groupIds: ReadonlySet<string>;
  includeChildren: boolean;
}

/**
 * How many sites a directive will reach, as the server resolves it (targeting.service.ts):
 * every township in scope for 全部乡镇, the chosen sites and group members, and with
 * 包含下级 everything under those. Only sites the user can see are counted, as on the server.
 */
export function recipientCount(sites: SiteView[], groups: SiteGroupView[], c: TargetChoice): number {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const chosen = new Set<string>();
  if (c.all) for (const s of sites) if (s.kind === 'township') chosen.add(s.id);
  const roots: string[] = [];
  for (const id of c.siteIds) if (byId.has(id)) roots.push(id);
  for (const g of groups)
    if (c.groupIds.has(g.id)) for (const id of g.siteIds) if (byId.has(id)) roots.push(id);
  for (const id of roots) chosen.add(id);
  if (c.includeChildren && roots.length) {
    const children = new Map<string, string[]>();
    for (const s of sites)
      if (s.parentId) children.set(s.parentId, [...(children.get(s.parentId) ?? []), s.id]);
    const seen = new Set(roots);
    const stack = [...seen];
    while (stack.length) {
      for (const child of children.get(stack.pop()!) ?? []) {
        if (seen.has(child)) continue;
        seen.add(child);
        chosen.add(child);
        stack.push(child);
      }
    }
  }
  return chosen.size;
}
