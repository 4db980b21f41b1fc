import { useCallback, useEffect, useMemo, useState } from 'react';
import type { Socket } from 'socket.io-client';
import type {
  DirectiveEscalationPayload,
  DirectiveSummaryView,
  DirectiveTemplateView,
  SiteGroupView,
  SiteView,
  UserView,
} from '#contracts';
import { useI18n } from '../../i18n/index.js';
import { alarm } from '../../lib/alarm.js';
import { api, errorText } from '../../lib/api.js';
import { EV } from '../../lib/events.js';
import type { ConnState } from '../../lib/socket.js';
import { useNow } from '../../lib/time.js';
import '../../styles/board.css';
import { BoardView } from './board-view.js';
import { Compose } from './compose.js';
import { DirectiveList } from './directive-list.js';
import { EscalationToasts, OverdueQueue } from './escalation-panel.js';
import { useEscalationAlerts } from './escalations.js';
import { buildTree, siteRank } from './site-tree.js';
import { useBoards } from './use-boards.js';

/** Open directives whose boards are watched live (progress, the overdue queue, step-1 escalations). */
const WATCHED_MAX = 30;

/**
 * 调度台 for triage: the 超时未签收 queue and the directive list always in view, the chosen
 * directive's live board beside them, compose in a drawer. Everything updates from socket
 * events: `directive.board` for watched boards, `directive.escalation`, and
 * `directive.issued` for a colleague's new directive (then the list is re-read over REST).
 */
export function BoardPage({ socket }: { user: UserView; socket: Socket | null; conn: ConnState }) {
  const { t } = useI18n();
  const now = useNow();
  const [sites, setSites] = useState<SiteView[]>([]);
  const [groups, setGroups] = useState<SiteGroupView[]>([]);
  const [templates, setTemplates] = useState<DirectiveTemplateView[]>([]);
  const [list, setList] = useState<DirectiveSummaryView[]>([]);
  const [selected, setSelected] = useState<string | null>(null);
  const [composing, setComposing] = useState(false);
  const [sent, setSent] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [soundOn, setSoundOn] = useState(alarm.unlocked);
  const rank = useMemo(() => siteRank(buildTree(sites)), [sites]);

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

  useEffect(() => {
    if (!socket) return;
    socket.on('connect', refreshList);
    socket.on(EV.issued, refreshList);
    return () => {
      socket.off('connect', refreshList);
      socket.off(EV.issued, refreshList);
    };
  }, [socket, refreshList]);

  const watched = useMemo(() => {
    const open = list
      .filter((d) => d.status === 'issued')
      .slice(0, WATCHED_MAX)
      .map((d) => d.id);
    return selected && !open.includes(selected) ? [...open, selected] : open;
  }, [list, selected]);
  const live = useBoards(socket, watched);

  const onStep = useCallback(
    (p: DirectiveEscalationPayload) => {
      if (!list.some((d) => d.id === p.directiveId)) refreshList();
    },
    [list, refreshList],
  );
  const alerts = useEscalationAlerts(socket, onStep);

  // a board closing (办结, 撤销) changes the list's order and what is watched
  const closedKey = Object.entries(live.boards)
    .filter(([, b]) => b.status !== 'issued')
    .map(([id]) => id)
    .join(',');
  useEffect(() => {
    if (closedKey) refreshList();
  }, [closedKey, refreshList]);

  const enableSound = () => {
    void alarm
      .unlock()
      .then(() => setSoundOn(alarm.unlocked))
      .catch((err: unknown) => setError(errorText(err)));
  };

  return (
    <div className="board-page triage">
      <div className="board-bar" data-testid="board-bar">
        <button
          type="button"
          className="primary"
          aria-expanded={composing}
          onClick={() => setComposing(true)}
        >
          {t('board.newDirective')}
        </button>
        {sent && (
          <p role="status" className="ok" data-testid="sent-status">
            {sent}
          </p>
        )}
        {!soundOn && (
          <button type="button" className="sound-off" onClick={enableSound} data-testid="board-sound-off">
            {t('board.soundOff')} · {t('enableSound')}
          </button>
        )}
        {error && (
          <p role="alert" className="error">
            {t('errorPrefix')}: {error}
          </p>
        )}
      </div>
      <div className="side">
        <OverdueQueue
          list={list}
          boards={live.boards}
          rank={rank}
          noLeader={alerts.noLeader}
          now={now}
          onOpen={setSelected}
        />
        <section className="card" aria-labelledby="list-title">
          <h2 id="list-title">{t('directives')}</h2>
          <DirectiveList
            list={list}
            boards={live.boards}
            selected={selected}
            onSelect={setSelected}
            now={now}
          />
        </section>
      </div>
      <div className="main">
        {selected ? (
          <BoardView
            key={selected}
            directiveId={selected}
            board={live.boards[selected]}
            boardError={live.errors[selected]}
            rank={rank}
            noLeader={alerts.noLeader}
            onChanged={refreshList}
            sites={sites}
          />
        ) : (
          <p className="hint">{t('selectDirective')}</p>
        )}
      </div>
      <Compose
        sites={sites}
        groups={groups}
        templates={templates}
        open={composing}
        onClose={() => setComposing(false)}
        onSent={(id, confirmation) => {
          setComposing(false);
          setSent(confirmation);
          setSelected(id);
          refreshList();
        }}
      />
      <EscalationToasts toasts={alerts.toasts} dismiss={alerts.dismiss} onOpen={setSelected} />
    </div>
  );
}
