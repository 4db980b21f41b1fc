import type { SiteView } from '#contracts';

export interface TreeNode {
  site: SiteView;
  children: TreeNode[];
}

export function buildTree(sites: SiteView[]): TreeNode[] {
  const nodes = new Map(sites.map((s) => [s.id, { site: s, children: [] as TreeNode[] }]));
  const roots: TreeNode[] = [];
  for (const n of nodes.values()) {
    const parent = n.site.parentId ? nodes.get(n.site.parentId) : undefined;
    (parent ? parent.children : roots).push(n);
  }
  const sort = (list: TreeNode[]) => {
    list.sort((a, b) => compareSites(a.site, b.site));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
}

/**
 * Siblings in region-code order (GB/T 2260, as county staff list townships), not by a
 * browser's Chinese collation; sites without a code follow, in the order they were made.
 */
export function compareSites(a: SiteView, b: SiteView): number {
  if (a.regionCode && b.regionCode)
    return a.regionCode < b.regionCode ? -1 : a.regionCode > b.regionCode ? 1 : 0;
  if (a.regionCode || b.regionCode) return a.regionCode ? -1 : 1;
  return a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.id < b.id ? -1 : 1;
}

/** Each site's place in the tree read top to bottom: the board lists recipients in this order. */
export function siteRank(roots: TreeNode[]): Map<string, number> {
  const rank = new Map<string, number>();
  const walk = (list: TreeNode[]) =>
    list.forEach((n) => {
      rank.set(n.site.id, rank.size);
      walk(n.children);
    });
  walk(roots);
  return rank;
}

/** Checkbox tree of the sites in scope: a native fieldset, so it is keyboard operable as is. */
export function SiteTree({
  roots,
  selected,
  onToggle,
}: {
  roots: TreeNode[];
  selected: Set<string>;
  onToggle: (id: string) => void;
}) {
  const render = (list: TreeNode[]) => (
    <ul className="tree">
      {list.map((n) => (
        <li key={n.site.id}>
          <label>
            <input
              type="checkbox"
              checked={selected.has(n.site.id)}
              onChange={() => onToggle(n.site.id)}
              data-site-name={n.site.name}
            />
            {n.site.name}
          </label>
          {n.children.length > 0 && render(n.children)}
        </li>
      ))}
    </ul>
  );
  return render(roots);
}
