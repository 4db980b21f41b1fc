import type { ReactNode } from 'react';
import type { UserView } from '#contracts';
import { useI18n } from '../i18n/index.js';
import { navigate } from '../lib/router.js';
import { PAGES, ROLE_LABEL, type PageId } from '../lib/roles.js';
import type { ConnState } from '../lib/socket.js';
import { useTheme } from '../lib/theme.js';

const CONN_LABEL = { online: 'connOnline', offline: 'connOffline', connecting: 'connConnecting' } as const;

export function Layout(props: {
  user: UserView;
  page: PageId;
  conn: ConnState;
  onLogout: () => void;
  children: ReactNode;
}) {
  const { t, toggle } = useI18n();
  const theme = useTheme();
  const { user, page, conn } = props;
  return (
    <div className="shell">
      <header className="topbar">
        <h1 className="brand">{t('appName')}</h1>
        <nav aria-label={t('appName')}>
          <ul>
            {PAGES.filter((p) => p.roles.includes(user.role)).map((p) => (
              <li key={p.id}>
                <a
                  href={p.path}
                  aria-current={p.id === page ? 'page' : undefined}
                  onClick={(e) => {
                    e.preventDefault();
                    navigate(p.path);
                  }}
                >
                  {t(p.label)}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <span className={`conn conn-${conn}`} role="status" data-testid="conn-state" data-state={conn}>
          {t(CONN_LABEL[conn])}
        </span>
        <span className="who">
          {user.displayName ?? user.username} · {t(ROLE_LABEL[user.role])}
        </span>
        <button
          type="button"
          className="link"
          aria-pressed={theme.theme === 'light'}
          data-testid="theme-toggle"
          onClick={theme.toggle}
        >
          {t('theme.bright')}
        </button>
        <button type="button" className="link" onClick={toggle}>
          {t('switchLanguage')}
        </button>
        <button type="button" className="link" onClick={props.onLogout}>
          {t('logout')}
        </button>
      </header>
      <main className={`page page-${page}`}>{props.children}</main>
    </div>
  );
}
