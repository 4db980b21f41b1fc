import { useEffect, useMemo, useState, type FormEvent } from 'react';
import type {
  DirectiveLevel,
  DirectiveTemplateView,
  IssueDirectiveRequest,
  SiteGroupView,
  SiteView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { LEVEL_LABEL, LEVELS } from '../../lib/levels.js';
import { recipientCount } from './compose-targets.js';
import { buildTree, SiteTree } from './site-tree.js';

interface Props {
  sites: SiteView[];
  groups: SiteGroupView[];
  templates: DirectiveTemplateView[];
  open: boolean;
  onClose: () => void;
  /** the new directive, and the confirmation to show on the board (serial, recipient count) */
  onSent: (id: string, confirmation: string) => void;
}

const toggle = (set: Set<string>, id: string) => {
  const next = new Set(set);
  if (next.has(id)) next.delete(id);
  else next.add(id);
  return next;
};

const DEFAULT_LEVEL: DirectiveLevel = 'yellow';

/**
 * 下发指令 in a drawer beside the board: title, body, level, targets from the tree / groups /
 * a template; red asks first, naming how many sites it will reach. After sending, every
 * field goes back to its default, so the next directive never goes out armed as the last.
 */
export function Compose({ sites, groups, templates, open, onClose, onSent }: Props) {
  const { t } = useI18n();
  const [title, setTitle] = useState('');
  const [body, setBody] = useState('');
  const [level, setLevel] = useState<DirectiveLevel>(DEFAULT_LEVEL);
  const [minutes, setMinutes] = useState('');
  const [siteIds, setSiteIds] = useState<Set<string>>(new Set());
  const [groupIds, setGroupIds] = useState<Set<string>>(new Set());
  const [all, setAll] = useState(false);
  const [children, setChildren] = useState(false);
  const [drill, setDrill] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [status, setStatus] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const [templateKey, setTemplateKey] = useState(0);
  const roots = useMemo(() => buildTree(sites), [sites]);
  const count = useMemo(
    () => recipientCount(sites, groups, { all, siteIds, groupIds, includeChildren: children }),
    [sites, groups, all, siteIds, groupIds, children],
  );
  const countText = `${t('board.recipientCount')}: ${count} ${t('board.unit')}`.trim();

  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !confirming) onClose();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open, confirming, onClose]);

  const reset = () => {
    setTitle('');
    setBody('');
    setLevel(DEFAULT_LEVEL);
    setMinutes('');
    setSiteIds(new Set());
    setGroupIds(new Set());
    setAll(false);
    setChildren(false);
    setDrill(false);
    setTemplateKey((k) => k + 1);
  };

  const applyTemplate = (id: string) => {
    const tpl = templates.find((x) => x.id === id);
    if (!tpl) return;
    setTitle(tpl.title);
    setBody(tpl.body);
    setLevel(tpl.level);
    setMinutes(tpl.ackWithinSeconds ? String(Math.round(tpl.ackWithinSeconds / 60)) : '');
    if (tpl.targets) {
      setSiteIds(new Set(tpl.targets.siteIds ?? []));
      setGroupIds(new Set(tpl.targets.groupIds ?? []));
      setAll(tpl.targets.all ?? false);
      setChildren(tpl.targets.includeChildren ?? false);
    }
  };

  const request = (): IssueDirectiveRequest => ({
    title,
    body,
    level,
    targets: {
      ...(all ? { all: true } : {}),
      ...(siteIds.size ? { siteIds: [...siteIds] } : {}),
      ...(groupIds.size ? { groupIds: [...groupIds] } : {}),
      ...(children ? { includeChildren: true } : {}),
    },
    ...(minutes.trim() ? { ackWithinSeconds: Math.round(Number(minutes) * 60) } : {}),
    ...(drill ? { drill: true } : {}),
  });

  const send = async () => {
    setConfirming(false);
    setBusy(true);
    setStatus(null);
    try {
      const res = await api.issue(request());
      reset();
      onSent(res.id, `${t('sent')}: ${res.serial} · ${t('board.recipientCount')} ${res.recipients.length}`);
    } catch (err) {
      setStatus({ ok: false, text: `${t('errorPrefix')}: ${errorText(err)}` });
    } finally {
      setBusy(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (level === 'red') setConfirming(true);
    else void send();
  };

  return (
    <div className="drawer" hidden={!open} role="dialog" aria-labelledby="compose-title">
      <form className="card compose" onSubmit={submit}>
        <div className="drawer-head">
          <h2 id="compose-title">{t('compose')}</h2>
          <button type="button" onClick={onClose}>
            {t('close')}
          </button>
        </div>
        {templates.length > 0 && (
          <label>
            {t('template')}
            <select key={templateKey} defaultValue="" onChange={(e) => applyTemplate(e.target.value)}>
              <option value="">{t('noTemplate')}</option>
              {templates.map((x) => (
                <option key={x.id} value={x.id}>
                  {x.name}
                </option>
              ))}
            </select>
          </label>
        )}
        <label>
          {t('title')}
          <input
            name="title"
            required
            maxLength={200}
            value={title}
            onChange={(e) => setTitle(e.target.value)}
          />
        </label>
        <label>
          {t('body')}
          <textarea name="body" required rows={4} value={body} onChange={(e) => setBody(e.target.value)} />
        </label>
        <div className="row">
          <label>
            {t('level')}
            <select name="level" value={level} onChange={(e) => setLevel(e.target.value as DirectiveLevel)}>
              {LEVELS.map((l) => (
                <option key={l} value={l}>
                  {t(LEVEL_LABEL[l])}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('ackWithinMinutes')}
            <input
              name="ackWithin"
              type="number"
              min={1}
              step={1}
              value={minutes}
              onChange={(e) => setMinutes(e.target.value)}
            />
          </label>
        </div>
        <fieldset>
          <legend>{t('targets')}</legend>
          <label>
            <input type="checkbox" checked={all} onChange={(e) => setAll(e.target.checked)} />
            {t('allTownships')}
          </label>
          <label>
            <input type="checkbox" checked={children} onChange={(e) => setChildren(e.target.checked)} />
            {t('includeChildren')}
          </label>
          <label>
            <input type="checkbox" checked={drill} onChange={(e) => setDrill(e.target.checked)} />
            {t('drill')}
          </label>
          {groups.length > 0 && (
            <fieldset>
              <legend>{t('groups')}</legend>
              {groups.map((g) => (
                <label key={g.id}>
                  <input
                    type="checkbox"
                    checked={groupIds.has(g.id)}
                    onChange={() => setGroupIds((s) => toggle(s, g.id))}
                  />
                  {g.name}
                </label>
              ))}
            </fieldset>
          )}
          <fieldset className="tree-box">
            <legend>{t('siteTree')}</legend>
            <SiteTree roots={roots} selected={siteIds} onToggle={(id) => setSiteIds((s) => toggle(s, id))} />
          </fieldset>
        </fieldset>
        <p className="recipient-count" data-testid="compose-count" aria-live="polite">
          {countText}
        </p>
        <button type="submit" className={`primary send level-${level}`} disabled={busy}>
          {busy ? t('sending') : t('send')}
        </button>
        {status && (
          <p role={status.ok ? 'status' : 'alert'} className={status.ok ? 'ok' : 'error'}>
            {status.text}
          </p>
        )}
        {confirming && (
          <div
            className="modal"
            role="alertdialog"
            aria-modal="true"
            aria-labelledby="confirm-title"
            aria-describedby="confirm-body"
          >
            <div className="card">
              <h3 id="confirm-title">{t('confirmRed')}</h3>
              <p id="confirm-body">
                {t('confirmRedBody')} <strong data-testid="confirm-count">{countText}</strong>
              </p>
              <button type="button" className="primary level-red" autoFocus onClick={() => void send()}>
                {t('confirm')}
              </button>
              <button type="button" onClick={() => setConfirming(false)}>
                {t('cancel')}
              </button>
            </div>
          </div>
        )}
      </form>
    </div>
  );
}
