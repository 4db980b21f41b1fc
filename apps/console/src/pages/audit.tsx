import { useEffect, useMemo, useState } from 'react';
import type { AuditEntryView, AuditVerifyResponse } from '#contracts';
import { useI18n, type MessageKey } from '../i18n/index.js';
import { OutputButtons, PrintHead } from '../components/output-buttons.js';
import { api, AUDIT_PAGE, errorText } from '../lib/api.js';
import { csvName, downloadCsv } from '../lib/csv.js';
import { auditCsv } from '../lib/record-csv.js';
import { DATE_TIME_PATTERN, formatDate, formatTime, localInputToIso } from '../lib/time.js';
import '../styles/record.css';
import { AUDIT_KINDS, auditSentence, kindsOf, type AuditKind, type AuditNames } from './audit-sentence.js';

const KIND_LABEL: Record<AuditKind, MessageKey> = {
  directive: 'record.audit.kind.directive',
  ack: 'record.audit.kind.ack',
  onBehalf: 'record.audit.kind.onBehalf',
  terminal: 'record.audit.kind.terminal',
  admin: 'record.audit.kind.admin',
  consultation: 'record.audit.kind.consultation',
  denied: 'record.audit.kind.denied',
};

/** The export reads the log 500 entries a request (the API's most), newest first... */
const EXPORT_PAGE = 500;
/** ...and stops here: 40 requests, a few MB of CSV, still quick on a township's link. */
export const AUDIT_EXPORT_MAX = 20_000;

/**
 * Every entry matching the filters, not only the pages on screen: pages back from the
 * newest until one is older than 「起」, the log's start, or the cap. Client-side, because the
 * sentences are written here in the reader's language (audit-sentence.ts).
 */
async function entriesForExport(
  matches: (r: AuditEntryView) => boolean,
  fromIso: string | null,
): Promise<{ rows: AuditEntryView[]; truncated: boolean }> {
  const rows: AuditEntryView[] = [];
  let before: number | undefined;
  let read = 0;
  for (;;) {
    const page = await api.audit(before, EXPORT_PAGE);
    read += page.length;
    rows.push(...page.filter(matches));
    const oldest = page.at(-1);
    if (!oldest || page.length < EXPORT_PAGE || (fromIso && oldest.at < fromIso))
      return { rows, truncated: false };
    if (read >= AUDIT_EXPORT_MAX) return { rows, truncated: true };
    before = oldest.seq;
  }
}

/** id → name lookups from whatever the admin could read; a failed list only leaves ids shortened. */
function useAuditNames(rows: AuditEntryView[], onError: (msg: string) => void): AuditNames {
  const [users, setUsers] = useState(new Map<string, string>());
  const [sites, setSites] = useState(new Map<string, string>());
  const [terminals, setTerminals] = useState(new Map<string, string>());
  const [directives, setDirectives] = useState(new Map<string, string>());
  useEffect(() => {
    const fail = (err: unknown) => onError(errorText(err));
    api
      .users()
      .then((l) => setUsers(new Map(l.map((u) => [u.id, u.displayName ?? u.username]))))
      .catch(fail);
    api
      .sites()
      .then((l) => setSites(new Map(l.map((s) => [s.id, s.name]))))
      .catch(fail);
    api
      .terminals()
      .then((l) => setTerminals(new Map(l.map((x) => [x.id, x.name]))))
      .catch(fail);
    api
      .directives(500)
      .then((l) => setDirectives(new Map(l.map((d) => [d.id, `${d.serial}《${d.title}》`]))))
      .catch(fail);
    // the lists are read once per visit; names of entries loaded later come from the entries themselves
  }, []);
  // a directive issued before the newest 500 is still named by its own issue entry
  const issued = useMemo(() => {
    const m = new Map<string, string>();
    for (const r of rows)
      if (r.action === 'directive.issue' && r.subjectId)
        m.set(r.subjectId, `${String(r.data.serial)}《${String(r.data.title)}》`);
    return m;
  }, [rows]);
  return useMemo(
    () => ({
      user: (id) => (id ? (users.get(id) ?? null) : null),
      site: (id) => (id ? (sites.get(id) ?? null) : null),
      terminal: (id) => (id ? (terminals.get(id) ?? null) : null),
      directive: (id) => (id ? (directives.get(id) ?? issued.get(id) ?? null) : null),
    }),
    [users, sites, terminals, directives, issued],
  );
}

/** 审计日志 (admin): the append-only log as sentences, filtered by kind, person and time, and a check of its hash chain. */
export function AuditPage() {
  const { t, lang } = useI18n();
  const [rows, setRows] = useState<AuditEntryView[]>([]);
  const [more, setMore] = useState(true);
  const [verify, setVerify] = useState<AuditVerifyResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [kind, setKind] = useState<AuditKind | ''>('');
  const [actor, setActor] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const names = useAuditNames(rows, setError);

  // pages go backwards from the newest entry: `before` is the oldest seq shown so far
  const load = (before?: number) =>
    api
      .audit(before)
      .then((page) => {
        setRows((cur) => (before ? [...cur, ...page] : page));
        setMore(page.length === AUDIT_PAGE);
      })
      .catch((err: unknown) => setError(errorText(err)));
  useEffect(() => void load(), []);

  const actors = useMemo(() => {
    const ids = new Set(rows.map((r) => r.actorId).filter((id): id is string => !!id));
    return [...ids]
      .map((id) => ({ id, name: names.user(id) ?? `#${id.slice(0, 8)}` }))
      .sort((a, b) => a.name.localeCompare(b.name, 'zh-CN'));
  }, [rows, names]);

  const fromIso = localInputToIso(from);
  const toIso = localInputToIso(to);
  const matches = (r: AuditEntryView) =>
    (!kind || kindsOf(r).includes(kind)) &&
    (!actor || r.actorId === actor) &&
    (!fromIso || r.at >= fromIso) &&
    (!toIso || r.at <= toIso);
  const shown = rows.filter(matches);
  const [exported, setExported] = useState<string | null>(null);
  const exportCsv = () =>
    entriesForExport(matches, fromIso)
      .then(({ rows: all, truncated }) => {
        downloadCsv(csvName(t('out.auditTitle')), auditCsv(all, names, t));
        setExported(
          `${t('out.exported')} ${all.length} ${t('out.rows')}${truncated ? t('out.truncated') : ''}`,
        );
      })
      .catch((err: unknown) => setError(errorText(err)));

  return (
    <section className="card audit record-audit" aria-labelledby="audit-title">
      <div className="section-head">
        <h2 id="audit-title">{t('audit')}</h2>
        <OutputButtons testId="audit-out" onCsv={exportCsv} />
      </div>
      <PrintHead title={t('out.auditTitle')} />
      <p className="print-only" data-testid="audit-print-filters">
        {t('record.audit.filterKind')}: {kind ? t(KIND_LABEL[kind]) : t('filterAll')} · {t('actor')}:{' '}
        {actor ? (names.user(actor) ?? actor) : t('filterAll')} · {t('record.audit.from')}: {from || '—'} ·{' '}
        {t('record.audit.to')}: {to || '—'}
      </p>
      {exported && (
        <p role="status" className="hint no-print" data-testid="audit-exported">
          {exported}
        </p>
      )}
      <button
        type="button"
        className="primary"
        onClick={() =>
          api
            .verifyAudit()
            .then(setVerify)
            .catch((err: unknown) => setError(errorText(err)))
        }
      >
        {t('verifyChain')}
      </button>
      {verify && (
        <p role="status" className={verify.ok ? 'ok' : 'error'} data-testid="chain-result">
          {verify.ok ? t('chainOk') : t('chainBroken')} · {t('checked')} {verify.checked}
          {verify.brokenAt && ` · #${verify.brokenAt.seq}`}
          {verify.anchor !== undefined &&
            (verify.anchor ? ` · ${t('anchoredAt')} #${verify.anchor.seq}` : ` · ${t('noAnchor')}`)}
        </p>
      )}
      {error && (
        <p role="alert" className="error">
          {t('errorPrefix')}: {error}
        </p>
      )}
      <form className="audit-filters" aria-label={t('filter')} onSubmit={(e) => e.preventDefault()}>
        <label>
          {t('record.audit.filterKind')}
          <select value={kind} onChange={(e) => setKind(e.target.value as AuditKind | '')}>
            <option value="">{t('filterAll')}</option>
            {AUDIT_KINDS.map((k) => (
              <option key={k} value={k}>
                {t(KIND_LABEL[k])}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('actor')}
          <select value={actor} onChange={(e) => setActor(e.target.value)}>
            <option value="">{t('filterAll')}</option>
            {actors.map((a) => (
              <option key={a.id} value={a.id}>
                {a.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('record.audit.from')}
          <input
            inputMode="numeric"
            pattern={DATE_TIME_PATTERN}
            placeholder="2026-12-06 14:03"
            value={from}
            onChange={(e) => setFrom(e.target.value)}
          />
        </label>
        <label>
          {t('record.audit.to')}
          <input
            inputMode="numeric"
            pattern={DATE_TIME_PATTERN}
            placeholder="2026-12-06 14:03"
            value={to}
            onChange={(e) => setTo(e.target.value)}
          />
        </label>
        <p className="hint" data-testid="audit-count">
          {t('record.audit.shown')} {shown.length} / {rows.length}
          {more && ` · ${t('record.audit.loadedOnly')}`}
        </p>
      </form>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th scope="col" className="col-seq">
                {t('record.audit.seq')}
              </th>
              <th scope="col">{t('time')}</th>
              <th scope="col">{t('record.audit.what')}</th>
              <th scope="col" className="col-actor">
                {t('actor')}
              </th>
              <th scope="col" className="col-hash">
                {t('record.audit.hash')}
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((r) => (
              <tr key={r.seq} data-testid="audit-row" data-action={r.action}>
                <td className="nowrap col-seq">{r.seq}</td>
                <td className="nowrap" title={formatDate(r.at, lang)}>
                  {formatTime(r.at, lang)}
                </td>
                <td className="audit-sentence">{auditSentence(r, names, t)}</td>
                <td className="nowrap col-actor">
                  {names.user(r.actorId) ??
                    (r.actorId ? `#${r.actorId.slice(0, 8)}` : t('record.audit.system'))}
                </td>
                <td className="mono nowrap col-hash" translate="no">
                  {r.hash.slice(0, 12)}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {more && rows.length > 0 && (
        <button type="button" data-testid="audit-load-more" onClick={() => void load(rows.at(-1)!.seq)}>
          {t('loadMore')}
        </button>
      )}
    </section>
  );
}
