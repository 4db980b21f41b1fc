import { lazy, Suspense, useEffect, useState } from 'react';
import type { UserView } from '#contracts';
import { Layout } from './components/layout.js';
import { api, session } from './lib/api.js';
import { alarm } from './lib/alarm.js';
import { navigate, usePath } from './lib/router.js';
import { LANDING, PAGES } from './lib/roles.js';
import { useSocket } from './lib/socket.js';
import { AuditPage } from './pages/audit.js';
import { BoardPage } from './pages/board/board-page.js';
import { ConsultInvitations } from './pages/consult/invitation.js';
import { DutyPage } from './pages/duty/duty-page.js';
import { DutyLogPage } from './pages/duty-roster/duty-log-page.js';
import { HandoverAlerts } from './pages/duty-roster/handover-alerts.js';
import { HandoverPage } from './pages/duty-roster/handover-page.js';
import { RosterPage } from './pages/duty-roster/roster-page.js';
import { LoginPage } from './pages/login.js';
import { MonthlyReportPage } from './pages/spot-checks/monthly-report.js';
import { ReportAlerts } from './pages/reporting/report-alerts.js';
import { SpotCheckAlarm } from './pages/spot-checks/spot-check-alarm.js';
import { SpotChecksPage } from './pages/spot-checks/spot-checks-page.js';
import { TerminalsPage } from './pages/terminals/terminals-page.js';

// mediasoup-client and the signalling client load only when a consultation page is opened
const ConsultPage = lazy(() => import('./pages/consult.js'));
const RadioPage = lazy(() => import('./pages/radio.js'));
const WarningsPage = lazy(() => import('./pages/warnings/warnings-page.js'));
// 信息报送 (issue 18): its pages and their texts load when first opened
const ReportingPage = lazy(() => import('./pages/reporting/reporting-page.js'));
const ReportBoardPage = lazy(() => import('./pages/reporting/report-board.js'));
const DailyPage = lazy(() => import('./pages/reporting/daily-page.js'));
const MonthlyReportingPage = lazy(() => import('./pages/reporting/monthly-page.js'));
const DrillsPage = lazy(() => import('./pages/drills/drills-page.js'));
const TeamsPage = lazy(() => import('./pages/teams/teams-page.js'));
const StockPage = lazy(() => import('./pages/stock/stock-page.js'));
const ExpertsPage = lazy(() => import('./pages/experts/experts-page.js'));
const PlansPage = lazy(() => import('./pages/plans/plans-page.js'));

export function App() {
  const [user, setUser] = useState<UserView | null>(null);
  const [checking, setChecking] = useState(() => session.token !== null);
  const path = usePath();
  const { socket, state } = useSocket(user ? session.token : null);

  useEffect(() => {
    if (!session.token) return;
    api
      .me()
      .then(setUser)
      .catch(() => session.set(null))
      .finally(() => setChecking(false));
  }, []);

  if (checking) return null;
  if (!user) {
    return (
      <LoginPage
        onLogin={(u) => {
          setUser(u);
          navigate(LANDING[u.role]);
        }}
      />
    );
  }
  const page = PAGES.find((p) => p.path === path && p.roles.includes(user.role));
  if (!page) {
    queueMicrotask(() => navigate(LANDING[user.role]));
    return null;
  }
  const logout = () => {
    session.set(null);
    alarm.set([]);
    setUser(null);
    navigate('/');
  };
  return (
    <Layout user={user} page={page.id} conn={state} onLogout={logout}>
      <ConsultInvitations user={user} hidden={page.id === 'consult'} socket={socket} />
      {user.role === 'duty_officer' && <SpotCheckAlarm socket={socket} />}
      <HandoverAlerts socket={socket} />
      <ReportAlerts socket={socket} />
      {page.id === 'duty' && <DutyPage user={user} socket={socket} conn={state} />}
      {page.id === 'board' && <BoardPage user={user} socket={socket} conn={state} />}
      {page.id === 'terminals' && <TerminalsPage user={user} />}
      {page.id === 'consult' && (
        <Suspense fallback={null}>
          <ConsultPage user={user} />
        </Suspense>
      )}
      {page.id === 'spotchecks' && <SpotChecksPage socket={socket} />}
      {page.id === 'dutystats' && <MonthlyReportPage />}
      {page.id === 'radio' && (
        <Suspense fallback={null}>
          <RadioPage user={user} />
        </Suspense>
      )}
      {page.id === 'audit' && <AuditPage />}
      {page.id === 'roster' && <RosterPage user={user} />}
      {page.id === 'handover' && <HandoverPage user={user} />}
      {page.id === 'dutylog' && <DutyLogPage user={user} />}
      {page.id === 'warnings' && (
        <Suspense fallback={null}>
          <WarningsPage user={user} socket={socket} />
        </Suspense>
      )}
      <Suspense fallback={null}>
        {page.id === 'reporting' && <ReportingPage user={user} socket={socket} />}
        {page.id === 'reportboard' && <ReportBoardPage socket={socket} />}
        {page.id === 'dailyreports' && <DailyPage user={user} socket={socket} />}
        {page.id === 'reportstats' && <MonthlyReportingPage user={user} />}
        {page.id === 'drills' && <DrillsPage user={user} />}
        {page.id === 'teams' && <TeamsPage user={user} />}
        {page.id === 'stock' && <StockPage user={user} />}
        {page.id === 'experts' && <ExpertsPage user={user} />}
        {page.id === 'plans' && <PlansPage user={user} />}
      </Suspense>
    </Layout>
  );
}
