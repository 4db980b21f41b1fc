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
    list.sort((a, b) => a.site.name.localeCompare(b.site.name, 'zh-CN'));
    list.forEach((n) => sort(n.children));
  };
  sort(roots);
  return roots;
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
