import { useCallback, useEffect, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveSummaryView,
  DirectiveTemplateView,
  SiteGroupView,
  SiteView,
  UserView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { api, errorText } from '../../lib/api.js';
import { LEVEL_LABEL } from '../../lib/levels.js';
import type { ConnState } from '../../lib/socket.js';
import { formatTime } from '../../lib/time.js';
import { BoardView } from './board-view.js';
import { Compose } from './compose.js';

const LIST_REFRESH_MS = 5000;

/** 调度台: compose on the left, recent directives, and the live board of the chosen one. */
export function BoardPage({ socket }: { user: UserView; socket: Socket | null; conn: ConnState }) {
  const { t, lang } = useI18n();
  const [sites, setSites] = useState<SiteView[]>([]);
  const [groups, setGroups] = useState<SiteGroupView[]>([]);
  const [templates, setTemplates] = useState<DirectiveTemplateView[]>([]);
  const [list, setList] = useState<DirectiveSummaryView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  const refreshList = useCallback(() => {
    api
      .directives(50)
      .then(setList)
      .catch((err: unknown) => setError(errorText(err)));
  }, []);

  useEffect(() => {
    Promise.all([api.sites(), api.groups(), api.templates()])
      .then(([s, g, tp]) => {
        setSites(s);
        setGroups(g);
        setTemplates(tp);
      })
      .catch((err: unknown) => setError(errorText(err)));
    refreshList();
  }, [refreshList]);

  // directives issued by colleagues have no push of their own: poll the short list
  useEffect(() => {
    const h = setInterval(refreshList, LIST_REFRESH_MS);
    return () => clearInterval(h);
  }, [refreshList]);

  useEffect(() => {
    if (!socket) return;
    socket.on('connect', refreshList);
    return () => void socket.off('connect', refreshList);
  }, [socket, refreshList]);

  return (
    <div className="board-page">
      <div className="left">
        <Compose
          sites={sites}
          groups={groups}
          templates={templates}
          onSent={(id) => {
            setSelected(id);
            refreshList();
          }}
        />
        <section className="card" aria-labelledby="list-title">
          <h2 id="list-title">{t('directives')}</h2>
          {error && (
            <p role="alert" className="error">
              {t('errorPrefix')}: {error}
            </p>
          )}
          <ul className="dir-list">
            {list.map((d) => (
              <li key={d.id}>
                <button
                  type="button"
                  aria-pressed={selected === d.id}
                  onClick={() => setSelected(d.id)}
                  data-testid="directive-link"
                >
                  <span className={`badge level-${d.level}`}>{t(LEVEL_LABEL[d.level])}</span> {d.title}
                  <small>
                    {d.serial} · {formatTime(d.issuedAt, lang)}
                  </small>
                </button>
              </li>
            ))}
          </ul>
        </section>
      </div>
      <div className="right">
        {selected ? (
          <BoardView key={selected} socket={socket} directiveId={selected} />
        ) : (
          <p className="hint">{t('selectDirective')}</p>
        )}
      </div>
    </div>
  );
}
