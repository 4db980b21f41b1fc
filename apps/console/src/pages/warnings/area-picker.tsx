import { useMemo } from 'react';
import type { SiteView } from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { buildTree, type TreeNode } from '../board/site-tree.js';

/**
 * The warning's area picked from the sites in scope (the board's tree, in region-code
 * order): a site stands for its region code, so one without a code cannot be chosen.
 */
export function AreaPicker({
  sites,
  selected,
  onToggle,
}: {
  sites: SiteView[];
  selected: ReadonlySet<string>;
  onToggle: (id: string) => void;
}) {
  const { t } = useI18n();
  const roots = useMemo(() => buildTree(sites), [sites]);
  const render = (list: TreeNode[]) => (
    <ul className="tree">
      {list.map((n) => (
        <li key={n.site.id}>
          <label className="warn-area">
            <input
              type="checkbox"
              checked={selected.has(n.site.id)}
              disabled={!n.site.regionCode}
              onChange={() => onToggle(n.site.id)}
              data-site-name={n.site.name}
            />
            {n.site.name}
            <span className="warn-code">{n.site.regionCode ?? t('warn.noCode')}</span>
          </label>
          {n.children.length > 0 && render(n.children)}
        </li>
      ))}
    </ul>
  );
  return render(roots);
}
