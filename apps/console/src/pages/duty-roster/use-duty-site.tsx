import { useEffect, useState } from 'react';
import type { SiteView, UserView } from '#contracts';
import type { MessageKey } from '../../i18n/index.js';
import { api, ApiError, errorText } from '../../lib/api.js';

/** The sites the user may pick (their scope), starting at their own. */
export function useDutySite(user: UserView, onError: (msg: string) => void) {
  const [sites, setSites] = useState<SiteView[]>([]);
  const [siteId, setSiteId] = useState(user.siteId);
  useEffect(() => {
    api
      .sites()
      .then(setSites)
      .catch((err: unknown) => onError(errorText(err)));
  }, []);
  return { sites, siteId, setSiteId };
}

/** The users of the site and of every site above it: who may stand a shift there. */
export function eligibleUsers(users: UserView[], sites: SiteView[], siteId: string): UserView[] {
  const byId = new Map(sites.map((s) => [s.id, s]));
  const chain = new Set<string>();
  for (let s = byId.get(siteId); s; s = s.parentId ? byId.get(s.parentId) : undefined) chain.add(s.id);
  if (chain.size === 0) chain.add(siteId);
  return users.filter((u) => !u.disabled && chain.has(u.siteId));
}

/** A duty refusal in the user's language: the duty rules' own reasons first. */
export function dutyErrorText(err: unknown, t: (k: MessageKey) => string): string {
  if (err instanceof ApiError) {
    if (err.status === 409 && /already stands|overlapping/.test(err.message)) return t('duty.err.overlap');
    if (/inverted|must be after startsAt/.test(err.message)) return t('duty.err.inverted');
    if (/neither the site nor a site above/.test(err.message)) return t('duty.err.notOfSite');
    if (/hand over to yourself/.test(err.message)) return t('duty.err.self');
    if (/only the incoming officer/.test(err.message)) return t('duty.err.onlyIncoming');
  }
  return errorText(err);
}

export function SitePicker(props: {
  sites: SiteView[];
  siteId: string;
  onChange: (id: string) => void;
  label: string;
}) {
  if (props.sites.length <= 1) return null;
  return (
    <label className="duty-site-picker">
      {props.label}
      <select value={props.siteId} onChange={(e) => props.onChange(e.target.value)} data-testid="duty-site">
        {props.sites.map((s) => (
          <option key={s.id} value={s.id}>
            {s.name}
          </option>
        ))}
      </select>
    </label>
  );
}
