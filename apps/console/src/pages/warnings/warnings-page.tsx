import { useCallback, useEffect, useRef, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  SiteView,
  UserView,
  WARNING_EVENTS,
  WarningChangedPayload,
  WarningState,
  WarningSummaryView,
  WarningView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api } from '../../lib/api.js';
import { EV } from '../../lib/events.js';
import { useNow } from '../../lib/time.js';
import '../../styles/warnings.css';
import { downloadXml, FEED_PATH, warningApi } from './warning-api.js';
import { CapImport } from './cap-import.js';
import { WarningCompose } from './warning-compose.js';
import { WarningDetail } from './warning-detail.js';
import { warningErrorText } from './warning-errors.js';
import { WarningList } from './warning-list.js';
import { mayEditWarnings } from './warning-rules.js';

/** A browser-side copy of the event name (a value import from the contracts would bring zod). */
const CHANGED = 'warning.changed' as const satisfies (typeof WARNING_EVENTS)['changed'];

type Composer = { kind: 'new' } | { kind: 'update'; original: WarningView } | null;

/**
 * 预警信息发布: the list of warnings in scope, one warning with its workflow and coverage,
 * and the composer in a drawer. `warning.changed` keeps both fresh without polling.
 */
export default function WarningsPage({ user, socket }: { user: UserView; socket: Socket | null }) {
  const { t, lang } = useI18n();
  const now = useNow(30_000);
  const [sites, setSites] = useState<SiteView[]>([]);
  const [warnings, setWarnings] = useState<WarningSummaryView[]>([]);
  const [filter, setFilter] = useState<WarningState | ''>('');
  const [selectedId, setSelectedId] = useState<string | null>(null);
  const [selected, setSelected] = useState<WarningView | null>(null);
  const [composer, setComposer] = useState<Composer>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const fail = useCallback((err: unknown) => setError(warningErrorText(err, t, lang)), [t, lang]);
  const shownFilter = useRef<WarningState | ''>(filter);
  shownFilter.current = filter;
  const loadList = useCallback(() => {
    warningApi.list(filter || undefined).then((list) => {
      if (filter !== shownFilter.current) return;
      setWarnings(list);
      setError(null);
    }, fail);
  }, [filter, fail]);
  // answers can cross: one for the card just left must not replace the one now shown
  const shownId = useRef<string | null>(null);
  shownId.current = selectedId;
  const loadSelected = useCallback(() => {
    if (!selectedId) return setSelected(null);
    warningApi.get(selectedId).then((w) => {
      if (w.id === shownId.current) setSelected(w);
    }, fail);
  }, [selectedId, fail]);

  useEffect(() => {
    api.sites().then(setSites, fail);
  }, [fail]);
  useEffect(loadList, [loadList]);
  useEffect(loadSelected, [loadSelected]);
  useEffect(() => {
    if (!socket) return;
    const onChanged = (p: WarningChangedPayload) => {
      loadList();
      if (p.id === selectedId) loadSelected();
    };
    // a publication issues the carrying directive: the issuer's site and those above hear of it
    const onIssued = () => {
      loadList();
      loadSelected();
    };
    socket.on(CHANGED, onChanged);
    socket.on(EV.issued, onIssued);
    socket.on('connect', loadList);
    return () => {
      socket.off(CHANGED, onChanged);
      socket.off(EV.issued, onIssued);
      socket.off('connect', loadList);
    };
  }, [socket, selectedId, loadList, loadSelected]);

  const changed = (message: string, showId?: string) => {
    setNotice(message);
    loadList();
    if (showId && showId !== selectedId) setSelectedId(showId);
    else loadSelected();
  };

  return (
    <div className="warnings-page">
      <div className="warn-top">
        <h1 className="warn-title">{t('warn.title')}</h1>
        {mayEditWarnings(user.role) && (
          <button type="button" className="primary" onClick={() => setComposer({ kind: 'new' })}>
            {t('warn.new')}
          </button>
        )}
        {mayEditWarnings(user.role) && (
          <CapImport onImported={(id) => changed(t('warn.imported'), id)} onError={fail} />
        )}
        <button
          type="button"
          data-testid="warn-feed"
          onClick={() => downloadXml(FEED_PATH, 'warnings.atom').catch(fail)}
        >
          {t('warn.feed')}
        </button>
        {notice && (
          <p role="status" className="ok" data-testid="warn-notice">
            {notice}
          </p>
        )}
        {error && (
          <p role="alert" className="error">
            {error}
          </p>
        )}
      </div>
      <WarningList
        warnings={warnings}
        filter={filter}
        onFilter={setFilter}
        selectedId={selectedId}
        onSelect={(id) => {
          setNotice(null);
          setSelectedId(id);
        }}
        now={now}
      />
      {/* never the last warning's card under the next one's id: a step's new message loads first */}
      {selected && selected.id === selectedId ? (
        <WarningDetail
          key={selected.id}
          user={user}
          socket={socket}
          warning={selected}
          now={now}
          onChanged={changed}
          onUpdate={() => setComposer({ kind: 'update', original: selected })}
          onOpen={setSelectedId}
        />
      ) : (
        <p className="card empty">{t('warn.pick')}</p>
      )}
      {composer && (
        <WarningCompose
          sites={sites}
          original={composer.kind === 'update' ? composer.original : undefined}
          onClose={() => setComposer(null)}
          onDone={(id, message) => {
            setComposer(null);
            changed(message, id);
          }}
        />
      )}
    </div>
  );
}
